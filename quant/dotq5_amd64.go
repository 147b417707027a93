//go:build amd64

package quant

//go:noescape
func dotQ5_0Q8RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32)

//go:noescape
func dotQ5_0Q8x4RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32, stride int)

func dotQ5_0Q8(w []byte, q []int8, d []float32) float32 {
	if useAVX2Int() {
		var out [1]float32
		n := len(d)
		dotQ5_0Q8RowsAVX2(w[:22*n], 1, q[:32*n], d, out[:])
		return out[0]
	}
	return dotQ5_0Q8Generic(w, q, d)
}

// dotQ5_0Q8Rows is the Q5_0 kernel on consecutive rows (qdotRowsFunc).
func dotQ5_0Q8Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32) {
	if !useAVX2Int() || rows < 1 {
		qdotRowsBy(dotQ5_0Q8x1, w, rows, q, d, nil, dst)
		return
	}
	n := len(d)
	dotQ5_0Q8RowsAVX2(w[:rows*22*n], rows, q[:32*n], d, dst[:rows])
}

// dotQ5_0Q8x4 is the four-vector Q5_0 kernel (qdotx4Func): the rows kernel on one row.
func dotQ5_0Q8x4(w []byte, q []int8, d []float32, _ []int16) (out [4]float32) {
	if useAVX2Int() {
		n := len(d) / 4
		dotQ5_0Q8x4RowsAVX2(w[:22*n], 1, q[:4*32*n], d[:4*n], out[:], 1)
		return out
	}
	return qdotx4By1(dotQ5_0Q8x1, w, q, d, nil)
}

// dotQ5_0Q8x4Rows is the four-vector Q5_0 kernel on consecutive rows (qdotx4RowsFunc).
func dotQ5_0Q8x4Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32, stride int) {
	if !useAVX2Int() || rows < 1 {
		qdotx4RowsBy(dotQ5_0Q8x4, w, rows, q, d, nil, dst, stride)
		return
	}
	n := len(d) / 4
	dotQ5_0Q8x4RowsAVX2(w[:rows*22*n], rows, q[:4*32*n], d[:4*n], dst[:3*stride+rows], stride)
}
