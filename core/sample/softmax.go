package sample

import "math"

// Constants of the exponential: e^x = 2^n · e^r with n = round(x·log₂e), r = x − n·ln 2.
const (
	log2e = 1.4426950408889634074
	ln2   = 0.69314718055994530942
	round = 0x1.8p52 // adding it rounds a float64 below 2^51 in magnitude to an integer
	expLo = -87.3    // e^x for x below is under the smallest normal float32: 0
)

// expNeg returns e^x for x ≤ 0 with a relative error below 1e-8, and 0 for x below −87.3
// and for −Inf. It is several times faster than math.Exp. expSum has a copy inlined by
// hand, as expNeg is too large for the compiler to inline.
func expNeg(x float32) float64 {
	if !(x >= expLo) { // also −Inf and NaN
		return 0
	}
	f := float64(x)
	t := f*log2e + round // n in the low bits
	r := f - (t-round)*ln2
	// Taylor series to degree 7: |r| ≤ ln2/2, so the remainder is below r⁸/8! < 6e-9.
	// Estrin's scheme shortens the chain of dependent operations.
	r2 := r * r
	r4 := r2 * r2
	p := ((1 + r) + r2*(1.0/2+r*(1.0/6))) + r4*((1.0/24+r*(1.0/120))+r2*(1.0/720+r*(1.0/5040)))
	return p * math.Float64frombits((math.Float64bits(t)+1023)<<52) // p · 2^n
}

// expSum sets e[i] to the weight exp((x[i]-lmax)/t) of every token, rounded to float32,
// and returns their sum. lmax must be at least the largest of x.
func expSum(e, x []float32, lmax, t float32) float64 {
	e = e[:len(x)]
	var z float64
	for i, l := range x {
		w := 0.0
		if v := (l - lmax) / t; v >= expLo { // expNeg(v) inlined
			f := float64(v)
			t := f*log2e + round
			r := f - (t-round)*ln2
			r2 := r * r
			r4 := r2 * r2
			p := ((1 + r) + r2*(1.0/2+r*(1.0/6))) + r4*((1.0/24+r*(1.0/120))+r2*(1.0/720+r*(1.0/5040)))
			w = p * math.Float64frombits((math.Float64bits(t)+1023)<<52)
		}
		ew := float32(w)
		e[i] = ew
		z += float64(ew)
	}
	return z
}

// softmaxList sets the weight of each candidate to exp((l-lmax)/t) and returns their sum.
func softmaxList(c []cand, lmax, t float32) float64 {
	var z float64
	for i := range c {
		w := float32(expNeg((c[i].l - lmax) / t))
		c[i].w = w
		z += float64(w)
	}
	return z
}

// softmaxFull sets s.e[i] to the weight exp((l-lmax)/T) of every token and returns their
// sum, the normaliser of the whole distribution. Without top-p it also applies min-p,
// zeroing the weights of the tokens it drops, and sets s.zk to the weight kept; with top-p
// it fills the histogram s.mass for gatherTopP instead.
func (s *Sampler) softmaxFull() float64 {
	lmax, t := s.lmax, s.temp
	x := s.x
	e := s.e[:len(x)]
	z := expSum(e, x, lmax, t)
	switch {
	case s.topP:
		mass := s.mass[:nBuckets]
		clear(mass)
		for i, w := range e {
			if w != 0 {
				mass[bucket((x[i]-lmax)/t)] += float64(w)
			}
		}
	case s.minP:
		thr := s.minPThr
		var zk float64
		for i, w := range e {
			if (x[i]-lmax)/t < thr {
				e[i] = 0
			} else {
				zk += float64(w)
			}
		}
		s.zk = zk
	default:
		s.zk = z
	}
	return z
}
