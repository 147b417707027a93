package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// swiGLURef is the portable formula: float32(x/(1+float32(e^−x)))·u, e^−x from math.Exp.
func swiGLURef(x, u float32) float32 {
	s := x / (1 + float32(math.Exp(float64(-x))))
	return s * u
}

// ulps is the distance between a and b in float32 steps (−0 and +0 are one value).
func ulps(a, b float32) int64 {
	ord := func(f float32) int64 {
		i := int32(math.Float32bits(f))
		if i < 0 {
			i = math.MinInt32 - i
		}
		return int64(i)
	}
	d := ord(a) - ord(b)
	if d < 0 {
		d = -d
	}
	return d
}

// TestSwiGLU checks SwiGLU (the assembly where there is one) against the portable formula,
// bit for bit, on random values of every magnitude, a sweep over [−100, 100], the edges of
// e^−x's range and infinities, NaN and zeros, at lengths that leave a remainder for the
// portable loop.
func TestSwiGLU(t *testing.T) { forEachKernels(t, testSwiGLU) }

func testSwiGLU(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(61, 62))
	var xs []float32
	for i := range 20001 {
		xs = append(xs, float32(-100+float64(i)/100))
	}
	for range 20000 {
		xs = append(xs, float32(r.NormFloat64()*math.Pow(10, float64(r.IntN(9)-4))))
	}
	thr := math.Float32frombits(0x42b17217) // the largest −x with a finite float32 e^−x
	for _, x := range []float32{-thr, math.Nextafter32(-thr, 0), math.Nextafter32(-thr, -100), -80, 80, -87.5, 17, -17,
		88.73, -88.73, -1e30, 1e30, 1e-40, -1e-40, 0, float32(math.Copysign(0, -1)),
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())} {
		for range 9 {
			xs = append(xs, x) // in every lane and in the remainder
		}
	}
	for i := 0; i < len(xs); {
		n := min(len(xs)-i, 1+r.IntN(40))
		gate := append([]float32(nil), xs[i:i+n]...)
		up := make([]float32, n)
		for j := range up {
			up[j] = float32(r.NormFloat64())
		}
		up[0] = 1
		k.SwiGLU(gate, up)
		for j, got := range gate {
			x := xs[i+j]
			want := swiGLURef(x, up[j])
			if got == want || got != got && want != want {
				continue
			}
			if got != got || want != want || ulps(got, want) > 0 {
				t.Errorf("k.SwiGLU(%g (%#x), %g) = %g, want %g (%d ulps)", x, math.Float32bits(x), up[j], got, want, ulps(got, want))
			}
		}
		i += n
	}
	k.SwiGLU(nil, nil)
}

// TestExpF32 checks ExpF32 against float32(math.Exp(x)), bit for bit, on a sweep over
// [−110, 95] (zero, subnormal, normal and infinite results), random values, the edges of
// the range and infinities, NaN and zeros, at lengths that leave a remainder.
func TestExpF32(t *testing.T) { forEachKernels(t, testExpF32) }

func testExpF32(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(65, 66))
	var xs []float32
	for i := range 41001 {
		xs = append(xs, float32(-110+float64(i)/200))
	}
	for range 20000 {
		xs = append(xs, float32(r.NormFloat64()*math.Pow(10, float64(r.IntN(7)-4))))
	}
	thr := math.Float32frombits(0x42b17217) // the largest x with a finite float32 e^x
	for _, x := range []float32{thr, math.Nextafter32(thr, 100), -104, -103.97, -103.28, -87.33655, -87.33654, 89, 100,
		1e-40, -1e-40, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())} {
		for range 9 {
			xs = append(xs, x)
		}
	}
	for i := 0; i < len(xs); {
		n := min(len(xs)-i, 1+r.IntN(40))
		got := append([]float32(nil), xs[i:i+n]...)
		k.ExpF32(got)
		for j, g := range got {
			x := xs[i+j]
			want := float32(math.Exp(float64(x)))
			if g != want && !(g != g && want != want) {
				t.Errorf("k.ExpF32(%g (%#x)) = %g, want %g (%d ulps)", x, math.Float32bits(x), g, want, ulps(g, want))
			}
		}
		i += n
	}
	k.ExpF32(nil)
}

func BenchmarkExpF32(b *testing.B) {
	r := rand.New(rand.NewPCG(67, 68))
	x := randomVector(4096, r, 3)
	y := make([]float32, len(x))
	for _, impl := range []struct {
		name string
		f    func([]float32)
	}{{"generic", expF32Generic}, {"kernel", ExpF32}} {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(4 * int64(len(x)))
			for b.Loop() {
				copy(y, x)
				impl.f(y)
			}
		})
	}
}

func BenchmarkSwiGLU(b *testing.B) {
	r := rand.New(rand.NewPCG(63, 64))
	gate, up := randomVector(4096, r, 3), randomVector(4096, r, 1)
	g := make([]float32, len(gate))
	for _, impl := range []struct {
		name string
		f    func(gate, up []float32)
	}{{"generic", swiGLUGeneric}, {"kernel", SwiGLU}} {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(4 * int64(len(gate)))
			for b.Loop() {
				copy(g, gate)
				impl.f(g, up)
			}
		})
	}
}
