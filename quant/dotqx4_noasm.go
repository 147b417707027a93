//go:build !amd64

package quant

// Without the amd64 assembly, the four-vector kernels run the single-vector ones (assembly
// or portable) four times.

func dotQ8_0Q8x4(w []byte, q []int8, d []float32, _ []int16) [4]float32 {
	return qdotx4By1(dotQ8_0Q8x1, w, q, d, nil)
}

func dotQ4_0Q8x4(w []byte, q []int8, d []float32, _ []int16) [4]float32 {
	return qdotx4By1(dotQ4_0Q8x1, w, q, d, nil)
}

func dotQ4_KQ8Kx4(w []byte, q []int8, d []float32, s []int16) [4]float32 {
	return qdotx4By1(dotQ4_KQ8K, w, q, d, s)
}

func dotQ5_KQ8Kx4(w []byte, q []int8, d []float32, s []int16) [4]float32 {
	return qdotx4By1(dotQ5_KQ8K, w, q, d, s)
}

func dotQ6_KQ8Kx4(w []byte, q []int8, d []float32, s []int16) [4]float32 {
	return qdotx4By1(dotQ6_KQ8K, w, q, d, s)
}

// The rows kernels (qdotx4RowsFunc) run the four-vector ones row by row.

func dotQ8_0Q8x4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	qdotx4RowsBy(dotQ8_0Q8x4, w, rows, q, d, s, dst, stride)
}

func dotQ4_0Q8x4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	qdotx4RowsBy(dotQ4_0Q8x4, w, rows, q, d, s, dst, stride)
}

func dotQ4_KQ8Kx4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	qdotx4RowsBy(dotQ4_KQ8Kx4, w, rows, q, d, s, dst, stride)
}

func dotQ5_KQ8Kx4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	qdotx4RowsBy(dotQ5_KQ8Kx4, w, rows, q, d, s, dst, stride)
}

func dotQ6_KQ8Kx4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	qdotx4RowsBy(dotQ6_KQ8Kx4, w, rows, q, d, s, dst, stride)
}
