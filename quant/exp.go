package quant

import "math"

// ExpF32 sets x[i] = e^x[i], as float32(math.Exp(float64(x[i]))), with CPUKernels: the
// assembly computes it to a relative 1e−14 before it rounds to float32, so its results are
// the same bit for bit but where e^x lies that close to a rounding boundary of float32
// (about one value in ten million), where they are one ulp off.
func ExpF32(x []float32) { cpuKernels.ExpF32(x) }

// ExpF32 is ExpF32 with k's kernels.
func (k Kernels) ExpF32(x []float32) { k.expF32(x) }

// SwiGLU sets gate[i] = silu(gate[i])·up[i] for i < len(gate), where silu(x) = x/(1 + e^−x),
// the gate activation of a SwiGLU feed-forward block; len(up) must be at least len(gate).
// The result is float32(x/(1 + float32(e^−x)))·up[i], each operation rounded as written,
// with e^−x as ExpF32 computes it: bit for bit but where e^−x is within 1e−14 of a rounding
// boundary, which can move the result a few ulps. It runs CPUKernels.
func SwiGLU(gate, up []float32) { cpuKernels.SwiGLU(gate, up) }

// SwiGLU is SwiGLU with k's kernels.
func (k Kernels) SwiGLU(gate, up []float32) {
	up = up[:len(gate)]
	k.swiGLU(gate, up)
}

func expF32Generic(x []float32) {
	for i, v := range x {
		x[i] = float32(math.Exp(float64(v)))
	}
}

func swiGLUGeneric(gate, up []float32) {
	up = up[:len(gate)]
	for i, x := range gate {
		gate[i] = x / (1 + float32(math.Exp(float64(-x)))) * up[i]
	}
}
