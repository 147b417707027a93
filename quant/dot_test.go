package quant

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"
)

var dotLengths = []int{0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 64, 100, 1000, 7168}

func TestDot(t *testing.T) { forEachKernels(t, testDot) }

func testDot(t *testing.T, k Kernels) {
	tests := []struct {
		name  string
		dtype DType
		dot   func(w []byte, x []float32) float32
	}{
		{"DotF32", F32, func(w []byte, x []float32) float32 {
			a := make([]float32, len(x))
			for i := range a {
				a[i] = math.Float32frombits(binary.LittleEndian.Uint32(w[4*i:]))
			}
			return k.DotF32(a, x)
		}},
		{"DotF16", F16, k.DotF16},
		{"DotBF16", BF16, k.DotBF16},
		{"DotE4M3", F8E4M3, k.DotE4M3},
		{"dotF32LE", F32, k.dotF32LE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, n := range dotLengths {
				for _, off := range []int{0, 1} {
					w, ref := encode(tt.dtype, 1, n, off, uint64(n))
					x := randVec(n, uint64(n))
					checkDot(t, fmt.Sprintf("n=%d, offset %d", n, off), tt.dot(w, x), ref, x)
				}
			}
		})
	}
}

func TestDotSpecial(t *testing.T) { forEachKernels(t, testDotSpecial) }

func testDotSpecial(t *testing.T, k Kernels) {
	inf := float32(math.Inf(1))
	tests := []struct {
		name string
		got  float32
		want float32
	}{
		{"F32 exact", k.DotF32([]float32{1, 2, 3}, []float32{4, 5, 6}), 32},
		{"F32 empty", k.DotF32(nil, nil), 0},
		{"F16 infinity", k.DotF16([]byte{0x00, 0x7c, 0x00, 0x3c}, []float32{1, 2}), inf},
		{"F16 subnormal", k.DotF16([]byte{0x01, 0x00}, []float32{0x1p24}), 1},
		{"BF16 exact", k.DotBF16([]byte{0x80, 0x3f, 0x00, 0xc0}, []float32{3, 1}), 1},
		{"E4M3 max", k.DotE4M3([]byte{0x7e, 0xfe, 0x01}, []float32{2, 1, 512}), 449},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if got := k.DotE4M3([]byte{0x38, 0x7f}, []float32{1, 1}); !isNaN32(got) {
		t.Errorf("DotE4M3 with NaN code = %v, want NaN", got)
	}
}

func TestDotLengthMismatch(t *testing.T) {
	x := make([]float32, 4)
	tests := []struct {
		name string
		f    func()
	}{
		{"DotF32", func() { DotF32(x, x[:3]) }},
		{"DotF16 short", func() { DotF16(make([]byte, 7), x) }},
		{"DotF16 long", func() { DotF16(make([]byte, 9), x) }},
		{"DotBF16", func() { DotBF16(make([]byte, 4), x) }},
		{"DotE4M3", func() { DotE4M3(make([]byte, 5), x) }},
	}
	for _, tt := range tests {
		expectPanic(t, tt.name, tt.f)
	}
}
