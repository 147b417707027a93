package quant

import "math"

// BF16ToF32 converts the bfloat16 value with bits b to float32. The
// conversion is exact.
func BF16ToF32(b uint16) float32 {
	return math.Float32frombits(uint32(b) << 16)
}

// F32ToBF16 converts f to bfloat16, rounding to nearest with ties to even.
// Values too large for a bfloat16 become infinities; NaNs stay NaNs (quiet,
// with the top of the payload kept).
func F32ToBF16(f float32) uint16 {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 {
		return uint16(u>>16) | 0x40
	}
	return uint16((u + 0x7fff + (u>>16)&1) >> 16)
}
