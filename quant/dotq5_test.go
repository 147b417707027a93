package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestQ5_0Kernel checks the Q5_0 integer kernel against its portable twin, and the twin
// against the float kernel within the bound of quantizing the input.
func TestQ5_0Kernel(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 0))
	for blocks := 1; blocks <= 17; blocks++ {
		for trial := range 4 {
			cols := 32 * blocks
			w := make([]byte, 22*blocks)
			if trial == 0 {
				if err := Quantize(Q5_0, w, randomVector(cols, r, 1)); err != nil {
					t.Fatal(err)
				}
			} else {
				for i := range w {
					w[i] = byte(r.Uint32())
				}
				for b := 0; b < blocks; b++ {
					h := F32ToF16(float32(r.NormFloat64() * 0.1))
					w[22*b], w[22*b+1] = byte(h), byte(h>>8)
				}
			}
			x := randomVector(cols, r, []float64{1, 1e-20, 1e20, 3}[trial])
			var in Input
			in.Prepare(Q8_0, x, 1, cols, cols)
			q, d, _ := in.vec(0)
			got, want := dotQ5_0Q8(w, q, d), dotQ5_0Q8Generic(w, q, d)
			if !closeEnough(got, want) {
				t.Errorf("%d blocks trial %d: kernel %g, generic %g", blocks, trial, got, want)
			}
			// The twin against the float kernel: the input moved by at most d_x/2 per value.
			row := make([]float32, cols)
			dequantQ5_0(row, w)
			var bound float64
			for j, v := range row {
				bound += math.Abs(float64(v)) * float64(d[j/32]) / 2
			}
			if f := dotQ5_0(w, x); math.Abs(float64(want-f)) > bound*1.001+1e-30+1e-6*math.Abs(float64(f)) {
				t.Errorf("%d blocks trial %d: integer %g, float %g, bound %g", blocks, trial, want, f, bound)
			}
		}
	}
}

func BenchmarkQ5_0Kernel(b *testing.B) {
	const cols = 4096
	r := rand.New(rand.NewPCG(9, 9))
	w := make([]byte, cols/32*22)
	Quantize(Q5_0, w, randomVector(cols, r, 1))
	var in Input
	in.Prepare(Q8_0, randomVector(cols, r, 1), 1, cols, cols)
	q, d, _ := in.vec(0)
	b.SetBytes(int64(len(w)))
	for b.Loop() {
		dotQ5_0Q8(w, q, d)
	}
}
