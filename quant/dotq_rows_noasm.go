//go:build noasm || !amd64

package quant

// Without amd64's rows assembly, the rows kernels (qdotRowsFunc) run the one-row kernels
// (assembly or portable) row by row.

func (k Kernels) dotQ8_0Q8Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(Kernels.dotQ8_0Q8, k, w, rows, q, d, s, dst)
}

func (k Kernels) dotQ4_0Q8Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(Kernels.dotQ4_0Q8, k, w, rows, q, d, s, dst)
}

func (k Kernels) dotQ5_0Q8Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(Kernels.dotQ5_0Q8, k, w, rows, q, d, s, dst)
}

func (k Kernels) dotQ2_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(Kernels.dotQ2_KQ8K, k, w, rows, q, d, s, dst)
}

func (k Kernels) dotQ3_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(Kernels.dotQ3_KQ8K, k, w, rows, q, d, s, dst)
}

func (k Kernels) dotQ4_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(Kernels.dotQ4_KQ8K, k, w, rows, q, d, s, dst)
}

func (k Kernels) dotQ5_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(Kernels.dotQ5_KQ8K, k, w, rows, q, d, s, dst)
}

func (k Kernels) dotQ6_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	qdotRowsBy(Kernels.dotQ6_KQ8K, k, w, rows, q, d, s, dst)
}
