package quant

import "math"

// The scale searches of ggml's reference K-quant quantizers. They work in
// float32 like ggml's C code, rounding every operation: the explicit
// float32 conversions of products keep the compiler from fusing them into
// multiply-adds (as it may on arm64 or amd64 v3), which would change the
// chosen scales and make the output differ from llama-quantize's.

// groupMaxEps is ggml's GROUP_MAX_EPS: groups with a smaller largest
// magnitude quantize to zero.
const groupMaxEps = 1e-15

// nearestInt rounds f to the nearest integer, ties to even, for
// |f| <= 4194303, as ggml's nearest_int.
func nearestInt(f float32) int {
	v := float32(f) + 12582912
	return int(math.Float32bits(v)&0x007fffff) - 0x00400000
}

func abs32(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }

// makeQKX2Quants mirrors ggml's make_qkx2_quants: it chooses a scale and a
// minimum for the values x, quantized as L in [0, nmax] to
// scale*L - theMin, minimising the weighted squared (or, with useMAD,
// absolute) error. Starting from min/max rounding it tries nstep+1 further
// scales (nmax + rmin + rdelta*is)/(max-min) and, for each rounding, the
// least-squares scale and minimum. laux is scratch space of len(x).
func makeQKX2Quants(nmax int, x, weights []float32, l, laux []uint8, rmin, rdelta float32, nstep int, useMAD bool) (scale, theMin float32) {
	n := len(x)
	lo, hi := x[0], x[0]
	sumW := weights[0]
	sumX := sumW * x[0]
	for i := 1; i < n; i++ {
		lo = min(lo, x[i])
		hi = max(hi, x[i])
		w := weights[i]
		sumW += w
		sumX += float32(w * x[i])
	}
	if lo > 0 {
		lo = 0
	}
	if hi == lo {
		clear(l[:n])
		return 0, -lo
	}
	errOf := func(diff float32) float32 {
		if useMAD {
			return abs32(diff)
		}
		return diff * diff
	}
	fmax := float32(nmax)
	iscale := fmax / (hi - lo)
	scale = 1 / iscale
	var best float32
	for i, v := range x {
		q := max(0, min(nmax, nearestInt(iscale*(v-lo))))
		l[i] = uint8(q)
		best += float32(weights[i] * errOf(float32(scale*float32(q))+lo-v))
	}
	for is := 0; is <= nstep; is++ {
		iscale = (rmin + float32(rdelta*float32(is)) + fmax) / (hi - lo)
		var sumL, sumL2, sumXL float32
		for i, v := range x {
			q := max(0, min(nmax, nearestInt(iscale*(v-lo))))
			laux[i] = uint8(q)
			w, fq := weights[i], float32(q)
			sumL += float32(w * fq)
			sumL2 += float32(w * fq * fq)
			sumXL += float32(w * fq * v)
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if D <= 0 {
			continue
		}
		thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
		thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
		if thisMin > 0 {
			thisMin = 0
			thisScale = sumXL / sumL2
		}
		var cur float32
		for i, v := range x {
			cur += float32(weights[i] * errOf(float32(thisScale*float32(laux[i]))+thisMin-v))
		}
		if cur < best {
			copy(l[:n], laux[:n])
			best = cur
			scale, lo = thisScale, thisMin
		}
	}
	return scale, -lo
}

// makeQXQuants mirrors ggml's make_qx_quants with rmse_type 1 (weights
// x²): it quantizes x symmetrically to l-nmax with l in [0, 2*nmax) and
// returns the scale, trying 18 scales around -nmax/max and keeping the one
// with the least weighted squared error (the least-squares scale for each
// rounding).
func makeQXQuants(nmax int, x []float32, l []uint8) float32 {
	var amax, m float32
	for _, v := range x {
		if a := abs32(v); a > amax {
			amax, m = a, v
		}
	}
	if amax < groupMaxEps {
		clear(l[:len(x)])
		return 0
	}
	fmax := float32(nmax)
	round := func(iscale, v float32) int {
		return max(-nmax, min(nmax-1, nearestInt(iscale*v)))
	}
	iscale := -fmax / m
	var sumLX, sumL2 float32
	for i, v := range x {
		q := round(iscale, v)
		l[i] = uint8(q + nmax)
		w, fq := v*v, float32(q)
		sumLX += float32(w * v * fq)
		sumL2 += float32(w * fq * fq)
	}
	var scale float32
	if sumL2 != 0 {
		scale = sumLX / sumL2
	}
	best := scale * sumLX
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -(fmax + float32(0.1*float32(is))) / m
		sumLX, sumL2 = 0, 0
		for _, v := range x {
			q := round(iscale, v)
			w, fq := v*v, float32(q)
			sumLX += float32(w * v * fq)
			sumL2 += float32(w * fq * fq)
		}
		if sumL2 > 0 && sumLX*sumLX > best*sumL2 {
			for i, v := range x {
				l[i] = uint8(round(iscale, v) + nmax)
			}
			scale = sumLX / sumL2
			best = scale * sumLX
		}
	}
	return scale
}

// makeQ3Quants mirrors ggml's make_q3_quants with do_rmse: symmetric
// quantization of x to l-nmax, l in [0, 2*nmax), refined by moving single
// values while that lowers the x²-weighted squared error (at most five
// passes). It returns the scale.
func makeQ3Quants(nmax int, x []float32, l []uint8) float32 {
	var amax, m float32
	for _, v := range x {
		if a := abs32(v); a > amax {
			amax, m = a, v
		}
	}
	if amax < groupMaxEps {
		clear(l[:len(x)])
		return 0
	}
	var li [16]int
	q := li[:len(x)]
	iscale := -float32(nmax) / m
	var sumLX, sumL2 float32
	for i, v := range x {
		k := max(-nmax, min(nmax-1, nearestInt(iscale*v)))
		q[i] = k
		w, fk := v*v, float32(k)
		sumLX += float32(w * v * fk)
		sumL2 += float32(w * fk * fk)
	}
	for range 5 {
		changed := 0
		for i, v := range x {
			w, fk := v*v, float32(q[i])
			slx := sumLX - float32(w*v*fk)
			if slx <= 0 {
				continue
			}
			sl2 := sumL2 - float32(w*fk*fk)
			nk := max(-nmax, min(nmax-1, nearestInt(v*sl2/slx)))
			if nk == q[i] {
				continue
			}
			fn := float32(nk)
			slx += float32(w * v * fn)
			sl2 += float32(w * fn * fn)
			if sl2 > 0 && slx*slx*sumL2 > sumLX*sumLX*sl2 {
				q[i] = nk
				sumLX, sumL2 = slx, sl2
				changed++
			}
		}
		if changed == 0 {
			break
		}
	}
	for i, k := range q {
		l[i] = uint8(k + nmax)
	}
	return sumLX / sumL2
}
