//go:build !noasm

package quant

// The sixteen-vector integer kernels (dotqx16_amd64.s, AVX2+FMA+F16C; format.x16 says when
// each runs). Each wrapper slices w, qi, di, si and dst to exactly what the assembly reads
// and writes; without the extensions it runs the portable twin.

//go:noescape
func dotQ8_0Q8x16RowsAVX2(w []byte, rows int, qi []int8, di []float32, dst []float32, stride int)

//go:noescape
func dotQ5_0Q8x16RowsAVX2(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int)

//go:noescape
func dotQ4_KQ8Kx16RowsAVX2(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int)

// dotQ4_KQ8Kx16RowsVNNI is dotQ4_KQ8Kx16RowsAVX2 with AVX-512 VNNI (dotqx16_vnni_amd64.s),
// bit for bit the same products, for a span of columns: row r's weights start at
// w[r*wstride:], and with acc each product is added to what dst holds (the sum so far of
// the columns before), not stored.
//
//go:noescape
func dotQ4_KQ8Kx16RowsVNNI(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int, wstride int, acc bool)

// x16SpanBlocks is how many super-blocks of columns the VNNI sixteen-vector Q4_K kernel
// takes per pass over the rows: 2048 columns, whose 32 KiB of interleaved vectors then stay
// in the L1 cache from row to row (a whole 4096- or 14336-column row's, 64 or 224 KiB,
// came from L2 for every row).
const x16SpanBlocks = 8

// dotQ4_KQ8Kx16RowsSpans runs dotQ4_KQ8Kx16RowsVNNI over rows in spans of span
// super-blocks, each pass adding on to the last: the same products, added in the same
// order. Rows of no columns get one pass, which stores their zeros.
func dotQ4_KQ8Kx16RowsSpans(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride, span int) {
	n := len(di) / 16
	rowBytes := blockBytesQ4_K * n
	for b0 := 0; ; b0 += span {
		b1 := min(n, b0+span)
		dotQ4_KQ8Kx16RowsVNNI(w[b0*blockBytesQ4_K:(rows-1)*rowBytes+b1*blockBytesQ4_K], rows,
			qi[b0*16*qkK:b1*16*qkK], di[b0*16:b1*16], si[b0*16*8:b1*16*8], dst, stride, rowBytes, b0 > 0)
		if b1 >= n {
			return
		}
	}
}

// dotQ8_0Q8x16Rows multiplies rows consecutive Q8_0 rows of w by sixteen vectors
// interleaved as interleaveQ8_016 lays them out (qi, di; it needs no sums), storing row r's
// products at dst[j*stride+r], j < 16.
func (k Kernels) dotQ8_0Q8x16Rows(w []byte, rows int, qi []int8, di []float32, _ []int32, dst []float32, stride int) {
	if !k.has(extAVX2Int) {
		dotQ8_0Q8x16RowsGeneric(w, rows, qi, di, dst, stride)
		return
	}
	if rows < 1 {
		return
	}
	n := len(di) / 16
	dotQ8_0Q8x16RowsAVX2(w[:rows*blockBytesQ8_0*n], rows, qi[:16*qk*n], di[:16*n], dst[:15*stride+rows], stride)
}

// dotQ5_0Q8x16Rows multiplies rows consecutive Q5_0 rows of w by sixteen Q8_0 vectors
// interleaved as interleaveQ8_016 lays them out, storing row r's products at dst[j*stride+r].
func (k Kernels) dotQ5_0Q8x16Rows(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int) {
	if !k.has(extAVX2Int) {
		dotQ5_0Q8x16RowsGeneric(w, rows, qi, di, si, dst, stride)
		return
	}
	if rows < 1 {
		return
	}
	n := len(di) / 16
	dotQ5_0Q8x16RowsAVX2(w[:rows*blockBytesQ5_0*n], rows, qi[:16*qk*n], di[:16*n], si[:16*n], dst[:15*stride+rows], stride)
}

// dotQ4_KQ8Kx16Rows multiplies rows consecutive Q4_K rows of w by sixteen Q8_K vectors
// interleaved as interleaveQ8K16 lays them out, storing row r's products at dst[j*stride+r]:
// with AVX-512 VNNI its VNNI kernel, which gives the same bits.
func (k Kernels) dotQ4_KQ8Kx16Rows(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int) {
	if !k.has(extAVX2Int) {
		dotQ4_KQ8Kx16RowsGeneric(w, rows, qi, di, si, dst, stride)
		return
	}
	if rows < 1 {
		return
	}
	n := len(di) / 16
	w, qi, di, si, dst = w[:rows*blockBytesQ4_K*n], qi[:16*qkK*n], di[:16*n], si[:16*8*n], dst[:15*stride+rows]
	if k.has(extVNNI) {
		dotQ4_KQ8Kx16RowsSpans(w, rows, qi, di, si, dst, stride, x16SpanBlocks)
		return
	}
	dotQ4_KQ8Kx16RowsAVX2(w, rows, qi, di, si, dst, stride)
}
