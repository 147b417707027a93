//go:build noasm || !(amd64 || arm64 || riscv64)

package quant

// Without assembly (the noasm build tag, or an architecture that has none), the one-row
// integer kernels are the portable ones of dotq_generic.go, whatever the Kernels.

func (Kernels) dotQ8_0Q8(w []byte, q []int8, d []float32, _ []int16) float32 {
	return dotQ8_0Q8Generic(w, q, d)
}

func (Kernels) dotQ4_0Q8(w []byte, q []int8, d []float32, _ []int16) float32 {
	return dotQ4_0Q8Generic(w, q, d)
}

func (Kernels) dotQ5_0Q8(w []byte, q []int8, d []float32, _ []int16) float32 {
	return dotQ5_0Q8Generic(w, q, d)
}

func (Kernels) dotQ2_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	return dotQ2_KQ8KGeneric(w, q, d, s)
}

func (Kernels) dotQ3_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	return dotQ3_KQ8KGeneric(w, q, d, s)
}

func (Kernels) dotQ4_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	return dotQ4_KQ8KGeneric(w, q, d, s)
}

func (Kernels) dotQ5_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	return dotQ5_KQ8KGeneric(w, q, d, s)
}

func (Kernels) dotQ6_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	return dotQ6_KQ8KGeneric(w, q, d, s)
}
