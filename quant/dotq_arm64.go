//go:build arm64

package quant

// The arm64 assembly kernels replace these as they arrive (dotq_arm64.s); until then the
// portable ones.

func dotQ8_0Q8(w []byte, q []int8, d []float32) float32 { return dotQ8_0Q8Generic(w, q, d) }
func dotQ4_0Q8(w []byte, q []int8, d []float32) float32 { return dotQ4_0Q8Generic(w, q, d) }
func dotQ2_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	return dotQ2_KQ8KGeneric(w, q, d, s)
}
func dotQ3_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	return dotQ3_KQ8KGeneric(w, q, d, s)
}
func dotQ4_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	return dotQ4_KQ8KGeneric(w, q, d, s)
}
func dotQ5_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	return dotQ5_KQ8KGeneric(w, q, d, s)
}
func dotQ6_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	return dotQ6_KQ8KGeneric(w, q, d, s)
}
