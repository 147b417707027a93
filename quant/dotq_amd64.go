//go:build !noasm

package quant

// The one-vector integer kernels run the AVX2+FMA+F16C assembly of dotq_amd64.s with
// Kernels that have it (extAVX2Int), the portable ones otherwise. The assembly multiplies
// rows consecutive rows by one vector (qdotRowsFunc); the one-row kernels call it with
// rows = 1. Each wrapper slices w, q, s and dst to exactly what the assembly reads and
// writes (it trusts their lengths), so that it never reads past the end of one.

//go:noescape
func dotQ8_0Q8RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32)

//go:noescape
func dotQ8_0Q8RowsVNNI(w []byte, rows int, q []int8, d []float32, dst []float32)

//go:noescape
func dotQ4_0Q8RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32)

//go:noescape
func dotQ5_0Q8RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32)

//go:noescape
func dotQ2_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)

//go:noescape
func dotQ3_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)

//go:noescape
func dotQ4_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)

// dotQ4_KQ8KRowsVNNI is dotQ4_KQ8KRowsAVX2 with AVX-512 VNNI (dotq_vnni_amd64.s), bit for
// bit the same products.
//
//go:noescape
func dotQ4_KQ8KRowsVNNI(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)

//go:noescape
func dotQ5_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)

//go:noescape
func dotQ6_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)

// dotQ6_KQ8KRowsVNNI is dotQ6_KQ8KRowsAVX2 with AVX-512 VNNI (dotq_vnni_amd64.s), bit for
// bit the same products.
//
//go:noescape
func dotQ6_KQ8KRowsVNNI(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)

func (k Kernels) dotQ8_0Q8(w []byte, q []int8, d []float32, _ []int16) float32 {
	if !k.has(extAVX2Int) {
		return dotQ8_0Q8Generic(w, q, d)
	}
	var out [1]float32
	k.dotQ8_0Q8Rows(w, 1, q, d, nil, out[:])
	return out[0]
}

// q8VNNI reports whether Q8_0 rows of the given number of blocks take the AVX-512 VNNI
// kernels (dotq_vnni_amd64.s, dotqx4_vnni_amd64.s), which add in their own order, rather
// than the AVX2 ones. The one- and four-vector kernels choose by this one rule, which
// depends on the matrix alone, so that a row's product is the same whichever takes its
// vector. Rows shorter than vnniMinBlocks go to the AVX2 kernels, whose costs per row
// are lower: a VNNI row pays a gather of its scales and the reduction of 512-bit sums
// (BenchmarkShortRows: 256 columns, one vector, 8.6 µs against 6.8 for 1024 rows).
func (k Kernels) q8VNNI(blocks int) bool {
	return k.has(extAVX2Int|extVNNI) && blocks >= vnniMinBlocks
}

// vnniMinBlocks is the shortest row, in blocks, that the Q8_0 VNNI kernels take (512
// columns: there the VNNI four-vector kernel is 1.3× the AVX2 one, and one vector
// costs the same).
const vnniMinBlocks = 16

// dotQ8_0Q8Rows runs, with AVX-512 VNNI and rows of vnniMinBlocks blocks or more, the
// kernel that adds in the order of the VNNI four-vector kernel (dotq_vnni_amd64.s), so
// that Q8_0 products stay bit for bit the same whichever kernel takes a vector.
func (k Kernels) dotQ8_0Q8Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotRowsBy(Kernels.dotQ8_0Q8, k, w, rows, q, d, nil, dst)
		return
	}
	n := len(d)
	if k.q8VNNI(n) {
		dotQ8_0Q8RowsVNNI(w[:rows*blockBytesQ8_0*n], rows, q[:qk*n], d, dst[:rows])
		return
	}
	dotQ8_0Q8RowsAVX2(w[:rows*blockBytesQ8_0*n], rows, q[:qk*n], d, dst[:rows])
}

func (k Kernels) dotQ4_0Q8(w []byte, q []int8, d []float32, _ []int16) float32 {
	if !k.has(extAVX2Int) {
		return dotQ4_0Q8Generic(w, q, d)
	}
	var out [1]float32
	n := len(d)
	dotQ4_0Q8RowsAVX2(w[:blockBytesQ4_0*n], 1, q[:qk*n], d, out[:])
	return out[0]
}

func (k Kernels) dotQ4_0Q8Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotRowsBy(Kernels.dotQ4_0Q8, k, w, rows, q, d, nil, dst)
		return
	}
	n := len(d)
	dotQ4_0Q8RowsAVX2(w[:rows*blockBytesQ4_0*n], rows, q[:qk*n], d, dst[:rows])
}

func (k Kernels) dotQ5_0Q8(w []byte, q []int8, d []float32, _ []int16) float32 {
	if !k.has(extAVX2Int) {
		return dotQ5_0Q8Generic(w, q, d)
	}
	var out [1]float32
	n := len(d)
	dotQ5_0Q8RowsAVX2(w[:blockBytesQ5_0*n], 1, q[:qk*n], d, out[:])
	return out[0]
}

func (k Kernels) dotQ5_0Q8Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotRowsBy(Kernels.dotQ5_0Q8, k, w, rows, q, d, nil, dst)
		return
	}
	n := len(d)
	dotQ5_0Q8RowsAVX2(w[:rows*blockBytesQ5_0*n], rows, q[:qk*n], d, dst[:rows])
}

func (k Kernels) dotQ2_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if !k.has(extAVX2Int) {
		return dotQ2_KQ8KGeneric(w, q, d, s)
	}
	var out [1]float32
	n := len(d)
	dotQ2_KQ8KRowsAVX2(w[:blockBytesQ2_K*n], 1, q[:qkK*n], d, s[:qkK/16*n], out[:])
	return out[0]
}

func (k Kernels) dotQ2_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotRowsBy(Kernels.dotQ2_KQ8K, k, w, rows, q, d, s, dst)
		return
	}
	n := len(d)
	dotQ2_KQ8KRowsAVX2(w[:rows*blockBytesQ2_K*n], rows, q[:qkK*n], d, s[:qkK/16*n], dst[:rows])
}

func (k Kernels) dotQ3_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if !k.has(extAVX2Int) {
		return dotQ3_KQ8KGeneric(w, q, d, s)
	}
	var out [1]float32
	n := len(d)
	dotQ3_KQ8KRowsAVX2(w[:blockBytesQ3_K*n], 1, q[:qkK*n], d, s[:qkK/16*n], out[:])
	return out[0]
}

func (k Kernels) dotQ3_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotRowsBy(Kernels.dotQ3_KQ8K, k, w, rows, q, d, s, dst)
		return
	}
	n := len(d)
	dotQ3_KQ8KRowsAVX2(w[:rows*blockBytesQ3_K*n], rows, q[:qkK*n], d, s[:qkK/16*n], dst[:rows])
}

func (k Kernels) dotQ4_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if !k.has(extAVX2Int) {
		return dotQ4_KQ8KGeneric(w, q, d, s)
	}
	var out [1]float32
	k.dotQ4_KQ8KRows(w, 1, q, d, s, out[:])
	return out[0]
}

// dotQ4_KQ8KRows runs, with AVX-512 VNNI, the VNNI kernel (dotq_vnni_amd64.s), which gives
// the AVX2 kernel's bits in fewer instructions.
func (k Kernels) dotQ4_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotRowsBy(Kernels.dotQ4_KQ8K, k, w, rows, q, d, s, dst)
		return
	}
	n := len(d)
	w, q, s, dst = w[:rows*blockBytesQ4_K*n], q[:qkK*n], s[:qkK/16*n], dst[:rows]
	if k.has(extVNNI) {
		dotQ4_KQ8KRowsVNNI(w, rows, q, d, s, dst)
		return
	}
	dotQ4_KQ8KRowsAVX2(w, rows, q, d, s, dst)
}

func (k Kernels) dotQ5_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if !k.has(extAVX2Int) {
		return dotQ5_KQ8KGeneric(w, q, d, s)
	}
	var out [1]float32
	n := len(d)
	dotQ5_KQ8KRowsAVX2(w[:blockBytesQ5_K*n], 1, q[:qkK*n], d, s[:qkK/16*n], out[:])
	return out[0]
}

func (k Kernels) dotQ5_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotRowsBy(Kernels.dotQ5_KQ8K, k, w, rows, q, d, s, dst)
		return
	}
	n := len(d)
	dotQ5_KQ8KRowsAVX2(w[:rows*blockBytesQ5_K*n], rows, q[:qkK*n], d, s[:qkK/16*n], dst[:rows])
}

func (k Kernels) dotQ6_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if !k.has(extAVX2Int) {
		return dotQ6_KQ8KGeneric(w, q, d, s)
	}
	var out [1]float32
	k.dotQ6_KQ8KRows(w, 1, q, d, s, out[:])
	return out[0]
}

// dotQ6_KQ8KRows runs, with AVX-512 VNNI, the VNNI kernel (dotq_vnni_amd64.s), which gives
// the AVX2 kernel's bits in fewer instructions.
func (k Kernels) dotQ6_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	if !k.has(extAVX2Int) || rows < 1 {
		qdotRowsBy(Kernels.dotQ6_KQ8K, k, w, rows, q, d, s, dst)
		return
	}
	n := len(d)
	w, q, s, dst = w[:rows*blockBytesQ6_K*n], q[:qkK*n], s[:qkK/16*n], dst[:rows]
	if k.has(extVNNI) {
		dotQ6_KQ8KRowsVNNI(w, rows, q, d, s, dst)
		return
	}
	dotQ6_KQ8KRowsAVX2(w, rows, q, d, s, dst)
}
