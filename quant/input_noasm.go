//go:build noasm || !amd64

package quant

// Without amd64's assembly quantizers (input_amd64.s), the activation vectors are
// quantized by the portable code.

func (Kernels) quantInputQ8_0(q []int8, d []float32, x []float32) { quantizeInputQ8_0(q, d, x) }

func (Kernels) quantInputQ8_K(q []int8, d []float32, sums []int16, x []float32) {
	quantizeInputQ8_K(q, d, sums, x)
}
