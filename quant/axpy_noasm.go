//go:build !amd64

package quant

func axpyF32(y []float32, a float32, x []float32) { axpyF32Generic(y, a, x) }
