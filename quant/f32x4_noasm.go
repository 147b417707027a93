//go:build noasm || !amd64

package quant

func (Kernels) dotF32x4(out *[4]float32, x, y []float32, stride int) {
	dotF32x4Generic(out, x, y, stride)
}

func (Kernels) axpyF32x4(y []float32, stride int, a *[4]float32, x []float32) {
	axpyF32x4Generic(y, stride, a, x)
}

func (k Kernels) axpyF32x4Block(y []float32, stride int, a []float32, aStride int, x []float32, xStride, n, cols int) {
	k.axpyF32x4BlockBy(y, stride, a, aStride, x, xStride, n, cols)
}

func (k Kernels) dotF32x4Block(out []float32, outStride int, q []float32, qStride int, x []float32, xStride, n, cols int) {
	k.dotF32x4BlockBy(out, outStride, q, qStride, x, xStride, n, cols)
}
