//go:build !noasm

package quant

// AVX2 kernels for quantizing activation vectors (input_amd64.s). They give the same
// bytes, scales and sums as quantizeInputQ8_0 and quantizeInputQ8_K, and stop at a block
// that they leave to them: one whose max |x| is Inf or NaN or whose scale is subnormal.

//go:noescape
func quantQ8_0AVX2(q *int8, d *float32, x *float32, nb int) int

//go:noescape
func quantQ8_KAVX2(q *int8, d *float32, sums *int16, x *float32, nb int) int

// quantInputQ8_0 is quantizeInputQ8_0, with AVX2 where k has it.
func (k Kernels) quantInputQ8_0(q []int8, d []float32, x []float32) {
	if !k.has(extAVX2) || len(d) == 0 {
		quantizeInputQ8_0(q, d, x)
		return
	}
	nb := len(d)
	q, x = q[:32*nb], x[:32*nb]
	for b := 0; b < nb; {
		b += quantQ8_0AVX2(&q[32*b], &d[b], &x[32*b], nb-b)
		if b < nb {
			quantizeInputQ8_0(q[32*b:][:32], d[b:][:1], x[32*b:][:32])
			b++
		}
	}
}

// quantInputQ8_K is quantizeInputQ8_K, with AVX2 where k has it.
func (k Kernels) quantInputQ8_K(q []int8, d []float32, sums []int16, x []float32) {
	if !k.has(extAVX2) || len(d) == 0 {
		quantizeInputQ8_K(q, d, sums, x)
		return
	}
	nb := len(d)
	q, sums, x = q[:256*nb], sums[:16*nb], x[:256*nb]
	for b := 0; b < nb; {
		b += quantQ8_KAVX2(&q[256*b], &d[b], &sums[16*b], &x[256*b], nb-b)
		if b < nb {
			quantizeInputQ8_K(q[256*b:][:256], d[b:][:1], sums[16*b:][:16], x[256*b:][:256])
			b++
		}
	}
}
