//go:build !amd64

package quant

// q8x16Kernel: the sixteen-vector Q8_0 kernel is amd64's (AVX2).
func q8x16Kernel() bool { return false }

func dotQ8_0Q8x16Rows(w []byte, rows int, qi []int8, di []float32, _ []int32, dst []float32, stride int) {
	dotQ8_0Q8x16RowsGeneric(w, rows, qi, di, dst, stride)
}

// q4kx16Kernel: the sixteen-vector Q4_K kernel is amd64's (AVX2).
func q4kx16Kernel() bool { return false }

func dotQ4_KQ8Kx16Rows(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int) {
	dotQ4_KQ8Kx16RowsGeneric(w, rows, qi, di, si, dst, stride)
}

// q5x16Kernel: the sixteen-vector Q5_0 kernel is amd64's (AVX2).
func q5x16Kernel() bool { return false }

func dotQ5_0Q8x16Rows(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int) {
	dotQ5_0Q8x16RowsGeneric(w, rows, qi, di, si, dst, stride)
}
