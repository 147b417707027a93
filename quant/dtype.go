package quant

import "strconv"

// DType is a storage format of weights.
type DType uint8

// The storage formats.
const (
	F32    DType = iota + 1 // IEEE 754 binary32
	F16                     // IEEE 754 binary16
	BF16                    // bfloat16: the top half of a binary32
	F8E4M3                  // OCP FP8 e4m3fn (no infinities, 0x7f/0xff NaN), as in torch.float8_e4m3fn
)

// String returns the name of t as used in safetensors headers:
// "F32", "F16", "BF16" or "F8_E4M3".
func (t DType) String() string {
	switch t {
	case F32:
		return "F32"
	case F16:
		return "F16"
	case BF16:
		return "BF16"
	case F8E4M3:
		return "F8_E4M3"
	}
	return "DType(" + strconv.Itoa(int(t)) + ")"
}

// ElemSize returns the number of bytes per element of t,
// or 0 if t is not a known format.
func (t DType) ElemSize() int {
	switch t {
	case F32:
		return 4
	case F16, BF16:
		return 2
	case F8E4M3:
		return 1
	}
	return 0
}
