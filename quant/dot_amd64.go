//go:build !noasm

package quant

import (
	"math"
	"unsafe"
)

// The float inner products on amd64: AVX2 + FMA kernels (dot_amd64.s) over the longest
// prefix of a row that is a multiple of 8 elements, the portable code for the rest. The
// assembly sums in another order than the portable kernels, so results differ in the last
// bits. With Kernels that lack AVX2 + FMA (or F16C, for halves), every product runs the
// portable code.

//go:noescape
func dotF32AVX2(a, b *float32, n int) float32

//go:noescape
func dotF16AVX2(w *byte, x *float32, n int) float32

//go:noescape
func dotBF16AVX2(w *byte, x *float32, n int) float32

//go:noescape
func dotE4M3AVX2(w *byte, x *float32, n int) (s float32, nan bool)

// dotF32 returns a·b; len(b) >= len(a).
func (k Kernels) dotF32(a, b []float32) float32 {
	if !k.has(extAVX2) {
		return dotF32Generic(a, b)
	}
	b = b[:len(a)]
	n := len(a) &^ 7
	var s float32
	if n > 0 {
		s = dotF32AVX2(&a[0], &b[0], n)
	}
	if n < len(a) {
		s += dotF32Generic(a[n:], b[n:])
	}
	return s
}

// dotF32LE returns w·x, where w holds len(x) little-endian float32s at any
// alignment.
func (k Kernels) dotF32LE(w []byte, x []float32) float32 {
	if !k.has(extAVX2) {
		return dotF32LEGeneric(w, x)
	}
	w = w[:4*len(x)]
	n := len(x) &^ 7
	var s float32
	if n > 0 {
		// float32 loads need no alignment on amd64; the kernel only reads.
		s = dotF32AVX2((*float32)(unsafe.Pointer(&w[0])), &x[0], n)
	}
	if n < len(x) {
		s += dotF32LEGeneric(w[4*n:], x[n:])
	}
	return s
}

// dotF16 returns w·x, where w holds len(x) little-endian halves.
func (k Kernels) dotF16(w []byte, x []float32) float32 {
	if !k.has(extAVX2 | extF16C) {
		return dotF16Generic(w, x)
	}
	w = w[:2*len(x)]
	n := len(x) &^ 7
	var s float32
	if n > 0 {
		s = dotF16AVX2(&w[0], &x[0], n)
	}
	if n < len(x) {
		s += dotF16Generic(w[2*n:], x[n:])
	}
	return s
}

// dotBF16 returns w·x, where w holds len(x) little-endian bfloat16s.
func (k Kernels) dotBF16(w []byte, x []float32) float32 {
	if !k.has(extAVX2) {
		return dotBF16Generic(w, x)
	}
	w = w[:2*len(x)]
	n := len(x) &^ 7
	var s float32
	if n > 0 {
		s = dotBF16AVX2(&w[0], &x[0], n)
	}
	if n < len(x) {
		s += dotBF16Generic(w[2*n:], x[n:])
	}
	return s
}

// dotE4M3 returns w·x, where w holds len(x) E4M3 bytes. A NaN code (0x7f, 0xff) makes
// the product NaN, as in the portable kernel. (The kernel converts through halves scaled
// by 2^-8, F16C, so it needs that too.)
func (k Kernels) dotE4M3(w []byte, x []float32) float32 {
	if !k.has(extAVX2 | extF16C) {
		return dotE4M3Generic(w, x)
	}
	w = w[:len(x)]
	n := len(x) &^ 7
	var s float32
	if n > 0 {
		v, nan := dotE4M3AVX2(&w[0], &x[0], n)
		if nan {
			return float32(math.NaN())
		}
		s = v * 256
	}
	if n < len(x) {
		s += dotE4M3Generic(w[n:], x[n:])
	}
	return s
}
