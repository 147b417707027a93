package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestQ5_0Kernel checks the Q5_0 integer kernel against its portable twin, and the twin
// against the float kernel within the bound of quantizing the input.
func TestQ5_0Kernel(t *testing.T) { forEachKernels(t, testQ5_0Kernel) }

func testQ5_0Kernel(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(5, 0))
	for blocks := 1; blocks <= 17; blocks++ {
		for trial := range 4 {
			cols := 32 * blocks
			w := make([]byte, blockBytesQ5_0*blocks)
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
					w[blockBytesQ5_0*b], w[blockBytesQ5_0*b+1] = byte(h), byte(h>>8)
				}
			}
			x := randomVector(cols, r, []float64{1, 1e-20, 1e20, 3}[trial])
			var in Input
			in.Prepare(k, Q8_0, x, 1, cols, cols)
			q, d, _ := in.vec(0)
			got, want := k.dotQ5_0Q8(w, q, d, nil), dotQ5_0Q8Generic(w, q, d)
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
	w := make([]byte, cols/qk*blockBytesQ5_0)
	Quantize(Q5_0, w, randomVector(cols, r, 1))
	var in Input
	k := CPUKernels()
	in.Prepare(k, Q8_0, randomVector(cols, r, 1), 1, cols, cols)
	q, d, _ := in.vec(0)
	b.SetBytes(int64(len(w)))
	for b.Loop() {
		k.dotQ5_0Q8(w, q, d, nil)
	}
}

// TestQ5_0x4Kernel checks the four-vector Q5_0 kernel against the portable single-vector
// twin on 1 to 17 blocks (the four-block loop and the tail), arbitrary bytes with extreme
// block scales (the largest half, a subnormal, zero) and tiny or huge inputs. The kernel
// sums eight float lanes per block, so the bound is relative to the sum of the products'
// magnitudes: a block's lanes may cancel to far less.
func TestQ5_0x4Kernel(t *testing.T) { forEachKernels(t, testQ5_0x4Kernel) }

func testQ5_0x4Kernel(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(5, 4))
	for blocks := 1; blocks <= 17; blocks++ {
		cols := 32 * blocks
		for trial, xs := range []float64{1, 1e-20, 1e20, 3} {
			w := randomBytes(Q5_0, cols, r)
			for b := range blocks {
				h := []uint16{0x7bff, 0x0001, 0, 0xfbff, F32ToF16(0.02)}[(b+trial)%5]
				w[blockBytesQ5_0*b], w[blockBytesQ5_0*b+1] = byte(h), byte(h>>8)
			}
			var in Input
			in.Prepare(k, Q5_0, randomVector(4*cols, r, xs), 4, cols, cols)
			var got [4]float32
			k.dotQ5_0Q8x4Rows(w, 1, in.q[:4*cols], in.d[:4*blocks], nil, got[:], 1)
			for v := range 4 {
				q, d, _ := in.vec(v)
				want := dotQ5_0Q8Generic(w, q, d)
				if diff := math.Abs(float64(got[v] - want)); !(diff <= 1e-6*q5Mag(w, q, d)+1e-30) && got[v] != want {
					t.Errorf("%d blocks trial %d vector %d: x4 %g, generic %g", blocks, trial, v, got[v], want)
				}
			}
		}
	}
}

// q5Mag is Σ |d_w·d_x·w_j·x_j| over a Q5_0 row's values: a bound for the float rounding of
// a dot product in any summation order.
func q5Mag(w []byte, q []int8, d []float32) float64 {
	row := make([]float32, len(q))
	dequantQ5_0(row, w)
	var mag float64
	for j, v := range row {
		mag += math.Abs(float64(v) * float64(d[j/32]) * float64(q[j]))
	}
	return mag
}
