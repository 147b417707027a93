package quant

import "math"

// Q4_K block (ggml block_q4_K, 144 bytes): f16 super-block scale d, f16
// super-block minimum scale dmin, 12 bytes packing eight 6-bit scales and
// eight 6-bit minimums, then 128 bytes of 4-bit values. Value q of the
// 32-value group g is d*sc[g]*q - dmin*m[g].

// scaleMinK4 unpacks the 6-bit scale and minimum of group j from the 12
// packed bytes, as ggml's get_scale_min_k4.
func scaleMinK4(j int, q *[12]byte) (sc, m byte) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&15 | q[j-4]>>6<<4, q[j+4]>>4 | q[j]>>6<<4
}

// dequantQ4_K mirrors ggml's dequantize_row_q4_K.
func dequantQ4_K(dst []float32, w []byte) {
	for len(dst) >= 256 && len(w) >= blockBytesQ4_K {
		dequantBlockQ4_K((*[256]float32)(dst), (*[blockBytesQ4_K]byte)(w))
		dst, w = dst[256:], w[blockBytesQ4_K:]
	}
}

func dequantBlockQ4_K(y *[256]float32, b *[blockBytesQ4_K]byte) {
	d, dmin := f16at(b[0:]), f16at(b[2:])
	scales := (*[12]byte)(b[4:])
	for n := range 4 {
		q := (*[32]byte)(b[16+32*n:])
		sc, m := scaleMinK4(2*n, scales)
		d1, m1 := d*float32(sc), dmin*float32(m)
		sc, m = scaleMinK4(2*n+1, scales)
		d2, m2 := d*float32(sc), dmin*float32(m)
		y := (*[64]float32)(y[64*n:])
		for l := range 32 {
			y[l] = float32(d1*float32(q[l]&15)) - m1
			y[l+32] = float32(d2*float32(q[l]>>4)) - m2
		}
	}
}

// dotQ4_K returns the Q4_K row w · x: per block, d*Σ sc·(q·x) minus
// dmin*Σ m·(Σx) over the groups.
func dotQ4_K(w []byte, x []float32) float32 {
	var s float32
	for len(x) >= 256 && len(w) >= blockBytesQ4_K {
		b := (*[blockBytesQ4_K]byte)(w)
		scales := (*[12]byte)(b[4:])
		var sq, sm float32
		for n := range 4 {
			q := (*[32]byte)(b[16+32*n:])
			v := (*[64]float32)(x[64*n:])
			var a0, a1, c0, c1, x0, x1 float32
			t := &nibbleTable
			for l := 0; l < 32; l += 2 {
				p0, p1 := &t[q[l]], &t[q[l+1]]
				a0 += p0[0] * v[l]
				a1 += p1[0] * v[l+1]
				c0 += p0[1] * v[l+32]
				c1 += p1[1] * v[l+33]
				x0 += v[l] + v[l+1]
				x1 += v[l+32] + v[l+33]
			}
			sc1, m1 := scaleMinK4(2*n, scales)
			sc2, m2 := scaleMinK4(2*n+1, scales)
			sq += float32(sc1)*(a0+a1) + float32(sc2)*(c0+c1)
			sm += float32(m1)*x0 + float32(m2)*x1
		}
		s += f16at(b[0:])*sq - f16at(b[2:])*sm
		w, x = w[blockBytesQ4_K:], x[256:]
	}
	return s
}

// packScalesK4 packs eight 6-bit scales ls and minimums lm into the 12
// bytes read by scaleMinK4.
func packScalesK4(p *[12]byte, ls, lm *[8]uint8) {
	for j := range 8 {
		if j < 4 {
			p[j] = ls[j]
			p[j+4] = lm[j]
		} else {
			p[j+4] = ls[j]&15 | lm[j]&15<<4
			p[j-4] |= ls[j] >> 4 << 6
			p[j] |= lm[j] >> 4 << 6
		}
	}
}

// quantizeKGroups mirrors the first half of ggml's quantize_row_q4_K_ref
// and quantize_row_q5_K_ref: each 32-value group of x gets a scale and a
// minimum from makeQKX2Quants, weighted by rms(x)+|x|, and the scales and
// minimums are quantized to 6 bits under f16 super-block scales, stored at
// b[0:16]. It then requantizes every value with its group's final scale
// and minimum into l.
func quantizeKGroups(b []byte, x *[256]float32, l *[256]uint8, nmax int, rmin float32, nstep int) {
	var scales, mins [8]float32
	var weights [32]float32
	var laux [32]uint8
	var maxScale, maxMin float32
	for j := range 8 {
		g := x[32*j:][:32]
		var sumX2 float32
		for _, v := range g {
			sumX2 += float32(v * v)
		}
		av := float32(math.Sqrt(float64(sumX2 / 32)))
		for i, v := range g {
			weights[i] = av + abs32(v)
		}
		scales[j], mins[j] = makeQKX2Quants(nmax, g, weights[:], l[32*j:][:32], laux[:], rmin, 0.1, nstep, false)
		maxScale = max(maxScale, scales[j])
		maxMin = max(maxMin, mins[j])
	}
	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	var ls, lm [8]uint8
	for j := range 8 {
		ls[j] = uint8(min(63, nearestInt(invScale*scales[j])))
		lm[j] = uint8(min(63, nearestInt(invMin*mins[j])))
	}
	p := (*[12]byte)(b[4:])
	*p = [12]byte{}
	packScalesK4(p, &ls, &lm)
	putF16(b[0:], maxScale/63)
	putF16(b[2:], maxMin/63)
	d, dmin := f16at(b[0:]), f16at(b[2:])
	for j := range 8 {
		sc, m := scaleMinK4(j, p)
		dj := d * float32(sc)
		if dj == 0 {
			continue
		}
		dm := dmin * float32(m)
		for i := range 32 {
			q := nearestInt((x[32*j+i] + dm) / dj)
			l[32*j+i] = uint8(max(0, min(nmax, q)))
		}
	}
}

// quantizeQ4_K mirrors ggml's quantize_row_q4_K_ref.
func quantizeQ4_K(dst []byte, src []float32) {
	var l [256]uint8
	for len(src) >= 256 && len(dst) >= blockBytesQ4_K {
		b := (*[blockBytesQ4_K]byte)(dst)
		quantizeKGroups(b[:], (*[256]float32)(src), &l, 15, -1, 20)
		for n := range 4 {
			q := b[16+32*n:][:32]
			for i := range q {
				q[i] = l[64*n+i] | l[64*n+i+32]<<4
			}
		}
		src, dst = src[256:], dst[blockBytesQ4_K:]
	}
}
