package core

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpf: expf is within 2 ulp of the correctly rounded e^x over the range softmax and
// SwiGLU use, and exact at the edges (NaN, overflow, underflow).
func TestExpf(t *testing.T) {
	ulps := func(got, want float32) float64 {
		return math.Abs(float64(got)-float64(want)) / float64(math.Nextafter32(want, float32(math.Inf(1)))-want)
	}
	r := rand.New(rand.NewPCG(1, 2))
	worst := 0.0
	for i := range 2_000_000 {
		x := float32(r.Float64()*175 - 87.3)
		if i < 1000 {
			x = float32(r.Float64()*2 - 1) // around zero
		}
		want := float32(math.Exp(float64(x)))
		if u := ulps(expf(x), want); u > worst {
			worst = u
			if u > 2 {
				t.Fatalf("expf(%g) = %g, want %g (%.1f ulp)", x, expf(x), want, u)
			}
		}
	}
	t.Logf("worst error %.2f ulp", worst)
	for _, c := range []struct{ x, want float32 }{
		{0, 1}, {float32(math.Inf(-1)), 0}, {float32(math.Inf(1)), float32(math.Inf(1))},
		{89, float32(math.Inf(1))}, {-104, 0}, {-90, float32(math.Exp(-90))},
	} {
		if got := expf(c.x); got != c.want {
			t.Errorf("expf(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if got := expf(float32(math.NaN())); got == got {
		t.Errorf("expf(NaN) = %g", got)
	}
}

func BenchmarkExpf(b *testing.B) {
	x := make([]float32, 1024)
	for i := range x {
		x[i] = float32(i)/64 - 8
	}
	b.Run("expf", func(b *testing.B) {
		var s float32
		for b.Loop() {
			for _, v := range x {
				s += expf(v)
			}
		}
		_ = s
	})
	b.Run("math.Exp", func(b *testing.B) {
		var s float32
		for b.Loop() {
			for _, v := range x {
				s += float32(math.Exp(float64(v)))
			}
		}
		_ = s
	})
}
