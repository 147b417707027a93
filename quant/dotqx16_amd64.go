//go:build amd64

package quant

//go:noescape
func dotQ8_0Q8x16RowsAVX2(w []byte, rows int, qi []int8, di []float32, dst []float32, stride int)

// q8x16Kernel reports whether the sixteen-vector Q8_0 kernel runs: where the AVX2 kernels do
// and the VNNI one does not (it is faster still).
func q8x16Kernel() bool { return useAVX2Int() && !useVNNI() }

// dotQ8_0Q8x16Rows multiplies rows consecutive Q8_0 rows of w by sixteen vectors
// interleaved as interleaveQ8_016 lays them out (qi, di; it needs no sums), storing row r's
// products at dst[j*stride+r], j < 16.
func dotQ8_0Q8x16Rows(w []byte, rows int, qi []int8, di []float32, _ []int32, dst []float32, stride int) {
	if !q8x16Kernel() {
		dotQ8_0Q8x16RowsGeneric(w, rows, qi, di, dst, stride)
		return
	}
	if rows < 1 {
		return
	}
	n := len(di) / 16
	dotQ8_0Q8x16RowsAVX2(w[:rows*34*n], rows, qi[:16*32*n], di[:16*n], dst[:15*stride+rows], stride)
}

//go:noescape
func dotQ4_KQ8Kx16RowsAVX2(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int)

// q4kx16Kernel reports whether the sixteen-vector Q4_K kernel runs (wherever the AVX2
// integer kernels do).
func q4kx16Kernel() bool { return useAVX2Int() }

// dotQ4_KQ8Kx16Rows multiplies rows consecutive Q4_K rows of w by sixteen Q8_K vectors
// interleaved as interleaveQ8K16 lays them out, storing row r's products at dst[j*stride+r].
func dotQ4_KQ8Kx16Rows(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int) {
	if !q4kx16Kernel() {
		dotQ4_KQ8Kx16RowsGeneric(w, rows, qi, di, si, dst, stride)
		return
	}
	if rows < 1 {
		return
	}
	n := len(di) / 16
	dotQ4_KQ8Kx16RowsAVX2(w[:rows*144*n], rows, qi[:16*256*n], di[:16*n], si[:16*8*n], dst[:15*stride+rows], stride)
}

//go:noescape
func dotQ5_0Q8x16RowsAVX2(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int)

// q5x16Kernel reports whether the sixteen-vector Q5_0 kernel runs (wherever the AVX2
// integer kernels do).
func q5x16Kernel() bool { return useAVX2Int() }

// dotQ5_0Q8x16Rows multiplies rows consecutive Q5_0 rows of w by sixteen Q8_0 vectors
// interleaved as interleaveQ8_016 lays them out, storing row r's products at dst[j*stride+r].
func dotQ5_0Q8x16Rows(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int) {
	if !q5x16Kernel() {
		dotQ5_0Q8x16RowsGeneric(w, rows, qi, di, si, dst, stride)
		return
	}
	if rows < 1 {
		return
	}
	n := len(di) / 16
	dotQ5_0Q8x16RowsAVX2(w[:rows*22*n], rows, qi[:16*32*n], di[:16*n], si[:16*n], dst[:15*stride+rows], stride)
}
