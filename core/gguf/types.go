package gguf

import (
	"fmt"
	"math"
)

// Type is a ggml tensor type id, as stored in a GGUF tensor info.
type Type uint32

// The ggml tensor types. Ids 4, 5, 31–33 and 36–38 belong to types whose
// support was removed from ggml; files using them are rejected.
const (
	F32     Type = 0
	F16     Type = 1
	Q4_0    Type = 2
	Q4_1    Type = 3
	Q5_0    Type = 6
	Q5_1    Type = 7
	Q8_0    Type = 8
	Q8_1    Type = 9
	Q2_K    Type = 10
	Q3_K    Type = 11
	Q4_K    Type = 12
	Q5_K    Type = 13
	Q6_K    Type = 14
	Q8_K    Type = 15
	IQ2_XXS Type = 16
	IQ2_XS  Type = 17
	IQ3_XXS Type = 18
	IQ1_S   Type = 19
	IQ4_NL  Type = 20
	IQ3_S   Type = 21
	IQ2_S   Type = 22
	IQ4_XS  Type = 23
	I8      Type = 24
	I16     Type = 25
	I32     Type = 26
	I64     Type = 27
	F64     Type = 28
	IQ1_M   Type = 29
	BF16    Type = 30
	TQ1_0   Type = 34
	TQ2_0   Type = 35
	MXFP4   Type = 39
	NVFP4   Type = 40
	Q1_0    Type = 41
	Q2_0    Type = 42
)

// typeTraits describes the storage of one ggml type: blocks of blockSize
// elements stored in blockBytes bytes.
type typeTraits struct {
	name       string
	blockSize  int
	blockBytes int
}

// typeTable is indexed by Type; entries with an empty name are unknown ids.
// The sizes are those of ggml's type traits (ggml_blck_size, ggml_type_size).
var typeTable = [...]typeTraits{
	F32:     {"F32", 1, 4},
	F16:     {"F16", 1, 2},
	Q4_0:    {"Q4_0", 32, 18},
	Q4_1:    {"Q4_1", 32, 20},
	Q5_0:    {"Q5_0", 32, 22},
	Q5_1:    {"Q5_1", 32, 24},
	Q8_0:    {"Q8_0", 32, 34},
	Q8_1:    {"Q8_1", 32, 36},
	Q2_K:    {"Q2_K", 256, 84},
	Q3_K:    {"Q3_K", 256, 110},
	Q4_K:    {"Q4_K", 256, 144},
	Q5_K:    {"Q5_K", 256, 176},
	Q6_K:    {"Q6_K", 256, 210},
	Q8_K:    {"Q8_K", 256, 292},
	IQ2_XXS: {"IQ2_XXS", 256, 66},
	IQ2_XS:  {"IQ2_XS", 256, 74},
	IQ3_XXS: {"IQ3_XXS", 256, 98},
	IQ1_S:   {"IQ1_S", 256, 50},
	IQ4_NL:  {"IQ4_NL", 32, 18},
	IQ3_S:   {"IQ3_S", 256, 110},
	IQ2_S:   {"IQ2_S", 256, 82},
	IQ4_XS:  {"IQ4_XS", 256, 136},
	I8:      {"I8", 1, 1},
	I16:     {"I16", 1, 2},
	I32:     {"I32", 1, 4},
	I64:     {"I64", 1, 8},
	F64:     {"F64", 1, 8},
	IQ1_M:   {"IQ1_M", 256, 56},
	BF16:    {"BF16", 1, 2},
	TQ1_0:   {"TQ1_0", 256, 54},
	TQ2_0:   {"TQ2_0", 256, 66},
	MXFP4:   {"MXFP4", 32, 17},
	NVFP4:   {"NVFP4", 64, 36},
	Q1_0:    {"Q1_0", 128, 18},
	Q2_0:    {"Q2_0", 64, 18},
}

func (t Type) traits() (typeTraits, bool) {
	if int64(t) >= int64(len(typeTable)) || typeTable[t].name == "" {
		return typeTraits{}, false
	}
	return typeTable[t], true
}

// Known reports whether t is a ggml type id this package knows the
// storage layout of.
func (t Type) Known() bool {
	_, ok := t.traits()
	return ok
}

// String returns ggml's name of the type, such as "Q4_K", or "Type(N)" for
// an unknown id.
func (t Type) String() string {
	if tr, ok := t.traits(); ok {
		return tr.name
	}
	return fmt.Sprintf("Type(%d)", uint32(t))
}

// BlockSize returns the number of elements in one block of the type (1 for
// the plain types such as F32), or 0 for an unknown type.
func (t Type) BlockSize() int {
	tr, _ := t.traits()
	return tr.blockSize
}

// BlockBytes returns the number of bytes of one block of the type, or 0 for
// an unknown type.
func (t Type) BlockBytes() int {
	tr, _ := t.traits()
	return tr.blockBytes
}

// RowBytes returns the number of bytes of a row of ne0 elements. It fails
// for an unknown type, a negative ne0, an ne0 that is not a multiple of the
// block size, or a size that overflows int64.
func (t Type) RowBytes(ne0 int64) (int64, error) {
	tr, ok := t.traits()
	if !ok {
		return 0, fmt.Errorf("unknown ggml type id %d", uint32(t))
	}
	if ne0 < 0 {
		return 0, fmt.Errorf("negative row length %d", ne0)
	}
	bs := int64(tr.blockSize)
	if ne0%bs != 0 {
		return 0, fmt.Errorf("row length %d is not a multiple of the %s block size %d", ne0, tr.name, bs)
	}
	blocks := ne0 / bs
	if blocks > math.MaxInt64/int64(tr.blockBytes) {
		return 0, fmt.Errorf("row of %d %s elements overflows int64 bytes", ne0, tr.name)
	}
	return blocks * int64(tr.blockBytes), nil
}

// TensorBytes returns the number of bytes of a tensor of type t and shape
// ne (ne[0] first, the contiguous axis). It fails like RowBytes, for a
// negative dimension, or when the element count or size overflows int64.
func (t Type) TensorBytes(ne []int64) (int64, error) {
	if len(ne) == 0 {
		return 0, fmt.Errorf("tensor has no dimensions")
	}
	var nelem int64 = 1
	for i, n := range ne {
		if n < 0 {
			return 0, fmt.Errorf("dimension %d is negative (%d)", i, n)
		}
		if n != 0 && nelem > math.MaxInt64/n {
			return 0, fmt.Errorf("element count of shape %v overflows int64", ne)
		}
		nelem *= n
	}
	row, err := t.RowBytes(ne[0])
	if err != nil {
		return 0, err
	}
	rows := int64(1)
	if ne[0] != 0 {
		rows = nelem / ne[0]
	} else {
		return 0, nil
	}
	if row != 0 && rows > math.MaxInt64/row {
		return 0, fmt.Errorf("byte size of shape %v overflows int64", ne)
	}
	return rows * row, nil
}
