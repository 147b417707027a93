//go:build noasm || !amd64

package quant

// Without amd64's sixteen-vector assembly, its kernels are the portable twins (which run
// only where a test asks: format.x16 never picks them without AVX2).

func (Kernels) dotQ8_0Q8x16Rows(w []byte, rows int, qi []int8, di []float32, _ []int32, dst []float32, stride int) {
	dotQ8_0Q8x16RowsGeneric(w, rows, qi, di, dst, stride)
}

func (Kernels) dotQ5_0Q8x16Rows(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int) {
	dotQ5_0Q8x16RowsGeneric(w, rows, qi, di, si, dst, stride)
}

func (Kernels) dotQ4_KQ8Kx16Rows(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int) {
	dotQ4_KQ8Kx16RowsGeneric(w, rows, qi, di, si, dst, stride)
}
