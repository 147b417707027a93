package quant

// Q5_K block (ggml block_q5_K, 176 bytes): f16 d, f16 dmin, 12 bytes of
// scales and minimums packed as in Q4_K, qh[32] (fifth bits), then 128
// bytes of low four bits. Value q of group g is d*sc[g]*q - dmin*m[g].

// dequantQ5_K mirrors ggml's dequantize_row_q5_K.
func dequantQ5_K(dst []float32, w []byte) {
	for len(dst) >= 256 && len(w) >= blockBytesQ5_K {
		dequantBlockQ5_K((*[256]float32)(dst), (*[blockBytesQ5_K]byte)(w))
		dst, w = dst[256:], w[blockBytesQ5_K:]
	}
}

func dequantBlockQ5_K(y *[256]float32, b *[blockBytesQ5_K]byte) {
	d, dmin := f16at(b[0:]), f16at(b[2:])
	scales := (*[12]byte)(b[4:])
	qh := (*[32]byte)(b[16:])
	for n := range 4 {
		ql := (*[32]byte)(b[48+32*n:])
		sc, m := scaleMinK4(2*n, scales)
		d1, m1 := d*float32(sc), dmin*float32(m)
		sc, m = scaleMinK4(2*n+1, scales)
		d2, m2 := d*float32(sc), dmin*float32(m)
		s1, s2 := uint(2*n), uint(2*n+1)
		y := (*[64]float32)(y[64*n:])
		for l := range 32 {
			y[l] = float32(d1*float32(ql[l]&15|qh[l]>>s1&1<<4)) - m1
			y[l+32] = float32(d2*float32(ql[l]>>4|qh[l]>>s2&1<<4)) - m2
		}
	}
}

// dotQ5_K returns the Q5_K row w · x, factored as in dotQ4_K.
func dotQ5_K(w []byte, x []float32) float32 {
	var s float32
	for len(x) >= 256 && len(w) >= blockBytesQ5_K {
		b := (*[blockBytesQ5_K]byte)(w)
		scales := (*[12]byte)(b[4:])
		qh := (*[32]byte)(b[16:])
		var sq, sm float32
		for n := range 4 {
			ql := (*[32]byte)(b[48+32*n:])
			v := (*[64]float32)(x[64*n:])
			s1, s2 := uint(2*n), uint(2*n+1)
			var a0, a1, c0, c1, x0, x1 float32
			for l := 0; l < 32; l += 2 {
				a0 += float32(ql[l]&15|qh[l]>>s1&1<<4) * v[l]
				a1 += float32(ql[l+1]&15|qh[l+1]>>s1&1<<4) * v[l+1]
				c0 += float32(ql[l]>>4|qh[l]>>s2&1<<4) * v[l+32]
				c1 += float32(ql[l+1]>>4|qh[l+1]>>s2&1<<4) * v[l+33]
				x0 += v[l] + v[l+1]
				x1 += v[l+32] + v[l+33]
			}
			sc1, m1 := scaleMinK4(2*n, scales)
			sc2, m2 := scaleMinK4(2*n+1, scales)
			sq += float32(sc1)*(a0+a1) + float32(sc2)*(c0+c1)
			sm += float32(m1)*x0 + float32(m2)*x1
		}
		s += f16at(b[0:])*sq - f16at(b[2:])*sm
		w, x = w[blockBytesQ5_K:], x[256:]
	}
	return s
}

// quantizeQ5_K mirrors ggml's quantize_row_q5_K_ref.
func quantizeQ5_K(dst []byte, src []float32) {
	var l [256]uint8
	for len(src) >= 256 && len(dst) >= blockBytesQ5_K {
		b := (*[blockBytesQ5_K]byte)(dst)
		quantizeKGroups(b[:], (*[256]float32)(src), &l, 31, -0.5, 15)
		qh := (*[32]byte)(b[16:])
		*qh = [32]byte{}
		for n := range 4 {
			ql := b[48+32*n:][:32]
			m1, m2 := byte(1)<<(2*n), byte(2)<<(2*n)
			for i := range ql {
				l1, l2 := l[64*n+i], l[64*n+i+32]
				if l1 > 15 {
					l1 -= 16
					qh[i] |= m1
				}
				if l2 > 15 {
					l2 -= 16
					qh[i] |= m2
				}
				ql[i] = l1 | l2<<4
			}
		}
		src, dst = src[256:], dst[blockBytesQ5_K:]
	}
}
