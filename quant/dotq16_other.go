//go:build !amd64

package quant

// q8x16Kernel: the sixteen-vector Q8_0 kernel is amd64's (AVX2).
func q8x16Kernel() bool { return false }

func dotQ8_0Q8x16RowsScaled(w []byte, ws []float32, rows int, qi []int8, di []float32, dst []float32, stride int) {
	dotQ8_0Q8x16RowsGeneric(w, ws, rows, qi, di, dst, stride)
}
