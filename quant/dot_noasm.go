//go:build noasm || !(amd64 || arm64 || riscv64)

package quant

// Without assembly (the noasm build tag, or an architecture that has none), the float
// inner products are the portable ones of dot_generic.go, whatever the Kernels.

// dotF32 returns a·b; len(b) >= len(a).
func (Kernels) dotF32(a, b []float32) float32 { return dotF32Generic(a, b) }

// dotF32LE returns w·x, where w holds len(x) little-endian float32s at any
// alignment.
func (Kernels) dotF32LE(w []byte, x []float32) float32 { return dotF32LEGeneric(w, x) }

// dotF16 returns w·x, where w holds len(x) little-endian halves.
func (Kernels) dotF16(w []byte, x []float32) float32 { return dotF16Generic(w, x) }

// dotBF16 returns w·x, where w holds len(x) little-endian bfloat16s.
func (Kernels) dotBF16(w []byte, x []float32) float32 { return dotBF16Generic(w, x) }

// dotE4M3 returns w·x, where w holds len(x) E4M3 bytes.
func (Kernels) dotE4M3(w []byte, x []float32) float32 { return dotE4M3Generic(w, x) }
