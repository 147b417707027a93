package quant

import "math"

// e4m3Max is the largest finite E4M3 value, encoded as 0x7e.
const e4m3Max = 448

// e4m3Table holds the float32 value of every E4M3 code.
var e4m3Table = func() [256]float32 {
	var t [256]float32
	for i := range t {
		b := uint8(i)
		exp := int(b>>3) & 0xf
		mant := float64(b & 7)
		var v float64
		switch {
		case b&0x7f == 0x7f:
			v = math.NaN()
		case exp == 0:
			v = math.Ldexp(mant, -9)
		default:
			v = math.Ldexp(8+mant, exp-10)
		}
		if b&0x80 != 0 {
			v = -v
		}
		t[i] = float32(v)
	}
	return t
}()

// E4M3ToF32 converts the OCP FP8 E4M3 (e4m3fn) value with bits b to float32.
// The conversion is exact. E4M3 has no infinities: its largest magnitude is
// 448 (0x7e), 0x7f and 0xff are NaN, and codes 0x01 to 0x07 are subnormals
// (multiples of 2^-9).
func E4M3ToF32(b uint8) float32 {
	return e4m3Table[b]
}

// F32ToE4M3 converts f to OCP FP8 E4M3, rounding to nearest with ties to
// even. Magnitudes beyond the largest finite value, infinities included,
// saturate to ±448; NaNs become 0x7f (0xff if negative).
func F32ToE4M3(f float32) uint8 {
	u := math.Float32bits(f)
	sign := uint8(u>>24) & 0x80
	exp := int(u>>23) & 0xff
	mant := u & 0x7fffff
	if exp == 0xff && mant != 0 {
		return sign | 0x7f
	}
	e := exp - 127 + 7 // biased E4M3 exponent
	var q uint32
	switch {
	case e > 15:
		return sign | 0x7e
	case e <= 0:
		// Subnormal (or zero). Below 2^-10 everything rounds to zero.
		if e < -3 {
			return sign
		}
		q = roundShift(mant|0x800000, uint(21-e))
	default:
		q = roundShift(uint32(e)<<23|mant, 20)
	}
	if q > 0x7e {
		q = 0x7e
	}
	return sign | uint8(q)
}
