package quant

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// testKind describes one way of storing a matrix.
type testKind struct {
	name           string
	dtype          DType
	blockR, blockC int // FP8 block sizes; 0 for dense
}

var testKinds = []testKind{
	{name: "F32", dtype: F32},
	{name: "F16", dtype: F16},
	{name: "BF16", dtype: BF16},
	{name: "E4M3", dtype: F8E4M3},
	{name: "FP8Block128", dtype: F8E4M3, blockR: 128, blockC: 128},
	{name: "FP8Block7x5", dtype: F8E4M3, blockR: 7, blockC: 5},
	{name: "FP8Block1x1000", dtype: F8E4M3, blockR: 1, blockC: 1000},
}

// testMatrix is a matrix with its dequantized elements.
type testMatrix struct {
	Matrix
	ref   []float64 // row-major dequantized values
	data  []byte
	scale []float32
}

// encode returns rows*cols random elements of type t, stored little-endian
// at byte offset off of the returned slice's backing array, and their
// values. The same seed gives the same elements whatever off is.
func encode(t DType, rows, cols, off int, seed uint64) (data []byte, ref []float64) {
	r := rand.New(rand.NewPCG(seed, 1))
	n := rows * cols
	size := t.ElemSize()
	buf := make([]byte, off+n*size+8) // slack so that the view is not at the end
	data = buf[off : off+n*size]
	ref = make([]float64, n)
	for k := range n {
		v := float32(r.NormFloat64())
		switch t {
		case F32:
			binary.LittleEndian.PutUint32(data[4*k:], math.Float32bits(v))
			ref[k] = float64(v)
		case F16:
			h := F32ToF16(v)
			binary.LittleEndian.PutUint16(data[2*k:], h)
			ref[k] = float64(F16ToF32(h))
		case BF16:
			b := F32ToBF16(v)
			binary.LittleEndian.PutUint16(data[2*k:], b)
			ref[k] = float64(BF16ToF32(b))
		case F8E4M3:
			b := F32ToE4M3(v * 64)
			data[k] = b
			ref[k] = float64(E4M3ToF32(b))
		}
	}
	return data, ref
}

// newTestMatrix returns a random rows×cols matrix of kind k whose data
// start off bytes into an allocation.
func newTestMatrix(tb testing.TB, k testKind, rows, cols, off int) *testMatrix {
	tb.Helper()
	data, ref := encode(k.dtype, rows, cols, off, uint64(rows*1000+cols))
	if k.blockR == 0 {
		m, err := NewDense(k.dtype, data, rows, cols)
		if err != nil {
			tb.Fatal(err)
		}
		return &testMatrix{Matrix: m, ref: ref, data: data}
	}
	r := rand.New(rand.NewPCG(uint64(rows), uint64(cols)))
	nbc := ceilDiv(cols, k.blockC)
	scale := make([]float32, ceilDiv(rows, k.blockR)*nbc)
	for i := range scale {
		scale[i] = float32(r.Float64()+0.5) / 1024
		if i%3 == 1 {
			scale[i] = -scale[i]
		}
	}
	for i := range rows {
		for j := range cols {
			ref[i*cols+j] *= float64(scale[i/k.blockR*nbc+j/k.blockC])
		}
	}
	m, err := NewFP8Block(data, rows, cols, scale, k.blockR, k.blockC)
	if err != nil {
		tb.Fatal(err)
	}
	return &testMatrix{Matrix: m, ref: ref, data: data, scale: scale}
}

// randVec returns n normally distributed float32s.
func randVec(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 2))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// dotRef returns w·x in float64 and Σ|w_j x_j|, the scale of its rounding
// error.
func dotRef(w []float64, x []float32) (dot, mag float64) {
	for j, v := range w {
		p := v * float64(x[j])
		dot += p
		mag += math.Abs(p)
	}
	return dot, mag
}

// tol is the error allowed in a float32 dot product, relative to Σ|w_j x_j|.
const tol = 1e-5

// checkDot reports an error unless got is within tolerance of w·x.
func checkDot(tb testing.TB, what string, got float32, w []float64, x []float32) {
	tb.Helper()
	want, mag := dotRef(w, x)
	if diff := math.Abs(float64(got) - want); diff > tol*mag || isNaN32(got) {
		tb.Errorf("%s = %v, want %v (error %.3g, tolerance %.3g)", what, got, want, diff, tol*mag)
	}
}

// expectPanic reports an error unless f panics.
func expectPanic(tb testing.TB, what string, f func()) {
	tb.Helper()
	defer func() {
		if recover() == nil {
			tb.Errorf("%s did not panic", what)
		}
	}()
	f()
}

// implementations lists every kernel choice this CPU can run, from all it has down to the
// portable Go kernels (AVX-512 off; on arm64 the dot product off; everything off), each
// with assembly also with the reordering kernels allowed (Kernels.BatchVariant): a test
// that compares kernels runs under each, named by it, as crypto/internal/fips140's tests
// run every implementation, instead of overwriting a choice the package holds.
func implementations() []Kernels {
	all := CPUKernels()
	var ks []Kernels
	seen := map[Kernels]bool{}
	add := func(k Kernels) {
		if !seen[k] {
			seen[k] = true
			ks = append(ks, k)
		}
	}
	for _, off := range []ext{0, extAVX512All, extAVX512All | extDotProd, ^ext(0)} {
		k := Kernels{all.ext &^ off}
		add(k)
		// Each choice with assembly also with the kernels that reorder (BatchVariant).
		if k.ext != 0 {
			add(k.BatchVariant())
		}
	}
	return ks
}

// forEachKernels runs f as a subtest under each of implementations.
func forEachKernels(t *testing.T, f func(t *testing.T, k Kernels)) {
	for _, k := range implementations() {
		t.Run(k.String(), func(t *testing.T) { f(t, k) })
	}
}

// rowDot is a one-row integer kernel with its Kernels fixed, as the tests call them.
type rowDot func(w []byte, q []int8, d []float32, s []int16) float32

// with fixes the Kernels a table kernel runs.
func (f qdotFunc) with(k Kernels) rowDot {
	return func(w []byte, q []int8, d []float32, s []int16) float32 { return f(k, w, q, d, s) }
}
