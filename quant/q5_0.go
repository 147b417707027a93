package quant

import "encoding/binary"

// Q5_0 block (ggml block_q5_0, 22 bytes): f16 scale d, 4 bytes qh (a
// little-endian uint32 whose bit j is the fifth bit of value j), then 16
// bytes qs with the low four bits as in Q4_0; a value with bits q is
// d*(q-16).

// dequantQ5_0 mirrors ggml's dequantize_row_q5_0.
func dequantQ5_0(dst []float32, w []byte) {
	for len(dst) >= 32 && len(w) >= blockBytesQ5_0 {
		b := (*[blockBytesQ5_0]byte)(w)
		d := f16at(b[0:])
		qh := binary.LittleEndian.Uint32(b[2:])
		y := (*[32]float32)(dst)
		for j := range 16 {
			h0 := byte(qh>>j) & 1 << 4
			h1 := byte(qh>>(j+16)) & 1 << 4
			y[j] = d * float32(int(b[6+j]&15|h0)-16)
			y[j+16] = d * float32(int(b[6+j]>>4|h1)-16)
		}
		dst, w = dst[32:], w[blockBytesQ5_0:]
	}
}

// dotQ5_0 returns the Q5_0 row w · x.
func dotQ5_0(w []byte, x []float32) float32 {
	var s float32
	for len(x) >= 32 && len(w) >= blockBytesQ5_0 {
		b := (*[blockBytesQ5_0]byte)(w)
		v := (*[32]float32)(x)
		qh := binary.LittleEndian.Uint32(b[2:])
		var s0, s1, s2, s3 float32
		for j := 0; j < 16; j += 2 {
			q0, q1 := b[6+j], b[7+j]
			s0 += float32(int(q0&15|byte(qh>>j)&1<<4)-16) * v[j]
			s1 += float32(int(q1&15|byte(qh>>(j+1))&1<<4)-16) * v[j+1]
			s2 += float32(int(q0>>4|byte(qh>>(j+16))&1<<4)-16) * v[j+16]
			s3 += float32(int(q1>>4|byte(qh>>(j+17))&1<<4)-16) * v[j+17]
		}
		s += f16at(b[0:]) * ((s0 + s1) + (s2 + s3))
		w, x = w[blockBytesQ5_0:], x[32:]
	}
	return s
}

// quantizeQ5_0 mirrors ggml's quantize_row_q5_0_ref: d = -m/16 for the
// value m of largest magnitude, q = min(31, trunc(x/d + 16.5)).
func quantizeQ5_0(dst []byte, src []float32) {
	for len(src) >= 32 && len(dst) >= blockBytesQ5_0 {
		x := (*[32]float32)(src)
		b := (*[blockBytesQ5_0]byte)(dst)
		d := signedAbsMax(x[:]) / -16
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putF16(b[0:], d)
		var qh uint32
		for j := range 16 {
			q0 := byte(min(31, int8(float32(x[j]*id)+16.5)))
			q1 := byte(min(31, int8(float32(x[j+16]*id)+16.5)))
			b[6+j] = q0&15 | q1<<4
			qh |= uint32(q0>>4) << j
			qh |= uint32(q1>>4) << (j + 16)
		}
		binary.LittleEndian.PutUint32(b[2:], qh)
		src, dst = src[32:], dst[blockBytesQ5_0:]
	}
}
