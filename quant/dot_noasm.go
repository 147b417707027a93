//go:build !amd64 && !arm64 && !riscv64

package quant

// The kernels below select an implementation of each inner product. Only
// the portable Go versions exist so far; an architecture with assembly
// versions declares these functions in its own files (dot_amd64.go and
// dot_amd64.s, say) and this file gets the matching build constraint.

// dotF32 returns a·b; len(b) >= len(a).
func dotF32(a, b []float32) float32 { return dotF32Generic(a, b) }

// dotF32LE returns w·x, where w holds len(x) little-endian float32s at any
// alignment.
func dotF32LE(w []byte, x []float32) float32 { return dotF32LEGeneric(w, x) }

// dotF16 returns w·x, where w holds len(x) little-endian halves.
func dotF16(w []byte, x []float32) float32 { return dotF16Generic(w, x) }

// dotBF16 returns w·x, where w holds len(x) little-endian bfloat16s.
func dotBF16(w []byte, x []float32) float32 { return dotBF16Generic(w, x) }

// dotE4M3 returns w·x, where w holds len(x) E4M3 bytes.
func dotE4M3(w []byte, x []float32) float32 { return dotE4M3Generic(w, x) }
