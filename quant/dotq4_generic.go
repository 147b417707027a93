//go:build !amd64

package quant

// Without the amd64 assembly, the four-vector kernels run the single-vector ones (assembly
// or portable) four times.

func dotQ8_0Q8x4(w []byte, q []int8, d []float32, _ []int16) [4]float32 {
	return qdotx4By1(dotQ8_0Q8x1, w, q, d, nil)
}

func dotQ4_0Q8x4(w []byte, q []int8, d []float32, _ []int16) [4]float32 {
	return qdotx4By1(dotQ4_0Q8x1, w, q, d, nil)
}

func dotQ4_KQ8Kx4(w []byte, q []int8, d []float32, s []int16) [4]float32 {
	return qdotx4By1(dotQ4_KQ8K, w, q, d, s)
}

func dotQ5_KQ8Kx4(w []byte, q []int8, d []float32, s []int16) [4]float32 {
	return qdotx4By1(dotQ5_KQ8K, w, q, d, s)
}

func dotQ6_KQ8Kx4(w []byte, q []int8, d []float32, s []int16) [4]float32 {
	return qdotx4By1(dotQ6_KQ8K, w, q, d, s)
}
