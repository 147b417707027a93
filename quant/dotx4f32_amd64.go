//go:build amd64

package quant

// out[k] = x·y_k over n values (a multiple of 16), y_k at y + k*stride floats.
//
//go:noescape
func dotF32x4AVX2(out *[4]float32, x, y *float32, n, stride int)

// y_k[i] += a[k]·x[i] over n values (a multiple of 8), y_k at y + k*stride floats.
//
//go:noescape
func axpyF32x4AVX2(y *float32, stride int, a *[4]float32, x *float32, n int)

// dotF32x4 runs the AVX2+FMA loop over the multiples of 16 and the rest in Go.
func dotF32x4(out *[4]float32, x, y []float32, stride int) {
	n := len(x) &^ 15
	if cpu.avx2 && n > 0 {
		dotF32x4AVX2(out, &x[0], &y[0], n, stride)
		if n == len(x) {
			return
		}
		x, y = x[n:], y[n:]
	}
	dotF32x4Generic(out, x, y, stride)
}

// axpyF32x4 runs the AVX2+FMA loop over the multiples of 8 and the rest in Go.
func axpyF32x4(y []float32, stride int, a *[4]float32, x []float32) {
	n := len(x) &^ 7
	if cpu.avx2 && n > 0 {
		axpyF32x4AVX2(&y[0], stride, a, &x[0], n)
		if n == len(x) {
			return
		}
		x, y = x[n:], y[n:]
	}
	axpyF32x4Generic(y, stride, a, x)
}
