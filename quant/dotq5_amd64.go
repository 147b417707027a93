//go:build amd64

package quant

//go:noescape
func dotQ5_0Q8AVX2(w []byte, q []int8, d []float32) float32

func dotQ5_0Q8(w []byte, q []int8, d []float32) float32 {
	if useAVX2Int() {
		n := len(d)
		return dotQ5_0Q8AVX2(w[:22*n], q[:32*n], d)
	}
	return dotQ5_0Q8Generic(w, q, d)
}
