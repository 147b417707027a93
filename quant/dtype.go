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

	// The block formats of GGUF files (llama.cpp's ggml). Each block holds
	// BlockSize elements in BlockBytes bytes; see NewBlock.
	Q8_0 // 32 int8 values and an f16 scale
	Q4_0 // 32 4-bit values offset by 8 and an f16 scale
	Q4_1 // 32 4-bit values, an f16 scale and an f16 minimum
	Q5_0 // 32 5-bit values offset by 16 and an f16 scale
	Q5_1 // 32 5-bit values, an f16 scale and an f16 minimum
	Q2_K // 256 2-bit values in 16 groups with 4-bit scales and minimums
	Q3_K // 256 3-bit values in 16 groups with 6-bit signed scales
	Q4_K // 256 4-bit values in 8 groups with 6-bit scales and minimums
	Q5_K // 256 5-bit values in 8 groups with 6-bit scales and minimums
	Q6_K // 256 6-bit values in 16 groups with 8-bit signed scales
)

// String returns the name of t as used in safetensors headers
// ("F32", "F16", "BF16" or "F8_E4M3"), or, for the block formats, as ggml
// spells it ("Q8_0", "Q4_K", ...).
func (t DType) String() string {
	if f := t.format(); f.name != "" {
		return f.name
	}
	return "DType(" + strconv.Itoa(int(t)) + ")"
}

// ElemSize returns the number of bytes per element of t, or 0 if t is not
// a known format or is a block format.
func (t DType) ElemSize() int {
	if f := t.format(); f.blockSize == 1 {
		return f.blockBytes
	}
	return 0
}

// isBlock reports whether t is one of the GGUF block formats.
func (t DType) isBlock() bool { return t.format().blockSize > 1 }

// BlockSize returns the number of elements per block of t: 32 or 256 for the
// block formats, 1 for the element formats, 0 if t is unknown.
func (t DType) BlockSize() int { return t.format().blockSize }

// BlockBytes returns the number of bytes per block of t (ElemSize for the
// element formats), or 0 if t is unknown.
func (t DType) BlockBytes() int { return t.format().blockBytes }

// GGUFType returns the ggml_type id that stands for t in GGUF tensor infos, and false if
// t is unknown or GGUF files cannot hold it (F8E4M3).
func (t DType) GGUFType() (uint32, bool) {
	f := t.format()
	if f.name == "" || f.ggufType == noGGUF {
		return 0, false
	}
	return uint32(f.ggufType), true
}

// ParseDType returns the format whose String is name ("Q4_K", "BF16", ...).
func ParseDType(name string) (DType, bool) {
	for t := range formats {
		if f := &formats[t]; f.name != "" && f.name == name {
			return DType(t), true
		}
	}
	return 0, false
}
