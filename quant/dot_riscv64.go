//go:build !noasm

package quant

// The riscv64 float kernels (dot_riscv64.s, RVV 1.0, vector-length agnostic): with the
// vector extension every length runs in assembly, the tail included. With Kernels without it
// the generic kernels run. Results differ from the generic ones only by float summation order
// (and the fused multiply-adds).

//go:noescape
func dotF32RVV(a, b []float32) float32

//go:noescape
func dotF32LERVV(w []byte, x []float32) float32

//go:noescape
func dotF16RVV(w []byte, x []float32) float32

//go:noescape
func dotBF16RVV(w []byte, x []float32) float32

//go:noescape
func dotE4M3RVV(w []byte, x []float32, t *[256]float32) float32

// dotF32 returns a·b; len(b) >= len(a).
func (k Kernels) dotF32(a, b []float32) float32 {
	b = b[:len(a)]
	if !k.has(extRVV) {
		return dotF32Generic(a, b)
	}
	return dotF32RVV(a, b)
}

// dotF32LE returns w·x, where w holds len(x) little-endian float32s at any alignment.
func (k Kernels) dotF32LE(w []byte, x []float32) float32 {
	w = w[:4*len(x)]
	if !k.has(extRVV) {
		return dotF32LEGeneric(w, x)
	}
	return dotF32LERVV(w, x)
}

// dotF16 returns w·x, where w holds len(x) little-endian halves.
func (k Kernels) dotF16(w []byte, x []float32) float32 {
	w = w[:2*len(x)]
	if !k.has(extRVV) {
		return dotF16Generic(w, x)
	}
	return dotF16RVV(w, x)
}

// dotBF16 returns w·x, where w holds len(x) little-endian bfloat16s.
func (k Kernels) dotBF16(w []byte, x []float32) float32 {
	w = w[:2*len(x)]
	if !k.has(extRVV) {
		return dotBF16Generic(w, x)
	}
	return dotBF16RVV(w, x)
}

// dotE4M3 returns w·x, where w holds len(x) E4M3 bytes.
func (k Kernels) dotE4M3(w []byte, x []float32) float32 {
	w = w[:len(x)]
	if !k.has(extRVV) {
		return dotE4M3Generic(w, x)
	}
	return dotE4M3RVV(w, x, &e4m3Table)
}
