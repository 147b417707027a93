package quant

// Q4_1 block (ggml block_q4_1, 20 bytes): f16 scale d, f16 minimum m, then
// 16 bytes qs laid out as in Q4_0; a value with nibble q is d*q + m.

// dequantQ4_1 mirrors ggml's dequantize_row_q4_1.
func dequantQ4_1(dst []float32, w []byte) {
	for len(dst) >= 32 && len(w) >= blockBytesQ4_1 {
		b := (*[blockBytesQ4_1]byte)(w)
		d, m := f16at(b[0:]), f16at(b[2:])
		y := (*[32]float32)(dst)
		for j := range 16 {
			y[j] = float32(d*float32(b[4+j]&15)) + m
			y[j+16] = float32(d*float32(b[4+j]>>4)) + m
		}
		dst, w = dst[32:], w[blockBytesQ4_1:]
	}
}

// dotQ4_1 returns the Q4_1 row w · x: per block, d*Σq·x + m*Σx.
func dotQ4_1(w []byte, x []float32) float32 {
	var s float32
	for len(x) >= 32 && len(w) >= blockBytesQ4_1 {
		b := (*[blockBytesQ4_1]byte)(w)
		v := (*[32]float32)(x)
		var s0, s1, sx0, sx1 float32
		for j := range 16 {
			q := b[4+j]
			s0 += float32(q&15) * v[j]
			s1 += float32(q>>4) * v[j+16]
			sx0 += v[j]
			sx1 += v[j+16]
		}
		s += f16at(b[0:])*(s0+s1) + f16at(b[2:])*(sx0+sx1)
		w, x = w[blockBytesQ4_1:], x[32:]
	}
	return s
}

// quantizeQ4_1 mirrors ggml's quantize_row_q4_1_ref: m = min x,
// d = (max x - m)/15, q = min(15, trunc((x-m)/d + 0.5)).
func quantizeQ4_1(dst []byte, src []float32) {
	for len(src) >= 32 && len(dst) >= blockBytesQ4_1 {
		x := (*[32]float32)(src)
		b := (*[blockBytesQ4_1]byte)(dst)
		lo, hi := minMax(x[:])
		d := (hi - lo) / 15
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putF16(b[0:], d)
		putF16(b[2:], lo)
		for j := range 16 {
			q0 := min(15, int8(float32((x[j]-lo)*id)+0.5))
			q1 := min(15, int8(float32((x[j+16]-lo)*id)+0.5))
			b[4+j] = byte(q0) | byte(q1)<<4
		}
		src, dst = src[32:], dst[blockBytesQ4_1:]
	}
}

// minMax returns the smallest and largest values in x, as ggml's
// reference quantizers find them (starting from ±FLT_MAX).
func minMax(x []float32) (lo, hi float32) {
	lo, hi = maxFloat32, -maxFloat32
	for _, v := range x {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

const maxFloat32 = 3.40282346638528859811704183484516925440e+38
