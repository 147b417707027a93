package quant

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
)

var matrixSizes = []struct{ rows, cols int }{
	{1, 1},
	{3, 7},
	{17, 8},
	{5, 129},
	{64, 257},
	{130, 300},
	{2, 1000},
	{129, 1001},
}

func TestMatrixMulVec(t *testing.T) {
	for _, k := range testKinds {
		for _, sz := range matrixSizes {
			name := fmt.Sprintf("%s/%dx%d", k.name, sz.rows, sz.cols)
			t.Run(name, func(t *testing.T) {
				m := newTestMatrix(t, k, sz.rows, sz.cols, 0)
				if m.Rows() != sz.rows || m.Cols() != sz.cols || m.DType() != k.dtype {
					t.Fatalf("got %dx%d %v, want %dx%d %v", m.Rows(), m.Cols(), m.DType(), sz.rows, sz.cols, k.dtype)
				}
				x := randVec(sz.cols, 7)
				dst := make([]float32, sz.rows+1)
				m.MulVec(dst, x, 0, sz.rows)
				for i := range sz.rows {
					checkDot(t, fmt.Sprintf("row %d", i), dst[i], m.ref[i*sz.cols:][:sz.cols], x)
				}

				// A subrange writes exactly its rows, with the same values.
				lo, hi := sz.rows/3, sz.rows-sz.rows/4
				sub := make([]float32, hi+1)
				for i := range sub {
					sub[i] = -7
				}
				m.MulVec(sub, x, lo, hi)
				for i, v := range sub {
					want := float32(-7)
					if i >= lo && i < hi {
						want = dst[i]
					}
					if v != want && !(isNaN32(v) && isNaN32(want)) {
						t.Errorf("MulVec(rows [%d,%d)): dst[%d] = %v, want %v", lo, hi, i, v, want)
					}
				}
			})
		}
	}
}

func TestMatrixMulMat(t *testing.T) {
	for _, k := range testKinds {
		for _, sz := range matrixSizes {
			name := fmt.Sprintf("%s/%dx%d", k.name, sz.rows, sz.cols)
			t.Run(name, func(t *testing.T) {
				m := newTestMatrix(t, k, sz.rows, sz.cols, 0)
				tests := []struct {
					n, xStride, dstStride, lo, hi int
				}{
					{1, sz.cols, sz.rows, 0, sz.rows},
					{3, sz.cols, sz.rows, 0, sz.rows},
					{4, sz.cols + 5, sz.rows + 3, sz.rows / 3, sz.rows - sz.rows/4},
					{2, 0, sz.rows, 0, sz.rows}, // the same vector twice
					{0, sz.cols, sz.rows, 0, sz.rows},
				}
				for _, tt := range tests {
					x := randVec((max(tt.n, 1)-1)*tt.xStride+sz.cols, 11)
					dst := make([]float32, (max(tt.n, 1)-1)*tt.dstStride+sz.rows)
					for i := range dst {
						dst[i] = -7
					}
					m.MulMat(dst, tt.dstStride, x, tt.xStride, tt.n, tt.lo, tt.hi)

					written := make([]bool, len(dst))
					vec := make([]float32, sz.rows)
					for v := range tt.n {
						xv := x[v*tt.xStride:][:sz.cols]
						m.MulVec(vec, xv, tt.lo, tt.hi)
						for i := tt.lo; i < tt.hi; i++ {
							got := dst[v*tt.dstStride+i]
							written[v*tt.dstStride+i] = true
							what := fmt.Sprintf("MulMat%+v: vector %d row %d", tt, v, i)
							checkDot(t, what, got, m.ref[i*sz.cols:][:sz.cols], xv)
							// Batched and single products agree exactly.
							if got != vec[i] {
								t.Errorf("%s = %v, MulVec gives %v", what, got, vec[i])
							}
						}
					}
					for i, w := range written {
						if !w && dst[i] != -7 {
							t.Errorf("MulMat%+v wrote dst[%d] = %v outside its range", tt, i, dst[i])
						}
					}
				}
			})
		}
	}
}

func TestMatrixRow(t *testing.T) {
	for _, k := range testKinds {
		for _, sz := range matrixSizes {
			m := newTestMatrix(t, k, sz.rows, sz.cols, 0)
			dst := make([]float32, sz.cols+1)
			dst[sz.cols] = -7
			for i := range sz.rows {
				m.Row(dst, i)
				for j := range sz.cols {
					// Dequantized values are float32 products of float32s, so
					// rounding the float64 reference once gives them exactly.
					if want := float32(m.ref[i*sz.cols+j]); dst[j] != want {
						t.Fatalf("%s %dx%d: Row(%d)[%d] = %v, want %v", k.name, sz.rows, sz.cols, i, j, dst[j], want)
					}
				}
				if dst[sz.cols] != -7 {
					t.Fatalf("%s %dx%d: Row(%d) wrote past Cols()", k.name, sz.rows, sz.cols, i)
				}
			}
		}
	}
}

// TestMatrixUnaligned checks that data at any byte offset, as in a
// memory-mapped file, gives bit-identical results.
func TestMatrixUnaligned(t *testing.T) {
	const rows, cols, n = 37, 301, 3
	for _, k := range testKinds {
		x := randVec(n*cols, 3)
		var want [3][]float32 // MulVec, MulMat, Row
		for off := range 4 {
			m := newTestMatrix(t, k, rows, cols, off)
			got := [3][]float32{make([]float32, rows), make([]float32, n*rows), make([]float32, rows*cols)}
			m.MulVec(got[0], x[:cols], 0, rows)
			m.MulMat(got[1], rows, x, cols, n, 0, rows)
			for i := range rows {
				m.Row(got[2][i*cols:], i)
			}
			if off == 0 {
				want = got
				continue
			}
			for f, name := range []string{"MulVec", "MulMat", "Row"} {
				for i := range got[f] {
					if math.Float32bits(got[f][i]) != math.Float32bits(want[f][i]) {
						t.Errorf("%s at offset %d: %s[%d] = %v, aligned gives %v", k.name, off, name, i, got[f][i], want[f][i])
						break
					}
				}
			}
		}
	}
}

func TestMatrixSpecialValues(t *testing.T) {
	// Infinities and NaNs in the weights propagate as in float arithmetic.
	tests := []struct {
		name  string
		dtype DType
		data  []byte
		nan   bool
	}{
		{"F16 inf", F16, []byte{0x00, 0x7c, 0x00, 0x3c}, false},
		{"F16 NaN", F16, []byte{0x01, 0x7c, 0x00, 0x3c}, true},
		{"BF16 inf", BF16, []byte{0x80, 0x7f, 0x80, 0x3f}, false},
		{"E4M3 NaN", F8E4M3, []byte{0x7f, 0x38}, true},
	}
	for _, tt := range tests {
		m, err := NewDense(tt.dtype, tt.data, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		dst := make([]float32, 1)
		m.MulVec(dst, []float32{1, 1}, 0, 1)
		if isNaN32(dst[0]) != tt.nan || !tt.nan && !math.IsInf(float64(dst[0]), 1) {
			t.Errorf("%s: MulVec = %v", tt.name, dst[0])
		}
	}
}

func TestNewDenseErrors(t *testing.T) {
	tests := []struct {
		name       string
		dtype      DType
		len        int
		rows, cols int
		err        string
	}{
		{"short", F16, 11, 2, 3, "needs 12 bytes, have 11"},
		{"long", F32, 25, 2, 3, "needs 24 bytes, have 25"},
		{"E4M3 short", F8E4M3, 5, 2, 3, "needs 6 bytes"},
		{"BF16 empty", BF16, 0, 2, 3, "needs 12 bytes, have 0"},
		{"zero rows", F32, 0, 0, 3, "invalid dimensions"},
		{"negative cols", F32, 0, 3, -1, "invalid dimensions"},
		{"overflow", F32, 0, math.MaxInt / 2, 3, "invalid dimensions"},
		{"overflow by size", F32, 0, math.MaxInt / 8, 3, "invalid dimensions"},
		{"unknown type", 0, 4, 1, 1, "unsupported type"},
		{"unknown type 9", 9, 4, 1, 1, "unsupported type"},
	}
	for _, tt := range tests {
		m, err := NewDense(tt.dtype, make([]byte, tt.len), tt.rows, tt.cols)
		if err == nil || m != nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "quant: ") {
			t.Errorf("%s: NewDense = %v, %v; want error containing %q", tt.name, m, err, tt.err)
		}
	}
}

func TestNewFP8BlockErrors(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	tests := []struct {
		name           string
		len            int
		rows, cols     int
		scale          []float32
		blockR, blockC int
		err            string
	}{
		{"ok", 12, 3, 4, []float32{1, 1, 1, 1}, 2, 2, ""},
		{"ok partial blocks", 12, 3, 4, []float32{1, 1}, 3, 3, ""},
		{"ok one block", 12, 3, 4, []float32{1}, 128, 128, ""},
		{"short data", 11, 3, 4, []float32{1}, 128, 128, "needs 12 bytes, have 11"},
		{"long data", 13, 3, 4, []float32{1}, 128, 128, "needs 12 bytes, have 13"},
		{"too few scales", 12, 3, 4, []float32{1, 1, 1}, 2, 2, "needs 4 (2x2) scales, have 3"},
		{"too many scales", 12, 3, 4, []float32{1, 1}, 128, 128, "needs 1 (1x1) scales, have 2"},
		{"no scales", 12, 3, 4, nil, 2, 2, "needs 4 (2x2) scales, have 0"},
		{"NaN scale", 12, 3, 4, []float32{1, 1, nan, 1}, 2, 2, "scale[2] (block 1,0) is NaN"},
		{"Inf scale", 12, 3, 4, []float32{1, 1, 1, inf}, 2, 2, "scale[3] (block 1,1) is +Inf"},
		{"-Inf scale", 12, 3, 4, []float32{-inf}, 4, 4, "scale[0] (block 0,0) is -Inf"},
		{"zero block rows", 12, 3, 4, []float32{1}, 0, 4, "invalid block size"},
		{"negative block cols", 12, 3, 4, []float32{1}, 4, -4, "invalid block size"},
		{"zero cols", 0, 3, 0, nil, 4, 4, "invalid dimensions"},
		{"overflow", 0, math.MaxInt / 2, 3, nil, 128, 128, "invalid dimensions"},
	}
	for _, tt := range tests {
		m, err := NewFP8Block(make([]byte, tt.len), tt.rows, tt.cols, tt.scale, tt.blockR, tt.blockC)
		if tt.err == "" {
			if err != nil {
				t.Errorf("%s: NewFP8Block: %v", tt.name, err)
			}
			continue
		}
		if err == nil || m != nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "quant: ") {
			t.Errorf("%s: NewFP8Block = %v, %v; want error containing %q", tt.name, m, err, tt.err)
		}
	}
}

func TestMatrixBadArgs(t *testing.T) {
	for _, k := range testKinds {
		m := newTestMatrix(t, k, 4, 6, 0)
		x := make([]float32, 12)
		dst := make([]float32, 8)
		tests := []struct {
			name string
			f    func()
		}{
			{"MulVec short x", func() { m.MulVec(dst, x[:5], 0, 4) }},
			{"MulVec long x", func() { m.MulVec(dst, x[:7], 0, 4) }},
			{"MulVec short dst", func() { m.MulVec(dst[:3], x[:6], 0, 4) }},
			{"MulVec hi > rows", func() { m.MulVec(dst, x[:6], 0, 5) }},
			{"MulVec lo < 0", func() { m.MulVec(dst, x[:6], -1, 2) }},
			{"MulVec lo > hi", func() { m.MulVec(dst, x[:6], 3, 2) }},
			{"MulMat short x", func() { m.MulMat(dst, 4, x[:11], 6, 2, 0, 4) }},
			{"MulMat short dst", func() { m.MulMat(dst[:7], 4, x, 6, 2, 0, 4) }},
			{"MulMat hi > rows", func() { m.MulMat(dst, 4, x, 6, 2, 0, 5) }},
			{"MulMat negative n", func() { m.MulMat(dst, 4, x, 6, -1, 0, 4) }},
			{"MulMat negative stride", func() { m.MulMat(dst, -4, x, 6, 2, 0, 4) }},
			{"MulMat huge n", func() { m.MulMat(dst, 4, x, 6, math.MaxInt, 0, 4) }},
			{"MulMat huge stride", func() { m.MulMat(dst, math.MaxInt/2, x, 6, 3, 0, 4) }},
			{"Row short dst", func() { m.Row(dst[:5], 0) }},
			{"Row index", func() { m.Row(dst, 4) }},
			{"Row negative index", func() { m.Row(dst, -1) }},
		}
		for _, tt := range tests {
			expectPanic(t, k.name+" "+tt.name, tt.f)
		}
		// Empty ranges are fine.
		m.MulVec(dst, x[:6], 2, 2)
		m.MulMat(dst, 4, x, 6, 0, 0, 4)
		m.MulMat(nil, 0, nil, 0, 3, 1, 1)
	}
}

func TestMatrixAllocs(t *testing.T) {
	const rows, cols, n = 33, 300, 4
	for _, k := range testKinds {
		for _, off := range []int{0, 1} {
			m := newTestMatrix(t, k, rows, cols, off)
			x := randVec(n*cols, 1)
			dst := make([]float32, max(n*rows, cols))
			tests := []struct {
				name string
				f    func()
			}{
				{"MulVec", func() { m.MulVec(dst, x[:cols], 0, rows) }},
				{"MulMat", func() { m.MulMat(dst, rows, x, cols, n, 0, rows) }},
				{"Row", func() { m.Row(dst, rows-1) }},
			}
			for _, tt := range tests {
				if a := testing.AllocsPerRun(50, tt.f); a != 0 {
					t.Errorf("%s offset %d: %s allocates %v times per call", k.name, off, tt.name, a)
				}
			}
		}
	}
}

// TestMatrixConcurrent splits products across goroutines by row range, as
// callers do; run it with -race.
func TestMatrixConcurrent(t *testing.T) {
	const rows, cols, workers = 130, 300, 4
	for _, k := range testKinds {
		m := newTestMatrix(t, k, rows, cols, 0)
		x := randVec(2*cols, 5)
		want := make([]float32, 2*rows)
		m.MulMat(want, rows, x, cols, 2, 0, rows)
		got := make([]float32, 2*rows)
		var wg sync.WaitGroup
		for w := range workers {
			lo, hi := w*rows/workers, (w+1)*rows/workers
			wg.Go(func() {
				m.MulVec(got, x[:cols], lo, hi)
				m.MulMat(got[rows:], rows, x[cols:], cols, 1, lo, hi)
			})
		}
		wg.Wait()
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: concurrent result [%d] = %v, want %v", k.name, i, got[i], want[i])
			}
		}
	}
}
