//go:build !amd64

package quant

func dotF32x4(out *[4]float32, x, y []float32, stride int) { dotF32x4Generic(out, x, y, stride) }

func axpyF32x4(y []float32, stride int, a *[4]float32, x []float32) {
	axpyF32x4Generic(y, stride, a, x)
}
