package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

var blockTypes = []DType{Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K}

func TestBlockDType(t *testing.T) {
	tests := []struct {
		t            DType
		name         string
		elems, bytes int
	}{
		{F32, "F32", 1, 4}, {F16, "F16", 1, 2}, {BF16, "BF16", 1, 2}, {F8E4M3, "F8_E4M3", 1, 1},
		{Q8_0, "Q8_0", 32, 34}, {Q4_0, "Q4_0", 32, 18}, {Q4_1, "Q4_1", 32, 20},
		{Q5_0, "Q5_0", 32, 22}, {Q5_1, "Q5_1", 32, 24}, {Q2_K, "Q2_K", 256, 84},
		{Q3_K, "Q3_K", 256, 110}, {Q4_K, "Q4_K", 256, 144}, {Q5_K, "Q5_K", 256, 176},
		{Q6_K, "Q6_K", 256, 210}, {0, "DType(0)", 0, 0}, {200, "DType(200)", 0, 0},
	}
	for _, tt := range tests {
		if got := tt.t.String(); got != tt.name {
			t.Errorf("String() = %q, want %q", got, tt.name)
		}
		if got := tt.t.BlockSize(); got != tt.elems {
			t.Errorf("%v.BlockSize() = %d, want %d", tt.t, got, tt.elems)
		}
		if got := tt.t.BlockBytes(); got != tt.bytes {
			t.Errorf("%v.BlockBytes() = %d, want %d", tt.t, got, tt.bytes)
		}
		if tt.t.isBlock() && tt.t.ElemSize() != 0 {
			t.Errorf("%v.ElemSize() = %d, want 0", tt.t, tt.t.ElemSize())
		}
	}
}

func TestNewBlockErrors(t *testing.T) {
	tests := []struct {
		t          DType
		n          int
		rows, cols int
		want       string
	}{
		{F32, 4 * 32, 1, 32, "unsupported type"},
		{Q4_K, 144, 1, 128, "not a multiple of the block size 256"},
		{Q8_0, 34, 1, 33, "not a multiple"},
		{Q8_0, 34, 0, 32, "invalid dimensions"},
		{Q8_0, 33, 1, 32, "needs 34 bytes, have 33"},
		{Q6_K, 420, 1, 256, "needs 210 bytes"},
	}
	for _, tt := range tests {
		_, err := NewBlock(tt.t, make([]byte, tt.n), tt.rows, tt.cols)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewBlock(%v, %d bytes, %d, %d) = %v, want error containing %q", tt.t, tt.n, tt.rows, tt.cols, err, tt.want)
		}
	}
	if err := Quantize(Q4_K, make([]byte, 144), make([]float32, 128)); err == nil {
		t.Error("Quantize of a partial block: no error")
	}
	if err := Quantize(F16, make([]byte, 64), make([]float32, 32)); err == nil {
		t.Error("Quantize to F16: no error")
	}
}

func TestDequantizeRowDense(t *testing.T) {
	src := []byte{0x00, 0x3c, 0x01, 0x00} // F16 1, smallest subnormal
	dst := make([]float32, 2)
	DequantizeRow(F16, dst, src)
	if dst[0] != 1 || dst[1] != float32(math.Ldexp(1, -24)) {
		t.Errorf("F16: %v", dst)
	}
	DequantizeRow(BF16, dst, []byte{0x80, 0x3f, 0x00, 0xc0})
	if dst[0] != 1 || dst[1] != -2 {
		t.Errorf("BF16: %v", dst)
	}
	DequantizeRow(F8E4M3, dst, []byte{0x38, 0x01})
	if dst[0] != 1 || dst[1] != float32(math.Ldexp(1, -9)) {
		t.Errorf("F8E4M3: %v", dst)
	}
	DequantizeRow(F32, dst[:1], []byte{0, 0, 0x80, 0x3f})
	if dst[0] != 1 {
		t.Errorf("F32: %v", dst)
	}
}

// gaussian returns n normal values.
func gaussian(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 2))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

func rmse(a, b []float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s / float64(len(a)))
}

// naiveQuantize quantizes x into t's blocks by plain min/max rounding, for
// the formats with a search: K formats with minimums get scale
// (max-min)/nmax and minimum min per group; Q3_K and Q6_K get the
// symmetric scale max|x|/nmax. The super-block scales are chosen as in
// ggml (the largest group scale over 63, 15 or 127).
func naiveQuantize(t DType, x []float32) []byte {
	b := make([]byte, len(x)/256*t.BlockBytes())
	for k := 0; k < len(x)/256; k++ {
		xb := (*[256]float32)(x[256*k:])
		bb := b[k*t.BlockBytes():][:t.BlockBytes()]
		switch t {
		case Q4_K, Q5_K:
			nmax := 15
			if t == Q5_K {
				nmax = 31
			}
			var scales, mins [8]float32
			var maxS, maxM float32
			for j := range 8 {
				lo, hi := minMax(xb[32*j:][:32])
				lo = min(lo, 0)
				scales[j], mins[j] = (hi-lo)/float32(nmax), -lo
				maxS, maxM = max(maxS, scales[j]), max(maxM, mins[j])
			}
			var ls, lm [8]uint8
			for j := range 8 {
				ls[j] = uint8(min(63, nearestInt(63/maxS*scales[j])))
				lm[j] = uint8(min(63, nearestInt(63/maxM*mins[j])))
			}
			p := (*[12]byte)(bb[4:])
			packScalesK4(p, &ls, &lm)
			putF16(bb[0:], maxS/63)
			putF16(bb[2:], maxM/63)
			d, dmin := f16at(bb[0:]), f16at(bb[2:])
			var l [256]uint8
			for j := range 8 {
				sc, m := scaleMinK4(j, p)
				for i := range 32 {
					q := 0
					if sc != 0 {
						q = nearestInt((xb[32*j+i] + dmin*float32(m)) / (d * float32(sc)))
					}
					l[32*j+i] = uint8(max(0, min(nmax, q)))
				}
			}
			if t == Q4_K {
				for n := range 4 {
					for i := range 32 {
						bb[16+32*n+i] = l[64*n+i] | l[64*n+i+32]<<4
					}
				}
			} else {
				for n := range 4 {
					for i := range 32 {
						l1, l2 := l[64*n+i], l[64*n+i+32]
						bb[16+i] |= l1>>4<<(2*n) | l2>>4<<(2*n+1)
						bb[48+32*n+i] = l1&15 | l2&15<<4
					}
				}
			}
		case Q6_K:
			var scales [16]float32
			var maxS float32
			for g := range 16 {
				scales[g] = absMax(xb[16*g:][:16]) / 31
				maxS = max(maxS, scales[g])
			}
			putF16(bb[208:], maxS/127)
			d := f16at(bb[208:])
			var l [256]uint8
			for g := range 16 {
				bb[192+g] = byte(int8(min(127, nearestInt(127/maxS*scales[g]))))
				dg := d * float32(int8(bb[192+g]))
				for i := range 16 {
					l[16*g+i] = uint8(max(-32, min(31, nearestInt(xb[16*g+i]/dg))) + 32)
				}
			}
			for n := range 2 {
				L := l[128*n:]
				for i := range 32 {
					bb[64*n+i] = L[i]&15 | L[i+64]&15<<4
					bb[64*n+i+32] = L[i+32]&15 | L[i+96]&15<<4
					bb[128+32*n+i] = L[i]>>4 | L[i+32]>>4<<2 | L[i+64]>>4<<4 | L[i+96]>>4<<6
				}
			}
		default:
			panic("naiveQuantize: " + t.String())
		}
	}
	return b
}

// roundingRMSE returns the RMSE that rounding each 32-value block of x to
// a grid of step d(block) is expected to give when exact values of each
// block (the extremes that define the grid) fall on it: d²/12 for the
// others.
func roundingRMSE(x []float32, exact int, step func(b []float32) float32) float64 {
	var s float64
	for k := 0; k < len(x); k += 32 {
		d := float64(step(x[k : k+32]))
		s += d * d / 12 * float64(32-exact) / 32
	}
	return math.Sqrt(s / float64(len(x)/32))
}

// TestQuantizeRMSE quantizes Gaussian data and checks the round-trip RMSE.
// The 32-value formats must be within 3% of the error of uniform rounding
// with their block steps (see roundingRMSE). The K formats must be within 3% of the RMSE of
// ggml's reference quantizers on this data (which Quantize reproduces
// byte for byte, see TestQuantizeMatchesLlamaCpp; about 0.30, 0.15, 0.071,
// 0.036 and 0.018 of the standard deviation for Q2_K to Q6_K) and, for
// those with a search that this test can imitate naively, better than
// plain min/max rounding.
func TestQuantizeRMSE(t *testing.T) {
	const n = 256 * 512
	x := gaussian(n, 7)
	want := map[DType]float64{
		Q8_0: roundingRMSE(x, 1, func(b []float32) float32 { return absMax(b) / 127 }),
		Q4_0: roundingRMSE(x, 1, func(b []float32) float32 { return absMax(b) / 8 }),
		Q4_1: roundingRMSE(x, 2, func(b []float32) float32 { lo, hi := minMax(b); return (hi - lo) / 15 }),
		Q5_0: roundingRMSE(x, 1, func(b []float32) float32 { return absMax(b) / 16 }),
		Q5_1: roundingRMSE(x, 2, func(b []float32) float32 { lo, hi := minMax(b); return (hi - lo) / 31 }),
		Q2_K: 0.2957, Q3_K: 0.1502, Q4_K: 0.0712, Q5_K: 0.0361, Q6_K: 0.0178,
	}
	y := make([]float32, n)
	for _, dt := range blockTypes {
		q := make([]byte, n/dt.BlockSize()*dt.BlockBytes())
		if err := Quantize(dt, q, x); err != nil {
			t.Fatal(err)
		}
		DequantizeRow(dt, y, q)
		e := rmse(x, y)
		msg := ""
		switch dt {
		case Q4_K, Q5_K, Q6_K:
			DequantizeRow(dt, y, naiveQuantize(dt, x))
			naive := rmse(x, y)
			msg = fmt.Sprintf(", naive rounding %.5f", naive)
			if e >= naive {
				t.Errorf("%v: RMSE %.5f not better than naive rounding's %.5f", dt, e, naive)
			}
		}
		t.Logf("%v: RMSE %.5f (expected %.5f)%s", dt, e, want[dt], msg)
		if math.Abs(e-want[dt]) > 0.03*want[dt] {
			t.Errorf("%v: RMSE %.5f, want within 3%% of %.5f", dt, e, want[dt])
		}
	}
}

// newQuantized returns a rows×cols matrix of type t quantized from Gaussian
// values, and its dequantized values.
func newQuantized(tb testing.TB, t DType, rows, cols int, seed uint64) (Matrix, []float32) {
	tb.Helper()
	x := gaussian(rows*cols, seed)
	q := make([]byte, rows*cols/t.BlockSize()*t.BlockBytes())
	if err := Quantize(t, q, x); err != nil {
		tb.Fatal(err)
	}
	m, err := NewBlock(t, q, rows, cols)
	if err != nil {
		tb.Fatal(err)
	}
	vals := make([]float32, rows*cols)
	DequantizeRow(t, vals, q)
	return m, vals
}

func TestBlockMulVec(t *testing.T) {
	for _, dt := range blockTypes {
		for _, cols := range []int{256, 768} {
			m, vals := newQuantized(t, dt, 13, cols, uint64(cols))
			checkMulVecAgainstRows(t, dt.String(), m, vals)
			// Row ranges leave the other rows alone.
			x := gaussian(cols, 3)
			dst := make([]float32, 13)
			for i := range dst {
				dst[i] = 42
			}
			m.MulVec(dst, x, 3, 5)
			for i, v := range dst {
				if (i < 3 || i >= 5) && v != 42 {
					t.Errorf("%v: MulVec(3,5) wrote dst[%d]", dt, i)
				}
			}
		}
	}
}

func TestBlockAllocs(t *testing.T) {
	for _, dt := range blockTypes {
		m, _ := newQuantized(t, dt, 4, 512, 1)
		x := gaussian(2*512, 2)
		dst := make([]float32, 8)
		row := make([]float32, 512)
		a := testing.AllocsPerRun(10, func() {
			m.MulVec(dst, x[:512], 0, 4)
			m.MulMat(dst, 4, x, 512, 2, 0, 4)
			m.Row(row, 1)
			DequantizeRow(dt, row, m.(*blockMatrix).row(2))
		})
		if a != 0 {
			t.Errorf("%v: %v allocations per run, want 0", dt, a)
		}
	}
}

func BenchmarkBlockMulVec(b *testing.B) {
	const rows, cols = 2048, 2048
	for _, dt := range []DType{Q8_0, Q4_0, Q4_K, Q6_K} {
		b.Run(dt.String(), func(b *testing.B) {
			m, _ := newQuantized(b, dt, rows, cols, 1)
			x := gaussian(cols, 2)
			dst := make([]float32, rows)
			b.SetBytes(int64(rows * cols / dt.BlockSize() * dt.BlockBytes()))
			b.ReportAllocs()
			for b.Loop() {
				m.MulVec(dst, x, 0, rows)
			}
		})
	}
}

func BenchmarkQuantize(b *testing.B) {
	x := gaussian(256*64, 1)
	for _, dt := range blockTypes {
		b.Run(dt.String(), func(b *testing.B) {
			q := make([]byte, len(x)/dt.BlockSize()*dt.BlockBytes())
			b.SetBytes(int64(4 * len(x)))
			b.ReportAllocs()
			for b.Loop() {
				Quantize(dt, q, x)
			}
		})
	}
}
