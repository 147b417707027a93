//go:build amd64 && unix && !noasm

package quant

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Tests of the AVX2 float kernels (dot_amd64.s) and activation quantizers
// (input_amd64.s) against their portable twins.

// avx2Kernels are the AVX2 + FMA + F16C kernels, with no AVX-512.
var avx2Kernels = Kernels{extAVX2Int}

func fdNeedAVX2(t testing.TB) {
	t.Helper()
	if !CPUKernels().has(extAVX2Int) {
		t.Skip("no AVX2 + FMA + F16C here")
	}
}

// fdKernel is a float kernel as it is dispatched, its portable twin, the weight bytes per
// element and the decoder of one weight.
type fdKernel struct {
	name     string
	elem     int
	asm, gen func(w []byte, x []float32) float32
	decode   func(w []byte) float32
}

var fdKernels = []fdKernel{
	{"F32", 4, avx2Kernels.dotF32LE, dotF32LEGeneric, func(w []byte) float32 { return f32le(w) }},
	{"F32slice", 4,
		func(w []byte, x []float32) float32 { return avx2Kernels.dotF32(fdFloats(w, len(x)), x) },
		func(w []byte, x []float32) float32 { return dotF32Generic(fdFloats(w, len(x)), x) },
		func(w []byte) float32 { return f32le(w) }},
	{"F16", 2, avx2Kernels.dotF16, dotF16Generic, func(w []byte) float32 { return F16ToF32(binary.LittleEndian.Uint16(w)) }},
	{"BF16", 2, avx2Kernels.dotBF16, dotBF16Generic, func(w []byte) float32 { return BF16ToF32(binary.LittleEndian.Uint16(w)) }},
	{"E4M3", 1, avx2Kernels.dotE4M3, dotE4M3Generic, func(w []byte) float32 { return E4M3ToF32(w[0]) }},
}

// fdFloats views the first n float32s of w (which must be 4-byte aligned) in place.
func fdFloats(w []byte, n int) []float32 {
	if n == 0 {
		return nil
	}
	if uintptr(unsafe.Pointer(&w[0]))%4 != 0 {
		panic("fdFloats: unaligned")
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&w[0])), n)
}

// fdRandomWeights fills w with finite random weights of kernel k: normal values at
// several scales and, for the 16-bit formats, any finite bit pattern (subnormals
// included).
func fdRandomWeights(k fdKernel, w []byte, r *rand.Rand) {
	n := len(w) / k.elem
	for i := range n {
		f := float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(5)-2)))
		switch k.elem {
		case 4:
			binary.LittleEndian.PutUint32(w[4*i:], math.Float32bits(f))
		case 2:
			var h uint16
			if r.IntN(2) == 0 {
				for h = uint16(r.Uint32()); h&0x7c00 == 0x7c00 && k.name == "F16" || h&0x7f80 == 0x7f80 && k.name == "BF16"; h = uint16(r.Uint32()) {
				}
				if k.name == "BF16" {
					h &^= 0x3000 // keep products well inside float32
				}
			} else if k.name == "F16" {
				h = F32ToF16(f)
			} else {
				h = F32ToBF16(f)
			}
			binary.LittleEndian.PutUint16(w[2*i:], h)
		case 1:
			b := uint8(r.Uint32())
			if b&0x7f == 0x7f {
				b ^= 1
			}
			w[i] = b
		}
	}
}

// fdCheck compares the kernel with its twin on w, x: within 1e-5 of Σ|w·x| (in float64),
// or both NaN, or equal infinities.
func fdCheck(t *testing.T, k fdKernel, w []byte, x []float32, what string) {
	t.Helper()
	got, want := k.asm(w, x), k.gen(w, x)
	if got != got || want != want || math.IsInf(float64(want), 0) {
		if (got != got) != (want != want) || got == got && got != want {
			t.Errorf("%s %s: assembly %g, portable %g", k.name, what, got, want)
		}
		return
	}
	var mag float64
	for i, v := range x {
		mag += math.Abs(float64(k.decode(w[k.elem*i:])) * float64(v))
	}
	if d := math.Abs(float64(got) - float64(want)); d > 1e-5*mag {
		t.Errorf("%s %s: assembly %g, portable %g, Σ|w·x| %g", k.name, what, got, want, mag)
	}
}

func fdLengths() []int {
	var ns []int
	for n := range 71 {
		ns = append(ns, n)
	}
	return append(ns, 255, 256, 1000, 4096, 7168+5)
}

func TestAVX2FloatDotsRandom(t *testing.T) {
	fdNeedAVX2(t)
	r := rand.New(rand.NewPCG(21, 22))
	for _, k := range fdKernels {
		for _, n := range fdLengths() {
			for rep := range 3 {
				w := make([]byte, k.elem*n+4)[:k.elem*n]
				fdRandomWeights(k, w, r)
				x := randomVector(n+3, r, math.Pow(10, float64(rep-1)))[:n]
				fdCheck(t, k, w, x, fmt.Sprintf("n=%d rep %d", n, rep))
			}
		}
	}
}

// TestAVX2FloatDotsEveryCode puts every code of the 16- and 8-bit formats (and a few
// float32s) at every position of rows of 8, 40 and 64 elements, so through every loop of
// the kernels, against a one-hot x: the product is the decoded weight exactly, NaN for
// NaN codes, as in the portable kernels.
func TestAVX2FloatDotsEveryCode(t *testing.T) {
	fdNeedAVX2(t)
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -2.5, math.MaxFloat32, math.SmallestNonzeroFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for _, k := range fdKernels {
		codes := 1 << (8 * k.elem)
		if k.elem == 4 {
			codes = len(special)
		}
		for _, n := range []int{8, 40, 64} {
			w := make([]byte, k.elem*n)
			x := make([]float32, n)
			for pos := range n {
				if k.elem == 2 && pos%7 != 0 && pos != n-1 {
					continue // 65536 codes: a few positions do
				}
				clear(x)
				x[pos] = 1
				for c := range codes {
					clear(w)
					switch k.elem {
					case 4:
						binary.LittleEndian.PutUint32(w[4*pos:], math.Float32bits(special[c]))
					case 2:
						binary.LittleEndian.PutUint16(w[2*pos:], uint16(c))
					case 1:
						w[pos] = uint8(c)
					}
					got, want := k.asm(w, x), k.decode(w[k.elem*pos:])
					if got != want && !(got != got && want != want) {
						t.Fatalf("%s n=%d code %#x at %d: %g, want %g", k.name, n, c, pos, got, want)
					}
					if gen := k.gen(w, x); gen != want && !(gen != gen && want != want) {
						t.Fatalf("%s portable n=%d code %#x at %d: %g, want %g", k.name, n, c, pos, gen, want)
					}
				}
			}
		}
	}
}

// TestAVX2FloatDotsSpecialX runs infinities, NaNs and signed zeros in x through the
// kernels: the results are NaN, infinite or zero as the portable kernels' are.
func TestAVX2FloatDotsSpecialX(t *testing.T) {
	fdNeedAVX2(t)
	r := rand.New(rand.NewPCG(23, 24))
	negZero := float32(math.Copysign(0, -1))
	for _, k := range fdKernels {
		for _, n := range []int{8, 13, 40, 67} {
			w := make([]byte, k.elem*n)
			fdRandomWeights(k, w, r)
			for _, v := range []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), negZero} {
				for _, pos := range []int{0, n / 2, n - 1} {
					x := randomVector(n, r, 1)
					x[pos] = v
					fdCheck(t, k, w, x, fmt.Sprintf("n=%d x[%d]=%g", n, pos, v))
					// a zero weight under the infinity: NaN in both
					w2 := append([]byte(nil), w...)
					clear(w2[k.elem*pos:][:k.elem])
					fdCheck(t, k, w2, x, fmt.Sprintf("n=%d x[%d]=%g, zero weight", n, pos, v))
				}
			}
			// all zeros, some negative: +0 from both
			x := make([]float32, n)
			for i := range x {
				x[i] = negZero
			}
			if got, want := k.asm(w, x), k.gen(w, x); math.Float32bits(got) != math.Float32bits(want) {
				t.Errorf("%s n=%d signed zeros: %g, portable %g", k.name, n, got, want)
			}
		}
	}
}

// fdGuardedBytes returns n bytes that end where an inaccessible page begins.
func fdGuardedBytes(t *testing.T, n int) []byte {
	t.Helper()
	pg := unix.Getpagesize()
	size := (n + pg - 1) / pg * pg
	m, err := unix.Mmap(-1, 0, size+pg, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Munmap(m) })
	if err := unix.Mprotect(m[size:], unix.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	return m[size-n : size : size]
}

// fdGuarded copies s to memory followed by an inaccessible page.
func fdGuarded[T any](t *testing.T, s []T) []T {
	t.Helper()
	var z T
	sz := int(unsafe.Sizeof(z))
	b := fdGuardedBytes(t, sz*len(s))
	if len(s) == 0 {
		return s[:0]
	}
	g := unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(s))
	copy(g, s)
	return g
}

// TestAVX2FloatDotsNoOverread runs rows whose weights and vector both end at an
// inaccessible page: a read past either end faults.
func TestAVX2FloatDotsNoOverread(t *testing.T) {
	fdNeedAVX2(t)
	r := rand.New(rand.NewPCG(25, 26))
	for _, k := range fdKernels {
		for _, n := range fdLengths() {
			w := make([]byte, k.elem*n)
			fdRandomWeights(k, w, r)
			fdCheck(t, k, fdGuarded(t, w), fdGuarded(t, randomVector(n, r, 1)), fmt.Sprintf("guarded n=%d", n))
		}
	}
}

// fdQuantCase is a vector of nb quantization blocks.
type fdQuantCase struct {
	name string
	x    []float32
}

// fdQuantCases builds vectors of n values (a multiple of 256) with random, tied and
// special blocks of size bs.
func fdQuantCases(r *rand.Rand, n, bs int) []fdQuantCase {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	var cs []fdQuantCase
	for _, sc := range []float64{1, 1e-3, 1e-30, 1e30, 3e-37, 1e-38, 1e-40, 1e-44, 3e36} {
		cs = append(cs, fdQuantCase{fmt.Sprintf("normal σ=%g", sc), randomVector(n, r, sc)})
	}
	// Ties: amax 127 gives d = 1 and inv = 1, so k+0.5 and its neighbours are exact.
	x := make([]float32, n)
	for i := range x {
		switch i % bs {
		case 0:
			x[i] = 127
		default:
			k := float32(r.IntN(253) - 126)
			v := k + 0.5
			switch r.IntN(4) {
			case 1:
				v = math.Nextafter32(v, 0)
			case 2:
				v = math.Nextafter32(v, 2*v)
			case 3:
				v = k + float32(r.IntN(2))*math.Nextafter32(0.5, 0)
			}
			x[i] = v
		}
	}
	cs = append(cs, fdQuantCase{"ties", x})
	// Special blocks among normal ones: zeros, negative zeros, one ±Inf, one NaN, a
	// subnormal amax, a huge amax, a single nonzero value.
	x = randomVector(n, r, 1)
	blocks := n / bs
	for b := range blocks {
		v := x[b*bs:][:bs]
		switch b % 9 {
		case 1:
			clear(v)
		case 2:
			for i := range v {
				v[i] = float32(math.Copysign(0, -1))
			}
		case 3:
			v[r.IntN(bs)] = inf
		case 4:
			v[r.IntN(bs)] = -inf
		case 5:
			v[r.IntN(bs)] = nan
		case 6:
			for i := range v {
				v[i] *= 1e-39
			}
		case 7:
			for i := range v {
				v[i] *= 1e38
			}
		case 8:
			clear(v)
			v[r.IntN(bs)] = float32(r.NormFloat64())
		}
	}
	cs = append(cs, fdQuantCase{"special blocks", x})
	return cs
}

func fdSameScales(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			return false
		}
	}
	return true
}

func fdFirstDiff[T comparable](a, b []T) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestAVX2QuantizeInput compares the quantizers with the portable ones, exactly (scales
// bit for bit, NaN scales as NaN), on vectors ending at an inaccessible page.
func TestAVX2QuantizeInput(t *testing.T) {
	fdNeedAVX2(t)
	r := rand.New(rand.NewPCG(27, 28))
	for _, n := range []int{256, 512, 2304, 7168} {
		for _, bs := range []int{32, 256} {
			for _, c := range fdQuantCases(r, n, bs) {
				what := fmt.Sprintf("n=%d %s", n, c.name)
				x := fdGuarded(t, c.x)
				nb := n / bs
				q0, d0, s0 := make([]int8, n), make([]float32, nb), make([]int16, n/16)
				q1, d1, s1 := fdGuarded(t, make([]int8, n)), fdGuarded(t, make([]float32, nb)), fdGuarded(t, make([]int16, n/16))
				if bs == 32 {
					quantizeInputQ8_0(q0, d0, x)
					avx2Kernels.quantInputQ8_0(q1, d1, x)
				} else {
					quantizeInputQ8_K(q0, d0, s0, x)
					avx2Kernels.quantInputQ8_K(q1, d1, s1, x)
				}
				if i := fdFirstDiff(q0, q1); i >= 0 {
					t.Errorf("Q8 bs=%d %s: q[%d] = %d, portable %d (x %g, d %g)", bs, what, i, q1[i], q0[i], x[i], d0[i/bs])
				}
				if !fdSameScales(d0, d1) {
					t.Errorf("Q8 bs=%d %s: scales %v, portable %v", bs, what, d1, d0)
				}
				if i := fdFirstDiff(s0, s1); i >= 0 {
					t.Errorf("Q8 bs=%d %s: sums[%d] = %d, portable %d", bs, what, i, s1[i], s0[i])
				}
			}
		}
	}
}

// TestRoundHalfAway checks the rounding the quantizers share on ties and their
// neighbours, and the clamp.
func TestRoundHalfAway(t *testing.T) {
	ref := func(f float32) int32 { // halves away from zero, in float64 (exact here)
		return int32(math.Copysign(math.Floor(math.Abs(float64(f))+0.5), float64(f)))
	}
	for k := -127; k <= 126; k++ {
		v := float32(k) + 0.5
		for _, f := range []float32{v, math.Nextafter32(v, 0), math.Nextafter32(v, 2*v)} {
			if got, want := roundHalfAway(f), max(-127, min(127, ref(f))); got != want {
				t.Errorf("round(%g) = %d, want %d", f, got, want)
			}
		}
	}
	for _, c := range []struct {
		f    float32
		want int32
	}{{0.49999997, 0}, {-0.49999997, 0}, {0.5, 1}, {-0.5, -1}, {127.4, 127}, {128, 127}, {-1e30, -127},
		{float32(math.Inf(1)), 127}, {float32(math.Inf(-1)), -127}, {float32(math.NaN()), 0}} {
		if got := roundHalfAway(c.f); got != c.want {
			t.Errorf("round(%g) = %d, want %d", c.f, got, c.want)
		}
	}
}

// benchDense times one float kernel over a row of 4096 weights drawn from a normal
// distribution (σ = 0.02 and one value in 256 at 40σ, as in trained layers; E4M3 rows
// scaled by 448 over the largest, as DeepSeek's FP8 blocks); the throughput is of weight
// bytes.
func benchDense(b *testing.B, t DType, f func(w []byte, x []float32) float32) {
	const n = 4096
	r := rand.New(rand.NewPCG(11, 12))
	v := randomVector(n, r, 0.02)
	for i := 0; i < n; i += 256 {
		v[i] *= 40
	}
	w := make([]byte, n*t.ElemSize())
	for i, f := range v {
		switch t {
		case F32:
			binary.LittleEndian.PutUint32(w[4*i:], math.Float32bits(f))
		case F16:
			binary.LittleEndian.PutUint16(w[2*i:], F32ToF16(f))
		case BF16:
			binary.LittleEndian.PutUint16(w[2*i:], F32ToBF16(f))
		case F8E4M3:
			w[i] = F32ToE4M3(f * 448 / 0.8)
		}
	}
	x := randomVector(n, r, 1)
	b.SetBytes(int64(len(w)))
	var s float32
	for b.Loop() {
		s += f(w, x)
	}
	_ = s
}

func BenchmarkDotF32(b *testing.B)  { benchDense(b, F32, cpuKernels.dotF32LE) }
func BenchmarkDotF16(b *testing.B)  { benchDense(b, F16, cpuKernels.dotF16) }
func BenchmarkDotBF16(b *testing.B) { benchDense(b, BF16, cpuKernels.dotBF16) }
func BenchmarkDotE4M3(b *testing.B) { benchDense(b, F8E4M3, cpuKernels.dotE4M3) }

// BenchmarkQuantizeInput quantizes a vector of 7168 activations (the throughput is of
// float32 input bytes), with the portable code and the dispatched one.
func BenchmarkQuantizeInput(b *testing.B) {
	const n = 7168
	x := randomVector(n, rand.New(rand.NewPCG(13, 14)), 1)
	q := make([]int8, n)
	d := make([]float32, n/32)
	sums := make([]int16, n/16)
	for _, impl := range []struct {
		name string
		q0   func(q []int8, d []float32, x []float32)
		qk   func(q []int8, d []float32, s []int16, x []float32)
	}{{"generic", quantizeInputQ8_0, quantizeInputQ8_K}, {"avx2", avx2Kernels.quantInputQ8_0, avx2Kernels.quantInputQ8_K}} {
		b.Run("Q8_0/"+impl.name, func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				impl.q0(q, d, x)
			}
		})
		b.Run("Q8_K/"+impl.name, func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				impl.qk(q, d[:n/256], sums, x)
			}
		})
	}
}

func BenchmarkDotVariants(b *testing.B) {
	gen := map[string]func([]byte, []float32) float32{
		"F32": dotF32LEGeneric, "F16": dotF16Generic, "BF16": dotBF16Generic, "E4M3": dotE4M3Generic,
	}
	asm := map[string]func([]byte, []float32) float32{
		"F32": avx2Kernels.dotF32LE, "F16": avx2Kernels.dotF16, "BF16": avx2Kernels.dotBF16, "E4M3": avx2Kernels.dotE4M3,
	}
	types := map[string]DType{"F32": F32, "F16": F16, "BF16": BF16, "E4M3": F8E4M3}
	for _, k := range []string{"F32", "F16", "BF16", "E4M3"} {
		b.Run(k+"/generic", func(b *testing.B) { benchDense(b, types[k], gen[k]) })
		b.Run(k+"/avx2", func(b *testing.B) { benchDense(b, types[k], asm[k]) })
	}
}

// TestAVX2QuantizeFastPath checks that the kernels quantize ordinary blocks themselves and
// stop at the first one they leave to the portable code.
func TestAVX2QuantizeFastPath(t *testing.T) {
	fdNeedAVX2(t)
	x := randomVector(1024, rand.New(rand.NewPCG(29, 30)), 1)
	q, d, s := make([]int8, 1024), make([]float32, 32), make([]int16, 64)
	if got := quantQ8_0AVX2(&q[0], &d[0], &x[0], 32); got != 32 {
		t.Errorf("Q8_0: %d blocks of 32 done", got)
	}
	if got := quantQ8_KAVX2(&q[0], &d[0], &s[0], &x[0], 4); got != 4 {
		t.Errorf("Q8_K: %d blocks of 4 done", got)
	}
	for _, v := range []float32{float32(math.Inf(-1)), float32(math.NaN()), 1e-38} {
		y := append([]float32(nil), x...)
		if v == 1e-38 {
			clear(y[512:768])
			y[600] = v // d subnormal
		} else {
			y[600] = v
		}
		if got := quantQ8_0AVX2(&q[0], &d[0], &y[0], 32); got != 600/32 {
			t.Errorf("Q8_0 with %g at 600: %d blocks done, want %d", v, got, 600/32)
		}
		if got := quantQ8_KAVX2(&q[0], &d[0], &s[0], &y[0], 4); got != 2 {
			t.Errorf("Q8_K with %g at 600: %d blocks done, want 2", v, got)
		}
	}
}
