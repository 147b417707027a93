//go:build amd64

package quant

// The four-vector integer kernels run the AVX2+FMA+F16C assembly of dotqx4_amd64.s where
// the single-vector ones do (useAVX2Int), and the single-vector kernels four times
// otherwise. The assembly multiplies rows consecutive rows; the one-row kernels (qdotx4)
// call it with rows = 1. Each wrapper slices w, q, d, s and dst to exactly what the
// assembly reads and writes.

//go:noescape
func dotQ8_0Q8x4RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32, stride int)

//go:noescape
func dotQ8_0Q8x4RowsVNNI(w []byte, rows int, q []int8, d []float32, dst []float32, stride int)

//go:noescape
func dotQ4_0Q8x4RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32, stride int)

//go:noescape
func dotQ4_KQ8Kx4RowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int)

//go:noescape
func dotQ5_KQ8Kx4RowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int)

//go:noescape
func dotQ6_KQ8Kx4RowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int)

func dotQ8_0Q8x4(w []byte, q []int8, d []float32, _ []int16) (out [4]float32) {
	if useVNNI() {
		n := len(d) / 4
		dotQ8_0Q8x4RowsVNNI(w[:34*n], 1, q[:4*32*n], d[:4*n], out[:], 1)
		return out
	}
	if useAVX2Int() {
		n := len(d) / 4
		dotQ8_0Q8x4RowsAVX2(w[:34*n], 1, q[:4*32*n], d[:4*n], out[:], 1)
		return out
	}
	return qdotx4By1(dotQ8_0Q8x1, w, q, d, nil)
}

func dotQ8_0Q8x4Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32, stride int) {
	if !useAVX2Int() || rows < 1 {
		qdotx4RowsBy(dotQ8_0Q8x4, w, rows, q, d, nil, dst, stride)
		return
	}
	n := len(d) / 4
	if useVNNI() {
		dotQ8_0Q8x4RowsVNNI(w[:rows*34*n], rows, q[:4*32*n], d[:4*n], dst[:3*stride+rows], stride)
		return
	}
	dotQ8_0Q8x4RowsAVX2(w[:rows*34*n], rows, q[:4*32*n], d[:4*n], dst[:3*stride+rows], stride)
}

func dotQ4_0Q8x4(w []byte, q []int8, d []float32, _ []int16) (out [4]float32) {
	if useAVX2Int() {
		n := len(d) / 4
		dotQ4_0Q8x4RowsAVX2(w[:18*n], 1, q[:4*32*n], d[:4*n], out[:], 1)
		return out
	}
	return qdotx4By1(dotQ4_0Q8x1, w, q, d, nil)
}

func dotQ4_0Q8x4Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32, stride int) {
	if !useAVX2Int() || rows < 1 {
		qdotx4RowsBy(dotQ4_0Q8x4, w, rows, q, d, nil, dst, stride)
		return
	}
	n := len(d) / 4
	dotQ4_0Q8x4RowsAVX2(w[:rows*18*n], rows, q[:4*32*n], d[:4*n], dst[:3*stride+rows], stride)
}

func dotQ4_KQ8Kx4(w []byte, q []int8, d []float32, s []int16) (out [4]float32) {
	if useAVX2Int() {
		n := len(d) / 4
		dotQ4_KQ8Kx4RowsAVX2(w[:144*n], 1, q[:4*256*n], d[:4*n], s[:4*16*n], out[:], 1)
		return out
	}
	return qdotx4By1(dotQ4_KQ8K, w, q, d, s)
}

func dotQ4_KQ8Kx4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	if !useAVX2Int() || rows < 1 {
		qdotx4RowsBy(dotQ4_KQ8Kx4, w, rows, q, d, s, dst, stride)
		return
	}
	n := len(d) / 4
	dotQ4_KQ8Kx4RowsAVX2(w[:rows*144*n], rows, q[:4*256*n], d[:4*n], s[:4*16*n], dst[:3*stride+rows], stride)
}

func dotQ5_KQ8Kx4(w []byte, q []int8, d []float32, s []int16) (out [4]float32) {
	if useAVX2Int() {
		n := len(d) / 4
		dotQ5_KQ8Kx4RowsAVX2(w[:176*n], 1, q[:4*256*n], d[:4*n], s[:4*16*n], out[:], 1)
		return out
	}
	return qdotx4By1(dotQ5_KQ8K, w, q, d, s)
}

func dotQ5_KQ8Kx4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	if !useAVX2Int() || rows < 1 {
		qdotx4RowsBy(dotQ5_KQ8Kx4, w, rows, q, d, s, dst, stride)
		return
	}
	n := len(d) / 4
	dotQ5_KQ8Kx4RowsAVX2(w[:rows*176*n], rows, q[:4*256*n], d[:4*n], s[:4*16*n], dst[:3*stride+rows], stride)
}

func dotQ6_KQ8Kx4(w []byte, q []int8, d []float32, s []int16) (out [4]float32) {
	if useAVX2Int() {
		n := len(d) / 4
		dotQ6_KQ8Kx4RowsAVX2(w[:210*n], 1, q[:4*256*n], d[:4*n], s[:4*16*n], out[:], 1)
		return out
	}
	return qdotx4By1(dotQ6_KQ8K, w, q, d, s)
}

func dotQ6_KQ8Kx4Rows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int) {
	if !useAVX2Int() || rows < 1 {
		qdotx4RowsBy(dotQ6_KQ8Kx4, w, rows, q, d, s, dst, stride)
		return
	}
	n := len(d) / 4
	dotQ6_KQ8Kx4RowsAVX2(w[:rows*210*n], rows, q[:4*256*n], d[:4*n], s[:4*16*n], dst[:3*stride+rows], stride)
}
