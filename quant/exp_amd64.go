//go:build !noasm

package quant

//go:noescape
func expAVX2(x *float32, n int)

//go:noescape
func swigluAVX2(gate *float32, up *float32, n int)

// expF32 and swiGLU run the AVX2+FMA loops of exp_amd64.s over the multiples of 8 and the
// rest in Go.

func (k Kernels) expF32(x []float32) {
	n := len(x) &^ 7
	if k.has(extAVX2) && n > 0 {
		expAVX2(&x[0], n)
		x = x[n:]
	}
	expF32Generic(x)
}

func (k Kernels) swiGLU(gate, up []float32) {
	n := len(gate) &^ 7
	if k.has(extAVX2) && n > 0 {
		swigluAVX2(&gate[0], &up[0], n)
		gate, up = gate[n:], up[n:]
	}
	swiGLUGeneric(gate, up)
}
