//go:build !noasm

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
func (k Kernels) dotF32x4(out *[4]float32, x, y []float32, stride int) {
	n := len(x) &^ 15
	if k.has(extAVX2) && n > 0 {
		dotF32x4AVX2(out, &x[0], &y[0], n, stride)
		if n == len(x) {
			return
		}
		x, y = x[n:], y[n:]
	}
	dotF32x4Generic(out, x, y, stride)
}

// axpyF32x4 runs the AVX2+FMA loop over the multiples of 8 and the rest in Go.
func (k Kernels) axpyF32x4(y []float32, stride int, a *[4]float32, x []float32) {
	n := len(x) &^ 7
	if k.has(extAVX2) && n > 0 {
		axpyF32x4AVX2(&y[0], stride, a, &x[0], n)
		if n == len(x) {
			return
		}
		x, y = x[n:], y[n:]
	}
	axpyF32x4Generic(y, stride, a, x)
}

// y_k[i] += Σ_j a[k*aStride+j]·x[j*xStride+i] over cols values (a multiple of 16), j < n.
//
//go:noescape
func axpyF32x4BlockAVX2(y *float32, stride int, a *float32, aStride int, x *float32, xStride, n, cols int)

// axpyF32x4Block runs the AVX2+FMA loop over the multiples of 16 columns and the rest
// through axpyF32x4.
func (k Kernels) axpyF32x4Block(y []float32, stride int, a []float32, aStride int, x []float32, xStride, n, cols int) {
	c := cols &^ 15
	if k.has(extAVX2) && c > 0 {
		axpyF32x4BlockAVX2(&y[0], stride, &a[0], aStride, &x[0], xStride, n, c)
		if c == cols {
			return
		}
		y, x, cols = y[c:], x[c:], cols-c
	}
	k.axpyF32x4BlockBy(y, stride, a, aStride, x, xStride, n, cols)
}

// out = [q_0·x_0, q_0·x_1, q_1·x_0, q_1·x_1, ..., q_3·x_1] over n values (a multiple of 8),
// q_k at q + k*qStride floats, x_1 at x + xStride floats.
//
//go:noescape
func dotF32x4x2AVX2(out *[8]float32, q *float32, qStride int, x *float32, xStride, n int)

// dotF32x4Block takes the keys two at a time in assembly (eight sums in registers, each
// query and key slice loaded once for them), a last odd one through dotF32x4.
func (k Kernels) dotF32x4Block(out []float32, outStride int, q []float32, qStride int, x []float32, xStride, n, cols int) {
	if !k.has(extAVX2) || cols%8 != 0 {
		k.dotF32x4BlockBy(out, outStride, q, qStride, x, xStride, n, cols)
		return
	}
	var o [8]float32
	j := 0
	for ; j+2 <= n; j += 2 {
		dotF32x4x2AVX2(&o, &q[0], qStride, &x[j*xStride], xStride, cols)
		for h := range 4 {
			out[h*outStride+j], out[h*outStride+j+1] = o[2*h], o[2*h+1]
		}
	}
	if j < n {
		k.dotF32x4BlockBy(out[j:], outStride, q, qStride, x[j*xStride:], xStride, n-j, cols)
	}
}
