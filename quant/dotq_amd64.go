//go:build amd64

package quant

// The integer kernels run the AVX2+FMA+F16C assembly of dotq_amd64.s where the CPU has it
// (and DEEPGO_KERNELS is not "generic"), the portable ones otherwise. Each wrapper checks
// the slice lengths first, so that the assembly, which trusts them, never reads past the end
// of w, q or s.

// useAVX2Int reports whether the assembly integer kernels may run.
func useAVX2Int() bool { return cpu.avx2 && cpu.f16c }

//go:noescape
func dotQ8_0Q8AVX2(w []byte, q []int8, d []float32) float32

//go:noescape
func dotQ4_0Q8AVX2(w []byte, q []int8, d []float32) float32

//go:noescape
func dotQ2_KQ8KAVX2(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ3_KQ8KAVX2(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ4_KQ8KAVX2(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ5_KQ8KAVX2(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ6_KQ8KAVX2(w []byte, q []int8, d []float32, s []int16) float32

func dotQ8_0Q8(w []byte, q []int8, d []float32) float32 {
	if useAVX2Int() {
		n := len(d)
		return dotQ8_0Q8AVX2(w[:34*n], q[:32*n], d)
	}
	return dotQ8_0Q8Generic(w, q, d)
}

func dotQ4_0Q8(w []byte, q []int8, d []float32) float32 {
	if useAVX2Int() {
		n := len(d)
		return dotQ4_0Q8AVX2(w[:18*n], q[:32*n], d)
	}
	return dotQ4_0Q8Generic(w, q, d)
}

func dotQ2_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if useAVX2Int() {
		n := len(d)
		return dotQ2_KQ8KAVX2(w[:84*n], q[:256*n], d, s[:16*n])
	}
	return dotQ2_KQ8KGeneric(w, q, d, s)
}

func dotQ3_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if useAVX2Int() {
		n := len(d)
		return dotQ3_KQ8KAVX2(w[:110*n], q[:256*n], d, s[:16*n])
	}
	return dotQ3_KQ8KGeneric(w, q, d, s)
}

func dotQ4_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if useAVX2Int() {
		n := len(d)
		return dotQ4_KQ8KAVX2(w[:144*n], q[:256*n], d, s[:16*n])
	}
	return dotQ4_KQ8KGeneric(w, q, d, s)
}

func dotQ5_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if useAVX2Int() {
		n := len(d)
		return dotQ5_KQ8KAVX2(w[:176*n], q[:256*n], d, s[:16*n])
	}
	return dotQ5_KQ8KGeneric(w, q, d, s)
}

func dotQ6_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if useAVX2Int() {
		n := len(d)
		return dotQ6_KQ8KAVX2(w[:210*n], q[:256*n], d, s[:16*n])
	}
	return dotQ6_KQ8KGeneric(w, q, d, s)
}
