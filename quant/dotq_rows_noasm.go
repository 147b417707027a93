//go:build !amd64

package quant

// Without the amd64 assembly, the rows kernels (qdotRowsFunc) run the one-row kernels
// (assembly or portable) row by row.

func dotQ8_0Q8Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(dotQ8_0Q8x1, w, rows, q, d, s, dst)
}

func dotQ4_0Q8Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(dotQ4_0Q8x1, w, rows, q, d, s, dst)
}

func dotQ2_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(dotQ2_KQ8K, w, rows, q, d, s, dst)
}

func dotQ3_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(dotQ3_KQ8K, w, rows, q, d, s, dst)
}

func dotQ4_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(dotQ4_KQ8K, w, rows, q, d, s, dst)
}

func dotQ5_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(dotQ5_KQ8K, w, rows, q, d, s, dst)
}

func dotQ6_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(dotQ6_KQ8K, w, rows, q, d, s, dst)
}
