package quant

import "math"

// Q8_0 block (ggml block_q8_0, 34 bytes): f16 scale d, then 32 int8 values
// q; value j is d*q[j].

// dequantQ8_0 mirrors ggml's dequantize_row_q8_0.
func dequantQ8_0(dst []float32, w []byte) {
	for len(dst) >= 32 && len(w) >= blockBytesQ8_0 {
		b := (*[blockBytesQ8_0]byte)(w)
		d := f16at(b[0:])
		y := (*[32]float32)(dst)
		for j := range y {
			y[j] = d * float32(int8(b[2+j]))
		}
		dst, w = dst[32:], w[blockBytesQ8_0:]
	}
}

// dotQ8_0 returns the Q8_0 row w · x: per block, d times the float32 sum
// of q[j]*x[j].
func dotQ8_0(w []byte, x []float32) float32 {
	var s float32
	for len(x) >= 32 && len(w) >= blockBytesQ8_0 {
		b := (*[blockBytesQ8_0]byte)(w)
		q := (*[32]byte)(b[2:])
		v := (*[32]float32)(x)
		var s0, s1, s2, s3 float32
		t := &int8Table
		for j := 0; j < 32; j += 4 {
			s0 += t[q[j]] * v[j]
			s1 += t[q[j+1]] * v[j+1]
			s2 += t[q[j+2]] * v[j+2]
			s3 += t[q[j+3]] * v[j+3]
		}
		s += f16at(b[0:]) * ((s0 + s1) + (s2 + s3))
		w, x = w[blockBytesQ8_0:], x[32:]
	}
	return s
}

// quantizeQ8_0 mirrors ggml's quantize_row_q8_0_ref: d = max|x|/127,
// q = round(x/d), ties away from zero.
func quantizeQ8_0(dst []byte, src []float32) {
	for len(src) >= 32 && len(dst) >= blockBytesQ8_0 {
		x := (*[32]float32)(src)
		b := (*[blockBytesQ8_0]byte)(dst)
		d := absMax(x[:]) / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putF16(b[0:], d)
		for j, v := range x {
			b[2+j] = byte(int8(math.Round(float64(v * id))))
		}
		src, dst = src[32:], dst[blockBytesQ8_0:]
	}
}

// int8Table holds the float32 value of every int8, by its byte: a load is
// cheaper than a conversion.
var int8Table = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(int8(i))
	}
	return t
}()
