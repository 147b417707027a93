//go:build noasm || !amd64

package quant

func (Kernels) expF32(x []float32) { expF32Generic(x) }

func (Kernels) swiGLU(gate, up []float32) { swiGLUGeneric(gate, up) }
