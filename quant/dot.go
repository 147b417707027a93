package quant

import "strconv"

// DotF32 returns the dot product of a and b, accumulated in float32, with CPUKernels.
// It panics if len(a) != len(b).
func DotF32(a, b []float32) float32 { return cpuKernels.DotF32(a, b) }

// DotF32 is DotF32 with k's kernels.
func (k Kernels) DotF32(a, b []float32) float32 {
	if len(a) != len(b) {
		panicLen("DotF32", len(b), len(a))
	}
	return k.dotF32(a, b)
}

// DotF16 returns the dot product of the little-endian IEEE half-precision
// values in w with x, accumulated in float32, with CPUKernels. It panics if
// len(w) != 2*len(x).
func DotF16(w []byte, x []float32) float32 { return cpuKernels.DotF16(w, x) }

// DotF16 is DotF16 with k's kernels.
func (k Kernels) DotF16(w []byte, x []float32) float32 {
	if len(w) != 2*len(x) {
		panicLen("DotF16", len(w), 2*len(x))
	}
	return k.dotF16(w, x)
}

// DotBF16 returns the dot product of the little-endian bfloat16 values in w
// with x, accumulated in float32, with CPUKernels. It panics if
// len(w) != 2*len(x).
func DotBF16(w []byte, x []float32) float32 { return cpuKernels.DotBF16(w, x) }

// DotBF16 is DotBF16 with k's kernels.
func (k Kernels) DotBF16(w []byte, x []float32) float32 {
	if len(w) != 2*len(x) {
		panicLen("DotBF16", len(w), 2*len(x))
	}
	return k.dotBF16(w, x)
}

// DotE4M3 returns the dot product of the unscaled E4M3 values in w, one byte
// each, with x, accumulated in float32, with CPUKernels. It panics if
// len(w) != len(x).
func DotE4M3(w []byte, x []float32) float32 { return cpuKernels.DotE4M3(w, x) }

// DotE4M3 is DotE4M3 with k's kernels.
func (k Kernels) DotE4M3(w []byte, x []float32) float32 {
	if len(w) != len(x) {
		panicLen("DotE4M3", len(w), len(x))
	}
	return k.dotE4M3(w, x)
}

func panicLen(fn string, have, want int) {
	panicArg(fn + ": length " + strconv.Itoa(have) + ", want " + strconv.Itoa(want))
}
