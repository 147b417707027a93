package quant

// AxpyF32 sets y[i] += a·x[i] for i < len(y); len(x) must be at least len(y).
func AxpyF32(y []float32, a float32, x []float32) {
	x = x[:len(y)]
	axpyF32(y, a, x)
}

func axpyF32Generic(y []float32, a float32, x []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += a * x[i]
	}
}
