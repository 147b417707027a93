package quant

// Q4_0 block (ggml block_q4_0, 18 bytes): f16 scale d, then 16 bytes qs;
// the low nibble of qs[j] is value j, the high nibble value j+16, and a
// value with nibble q is d*(q-8).

// dequantQ4_0 mirrors ggml's dequantize_row_q4_0.
func dequantQ4_0(dst []float32, w []byte) {
	for len(dst) >= 32 && len(w) >= blockBytesQ4_0 {
		b := (*[blockBytesQ4_0]byte)(w)
		d := f16at(b[0:])
		y := (*[32]float32)(dst)
		for j := range 16 {
			y[j] = d * float32(int(b[2+j]&15)-8)
			y[j+16] = d * float32(int(b[2+j]>>4)-8)
		}
		dst, w = dst[32:], w[blockBytesQ4_0:]
	}
}

// dotQ4_0 returns the Q4_0 row w · x.
func dotQ4_0(w []byte, x []float32) float32 {
	var s float32
	for len(x) >= 32 && len(w) >= blockBytesQ4_0 {
		b := (*[blockBytesQ4_0]byte)(w)
		v := (*[32]float32)(x)
		var s0, s1, s2, s3 float32
		t := &nibbleTable8
		for j := 0; j < 16; j += 2 {
			p0, p1 := &t[b[2+j]], &t[b[3+j]]
			s0 += p0[0] * v[j]
			s1 += p1[0] * v[j+1]
			s2 += p0[1] * v[j+16]
			s3 += p1[1] * v[j+17]
		}
		s += f16at(b[0:]) * ((s0 + s1) + (s2 + s3))
		w, x = w[blockBytesQ4_0:], x[32:]
	}
	return s
}

// quantizeQ4_0 mirrors ggml's quantize_row_q4_0_ref: d = -m/8 for the
// value m of largest magnitude, q = min(15, trunc(x/d + 8.5)).
func quantizeQ4_0(dst []byte, src []float32) {
	for len(src) >= 32 && len(dst) >= blockBytesQ4_0 {
		x := (*[32]float32)(src)
		b := (*[blockBytesQ4_0]byte)(dst)
		d := signedAbsMax(x[:]) / -8
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putF16(b[0:], d)
		for j := range 16 {
			q0 := min(15, int8(float32(x[j]*id)+8.5))
			q1 := min(15, int8(float32(x[j+16]*id)+8.5))
			b[2+j] = byte(q0) | byte(q1)<<4
		}
		src, dst = src[32:], dst[blockBytesQ4_0:]
	}
}

// signedAbsMax returns the first value of largest magnitude in x, with its
// sign.
func signedAbsMax(x []float32) float32 {
	var amax, m float32
	for _, v := range x {
		if a := max(v, -v); amax < a {
			amax, m = a, v
		}
	}
	return m
}

// nibbleTable holds the float32 values of the low and high nibbles of
// every byte, and nibbleTable8 the same values minus 8.
var nibbleTable, nibbleTable8 = func() (t, t8 [256][2]float32) {
	for i := range t {
		t[i] = [2]float32{float32(i & 15), float32(i >> 4)}
		t8[i] = [2]float32{float32(i&15 - 8), float32(i>>4 - 8)}
	}
	return t, t8
}()
