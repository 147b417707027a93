package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAxpyF32(t *testing.T) { forEachKernels(t, testAxpyF32) }

func testAxpyF32(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(1, 1))
	for n := range 80 {
		x, y := randomVector(n+3, r, 1), randomVector(n, r, 1)
		want := append([]float32(nil), y...)
		a := float32(r.NormFloat64())
		for i := range want {
			want[i] += a * x[i]
		}
		k.AxpyF32(y, a, x)
		for i := range y {
			// FMA rounds once, the Go loop twice: within an ulp or two.
			if d := math.Abs(float64(y[i] - want[i])); d > 1e-6*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("n %d [%d]: %g, want %g", n, i, y[i], want[i])
			}
		}
	}
}

func BenchmarkAxpyF32(b *testing.B) {
	x, y := make([]float32, 512), make([]float32, 512)
	b.SetBytes(512 * 4)
	for b.Loop() {
		AxpyF32(y, 0.5, x)
	}
}
