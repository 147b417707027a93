package quant

import "math"

// f16Table holds the float32 value of every half, for the kernels: one
// load is several times faster than converting.
var f16Table = func() *[1 << 16]float32 {
	t := new([1 << 16]float32)
	for i := range t {
		t[i] = F16ToF32(uint16(i))
	}
	return t
}()

// F16ToF32 converts the IEEE 754 half-precision value with bits h to float32.
// The conversion is exact for all inputs, including subnormals, infinities
// and NaNs (whose payload is kept).
func F16ToF32(h uint16) float32 {
	const (
		expMask = 0x1f << 23       // half exponent field, after the shift below
		adjust  = (127 - 15) << 23 // rebias from half to single
		two14   = (127 - 14) << 23 // bits of 2^-14, the smallest normal half
		infNaN  = (255 - 31) << 23 // further rebias for the all-ones exponent
	)
	u := uint32(h&0x7fff) << 13
	exp := u & expMask
	u += adjust
	switch exp {
	case expMask: // Inf or NaN
		u += infNaN - adjust
	case 0: // zero or subnormal: renormalize with an exact subtraction
		u = math.Float32bits(math.Float32frombits(u+1<<23) - math.Float32frombits(two14))
	}
	return math.Float32frombits(u | uint32(h&0x8000)<<16)
}

// F32ToF16 converts f to IEEE 754 half precision, rounding to nearest with
// ties to even. Values too large for a half become infinities; NaNs stay NaNs
// (quiet, with the top of the payload kept).
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant == 0 {
			return sign | 0x7c00
		}
		return sign | 0x7e00 | uint16(mant>>13)
	}
	e := exp - 127 + 15 // biased half exponent
	switch {
	case e >= 0x1f:
		return sign | 0x7c00
	case e <= 0:
		// Subnormal half (or zero). Below 2^-25 everything rounds to zero.
		if e < -10 {
			return sign
		}
		return sign | uint16(roundShift(mant|0x800000, uint(14-e)))
	}
	// A carry out of the mantissa correctly bumps the exponent, up to infinity.
	return sign | uint16(roundShift(uint32(e)<<23|mant, 13))
}

// roundShift returns v>>s rounded to nearest, ties to even. 1 <= s <= 31.
func roundShift(v uint32, s uint) uint32 {
	q := v >> s
	rem := v & (1<<s - 1)
	half := uint32(1) << (s - 1)
	if rem > half || rem == half && q&1 == 1 {
		q++
	}
	return q
}
