package quant

import "encoding/binary"

// Q5_1 block (ggml block_q5_1, 24 bytes): f16 scale d, f16 minimum m,
// 4 bytes qh, then 16 bytes qs, laid out as in Q5_0; a value with bits q
// is d*q + m.

// dequantQ5_1 mirrors ggml's dequantize_row_q5_1.
func dequantQ5_1(dst []float32, w []byte) {
	for len(dst) >= 32 && len(w) >= blockBytesQ5_1 {
		b := (*[blockBytesQ5_1]byte)(w)
		d, m := f16at(b[0:]), f16at(b[2:])
		qh := binary.LittleEndian.Uint32(b[4:])
		y := (*[32]float32)(dst)
		for j := range 16 {
			h0 := byte(qh>>j) & 1 << 4
			h1 := byte(qh>>(j+16)) & 1 << 4
			y[j] = float32(d*float32(b[8+j]&15|h0)) + m
			y[j+16] = float32(d*float32(b[8+j]>>4|h1)) + m
		}
		dst, w = dst[32:], w[blockBytesQ5_1:]
	}
}

// dotQ5_1 returns the Q5_1 row w · x: per block, d*Σq·x + m*Σx.
func dotQ5_1(w []byte, x []float32) float32 {
	var s float32
	for len(x) >= 32 && len(w) >= blockBytesQ5_1 {
		b := (*[blockBytesQ5_1]byte)(w)
		v := (*[32]float32)(x)
		qh := binary.LittleEndian.Uint32(b[4:])
		var s0, s1, sx0, sx1 float32
		for j := range 16 {
			q := b[8+j]
			s0 += float32(q&15|byte(qh>>j)&1<<4) * v[j]
			s1 += float32(q>>4|byte(qh>>(j+16))&1<<4) * v[j+16]
			sx0 += v[j]
			sx1 += v[j+16]
		}
		s += f16at(b[0:])*(s0+s1) + f16at(b[2:])*(sx0+sx1)
		w, x = w[blockBytesQ5_1:], x[32:]
	}
	return s
}

// quantizeQ5_1 mirrors ggml's quantize_row_q5_1_ref: m = min x,
// d = (max x - m)/31, q = trunc((x-m)/d + 0.5).
func quantizeQ5_1(dst []byte, src []float32) {
	for len(src) >= 32 && len(dst) >= blockBytesQ5_1 {
		x := (*[32]float32)(src)
		b := (*[blockBytesQ5_1]byte)(dst)
		lo, hi := minMax(x[:])
		d := (hi - lo) / 31
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putF16(b[0:], d)
		putF16(b[2:], lo)
		var qh uint32
		for j := range 16 {
			q0 := byte(float32((x[j]-lo)*id) + 0.5)
			q1 := byte(float32((x[j+16]-lo)*id) + 0.5)
			b[8+j] = q0&15 | q1<<4
			qh |= uint32(q0>>4&1) << j
			qh |= uint32(q1>>4&1) << (j + 16)
		}
		binary.LittleEndian.PutUint32(b[4:], qh)
		src, dst = src[32:], dst[blockBytesQ5_1:]
	}
}
