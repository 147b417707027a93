package quant

// DotF32x4 returns the dot products of x with four vectors that lie stride values apart
// in y: out[k] = x · y[k*stride : k*stride+len(x)]. Loading x once for the four is what
// makes it faster than four DotF32 calls when x comes from far away (attention scoring
// several heads' queries against one cached key). It panics if y is too short.
func DotF32x4(x, y []float32, stride int) (out [4]float32) {
	n := len(x)
	if stride < n || len(y) < 3*stride+n {
		panicArg("DotF32x4: y holds fewer than four vectors of len(x) values, stride apart")
	}
	dotF32x4(&out, x, y, stride)
	return out
}

// AxpyF32x4 adds a[k]·x to four vectors that lie stride values apart in y:
// y[k*stride+i] += a[k]·x[i] for k < 4, i < len(x). It panics if y is too short.
func AxpyF32x4(y []float32, stride int, a *[4]float32, x []float32) {
	n := len(x)
	if stride < n || len(y) < 3*stride+n {
		panicArg("AxpyF32x4: y holds fewer than four vectors of len(x) values, stride apart")
	}
	axpyF32x4(y, stride, a, x)
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
