//go:build !amd64

package quant

func dotQ5_0Q8(w []byte, q []int8, d []float32) float32 { return dotQ5_0Q8Generic(w, q, d) }

// dotQ5_0Q8x4 is the four-vector Q5_0 kernel (qdotx4Func): the single-vector one four times.
func dotQ5_0Q8x4(w []byte, q []int8, d []float32, _ []int16) [4]float32 {
	return qdotx4By1(dotQ5_0Q8x1, w, q, d, nil)
}

// dotQ5_0Q8x4Rows is the four-vector Q5_0 kernel on consecutive rows (qdotx4RowsFunc).
func dotQ5_0Q8x4Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32, stride int) {
	qdotx4RowsBy(dotQ5_0Q8x4, w, rows, q, d, nil, dst, stride)
}

// dotQ5_0Q8Rows is the Q5_0 kernel on consecutive rows (qdotRowsFunc).
func dotQ5_0Q8Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32) {
	qdotRowsBy(dotQ5_0Q8x1, w, rows, q, d, nil, dst)
}
