package quant

// Q6_K block (ggml block_q6_K, 210 bytes): ql[128] (low four bits), qh[64]
// (high two bits), 16 int8 scales, f16 super-block scale d. Value v of a
// 16-value group with scale s is d*s*(q-32).

// dequantQ6_K mirrors ggml's dequantize_row_q6_K.
func dequantQ6_K(dst []float32, w []byte) {
	for len(dst) >= 256 && len(w) >= blockBytesQ6_K {
		dequantBlockQ6_K((*[256]float32)(dst), (*[blockBytesQ6_K]byte)(w))
		dst, w = dst[256:], w[blockBytesQ6_K:]
	}
}

func dequantBlockQ6_K(y *[256]float32, b *[blockBytesQ6_K]byte) {
	d := f16at(b[208:])
	for n := range 2 {
		ql := (*[64]byte)(b[64*n:])
		qh := (*[32]byte)(b[128+32*n:])
		sc := (*[8]byte)(b[192+8*n:])
		y := (*[128]float32)(y[128*n:])
		for l := range 32 {
			is := l / 16
			q1 := int(ql[l]&15|qh[l]&3<<4) - 32
			q2 := int(ql[l+32]&15|qh[l]>>2&3<<4) - 32
			q3 := int(ql[l]>>4|qh[l]>>4&3<<4) - 32
			q4 := int(ql[l+32]>>4|qh[l]>>6&3<<4) - 32
			y[l] = d * float32(int8(sc[is])) * float32(q1)
			y[l+32] = d * float32(int8(sc[is+2])) * float32(q2)
			y[l+64] = d * float32(int8(sc[is+4])) * float32(q3)
			y[l+96] = d * float32(int8(sc[is+6])) * float32(q4)
		}
	}
}

// dotQ6_K returns the Q6_K row w · x: per block, d times the sum over
// groups of the scale times the float32 sum of (q-32)*x.
func dotQ6_K(w []byte, x []float32) float32 {
	var s float32
	for len(x) >= 256 && len(w) >= blockBytesQ6_K {
		b := (*[blockBytesQ6_K]byte)(w)
		var sq float32
		for n := range 2 {
			ql := (*[64]byte)(b[64*n:])
			qh := (*[32]byte)(b[128+32*n:])
			sc := (*[8]byte)(b[192+8*n:])
			v := (*[128]float32)(x[128*n:])
			for h := range 2 {
				var a0, a1, a2, a3 float32
				t := &int8Table
				for l := 16 * h; l < 16*h+16; l++ {
					lo, hi, e := ql[l], ql[l+32], qh[l]
					a0 += t[(lo&15|e&3<<4)-32] * v[l]
					a1 += t[(hi&15|e>>2&3<<4)-32] * v[l+32]
					a2 += t[(lo>>4|e>>4&3<<4)-32] * v[l+64]
					a3 += t[(hi>>4|e>>6&3<<4)-32] * v[l+96]
				}
				sq += float32(int8(sc[h]))*a0 + float32(int8(sc[h+2]))*a1 +
					float32(int8(sc[h+4]))*a2 + float32(int8(sc[h+6]))*a3
			}
		}
		s += f16at(b[208:]) * sq
		w, x = w[blockBytesQ6_K:], x[256:]
	}
	return s
}

// quantizeQ6_K mirrors ggml's quantize_row_q6_K_ref: each 16-value group
// gets a scale from makeQXQuants, the scales are quantized to int8 under
// an f16 super-block scale, and the values are requantized with them.
func quantizeQ6_K(dst []byte, src []float32) {
	var l [256]uint8
	var scales [16]float32
	for len(src) >= 256 && len(dst) >= blockBytesQ6_K {
		x := (*[256]float32)(src)
		b := (*[blockBytesQ6_K]byte)(dst)
		var maxScale, maxAbs float32
		for g := range 16 {
			scales[g] = makeQXQuants(32, x[16*g:][:16], l[16*g:][:16])
			if a := abs32(scales[g]); a > maxAbs {
				maxAbs, maxScale = a, scales[g]
			}
		}
		if maxAbs < groupMaxEps {
			*b = [blockBytesQ6_K]byte{}
			src, dst = src[256:], dst[blockBytesQ6_K:]
			continue
		}
		iscale := -128 / maxScale
		putF16(b[208:], 1/iscale)
		d := f16at(b[208:])
		for g := range 16 {
			b[192+g] = byte(int8(min(127, nearestInt(iscale*scales[g]))))
		}
		for g := range 16 {
			dg := d * float32(int8(b[192+g]))
			if dg == 0 {
				continue
			}
			for i := range 16 {
				q := nearestInt(x[16*g+i] / dg)
				l[16*g+i] = uint8(max(-32, min(31, q)) + 32)
			}
		}
		for n := range 2 {
			ql := (*[64]byte)(b[64*n:])
			qh := (*[32]byte)(b[128+32*n:])
			L := l[128*n:]
			for i := range 32 {
				ql[i] = L[i]&15 | L[i+64]&15<<4
				ql[i+32] = L[i+32]&15 | L[i+96]&15<<4
				qh[i] = L[i]>>4 | L[i+32]>>4<<2 | L[i+64]>>4<<4 | L[i+96]>>4<<6
			}
		}
		src, dst = src[256:], dst[blockBytesQ6_K:]
	}
}
