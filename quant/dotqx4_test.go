package quant

// The four-vector integer kernels (qdotx4Rows) against the single-vector ones, under every
// implementation this CPU has (where there is no four-vector assembly, they are the
// single-vector kernels run four times), and blockMatrix.MulInput's grouping of vectors by
// four.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// x4Types are the formats with a four-vector kernel.
var x4Types = []DType{Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K}

// checkX4 compares got, a four-vector result, with the single-vector kernel f on each of
// the four vectors of q, d, s: bit-identical for the K formats, else to float summation
// order (relative to the sum of the blocks' magnitudes).
func checkX4(t *testing.T, typ DType, f rowDot, got [4]float32, w []byte, q []int8, d []float32, s []int16, what string) {
	t.Helper()
	nq, nd, ns := len(q)/4, len(d)/4, len(s)/4
	for v := range 4 {
		qv, dv := q[v*nq:][:nq], d[v*nd:][:nd]
		var sv []int16
		if s != nil {
			sv = s[v*ns:][:ns]
		}
		want := f(w, qv, dv, sv)
		g := got[v]
		if g == want || math.IsNaN(float64(g)) && math.IsNaN(float64(want)) {
			continue
		}
		if isKType(typ) {
			t.Errorf("%v %s vector %d: x4 %g, single %g: want bit-identical", typ, what, v, g, want)
			continue
		}
		mag := blocksMag(typ, f, w, qv, dv, sv)
		if diff := math.Abs(float64(g) - float64(want)); !(diff <= 1e-6*mag+1e-30) {
			if math.IsInf(mag, 0) && (math.IsInf(float64(g), 0) || math.IsNaN(float64(g))) {
				continue
			}
			t.Errorf("%v %s vector %d: x4 %g, single %g (|blocks| %g)", typ, what, v, g, want, mag)
		}
	}
}

// blocksMag is the sum of the magnitudes of f's per-block terms: a bound for the float
// rounding of the products in any summation order.
func blocksMag(typ DType, f rowDot, w []byte, q []int8, d []float32, s []int16) float64 {
	bs, bb := typ.BlockSize(), typ.BlockBytes()
	var mag float64
	for b := range d {
		var sb []int16
		if s != nil {
			sb = s[bs/16*b:][:bs/16]
		}
		mag += math.Abs(float64(f(w[bb*b:][:bb], q[bs*b:][:bs], d[b:b+1], sb)))
	}
	return mag
}

// laneMag bounds the float rounding of a product of a 32-value-block row (Q8_0, Q4_0, Q5_0)
// that sums exact integer lanes of four products (or whole blocks), scaled per block, in
// any order: the sum of those scaled lanes' magnitudes (cancellation inside a block makes
// it larger than the blocks' magnitudes).
func laneMag(typ DType, w []byte, q []int8, d []float32) float64 {
	deq := make([]float32, len(q))
	DequantizeRow(typ, deq, w)
	var mag float64
	for b := range len(q) / 32 {
		for k := range 8 {
			var lane float64
			for j := range 4 {
				lane += float64(deq[32*b+4*k+j]) * float64(q[32*b+4*k+j])
			}
			mag += math.Abs(lane * float64(d[b]))
		}
	}
	return mag
}

func isKType(t DType) bool { return t != Q8_0 && t != Q4_0 && t != Q5_0 }

// TestQdotx4MatchesSingle: the table's four-vector kernel against its single-vector
// kernel, on vectors quantized by Input.Prepare.
func TestQdotx4MatchesSingle(t *testing.T) { forEachKernels(t, testQdotx4MatchesSingle) }

func testQdotx4MatchesSingle(t *testing.T, kern Kernels) {
	r := rand.New(rand.NewPCG(41, 42))
	for _, typ := range x4Types {
		f := typ.format()
		maxNB := 17
		if isKType(typ) {
			maxNB = 5
		}
		for nb := 1; nb <= maxNB; nb++ {
			cols := nb * typ.BlockSize()
			for k, scale := range []float64{1, 1e-3, 1e4, 0} {
				var w []byte
				if k%2 == 0 {
					w = randomRow(typ, cols, r, 1)
				} else {
					w = randomBytes(typ, cols, r)
				}
				x := randomVector(4*cols, r, scale)
				var in Input
				in.Prepare(kern, typ, x, 4, cols, cols)
				q, d, s := in.q[:4*cols], in.d[:len(in.d)], []int16(nil)
				if isKType(typ) {
					s = in.sums[:4*cols/16]
				}
				var got [4]float32
				f.qdotx4Rows(kern, w, 1, q, d, s, got[:], 1)
				checkX4(t, typ, f.qdot.with(kern), got, w, q, d, s, fmt.Sprintf("%d blocks, kind %d", nb, k))
			}
		}
	}
}

// x4Matrix is a rows×cols matrix of type typ with random rows.
func x4Matrix(t testing.TB, typ DType, rows, cols int, r *rand.Rand) *blockMatrix {
	var data []byte
	for range rows {
		data = append(data, randomRow(typ, cols, r, 1)...)
	}
	m, err := NewBlock(typ, data, rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*blockMatrix)
}

// TestMulInputBatch: MulInput with 1 to 37 vectors (groups of sixteen and four, the rest), sub-ranges
// of rows and blocks of one, two or all rows equals the one-vector-at-a-time products, and
// writes nothing else.
func TestMulInputBatch(t *testing.T) { forEachKernels(t, testMulInputBatch) }

func testMulInputBatch(t *testing.T, kern Kernels) {
	r := rand.New(rand.NewPCG(43, 44))
	const rows, stride = 7, 9
	for _, typ := range intKernelTypes {
		cols := 2 * 256
		m := x4Matrix(t, typ, rows, cols, r)
		rowBlock := m.rowBlock
		for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 19, 21, 34, 37} {
			m.rowBlock = []int{rowBlock, 1, 2}[n%3]
			x := randomVector(n*cols, r, 1)
			var in Input
			in.Prepare(kern, typ, x, n, cols, cols)
			for _, rg := range [][2]int{{0, rows}, {2, 5}, {3, 3}, {6, 7}} {
				lo, hi := rg[0], rg[1]
				dst := make([]float32, (n-1)*stride+rows)
				for i := range dst {
					dst[i] = -1234.5
				}
				m.MulInput(dst, stride, &in, lo, hi)
				for v := range n {
					q, d, s := in.vec(v)
					for i := range rows {
						got := dst[v*stride+i]
						if i < lo || i >= hi {
							if got != -1234.5 {
								t.Errorf("%v n=%d [%d,%d): row %d vector %d written", typ, n, lo, hi, i, v)
							}
							continue
						}
						want := m.qdot(kern, m.row(i), q, d, s)
						if got == want {
							continue
						}
						if isKType(typ) || m.qdotx4Rows == nil || v >= n&^3 && n-n&^3 < padFrom {
							t.Errorf("%v n=%d row %d vector %d: %g, want %g", typ, n, i, v, got, want)
						} else if diff := math.Abs(float64(got - want)); diff > 1e-6*blocksMag(typ, m.qdot.with(kern), m.row(i), q, d, s) &&
							!(!isKType(typ) && diff <= 2e-6*laneMag(typ, m.row(i), q, d)) {
							t.Errorf("%v n=%d row %d vector %d: %g, want %g", typ, n, i, v, got, want)
						}
					}
				}
			}
		}
	}
}

// TestMulInputBatchAllocs: MulInput allocates nothing, whatever the number of vectors —
// the padded group of two or three (a batched decoding step of two or three sequences)
// included.
func TestMulInputBatchAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	for _, typ := range x4Types {
		for _, n := range []int{1, 2, 3, 9, 11, 19} {
			const rows, cols = 3, 512
			m := x4Matrix(t, typ, rows, cols, r)
			x := randomVector(n*cols, r, 1)
			var in Input
			in.Prepare(CPUKernels(), typ, x, n, cols, cols)
			dst := make([]float32, n*rows)
			if a := testing.AllocsPerRun(10, func() { m.MulInput(dst, rows, &in, 0, rows) }); a != 0 {
				t.Errorf("%v, %d vectors: %v allocations per MulInput", typ, n, a)
			}
		}
	}
}

// BenchmarkMulInputBatch multiplies a 2048×2048 matrix by 64 prepared vectors (a prefill
// chunk), with the four-vector kernels (x4) and one vector at a time (x1); the reported
// throughput is of weight bytes times vectors.
func BenchmarkMulInputBatch(b *testing.B) {
	const rows, cols, n = 2048, 2048, 64
	r := rand.New(rand.NewPCG(47, 48))
	for _, typ := range x4Types {
		m := x4Matrix(b, typ, rows, cols, r)
		x := randomVector(n*cols, r, 1)
		var in Input
		in.Prepare(CPUKernels(), typ, x, n, cols, cols)
		dst := make([]float32, n*rows)
		x4 := m.qdotx4Rows
		for _, mode := range []string{"x1", "x4"} {
			b.Run(fmt.Sprintf("%v/%s", typ, mode), func(b *testing.B) {
				m.qdotx4Rows = nil
				if mode == "x4" {
					m.qdotx4Rows = x4
				}
				b.SetBytes(int64(len(m.data) * n))
				b.ReportAllocs()
				for b.Loop() {
					m.MulInput(dst, rows, &in, 0, rows)
				}
			})
		}
		m.qdotx4Rows = x4
	}
}

// TestQdotx4Rows: each table's four-vector kernel on 1 to 6 rows gives every row what it
// gives that row alone, bit for bit, at dst[v*stride+r], and writes nothing else.
func TestQdotx4Rows(t *testing.T) { forEachKernels(t, testQdotx4Rows) }

func testQdotx4Rows(t *testing.T, kern Kernels) {
	r := rand.New(rand.NewPCG(55, 56))
	for _, typ := range x4Types {
		f := typ.format()
		for _, nb := range []int{1, 3, 4, 9, 17, 35} {
			cols, bb := nb*typ.BlockSize(), nb*typ.BlockBytes()
			for rows := 1; rows <= 6; rows++ {
				var w []byte
				for range rows {
					w = append(w, randomBytes(typ, cols, r)...)
				}
				var in Input
				in.Prepare(kern, typ, randomVector(4*cols, r, 1), 4, cols, cols)
				q, d, s := in.q[:4*cols], in.d[:len(in.d)], []int16(nil)
				if isKType(typ) {
					s = in.sums[:4*cols/16]
				}
				stride := rows + 3
				dst := make([]float32, 4*stride)
				for i := range dst {
					dst[i] = -1234.5
				}
				f.qdotx4Rows(kern, w, rows, q, d, s, dst, stride)
				for i, got := range dst {
					v, row := i/stride, i%stride
					want := float32(-1234.5)
					if row < rows {
						var one [4]float32
						f.qdotx4Rows(kern, w[bb*row:][:bb], 1, q, d, s, one[:], 1)
						want = one[v]
					}
					if got != want && !(got != got && want != want) {
						t.Errorf("%v %d blocks, %d rows: dst[%d] (vector %d, row %d) = %g, want %g", typ, nb, rows, i, v, row, got, want)
					}
				}
			}
		}
	}
}

// TestQdotx4RowsStatic: qdotx4RowsStatic runs, for every type, the kernel its formats entry
// names (bit for bit the same products), and exists for every type that has one.
func TestQdotx4RowsStatic(t *testing.T) { forEachKernels(t, testQdotx4RowsStatic) }

func testQdotx4RowsStatic(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(57, 58))
	for typ := range DType(len(formats)) {
		f := typ.format()
		if f.qdotx4Rows == nil {
			continue
		}
		const rows = 5
		cols := 2 * typ.BlockSize() * 8
		m := x4Matrix(t, typ, rows, cols, r)
		x := randomVector(4*cols, r, 1)
		var in Input
		in.Prepare(k, typ, x, 4, cols, cols)
		q, d := in.q[:4*cols], in.d[:4*cols/typ.BlockSize()]
		var sums []int16
		if in.kind == inputQ8_K {
			sums = in.sums[:4*cols/16]
		}
		want, got := make([]float32, 4*rows), make([]float32, 4*rows)
		f.qdotx4Rows(k, m.data, rows, q, d, sums, want, rows)
		k.qdotx4RowsStatic(typ, m.data, rows, q, d, sums, got, rows)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%v: product %d = %g, the table's kernel gives %g", typ, i, got[i], want[i])
			}
		}
	}
}
