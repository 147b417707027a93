//go:build !amd64

package quant

func dotQ5_0Q8(w []byte, q []int8, d []float32) float32 { return dotQ5_0Q8Generic(w, q, d) }
