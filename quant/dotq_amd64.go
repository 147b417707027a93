//go:build amd64

package quant

// The integer kernels run the AVX2+FMA+F16C assembly of dotq_amd64.s where the CPU has it
// (and DEEPGO_KERNELS is not "generic"), the portable ones otherwise. The assembly
// multiplies rows consecutive rows by one vector (qdotRowsFunc); the one-row kernels call it
// with rows = 1. Each wrapper checks the slice lengths first, so that the assembly, which
// trusts them, never reads past the end of w, q or s, nor writes past dst[rows-1].

// useAVX2Int reports whether the assembly integer kernels may run.
func useAVX2Int() bool { return cpu.avx2 && cpu.f16c }

// useVNNI reports whether the AVX-512 VNNI kernels run (dotqx4_vnni_amd64.s): they take over
// the four-vector Q8_0 products, where the integer multiplies bound the AVX2 kernel.
func useVNNI() bool { return cpu.vnni && useAVX2Int() }

//go:noescape
func dotQ8_0Q8RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32)

//go:noescape
func dotQ4_0Q8RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32)

//go:noescape
func dotQ2_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)

//go:noescape
func dotQ3_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)

//go:noescape
func dotQ4_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)

//go:noescape
func dotQ5_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)

//go:noescape
func dotQ6_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)

func dotQ8_0Q8(w []byte, q []int8, d []float32) float32 {
	if useAVX2Int() {
		var out [1]float32
		n := len(d)
		dotQ8_0Q8RowsAVX2(w[:34*n], 1, q[:32*n], d, out[:])
		return out[0]
	}
	return dotQ8_0Q8Generic(w, q, d)
}

func dotQ8_0Q8Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32) {
	if !useAVX2Int() || rows < 1 {
		qdotRowsBy(dotQ8_0Q8x1, w, rows, q, d, nil, dst)
		return
	}
	n := len(d)
	dotQ8_0Q8RowsAVX2(w[:rows*34*n], rows, q[:32*n], d, dst[:rows])
}

func dotQ4_0Q8(w []byte, q []int8, d []float32) float32 {
	if useAVX2Int() {
		var out [1]float32
		n := len(d)
		dotQ4_0Q8RowsAVX2(w[:18*n], 1, q[:32*n], d, out[:])
		return out[0]
	}
	return dotQ4_0Q8Generic(w, q, d)
}

func dotQ4_0Q8Rows(w []byte, rows int, q []int8, d []float32, _ []int16, dst []float32) {
	if !useAVX2Int() || rows < 1 {
		qdotRowsBy(dotQ4_0Q8x1, w, rows, q, d, nil, dst)
		return
	}
	n := len(d)
	dotQ4_0Q8RowsAVX2(w[:rows*18*n], rows, q[:32*n], d, dst[:rows])
}

func dotQ2_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if useAVX2Int() {
		var out [1]float32
		n := len(d)
		dotQ2_KQ8KRowsAVX2(w[:84*n], 1, q[:256*n], d, s[:16*n], out[:])
		return out[0]
	}
	return dotQ2_KQ8KGeneric(w, q, d, s)
}

func dotQ2_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	if !useAVX2Int() || rows < 1 {
		qdotRowsBy(dotQ2_KQ8K, w, rows, q, d, s, dst)
		return
	}
	n := len(d)
	dotQ2_KQ8KRowsAVX2(w[:rows*84*n], rows, q[:256*n], d, s[:16*n], dst[:rows])
}

func dotQ3_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if useAVX2Int() {
		var out [1]float32
		n := len(d)
		dotQ3_KQ8KRowsAVX2(w[:110*n], 1, q[:256*n], d, s[:16*n], out[:])
		return out[0]
	}
	return dotQ3_KQ8KGeneric(w, q, d, s)
}

func dotQ3_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	if !useAVX2Int() || rows < 1 {
		qdotRowsBy(dotQ3_KQ8K, w, rows, q, d, s, dst)
		return
	}
	n := len(d)
	dotQ3_KQ8KRowsAVX2(w[:rows*110*n], rows, q[:256*n], d, s[:16*n], dst[:rows])
}

func dotQ4_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if useAVX2Int() {
		var out [1]float32
		n := len(d)
		dotQ4_KQ8KRowsAVX2(w[:144*n], 1, q[:256*n], d, s[:16*n], out[:])
		return out[0]
	}
	return dotQ4_KQ8KGeneric(w, q, d, s)
}

func dotQ4_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	if !useAVX2Int() || rows < 1 {
		qdotRowsBy(dotQ4_KQ8K, w, rows, q, d, s, dst)
		return
	}
	n := len(d)
	dotQ4_KQ8KRowsAVX2(w[:rows*144*n], rows, q[:256*n], d, s[:16*n], dst[:rows])
}

func dotQ5_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if useAVX2Int() {
		var out [1]float32
		n := len(d)
		dotQ5_KQ8KRowsAVX2(w[:176*n], 1, q[:256*n], d, s[:16*n], out[:])
		return out[0]
	}
	return dotQ5_KQ8KGeneric(w, q, d, s)
}

func dotQ5_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	if !useAVX2Int() || rows < 1 {
		qdotRowsBy(dotQ5_KQ8K, w, rows, q, d, s, dst)
		return
	}
	n := len(d)
	dotQ5_KQ8KRowsAVX2(w[:rows*176*n], rows, q[:256*n], d, s[:16*n], dst[:rows])
}

func dotQ6_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if useAVX2Int() {
		var out [1]float32
		n := len(d)
		dotQ6_KQ8KRowsAVX2(w[:210*n], 1, q[:256*n], d, s[:16*n], out[:])
		return out[0]
	}
	return dotQ6_KQ8KGeneric(w, q, d, s)
}

func dotQ6_KQ8KRows(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32) {
	if !useAVX2Int() || rows < 1 {
		qdotRowsBy(dotQ6_KQ8K, w, rows, q, d, s, dst)
		return
	}
	n := len(d)
	dotQ6_KQ8KRowsAVX2(w[:rows*210*n], rows, q[:256*n], d, s[:16*n], dst[:rows])
}
