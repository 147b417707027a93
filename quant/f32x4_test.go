package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDotF32x4Block: the block form against float64 dot products, for column counts around
// the kernel's step, odd and even key counts and strides wider than the vectors; it writes
// only out's n columns of each row.
func TestDotF32x4Block(t *testing.T) { forEachKernels(t, testDotF32x4Block) }

func testDotF32x4Block(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(67, 68))
	for _, cols := range []int{1, 8, 15, 16, 24, 64, 512, 520} {
		for _, n := range []int{1, 2, 3, 5, 64} {
			outStride, qStride, xStride := n+1, cols+3, cols+5
			q := randomVector(3*qStride+cols, r, 1)
			x := randomVector((n-1)*xStride+cols, r, 1)
			out := make([]float32, 3*outStride+n+1)
			for i := range out {
				out[i] = -1234.5
			}
			k.DotF32x4Block(out, outStride, q, qStride, x, xStride, n, cols)
			for k := range 4 {
				for j := range outStride {
					got := out[k*outStride+j]
					if j >= n {
						if got != -1234.5 {
							t.Errorf("cols=%d n=%d: out[%d][%d] written", cols, n, k, j)
						}
						continue
					}
					var want, mag float64
					for i := range cols {
						p := float64(q[k*qStride+i]) * float64(x[j*xStride+i])
						want, mag = want+p, mag+math.Abs(p)
					}
					if math.Abs(float64(got)-want) > 1e-5*mag+1e-30 {
						t.Errorf("cols=%d n=%d: out[%d][%d] = %g, want %g", cols, n, k, j, got, want)
					}
				}
			}
		}
	}
	expectPanic(t, "DotF32x4Block short q", func() {
		k.DotF32x4Block(make([]float32, 64), 2, make([]float32, 40), 16, make([]float32, 32), 16, 2, 16)
	})
}

// TestAxpyF32x4Block: the block form gives exactly what n AxpyF32x4 calls give, for column
// counts around the kernel's step, several term counts and strides wider than the vectors,
// and writes nothing in the gaps.
func TestAxpyF32x4Block(t *testing.T) { forEachKernels(t, testAxpyF32x4Block) }

func testAxpyF32x4Block(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(65, 66))
	for _, cols := range []int{1, 8, 15, 16, 17, 33, 64, 512, 520} {
		for _, n := range []int{1, 2, 5, 64} {
			stride, aStride, xStride := cols+3, n+2, cols+5
			y := randomVector(3*stride+cols, r, 1)
			a := randomVector(3*aStride+n, r, 1)
			x := randomVector((n-1)*xStride+cols, r, 1)
			want := append([]float32(nil), y...)
			for j := range n {
				w := [4]float32{a[j], a[aStride+j], a[2*aStride+j], a[3*aStride+j]}
				k.AxpyF32x4(want, stride, &w, x[j*xStride:][:cols])
			}
			got := append([]float32(nil), y...)
			k.AxpyF32x4Block(got, stride, a, aStride, x, xStride, n, cols)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("cols=%d n=%d: y[%d] = %g, want %g (n AxpyF32x4 calls)", cols, n, i, got[i], want[i])
				}
			}
		}
	}
	expectPanic(t, "AxpyF32x4Block short x", func() {
		k.AxpyF32x4Block(make([]float32, 64), 16, make([]float32, 8), 2, make([]float32, 31), 16, 2, 16)
	})
}

// TestDotAxpyF32x4 checks the four-vector float products against their definitions, for
// lengths around the kernels' steps and strides wider than the vectors.
func TestDotAxpyF32x4(t *testing.T) { forEachKernels(t, testDotAxpyF32x4) }

func testDotAxpyF32x4(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(61, 62))
	for _, n := range []int{1, 7, 8, 15, 16, 17, 31, 32, 33, 64, 100, 512, 576} {
		for _, pad := range []int{0, 3, 16} {
			stride := n + pad
			x := randomVector(n, r, 1)
			y := randomVector(3*stride+n, r, 1)
			got := k.DotF32x4(x, y, stride)
			for k := range 4 {
				var want, mag float64
				for i := range n {
					p := float64(x[i]) * float64(y[k*stride+i])
					want += p
					mag += math.Abs(p)
				}
				if d := math.Abs(float64(got[k]) - want); d > 1e-5*mag+1e-30 {
					t.Errorf("DotF32x4 n=%d stride=%d vector %d: %g, want %g", n, stride, k, got[k], want)
				}
			}
			a := [4]float32{0.5, -2, 3.25, 0}
			z := append([]float32(nil), y...)
			k.AxpyF32x4(z, stride, &a, x)
			for k := range 4 {
				for i := range n {
					want := y[k*stride+i] + a[k]*x[i]
					if got := z[k*stride+i]; math.Abs(float64(got-want)) > 1e-6*(math.Abs(float64(want))+1) {
						t.Fatalf("AxpyF32x4 n=%d stride=%d y[%d][%d] = %g, want %g", n, stride, k, i, got, want)
					}
				}
				for i := n; i < stride && k < 3; i++ {
					if z[k*stride+i] != y[k*stride+i] {
						t.Fatalf("AxpyF32x4 n=%d stride=%d wrote the gap at y[%d][%d]", n, stride, k, i)
					}
				}
			}
		}
	}
	expectPanic(t, "DotF32x4 short y", func() { k.DotF32x4(make([]float32, 8), make([]float32, 31), 8) })
	expectPanic(t, "AxpyF32x4 short y", func() { k.AxpyF32x4(make([]float32, 31), 8, &[4]float32{}, make([]float32, 8)) })
}

func BenchmarkDotF32x4(b *testing.B) {
	r := rand.New(rand.NewPCG(63, 64))
	const n = 576
	x, y := randomVector(n, r, 1), randomVector(4*n, r, 1)
	b.Run("x4", func(b *testing.B) {
		for b.Loop() {
			DotF32x4(x, y, n)
		}
	})
	b.Run("4×DotF32", func(b *testing.B) {
		for b.Loop() {
			for k := range 4 {
				DotF32(x, y[k*n:(k+1)*n])
			}
		}
	})
	a := [4]float32{1, 2, 3, 4}
	b.Run(fmt.Sprintf("axpy-x4-%d", n), func(b *testing.B) {
		for b.Loop() {
			AxpyF32x4(y, n, &a, x)
		}
	})
}
