//go:build amd64

package quant

// The four-vector integer kernels run the AVX2+FMA+F16C assembly of dotq4_amd64.s where
// the single-vector ones do (useAVX2Int), and the single-vector kernels four times
// otherwise. Each wrapper slices w, q, d and s to exactly what the assembly reads.

//go:noescape
func dotQ8_0Q8x4AVX2(w []byte, q []int8, d []float32, out *[4]float32)

//go:noescape
func dotQ4_0Q8x4AVX2(w []byte, q []int8, d []float32, out *[4]float32)

//go:noescape
func dotQ4_KQ8Kx4AVX2(w []byte, q []int8, d []float32, s []int16, out *[4]float32)

//go:noescape
func dotQ5_KQ8Kx4AVX2(w []byte, q []int8, d []float32, s []int16, out *[4]float32)

//go:noescape
func dotQ6_KQ8Kx4AVX2(w []byte, q []int8, d []float32, s []int16, out *[4]float32)

func dotQ8_0Q8x4(w []byte, q []int8, d []float32, _ []int16) (out [4]float32) {
	if useAVX2Int() {
		n := len(d) / 4
		dotQ8_0Q8x4AVX2(w[:34*n], q[:4*32*n], d[:4*n], &out)
		return out
	}
	return qdotx4By1(dotQ8_0Q8x1, w, q, d, nil)
}

func dotQ4_0Q8x4(w []byte, q []int8, d []float32, _ []int16) (out [4]float32) {
	if useAVX2Int() {
		n := len(d) / 4
		dotQ4_0Q8x4AVX2(w[:18*n], q[:4*32*n], d[:4*n], &out)
		return out
	}
	return qdotx4By1(dotQ4_0Q8x1, w, q, d, nil)
}

func dotQ4_KQ8Kx4(w []byte, q []int8, d []float32, s []int16) (out [4]float32) {
	if useAVX2Int() {
		n := len(d) / 4
		dotQ4_KQ8Kx4AVX2(w[:144*n], q[:4*256*n], d[:4*n], s[:4*16*n], &out)
		return out
	}
	return qdotx4By1(dotQ4_KQ8K, w, q, d, s)
}

func dotQ5_KQ8Kx4(w []byte, q []int8, d []float32, s []int16) (out [4]float32) {
	if useAVX2Int() {
		n := len(d) / 4
		dotQ5_KQ8Kx4AVX2(w[:176*n], q[:4*256*n], d[:4*n], s[:4*16*n], &out)
		return out
	}
	return qdotx4By1(dotQ5_KQ8K, w, q, d, s)
}

func dotQ6_KQ8Kx4(w []byte, q []int8, d []float32, s []int16) (out [4]float32) {
	if useAVX2Int() {
		n := len(d) / 4
		dotQ6_KQ8Kx4AVX2(w[:210*n], q[:4*256*n], d[:4*n], s[:4*16*n], &out)
		return out
	}
	return qdotx4By1(dotQ6_KQ8K, w, q, d, s)
}
