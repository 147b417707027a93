//go:build !noasm

package quant

//go:noescape
func axpyAVX2(y *float32, a float32, x *float32, n int)

// axpyF32 runs the AVX2+FMA loop over the multiples of 8 and the rest in Go.
func (k Kernels) axpyF32(y []float32, a float32, x []float32) {
	n := len(y) &^ 7
	if k.has(extAVX2) && n > 0 {
		axpyAVX2(&y[0], a, &x[0], n)
		y, x = y[n:], x[n:len(y)]
	}
	axpyF32Generic(y, a, x)
}
