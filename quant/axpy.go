package quant

// AxpyF32 sets y[i] += a·x[i] for i < len(y), with CPUKernels; len(x) must be at least
// len(y).
func AxpyF32(y []float32, a float32, x []float32) { cpuKernels.AxpyF32(y, a, x) }

// AxpyF32 is AxpyF32 with k's kernels.
func (k Kernels) AxpyF32(y []float32, a float32, x []float32) {
	x = x[:len(y)]
	k.axpyF32(y, a, x)
}

func axpyF32Generic(y []float32, a float32, x []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += a * x[i]
	}
}
