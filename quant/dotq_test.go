package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// intKernelTypes are the block formats with integer kernels.
var intKernelTypes = []DType{Q8_0, Q4_0, Q5_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K}

// randomRow quantizes cols random values to type t; scale spreads their magnitudes.
func randomRow(t DType, cols int, r *rand.Rand, scale float64) []byte {
	x := make([]float32, cols)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	w := make([]byte, cols/t.BlockSize()*t.BlockBytes())
	if err := Quantize(t, w, x); err != nil {
		panic(err)
	}
	return w
}

// randomBytes fills a row with arbitrary bytes, the block scales made finite halves.
func randomBytes(t DType, cols int, r *rand.Rand) []byte {
	w := make([]byte, cols/t.BlockSize()*t.BlockBytes())
	for i := range w {
		w[i] = byte(r.Uint32())
	}
	bb := t.BlockBytes()
	for b := 0; b < len(w); b += bb {
		var offs []int
		switch t {
		case Q8_0, Q4_0, Q5_0:
			offs = []int{0}
		case Q2_K:
			offs = []int{80, 82}
		case Q3_K:
			offs = []int{108}
		case Q4_K, Q5_K:
			offs = []int{0, 2}
		case Q6_K:
			offs = []int{208}
		}
		for _, o := range offs {
			h := F32ToF16(float32(r.NormFloat64() * 0.01))
			w[b+o], w[b+o+1] = byte(h), byte(h>>8)
		}
	}
	return w
}

func randomVector(n int, r *rand.Rand, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	return x
}

// intDot runs t's integer kernel with the kernels in was prepared with.
func intDot(t DType, w []byte, in *Input, v int) float32 {
	q, d, sums := in.vec(v)
	return t.format().qdot(in.kernels, w, q, d, sums)
}

// intDotGeneric runs the portable twin.
func intDotGeneric(t DType, w []byte, in *Input, v int) float32 {
	q, d, sums := in.vec(v)
	switch t {
	case Q8_0:
		return dotQ8_0Q8Generic(w, q, d)
	case Q4_0:
		return dotQ4_0Q8Generic(w, q, d)
	case Q5_0:
		return dotQ5_0Q8Generic(w, q, d)
	case Q2_K:
		return dotQ2_KQ8KGeneric(w, q, d, sums)
	case Q3_K:
		return dotQ3_KQ8KGeneric(w, q, d, sums)
	case Q4_K:
		return dotQ4_KQ8KGeneric(w, q, d, sums)
	case Q5_K:
		return dotQ5_KQ8KGeneric(w, q, d, sums)
	case Q6_K:
		return dotQ6_KQ8KGeneric(w, q, d, sums)
	}
	panic(t)
}

// TestIntKernelsMatchFloat checks the integer path against the float kernels: they differ
// only by the 8-bit quantization of the input, about 1% of the result's scale.
func TestIntKernelsMatchFloat(t *testing.T) { forEachKernels(t, testIntKernelsMatchFloat) }

func testIntKernelsMatchFloat(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, typ := range intKernelTypes {
		for _, cols := range []int{256, 512, 2048} {
			const rows = 16
			data := make([]byte, 0, rows*cols/typ.BlockSize()*typ.BlockBytes())
			for range rows {
				data = append(data, randomRow(typ, cols, r, 1)...)
			}
			m, err := NewBlock(typ, data, rows, cols)
			if err != nil {
				t.Fatal(err)
			}
			const n = 3
			x := randomVector(n*cols, r, 1)
			want := make([]float32, n*rows)
			m.MulMat(want, rows, x, cols, n, 0, rows)
			var in Input
			in.Prepare(k, typ, x, n, cols, cols)
			got := make([]float32, n*rows)
			m.MulInput(got, rows, &in, 0, rows)
			// Quantizing x moves each value by at most half its block's step d_x/2: the
			// products move by at most Σ|w_j|·d_x(j)/2.
			row := make([]float32, cols)
			for i := range rows {
				m.Row(row, i)
				for v := range n {
					_, d, _ := in.vec(v)
					bs := cols / len(d)
					var bound float64
					for j, wj := range row {
						bound += math.Abs(float64(wj)) * float64(d[j/bs]) / 2
					}
					k := v*rows + i
					if diff := math.Abs(float64(got[k] - want[k])); diff > bound*1.001+1e-4 {
						t.Errorf("%v cols %d row %d vec %d: integer %g, float %g, bound %g", typ, cols, i, v, got[k], want[k], bound)
					}
				}
			}
		}
	}
}

// TestIntKernelsMatchGeneric checks each table kernel, under each implementation, against
// its portable twin on random rows, arbitrary bytes, and extreme inputs.
func TestIntKernelsMatchGeneric(t *testing.T) { forEachKernels(t, testIntKernelsMatchGeneric) }

func testIntKernelsMatchGeneric(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, typ := range intKernelTypes {
		for _, cols := range []int{256, 768, 4096} {
			for trial := range 6 {
				var w []byte
				switch trial % 3 {
				case 0:
					w = randomRow(typ, cols, r, 1)
				case 1:
					w = randomBytes(typ, cols, r)
				case 2:
					w = randomRow(typ, cols, r, 1e4)
				}
				scale := []float64{1, 1e-30, 1e30, 0, 1, 3}[trial]
				x := randomVector(cols, r, scale)
				if trial == 5 { // extreme values: every quantized value at ±127
					for i := range x {
						x[i] = float32(1 - 2*float64(i%2))
					}
				}
				var in Input
				in.Prepare(k, typ, x, 1, cols, cols)
				got, want := intDot(typ, w, &in, 0), intDotGeneric(typ, w, &in, 0)
				if !closeEnough(got, want) {
					t.Errorf("%v cols %d trial %d: kernel %g, generic %g", typ, cols, trial, got, want)
				}
			}
		}
	}
}

// closeEnough: equal but for float summation order (relative 1e-5, or both tiny).
func closeEnough(a, b float32) bool {
	if a == b || math.IsNaN(float64(a)) && math.IsNaN(float64(b)) {
		return true
	}
	d := math.Abs(float64(a - b))
	return d <= 1e-5*math.Max(math.Abs(float64(a)), math.Abs(float64(b))) || d < 1e-30
}

func TestInputQuantization(t *testing.T) { forEachKernels(t, testInputQuantization) }

func testInputQuantization(t *testing.T, k Kernels) {
	x := []float32{0, 1, -1, 0.5, -0.25, 127, -127, 63.5}
	x = append(x, make([]float32, 256-len(x))...)
	for _, typ := range []DType{Q8_0, Q4_K} {
		var in Input
		in.Prepare(k, typ, x, 1, 256, 256)
		q, d, sums := in.vec(0)
		if d[0] != 1 {
			t.Errorf("%v: scale %g, want 1 (max |x| 127)", typ, d[0])
		}
		want := []int8{0, 1, -1, 1, 0, 127, -127, 64}
		for i, w := range want {
			if q[i] != w {
				t.Errorf("%v: q[%d] = %d, want %d (round half away from zero)", typ, i, q[i], w)
			}
		}
		if typ == Q4_K {
			var s int16
			for _, v := range q[:16] {
				s += int16(v)
			}
			if sums[0] != s {
				t.Errorf("sum %d, want %d", sums[0], s)
			}
		}
	}
	// A zero vector quantizes to zeros with scale 0.
	var in Input
	in.Prepare(k, Q8_0, make([]float32, 64), 1, 64, 64)
	if q, d, _ := in.vec(0); d[0] != 0 || q[5] != 0 {
		t.Errorf("zeros: d %g q %d", d[0], q[5])
	}
}

func TestInputAllocs(t *testing.T) {
	x := randomVector(4*1024, rand.New(rand.NewPCG(5, 6)), 1)
	w := randomRow(Q4_K, 1024, rand.New(rand.NewPCG(7, 8)), 1)
	m, _ := NewBlock(Q4_K, w, 1, 1024)
	var in Input
	dst := make([]float32, 4)
	in.Prepare(CPUKernels(), Q4_K, x, 4, 1024, 1024)
	if n := testing.AllocsPerRun(10, func() {
		in.Prepare(CPUKernels(), Q4_K, x, 4, 1024, 1024)
		m.MulInput(dst, 1, &in, 0, 1)
	}); n != 0 {
		t.Errorf("%v allocations per prepared product", n)
	}
}

func BenchmarkIntKernels(b *testing.B) {
	const cols = 4096
	r := rand.New(rand.NewPCG(9, 10))
	for _, typ := range intKernelTypes {
		w := randomRow(typ, cols, r, 1)
		var in Input
		in.Prepare(CPUKernels(), typ, randomVector(cols, r, 1), 1, cols, cols)
		b.Run(fmt.Sprint(typ), func(b *testing.B) {
			b.SetBytes(int64(len(w)))
			b.ReportAllocs()
			for b.Loop() {
				intDot(typ, w, &in, 0)
			}
		})
	}
}

// TestQdotRows: each table's rows kernel on 1 to 6 rows gives every row what its one-row
// kernel gives, bit for bit, and writes nothing past dst[rows-1].
func TestQdotRows(t *testing.T) { forEachKernels(t, testQdotRows) }

func testQdotRows(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(57, 58))
	for _, typ := range intKernelTypes {
		f := typ.format()
		for _, nb := range []int{1, 3, 4, 9} {
			cols, bb := nb*typ.BlockSize(), nb*typ.BlockBytes()
			for rows := 1; rows <= 6; rows++ {
				var w []byte
				for range rows {
					w = append(w, randomBytes(typ, cols, r)...)
				}
				var in Input
				in.Prepare(k, typ, randomVector(cols, r, 1), 1, cols, cols)
				q, d, s := in.vec(0)
				dst := make([]float32, rows+3)
				for i := range dst {
					dst[i] = -1234.5
				}
				f.qdotRows(k, w, rows, q, d, s, dst[:rows])
				for i, got := range dst {
					want := float32(-1234.5)
					if i < rows {
						want = f.qdot(k, w[bb*i:][:bb], q, d, s)
					}
					if got != want && !(got != got && want != want) {
						t.Errorf("%v %d blocks, %d rows: dst[%d] = %g, want %g", typ, nb, rows, i, got, want)
					}
				}
			}
		}
	}
}

// TestPrepareSingleExact: the last vectors of an Input prepared with PrepareSingle get,
// bit for bit, the products they get alone, whatever number of vectors come before them
// (the sixteen-, four- and padded-four-vector kernels in front); the vectors before get
// Prepare's products.
func TestPrepareSingleExact(t *testing.T) { forEachKernels(t, testPrepareSingleExact) }

func testPrepareSingleExact(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, typ := range intKernelTypes {
		const rows, cols = 24, 512
		data := make([]byte, 0, rows*cols/typ.BlockSize()*typ.BlockBytes())
		for range rows {
			data = append(data, randomRow(typ, cols, r, 1)...)
		}
		m, err := NewBlock(typ, data, rows, cols)
		if err != nil {
			t.Fatal(err)
		}
		const maxN = 21
		x := randomVector(maxN*cols, r, 1)
		alone := make([]float32, maxN*rows)
		var in Input
		for v := range maxN {
			in.Prepare(k, typ, x[v*cols:], 1, cols, cols)
			m.MulInput(alone[v*rows:], rows, &in, 0, rows)
		}
		for _, n := range []int{1, 2, 3, 5, 6, 7, 17, 18, 19, 21} {
			for _, single := range []int{0, 1, 2, 3, 4, n} {
				if single > n {
					continue
				}
				grouped := make([]float32, n*rows)
				if n > single {
					in.Prepare(k, typ, x, n-single, cols, cols)
					m.MulInput(grouped, rows, &in, 0, rows)
				}
				got := make([]float32, n*rows)
				in.PrepareSingle(k, typ, x, n, cols, cols, single)
				m.MulInput(got, rows, &in, 0, rows)
				for v := range n {
					want := grouped[v*rows : (v+1)*rows]
					if v >= n-single {
						want = alone[v*rows : (v+1)*rows]
					}
					for i, g := range got[v*rows : (v+1)*rows] {
						if g != want[i] && !(v < n-single) {
							t.Fatalf("%v: %d vectors, last %d single: vector %d row %d = %g, alone %g", typ, n, single, v, i, g, want[i])
						}
						if v < n-single && math.Abs(float64(g-want[i])) > 1e-3*math.Max(1, math.Abs(float64(want[i]))) {
							t.Fatalf("%v: %d vectors, last %d single: grouped vector %d row %d = %g, want %g", typ, n, single, v, i, g, want[i])
						}
					}
				}
			}
		}
	}
}
