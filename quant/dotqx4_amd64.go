//go:build !noasm

package quant

// The four-vector integer kernels run the AVX2+FMA+F16C assembly of dotqx4_amd64.s with
// Kernels that have it (extAVX2Int) — for Q8_0, with AVX-512 VNNI too, the VNNI kernel of
// dotqx4_vnni_amd64.s, where the integer multiplies bound the AVX2 one, for rows of
// vnniMinBlocks blocks or more (q8VNNI) — and the
// one-vector kernels a vector at a time otherwise. The VNNI kernel adds two blocks per
// register, as the VNNI one-vector kernel does (dotq_vnni_amd64.s), which runs beside it. Each wrapper slices w, q, d, s and dst
// to exactly what the assembly reads and writes.

//go:noescape
func dotQ8_0Q8x4RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32, stride int)

//go:noescape
func dotQ8_0Q8x4RowsVNNI(w []byte, rows int, q []int8, d []float32, dst []float32, stride int)

//go:noescape
func dotQ4_0Q8x4RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32, stride int)

//go:noescape
func dotQ5_0Q8x4RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32, stride int)

//go:noescape
func dotQ4_KQ8Kx4RowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int)

//go:noescape
func dotQ5_KQ8Kx4RowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int)

//go:noescape
func dotQ6_KQ8Kx4RowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int)

func (k Kernels) dotQ8_0Q8x4Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32, stride int) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotx4RowsBy(Kernels.dotQ8_0Q8, k, w, rows, q, d, nil, dst, stride)
		return
	}
	n := len(d) / 4
	if k.q8VNNI(n) {
		dotQ8_0Q8x4RowsVNNI(w[:rows*blockBytesQ8_0*n], rows, q[:4*qk*n], d[:4*n], dst[:3*stride+rows], stride)
		return
	}
	dotQ8_0Q8x4RowsAVX2(w[:rows*blockBytesQ8_0*n], rows, q[:4*qk*n], d[:4*n], dst[:3*stride+rows], stride)
}

func (k Kernels) dotQ4_0Q8x4Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32, stride int) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotx4RowsBy(Kernels.dotQ4_0Q8, k, w, rows, q, d, nil, dst, stride)
		return
	}
	n := len(d) / 4
	dotQ4_0Q8x4RowsAVX2(w[:rows*blockBytesQ4_0*n], rows, q[:4*qk*n], d[:4*n], dst[:3*stride+rows], stride)
}

func (k Kernels) dotQ5_0Q8x4Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32, stride int) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotx4RowsBy(Kernels.dotQ5_0Q8, k, w, rows, q, d, nil, dst, stride)
		return
	}
	n := len(d) / 4
	dotQ5_0Q8x4RowsAVX2(w[:rows*blockBytesQ5_0*n], rows, q[:4*qk*n], d[:4*n], dst[:3*stride+rows], stride)
}

func (k Kernels) dotQ4_KQ8Kx4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotx4RowsBy(Kernels.dotQ4_KQ8K, k, w, rows, q, d, s, dst, stride)
		return
	}
	n := len(d) / 4
	dotQ4_KQ8Kx4RowsAVX2(w[:rows*blockBytesQ4_K*n], rows, q[:4*qkK*n], d[:4*n], s[:4*qkK/16*n], dst[:3*stride+rows], stride)
}

func (k Kernels) dotQ5_KQ8Kx4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotx4RowsBy(Kernels.dotQ5_KQ8K, k, w, rows, q, d, s, dst, stride)
		return
	}
	n := len(d) / 4
	dotQ5_KQ8Kx4RowsAVX2(w[:rows*blockBytesQ5_K*n], rows, q[:4*qkK*n], d[:4*n], s[:4*qkK/16*n], dst[:3*stride+rows], stride)
}

func (k Kernels) dotQ6_KQ8Kx4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotx4RowsBy(Kernels.dotQ6_KQ8K, k, w, rows, q, d, s, dst, stride)
		return
	}
	n := len(d) / 4
	dotQ6_KQ8Kx4RowsAVX2(w[:rows*blockBytesQ6_K*n], rows, q[:4*qkK*n], d[:4*n], s[:4*qkK/16*n], dst[:3*stride+rows], stride)
}
