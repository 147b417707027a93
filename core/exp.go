package core

import "math"

// expf is e^x in float32, within 2 ulp of the exact value for normal results: the
// range reduction x = n·ln2 + r with ln2 split in two parts and a degree-6 polynomial for
// e^r on [-ln2/2, ln2/2] (the Cephes expf scheme). It is several times faster than
// float32(math.Exp(float64(x))), which the softmax and SwiGLU spend much of their time on.
func expf(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
	)
	switch {
	case x != x:
		return x
	case x > 88.72283:
		return float32(math.Inf(1))
	case x < -87.33654: // below the smallest normal result: subnormal or zero
		return float32(math.Exp(float64(x)))
	}
	z := x * log2e
	if z < 0 {
		z -= 0.5
	} else {
		z += 0.5
	}
	n := int32(z) // round to nearest
	fn := float32(n)
	r := x - fn*ln2hi - fn*ln2lo
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	e := p*r*r + r + 1
	// e·2^n, in two steps so that n = 128 (x just below the overflow bound) and
	// n = -126 stay representable.
	h := n / 2
	return e * math.Float32frombits(uint32(h+127)<<23) * math.Float32frombits(uint32(n-h+127)<<23)
}
