//go:build !amd64

package quant

// quantInputQ8_0 and quantInputQ8_K pick the quantizer of activation vectors; only amd64
// has assembly ones (input_amd64.go).

func quantInputQ8_0(q []int8, d []float32, x []float32) { quantizeInputQ8_0(q, d, x) }

func quantInputQ8_K(q []int8, d []float32, sums []int16, x []float32) {
	quantizeInputQ8_K(q, d, sums, x)
}
