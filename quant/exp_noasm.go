//go:build !amd64

package quant

func expF32(x []float32) { expF32Generic(x) }

func swiGLU(gate, up []float32) { swiGLUGeneric(gate, up) }
