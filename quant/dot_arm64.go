//go:build !noasm

package quant

// The arm64 float kernels (dot_arm64.s, plain NEON: every arm64 core has it). Each
// assembly kernel takes a multiple of 16 values and sums them in 16 float32 lanes; the
// wrappers here add the last len%16 products in Go. Short products (under 16 values) and
// Kernels without NEON run the generic kernels. Results differ from the generic ones only
// by float summation order.

//go:noescape
func dotF32NEON(a, b []float32) float32

//go:noescape
func dotF32LENEON(w []byte, x []float32) float32

//go:noescape
func dotF16NEON(w []byte, x []float32) float32

//go:noescape
func dotBF16NEON(w []byte, x []float32) float32

// dotE4M3NEON returns NaN when w holds a NaN code (0x7f, 0xff), as the generic kernel does.
//
//go:noescape
func dotE4M3NEON(w []byte, x []float32) float32

// dotF32 returns a·b; len(b) >= len(a).
func (k Kernels) dotF32(a, b []float32) float32 {
	b = b[:len(a)]
	if !k.has(extNEON) || len(a) < 16 {
		return dotF32Generic(a, b)
	}
	n := len(a) &^ 15
	s := dotF32NEON(a[:n], b[:n])
	for i := n; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

// dotF32LE returns w·x, where w holds len(x) little-endian float32s at any alignment.
func (k Kernels) dotF32LE(w []byte, x []float32) float32 {
	w = w[:4*len(x)]
	if !k.has(extNEON) || len(x) < 16 {
		return dotF32LEGeneric(w, x)
	}
	n := len(x) &^ 15
	s := dotF32LENEON(w[:4*n], x[:n])
	for i := n; i < len(x); i++ {
		s += f32le(w[4*i:]) * x[i]
	}
	return s
}

// dotF16 returns w·x, where w holds len(x) little-endian halves.
func (k Kernels) dotF16(w []byte, x []float32) float32 {
	w = w[:2*len(x)]
	if !k.has(extNEON) || len(x) < 16 {
		return dotF16Generic(w, x)
	}
	n := len(x) &^ 15
	s := dotF16NEON(w[:2*n], x[:n])
	for i := n; i < len(x); i++ {
		s += f16at(w[2*i:]) * x[i]
	}
	return s
}

// dotBF16 returns w·x, where w holds len(x) little-endian bfloat16s.
func (k Kernels) dotBF16(w []byte, x []float32) float32 {
	w = w[:2*len(x)]
	if !k.has(extNEON) || len(x) < 16 {
		return dotBF16Generic(w, x)
	}
	n := len(x) &^ 15
	s := dotBF16NEON(w[:2*n], x[:n])
	for i := n; i < len(x); i++ {
		s += BF16ToF32(uint16(w[2*i])|uint16(w[2*i+1])<<8) * x[i]
	}
	return s
}

// dotE4M3 returns w·x, where w holds len(x) E4M3 bytes.
func (k Kernels) dotE4M3(w []byte, x []float32) float32 {
	w = w[:len(x)]
	if !k.has(extNEON) || len(x) < 16 {
		return dotE4M3Generic(w, x)
	}
	n := len(x) &^ 15
	s := dotE4M3NEON(w[:n], x[:n])
	for i := n; i < len(x); i++ {
		s += e4m3Table[w[i]] * x[i]
	}
	return s
}
