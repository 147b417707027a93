package quant

// DotF32x4 returns the dot products of x with four vectors that lie stride values apart
// in y: out[k] = x · y[k*stride : k*stride+len(x)], with CPUKernels. Loading x once for
// the four is what makes it faster than four DotF32 calls when x comes from far away
// (attention scoring several heads' queries against one cached key). It panics if y is
// too short.
func DotF32x4(x, y []float32, stride int) [4]float32 { return cpuKernels.DotF32x4(x, y, stride) }

// DotF32x4 is DotF32x4 with k's kernels.
func (k Kernels) DotF32x4(x, y []float32, stride int) (out [4]float32) {
	n := len(x)
	if stride < n || len(y) < 3*stride+n {
		panicArg("DotF32x4: y holds fewer than four vectors of len(x) values, stride apart")
	}
	k.dotF32x4(&out, x, y, stride)
	return out
}

// AxpyF32x4 adds a[k]·x to four vectors that lie stride values apart in y:
// y[k*stride+i] += a[k]·x[i] for k < 4, i < len(x), with CPUKernels. It panics if y is
// too short.
func AxpyF32x4(y []float32, stride int, a *[4]float32, x []float32) {
	cpuKernels.AxpyF32x4(y, stride, a, x)
}

// AxpyF32x4 is AxpyF32x4 with k's kernels.
func (k Kernels) AxpyF32x4(y []float32, stride int, a *[4]float32, x []float32) {
	n := len(x)
	if stride < n || len(y) < 3*stride+n {
		panicArg("AxpyF32x4: y holds fewer than four vectors of len(x) values, stride apart")
	}
	k.axpyF32x4(y, stride, a, x)
}

// DotF32x4Block sets out[k*outStride+j] to the dot product of vector k of q (four vectors
// that lie qStride values apart) with vector j of x (n vectors xStride apart), cols values
// each, for k < 4, j < n, with CPUKernels: attention scoring four heads' queries against a
// block of cached keys. It panics if a slice is too short.
func DotF32x4Block(out []float32, outStride int, q []float32, qStride int, x []float32, xStride, n, cols int) {
	cpuKernels.DotF32x4Block(out, outStride, q, qStride, x, xStride, n, cols)
}

// DotF32x4Block is DotF32x4Block with k's kernels.
func (k Kernels) DotF32x4Block(out []float32, outStride int, q []float32, qStride int, x []float32, xStride, n, cols int) {
	if n < 1 {
		return
	}
	if outStride < n || len(out) < 3*outStride+n || qStride < cols || len(q) < 3*qStride+cols ||
		xStride < cols || len(x) < (n-1)*xStride+cols {
		panicArg("DotF32x4Block: a slice is too short for its vectors")
	}
	k.dotF32x4Block(out, outStride, q, qStride, x, xStride, n, cols)
}

// dotF32x4BlockBy computes DotF32x4Block with k's dotF32x4, a key at a time.
func (k Kernels) dotF32x4BlockBy(out []float32, outStride int, q []float32, qStride int, x []float32, xStride, n, cols int) {
	for j := range n {
		var o [4]float32
		k.dotF32x4(&o, x[j*xStride:][:cols], q, qStride)
		for k := range 4 {
			out[k*outStride+j] = o[k]
		}
	}
}

// AxpyF32x4Block adds to four vectors that lie stride values apart in y a combination of n
// vectors that lie xStride values apart in x, with weights a[k*aStride+j]:
// y[k*stride+i] += Σ_j a[k*aStride+j]·x[j*xStride+i] for k < 4, i < cols, the terms added in
// order of j. It is n AxpyF32x4 calls in one, and gives what they give; keeping a slice of
// the four vectors in registers for all n terms instead of loading and storing it for each
// is what makes it faster (attention adding up a block of cached values for four heads).
// It runs CPUKernels, and panics if a slice is too short.
func AxpyF32x4Block(y []float32, stride int, a []float32, aStride int, x []float32, xStride, n, cols int) {
	cpuKernels.AxpyF32x4Block(y, stride, a, aStride, x, xStride, n, cols)
}

// AxpyF32x4Block is AxpyF32x4Block with k's kernels.
func (k Kernels) AxpyF32x4Block(y []float32, stride int, a []float32, aStride int, x []float32, xStride, n, cols int) {
	if n < 1 || cols < 1 {
		return
	}
	if stride < cols || len(y) < 3*stride+cols || aStride < n || len(a) < 3*aStride+n ||
		xStride < cols || len(x) < (n-1)*xStride+cols {
		panicArg("AxpyF32x4Block: a slice is too short for its vectors")
	}
	k.axpyF32x4Block(y, stride, a, aStride, x, xStride, n, cols)
}

// axpyF32x4BlockBy computes AxpyF32x4Block with k's axpyF32x4, a value vector at a time.
func (k Kernels) axpyF32x4BlockBy(y []float32, stride int, a []float32, aStride int, x []float32, xStride, n, cols int) {
	for j := range n {
		w := [4]float32{a[j], a[aStride+j], a[2*aStride+j], a[3*aStride+j]}
		k.axpyF32x4(y, stride, &w, x[j*xStride:][:cols])
	}
}

func dotF32x4Generic(out *[4]float32, x, y []float32, stride int) {
	for k := range 4 {
		v := y[k*stride:][:len(x)]
		var s float32
		for i, xi := range x {
			s += xi * v[i]
		}
		out[k] += s
	}
}

func axpyF32x4Generic(y []float32, stride int, a *[4]float32, x []float32) {
	for k := range 4 {
		v := y[k*stride:][:len(x)]
		for i, xi := range x {
			v[i] += a[k] * xi
		}
	}
}
