//go:build noasm || !amd64

package quant

// Without amd64's four-vector assembly, the four-vector kernels run the one-vector ones
// (assembly or portable) a row and a vector at a time.

func (k Kernels) dotQ8_0Q8x4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	qdotx4RowsBy(Kernels.dotQ8_0Q8, k, w, rows, q, d, s, dst, stride)
}

func (k Kernels) dotQ4_0Q8x4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	qdotx4RowsBy(Kernels.dotQ4_0Q8, k, w, rows, q, d, s, dst, stride)
}

func (k Kernels) dotQ5_0Q8x4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	qdotx4RowsBy(Kernels.dotQ5_0Q8, k, w, rows, q, d, s, dst, stride)
}

func (k Kernels) dotQ4_KQ8Kx4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	qdotx4RowsBy(Kernels.dotQ4_KQ8K, k, w, rows, q, d, s, dst, stride)
}

func (k Kernels) dotQ5_KQ8Kx4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	qdotx4RowsBy(Kernels.dotQ5_KQ8K, k, w, rows, q, d, s, dst, stride)
}

func (k Kernels) dotQ6_KQ8Kx4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	qdotx4RowsBy(Kernels.dotQ6_KQ8K, k, w, rows, q, d, s, dst, stride)
}
