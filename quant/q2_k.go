package quant

// Q2_K block (ggml block_q2_K, 84 bytes): 16 bytes of scales (low nibble
// the scale, high nibble the minimum of a 16-value group), qs[64] (2-bit
// values), f16 d, f16 dmin. Value q of group g is d*sc[g]*q - dmin*m[g].

// dequantQ2_K mirrors ggml's dequantize_row_q2_K.
func dequantQ2_K(dst []float32, w []byte) {
	for len(dst) >= 256 && len(w) >= blockBytesQ2_K {
		dequantBlockQ2_K((*[256]float32)(dst), (*[blockBytesQ2_K]byte)(w))
		dst, w = dst[256:], w[blockBytesQ2_K:]
	}
}

func dequantBlockQ2_K(y *[256]float32, b *[blockBytesQ2_K]byte) {
	d, dmin := f16at(b[80:]), f16at(b[82:])
	is := 0
	for n := range 2 {
		q := (*[32]byte)(b[16+32*n:])
		for j := range 4 {
			shift := uint(2 * j)
			y := (*[32]float32)(y[128*n+32*j:])
			sc := b[is]
			dl, ml := d*float32(sc&15), dmin*float32(sc>>4)
			for l := range 16 {
				y[l] = float32(dl*float32(q[l]>>shift&3)) - ml
			}
			sc = b[is+1]
			dl, ml = d*float32(sc&15), dmin*float32(sc>>4)
			for l := range 16 {
				y[l+16] = float32(dl*float32(q[l+16]>>shift&3)) - ml
			}
			is += 2
		}
	}
}

// dotQ2_K returns the Q2_K row w · x: per block, d*Σ sc·(q·x) minus
// dmin*Σ m·(Σx) over the 16-value groups.
func dotQ2_K(w []byte, x []float32) float32 {
	var s float32
	for len(x) >= 256 && len(w) >= blockBytesQ2_K {
		b := (*[blockBytesQ2_K]byte)(w)
		var sq, sm float32
		for g := range 16 {
			// Group g = 8n + 2j + h holds bits 2j of q[32n+16h:][:16].
			n, j, h := g/8, g/2%4, g%2
			q := (*[16]byte)(b[16+32*n+16*h:])
			v := (*[16]float32)(x[128*n+32*j+16*h:])
			shift := uint(2 * j)
			var a0, a1, x0, x1 float32
			for l := 0; l < 16; l += 2 {
				a0 += float32(q[l]>>shift&3) * v[l]
				a1 += float32(q[l+1]>>shift&3) * v[l+1]
				x0 += v[l]
				x1 += v[l+1]
			}
			sc := b[g]
			sq += float32(sc&15) * (a0 + a1)
			sm += float32(sc>>4) * (x0 + x1)
		}
		s += f16at(b[80:])*sq - f16at(b[82:])*sm
		w, x = w[blockBytesQ2_K:], x[256:]
	}
	return s
}

// quantizeQ2_K mirrors ggml's quantize_row_q2_K_ref: each 16-value group
// gets a scale and minimum from makeQKX2Quants (weights |x|, absolute
// error), quantized to 4 bits under f16 super-block scales.
func quantizeQ2_K(dst []byte, src []float32) {
	const q4scale = 15
	var l [256]uint8
	var laux [16]uint8
	var weights [16]float32
	var scales, mins [16]float32
	for len(src) >= 256 && len(dst) >= blockBytesQ2_K {
		x := (*[256]float32)(src)
		b := (*[blockBytesQ2_K]byte)(dst)
		var maxScale, maxMin float32
		for g := range 16 {
			xg := x[16*g:][:16]
			for i, v := range xg {
				weights[i] = abs32(v)
			}
			scales[g], mins[g] = makeQKX2Quants(3, xg, weights[:], l[16*g:][:16], laux[:], -0.5, 0.1, 15, true)
			maxScale = max(maxScale, scales[g])
			maxMin = max(maxMin, mins[g])
		}
		sc := b[:16]
		clear(sc)
		putF16(b[80:], 0)
		putF16(b[82:], 0)
		if maxScale > 0 {
			iscale := q4scale / maxScale
			for g := range 16 {
				sc[g] = byte(nearestInt(iscale * scales[g]))
			}
			putF16(b[80:], maxScale/q4scale)
		}
		if maxMin > 0 {
			iscale := q4scale / maxMin
			for g := range 16 {
				sc[g] |= byte(nearestInt(iscale*mins[g])) << 4
			}
			putF16(b[82:], maxMin/q4scale)
		}
		d, dmin := f16at(b[80:]), f16at(b[82:])
		for g := range 16 {
			dg := d * float32(sc[g]&15)
			if dg == 0 {
				continue
			}
			dm := dmin * float32(sc[g]>>4)
			for i := range 16 {
				q := nearestInt((x[16*g+i] + dm) / dg)
				l[16*g+i] = uint8(max(0, min(3, q)))
			}
		}
		packQ2(b[16:80], &l)
		src, dst = src[256:], dst[blockBytesQ2_K:]
	}
}

// packQ2 stores the low two bits of the 256 values l into 64 bytes, laid
// out as dequantBlockQ2_K and dequantBlockQ3_K read them.
func packQ2(q []byte, l *[256]uint8) {
	for n := range 2 {
		L := l[128*n:]
		for i := range 32 {
			q[32*n+i] = L[i] | L[i+32]<<2 | L[i+64]<<4 | L[i+96]<<6
		}
	}
}
