//go:build noasm || !amd64

package quant

func (Kernels) axpyF32(y []float32, a float32, x []float32) { axpyF32Generic(y, a, x) }
