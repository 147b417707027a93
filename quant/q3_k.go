package quant

import "encoding/binary"

// Q3_K block (ggml block_q3_K, 110 bytes): hmask[32] (third bits), qs[64]
// (low two bits), 12 bytes packing sixteen 6-bit scales, f16 d. Value q of
// the 16-value group g is d*(sc[g]-32)*(q-4), where the third bit set
// means no -4.

// scalesQ3_K unpacks the sixteen 6-bit scales of a Q3_K block, minus 32,
// as dequantize_row_q3_K does with kmask1 and kmask2.
func scalesQ3_K(p *[12]byte) (sc [16]int8) {
	const kmask1, kmask2 = 0x03030303, 0x0f0f0f0f
	a0 := binary.LittleEndian.Uint32(p[0:])
	a1 := binary.LittleEndian.Uint32(p[4:])
	tmp := binary.LittleEndian.Uint32(p[8:])
	aux := [4]uint32{
		a0&kmask2 | (tmp>>0&kmask1)<<4,
		a1&kmask2 | (tmp>>2&kmask1)<<4,
		a0>>4&kmask2 | (tmp>>4&kmask1)<<4,
		a1>>4&kmask2 | (tmp>>6&kmask1)<<4,
	}
	for i, a := range aux {
		for k := range 4 {
			sc[4*i+k] = int8(byte(a>>(8*k))) - 32
		}
	}
	return sc
}

// dequantQ3_K mirrors ggml's dequantize_row_q3_K.
func dequantQ3_K(dst []float32, w []byte) {
	for len(dst) >= 256 && len(w) >= blockBytesQ3_K {
		dequantBlockQ3_K((*[256]float32)(dst), (*[blockBytesQ3_K]byte)(w))
		dst, w = dst[256:], w[blockBytesQ3_K:]
	}
}

func dequantBlockQ3_K(y *[256]float32, b *[blockBytesQ3_K]byte) {
	d := f16at(b[108:])
	hm := (*[32]byte)(b[0:])
	sc := scalesQ3_K((*[12]byte)(b[96:]))
	is := 0
	for n := range 2 {
		q := (*[32]byte)(b[32+32*n:])
		for j := range 4 {
			shift := uint(2 * j)
			bit := byte(1) << (4*n + j)
			y := (*[32]float32)(y[128*n+32*j:])
			dl := d * float32(sc[is])
			for l := range 16 {
				v := int(q[l] >> shift & 3)
				if hm[l]&bit == 0 {
					v -= 4
				}
				y[l] = dl * float32(v)
			}
			dl = d * float32(sc[is+1])
			for l := range 16 {
				v := int(q[l+16] >> shift & 3)
				if hm[l+16]&bit == 0 {
					v -= 4
				}
				y[l+16] = dl * float32(v)
			}
			is += 2
		}
	}
}

// dotQ3_K returns the Q3_K row w · x: per block, d times the sum over
// groups of the scale times the float32 sum of q*x.
func dotQ3_K(w []byte, x []float32) float32 {
	var s float32
	for len(x) >= 256 && len(w) >= blockBytesQ3_K {
		b := (*[blockBytesQ3_K]byte)(w)
		sc := scalesQ3_K((*[12]byte)(b[96:]))
		var sq float32
		for g := range 16 {
			// Group g = 8n + 2j + h: bits 2j of qs[32n+16h:][:16] and bit
			// 4n+j of hmask[16h:][:16].
			n, j, h := g/8, g/2%4, g%2
			q := (*[16]byte)(b[32+32*n+16*h:])
			hm := (*[16]byte)(b[16*h:])
			v := (*[16]float32)(x[128*n+32*j+16*h:])
			shift, bit := uint(2*j), uint(4*n+j)
			var a0, a1 float32
			for l := 0; l < 16; l += 2 {
				a0 += float32(int(q[l]>>shift&3|hm[l]>>bit&1<<2)-4) * v[l]
				a1 += float32(int(q[l+1]>>shift&3|hm[l+1]>>bit&1<<2)-4) * v[l+1]
			}
			sq += float32(sc[g]) * (a0 + a1)
		}
		s += f16at(b[108:]) * sq
		w, x = w[blockBytesQ3_K:], x[256:]
	}
	return s
}

// quantizeQ3_K mirrors ggml's quantize_row_q3_K_ref: each 16-value group
// gets a scale from makeQ3Quants, the scales are quantized to 6 bits
// under an f16 super-block scale, and the values are requantized with them.
func quantizeQ3_K(dst []byte, src []float32) {
	var l [256]uint8
	var scales [16]float32
	for len(src) >= 256 && len(dst) >= blockBytesQ3_K {
		x := (*[256]float32)(src)
		b := (*[blockBytesQ3_K]byte)(dst)
		var maxScale, amax float32
		for g := range 16 {
			scales[g] = makeQ3Quants(4, x[16*g:][:16], l[16*g:][:16])
			if a := abs32(scales[g]); a > amax {
				amax, maxScale = a, scales[g]
			}
		}
		ps := (*[12]byte)(b[96:])
		*ps = [12]byte{}
		putF16(b[108:], 0)
		if maxScale != 0 {
			iscale := -32 / maxScale
			for g := range 16 {
				k := byte(max(-32, min(31, nearestInt(iscale*scales[g]))) + 32)
				if g < 8 {
					ps[g] = k & 15
				} else {
					ps[g-8] |= k & 15 << 4
				}
				ps[8+g%4] |= k >> 4 << (2 * (g / 4))
			}
			putF16(b[108:], 1/iscale)
		}
		d := f16at(b[108:])
		sc := scalesQ3_K(ps)
		for g := range 16 {
			dg := d * float32(sc[g])
			if dg == 0 {
				continue
			}
			for i := range 16 {
				q := nearestInt(x[16*g+i] / dg)
				l[16*g+i] = uint8(max(-4, min(3, q)) + 4)
			}
		}
		hm := (*[32]byte)(b[0:])
		*hm = [32]byte{}
		for j := range 256 {
			if l[j] > 3 {
				hm[j%32] |= 1 << (j / 32)
				l[j] -= 4
			}
		}
		packQ2(b[32:96], &l)
		src, dst = src[256:], dst[blockBytesQ3_K:]
	}
}
