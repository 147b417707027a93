//go:build amd64 && unix && !noasm

package quant

// The amd64 assembly integer kernels against their generic twins: 1 to 17 blocks, quantized
// rows, arbitrary bytes, rows of all-0xFF and all-0x80 bytes (the largest weights), inputs at
// ±127 and scales from 1e-20 to 1e20; every slice also placed against a PROT_NONE page on
// either side, so a read outside it faults. The K kernels must match bit for bit.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// asmCase is one kernel's assembly and generic versions.
type asmCase struct {
	t       DType
	asm     rowDot
	generic rowDot
}

// The one-row forms of the rows assembly kernels, as the tests call them: exactly the
// slices given, one row, one result.

func dotQ8_0Q8AVX2(w []byte, q []int8, d []float32) float32 {
	var out [1]float32
	dotQ8_0Q8RowsAVX2(w, 1, q, d, out[:])
	return out[0]
}

func dotQ4_0Q8AVX2(w []byte, q []int8, d []float32) float32 {
	var out [1]float32
	dotQ4_0Q8RowsAVX2(w, 1, q, d, out[:])
	return out[0]
}

func dotQ5_0Q8AVX2(w []byte, q []int8, d []float32) float32 {
	var out [1]float32
	dotQ5_0Q8RowsAVX2(w, 1, q, d, out[:])
	return out[0]
}

func dotQ2_KQ8KAVX2(w []byte, q []int8, d []float32, s []int16) float32 {
	var out [1]float32
	dotQ2_KQ8KRowsAVX2(w, 1, q, d, s, out[:])
	return out[0]
}

func dotQ3_KQ8KAVX2(w []byte, q []int8, d []float32, s []int16) float32 {
	var out [1]float32
	dotQ3_KQ8KRowsAVX2(w, 1, q, d, s, out[:])
	return out[0]
}

func dotQ4_KQ8KAVX2(w []byte, q []int8, d []float32, s []int16) float32 {
	var out [1]float32
	dotQ4_KQ8KRowsAVX2(w, 1, q, d, s, out[:])
	return out[0]
}

func dotQ4_KQ8KVNNI(w []byte, q []int8, d []float32, s []int16) float32 {
	var out [1]float32
	dotQ4_KQ8KRowsVNNI(w, 1, q, d, s, out[:])
	return out[0]
}

func dotQ6_KQ8KVNNI(w []byte, q []int8, d []float32, s []int16) float32 {
	var out [1]float32
	dotQ6_KQ8KRowsVNNI(w, 1, q, d, s, out[:])
	return out[0]
}

func dotQ5_KQ8KAVX2(w []byte, q []int8, d []float32, s []int16) float32 {
	var out [1]float32
	dotQ5_KQ8KRowsAVX2(w, 1, q, d, s, out[:])
	return out[0]
}

func dotQ6_KQ8KAVX2(w []byte, q []int8, d []float32, s []int16) float32 {
	var out [1]float32
	dotQ6_KQ8KRowsAVX2(w, 1, q, d, s, out[:])
	return out[0]
}

var asmCases = []asmCase{
	{Q8_0, func(w []byte, q []int8, d []float32, _ []int16) float32 { return dotQ8_0Q8AVX2(w, q, d) },
		func(w []byte, q []int8, d []float32, _ []int16) float32 { return dotQ8_0Q8Generic(w, q, d) }},
	{Q4_0, func(w []byte, q []int8, d []float32, _ []int16) float32 { return dotQ4_0Q8AVX2(w, q, d) },
		func(w []byte, q []int8, d []float32, _ []int16) float32 { return dotQ4_0Q8Generic(w, q, d) }},
	{Q2_K, dotQ2_KQ8KAVX2, dotQ2_KQ8KGeneric},
	{Q3_K, dotQ3_KQ8KAVX2, dotQ3_KQ8KGeneric},
	{Q4_K, dotQ4_KQ8KAVX2, dotQ4_KQ8KGeneric},
	{Q5_K, dotQ5_KQ8KAVX2, dotQ5_KQ8KGeneric},
	{Q6_K, dotQ6_KQ8KAVX2, dotQ6_KQ8KGeneric},
	{Q5_0, func(w []byte, q []int8, d []float32, _ []int16) float32 { return dotQ5_0Q8AVX2(w, q, d) },
		func(w []byte, q []int8, d []float32, _ []int16) float32 { return dotQ5_0Q8Generic(w, q, d) }},
}

// vnniAsmCases are the one-vector kernels that need AVX-512 VNNI too.
var vnniAsmCases = []asmCase{
	{Q4_K, dotQ4_KQ8KVNNI, dotQ4_KQ8KGeneric},
	{Q6_K, dotQ6_KQ8KVNNI, dotQ6_KQ8KGeneric},
}

// cpuAsmCases is every one-vector assembly kernel this CPU runs: asmCases, and
// vnniAsmCases with AVX-512 VNNI.
func cpuAsmCases() []asmCase {
	if CPUKernels().has(extAVX2Int | extVNNI) {
		return append(slices.Clip(asmCases), vnniAsmCases...)
	}
	return asmCases
}

func skipNoAVX2(t testing.TB) {
	if !CPUKernels().has(extAVX2Int) {
		t.Skip("no AVX2+FMA+F16C on this CPU")
	}
}

//go:noinline
func mulAdd(a, b, c float32) float32 { return a*b + c }

// compilerFuses reports whether this build fuses x*y+z into one rounding (GOAMD64=v3
// does): then the generic K kernels no longer round as the assembly does.
func compilerFuses() bool {
	a := float32(1 + 1.0/(1<<12))
	return mulAdd(a, a, -(1+2.0/(1<<12))) != 0
}

// exactK: the K kernels do the float part per super-block with the generic code's scalar
// operations in its order, so their results are bit-identical.
func isK(t DType) bool { return t != Q8_0 && t != Q4_0 && t != Q5_0 }

// asmInput is a random quantized vector of nb blocks of t's input: values in [-127, 127]
// (all of one sign or at the extremes for some kinds), scales and sums.
func asmInput(t DType, nb int, r *rand.Rand, kind int) (q []int8, d []float32, s []int16) {
	n := nb * t.BlockSize()
	q = make([]int8, n)
	for i := range q {
		switch kind {
		case 0:
			q[i] = int8(r.IntN(255) - 127)
		case 1:
			q[i] = 127
		case 2:
			q[i] = -127
		case 3:
			q[i] = int8(127 - 254*(i%2))
		default:
			q[i] = int8(r.IntN(9) - 4)
		}
	}
	d = make([]float32, n/32)
	if isK(t) {
		d = d[:n/256]
	}
	for i := range d {
		d[i] = float32(r.ExpFloat64() * []float64{1, 1e-3, 1e3, 1e-20, 1e20}[kind%5])
	}
	s = make([]int16, n/16)
	for g := range s {
		for _, v := range q[16*g:][:16] {
			s[g] += int16(v)
		}
	}
	return q, d, s
}

// asmRow is nb blocks of t: quantized values, arbitrary bytes, or every byte 0xFF / 0x80
// (the largest unsigned values, the most negative Q8_0 weight), block scales finite.
func asmRow(t DType, nb int, r *rand.Rand, kind int) []byte {
	cols := nb * t.BlockSize()
	switch kind {
	case 0:
		return randomRow(t, cols, r, 1)
	case 1:
		return randomRow(t, cols, r, 1e4)
	}
	w := randomBytes(t, cols, r)
	if kind == 2 {
		return w
	}
	scales := randomBytes(t, cols, r) // keep its finite halves where they belong
	fill := byte(0xFF)
	if kind == 4 {
		fill = 0x80
	}
	for i := range w {
		w[i] = fill
	}
	bb := t.BlockBytes()
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
	for b := 0; b < len(w); b += bb {
		for _, o := range offs {
			w[b+o], w[b+o+1] = scales[b+o], scales[b+o+1]
		}
	}
	return w
}

// checkAsm compares the assembly result with the generic one: bit-identical for the K
// formats (unless the compiler fuses), else equal to float rounding of the block terms.
func checkAsm(t *testing.T, c asmCase, w []byte, q []int8, d []float32, s []int16, what string) {
	t.Helper()
	got := c.asm(w, q, d, s)
	want := c.generic(w, q, d, s)
	if got == want || math.IsNaN(float64(got)) && math.IsNaN(float64(want)) {
		return
	}
	if isK(c.t) && !compilerFuses() {
		t.Errorf("%v %s: assembly %g, generic %g: want bit-identical", c.t, what, got, want)
		return
	}
	// Bound the rounding by the sum of the blocks' magnitudes.
	bs, bb := c.t.BlockSize(), c.t.BlockBytes()
	var mag float64
	for b := range d {
		var sb []int16
		if s != nil {
			sb = s[bs/16*b:][:bs/16]
		}
		mag += math.Abs(float64(c.generic(w[bb*b:][:bb], q[bs*b:][:bs], d[b:b+1], sb)))
	}
	if diff := math.Abs(float64(got) - float64(want)); !(diff <= 1e-5*mag+1e-30) {
		if math.IsInf(mag, 0) && (math.IsInf(float64(got), 0) || math.IsNaN(float64(got))) {
			return // overflowed in both
		}
		t.Errorf("%v %s: assembly %g, generic %g (|blocks| %g)", c.t, what, got, want, mag)
	}
}

func TestAVX2IntKernelsMatchGeneric(t *testing.T) {
	skipNoAVX2(t)
	r := rand.New(rand.NewPCG(11, 12))
	for _, c := range cpuAsmCases() {
		for nb := 1; nb <= 17; nb++ {
			for rk := range 5 {
				for ik := range 5 {
					w := asmRow(c.t, nb, r, rk)
					q, d, s := asmInput(c.t, nb, r, ik)
					checkAsm(t, c, w, q, d, s, fmt.Sprintf("%d blocks, row kind %d, input kind %d", nb, rk, ik))
				}
			}
		}
	}
}

// TestAVX2IntKernelsPrepared runs the kernels on inputs quantized by Input.Prepare.
func TestAVX2IntKernelsPrepared(t *testing.T) {
	skipNoAVX2(t)
	r := rand.New(rand.NewPCG(13, 14))
	for _, c := range cpuAsmCases() {
		for _, cols := range []int{256, 1024, 7168} {
			for _, scale := range []float64{1, 1e-30, 1e30, 0} {
				w := randomRow(c.t, cols, r, 1)
				var in Input
				in.Prepare(avx2Kernels, c.t, randomVector(cols, r, scale), 1, cols, cols)
				q, d, s := in.vec(0)
				checkAsm(t, c, w, q, d, s, fmt.Sprintf("cols %d scale %g", cols, scale))
			}
		}
	}
}

// guarded returns n bytes that end (atEnd) or start at a page next to a PROT_NONE page,
// so that the kernels' reading past either end faults.
func guarded(t *testing.T, n int, atEnd bool) []byte {
	t.Helper()
	pg := unix.Getpagesize()
	data := (n + pg - 1) / pg * pg
	m, err := unix.Mmap(-1, 0, data+2*pg, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	t.Cleanup(func() { unix.Munmap(m) })
	if err := unix.Mprotect(m[:pg], unix.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	if err := unix.Mprotect(m[pg+data:], unix.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	if atEnd {
		return m[pg+data-n : pg+data : pg+data]
	}
	return m[pg : pg+n : pg+n]
}

func guardedCopy[T any](t *testing.T, src []T, atEnd bool) []T {
	if len(src) == 0 {
		return src
	}
	size := int(unsafe.Sizeof(src[0]))
	b := guarded(t, len(src)*size, atEnd)
	dst := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(src))
	copy(dst, src)
	return dst
}

// TestAVX2IntKernelsBounds puts each of w, q, d and sums right before (and right after) an
// inaccessible page: a kernel that reads one byte outside them crashes the test.
func TestAVX2IntKernelsBounds(t *testing.T) {
	skipNoAVX2(t)
	r := rand.New(rand.NewPCG(15, 16))
	for _, c := range cpuAsmCases() {
		for _, nb := range []int{1, 2, 3, 4, 5, 8, 9, 17} {
			for _, atEnd := range []bool{true, false} {
				w := asmRow(c.t, nb, r, 2)
				q, d, s := asmInput(c.t, nb, r, 0)
				gw, gq, gd := guardedCopy(t, w, atEnd), guardedCopy(t, q, atEnd), guardedCopy(t, d, atEnd)
				var gs []int16
				if isK(c.t) {
					gs = guardedCopy(t, s, atEnd)
				}
				checkAsm(t, c, gw, gq, gd, gs, fmt.Sprintf("%d guarded blocks (at end %v)", nb, atEnd))
			}
		}
	}
}

// TestIntKernelsGenericDispatch: with the zero Kernels (as DEEPGO_KERNELS=generic gives)
// the table's kernels are the portable ones.
func TestIntKernelsGenericDispatch(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for _, c := range asmCases {
		w := asmRow(c.t, 3, r, 0)
		q, d, s := asmInput(c.t, 3, r, 0)
		got := c.t.format().qdot(Kernels{}, w, q, d, s)
		if want := c.generic(w, q, d, s); got != want {
			t.Errorf("%v generic dispatch: %g, want %g", c.t, got, want)
		}
	}
}

// TestAVX2IntKernelsEmpty: no blocks, no product.
func TestAVX2IntKernelsEmpty(t *testing.T) {
	skipNoAVX2(t)
	for _, c := range cpuAsmCases() {
		if got := c.asm(nil, nil, nil, nil); got != 0 {
			t.Errorf("%v: empty product %g", c.t, got)
		}
	}
}

// BenchmarkAVX2Kernels compares each assembly kernel with its generic twin on a
// 4096-column row (MB/s of weights).
func BenchmarkAVX2Kernels(b *testing.B) {
	skipNoAVX2(b)
	const cols = 4096
	r := rand.New(rand.NewPCG(19, 20))
	for i, c := range cpuAsmCases() {
		asm := "asm"
		if i >= len(asmCases) {
			asm = "vnni"
		}
		w := randomRow(c.t, cols, r, 1)
		var in Input
		in.Prepare(avx2Kernels, c.t, randomVector(cols, r, 1), 1, cols, cols)
		q, d, s := in.vec(0)
		for _, v := range []struct {
			name string
			f    rowDot
		}{{asm, c.asm}, {"generic", c.generic}} {
			b.Run(fmt.Sprintf("%v/%s", c.t, v.name), func(b *testing.B) {
				b.SetBytes(int64(len(w)))
				for b.Loop() {
					v.f(w, q, d, s)
				}
			})
		}
	}
}

// x4AsmCase is a four-vector assembly kernel and the single-vector assembly kernel it must
// agree with.
type x4AsmCase struct {
	t      DType
	asm    func(w []byte, q []int8, d []float32, s []int16, out *[4]float32)
	single rowDot
}

var x4AsmCases = []x4AsmCase{
	{Q8_0, func(w []byte, q []int8, d []float32, _ []int16, out *[4]float32) {
		dotQ8_0Q8x4RowsAVX2(w, 1, q, d, out[:], 1)
	}, asmCases[0].asm},
	{Q4_0, func(w []byte, q []int8, d []float32, _ []int16, out *[4]float32) {
		dotQ4_0Q8x4RowsAVX2(w, 1, q, d, out[:], 1)
	}, asmCases[1].asm},
	{Q4_K, func(w []byte, q []int8, d []float32, s []int16, out *[4]float32) {
		dotQ4_KQ8Kx4RowsAVX2(w, 1, q, d, s, out[:], 1)
	}, dotQ4_KQ8KAVX2},
	{Q5_K, func(w []byte, q []int8, d []float32, s []int16, out *[4]float32) {
		dotQ5_KQ8Kx4RowsAVX2(w, 1, q, d, s, out[:], 1)
	}, dotQ5_KQ8KAVX2},
	{Q6_K, func(w []byte, q []int8, d []float32, s []int16, out *[4]float32) {
		dotQ6_KQ8Kx4RowsAVX2(w, 1, q, d, s, out[:], 1)
	}, dotQ6_KQ8KAVX2},
	{Q5_0, func(w []byte, q []int8, d []float32, _ []int16, out *[4]float32) {
		dotQ5_0Q8x4RowsAVX2(w, 1, q, d, out[:], 1)
	}, asmCases[7].asm},
}

// x4Inputs is four asmInput vectors of nb blocks, one after another as Input keeps them,
// of input kinds k, k+1, k+2, k+3 (mod 5).
func x4Inputs(t DType, nb int, r *rand.Rand, k int) (q []int8, d []float32, s []int16) {
	for v := range 4 {
		qv, dv, sv := asmInput(t, nb, r, (k+v)%5)
		q, d, s = append(q, qv...), append(d, dv...), append(s, sv...)
	}
	if !isK(t) {
		s = nil
	}
	return q, d, s
}

// TestAVX2x4KernelsMatchSingle: the four-vector assembly kernels against the single-vector
// assembly kernels on each vector, 1 to 17 blocks (K: 1 to 5 super-blocks), every row and
// input kind, and with each of w, q, d and s against a PROT_NONE page on either side.
func TestAVX2x4KernelsMatchSingle(t *testing.T) {
	skipNoAVX2(t)
	r := rand.New(rand.NewPCG(51, 52))
	for _, c := range x4AsmCases {
		maxNB := 17
		if isK(c.t) {
			maxNB = 5
		}
		for nb := 1; nb <= maxNB; nb++ {
			for rk := range 5 {
				for ik := range 5 {
					w := asmRow(c.t, nb, r, rk)
					q, d, s := x4Inputs(c.t, nb, r, ik)
					var out [4]float32
					c.asm(w, q, d, s, &out)
					checkX4(t, c.t, c.single, out, w, q, d, s, fmt.Sprintf("%d blocks, row kind %d, input kind %d", nb, rk, ik))
				}
			}
			for _, atEnd := range []bool{true, false} {
				w := asmRow(c.t, nb, r, 2)
				q, d, s := x4Inputs(c.t, nb, r, 0)
				gw, gq, gd, gs := guardedCopy(t, w, atEnd), guardedCopy(t, q, atEnd), guardedCopy(t, d, atEnd), guardedCopy(t, s, atEnd)
				var out [4]float32
				c.asm(gw, gq, gd, gs, &out)
				checkX4(t, c.t, c.single, out, w, q, d, s, fmt.Sprintf("%d guarded blocks (at end %v)", nb, atEnd))
			}
		}
		var out [4]float32
		out[2] = 7
		c.asm(nil, nil, nil, nil, &out)
		if out != [4]float32{} {
			t.Errorf("%v: empty products %v", c.t, out)
		}
	}
}

func skipNoVNNI(t testing.TB) {
	if !CPUKernels().has(extAVX2Int | extVNNI) {
		t.Skip("no AVX-512 VNNI on this CPU: the VNNI kernel is tested on machines that have it")
	}
}

// TestVNNIx4KernelMatchesSingle: the AVX-512 VNNI four-vector Q8_0 kernel against the
// single-vector AVX2 kernel on each vector, for 1 to 40 blocks (one, two and three groups
// of sixteen, odd and even), every row and input kind, with each of w, q and d against a
// PROT_NONE page on either side, on several rows at once, and on none.
func TestVNNIx4KernelMatchesSingle(t *testing.T) {
	skipNoVNNI(t)
	r := rand.New(rand.NewPCG(57, 58))
	for nb := 1; nb <= 40; nb++ {
		for rk := range 5 {
			for ik := range 5 {
				w := asmRow(Q8_0, nb, r, rk)
				q, d, _ := x4Inputs(Q8_0, nb, r, ik)
				var out [4]float32
				dotQ8_0Q8x4RowsVNNI(w, 1, q, d, out[:], 1)
				checkVNNI(t, out, w, q, d, fmt.Sprintf("%d blocks, row kind %d, input kind %d", nb, rk, ik))
			}
		}
		for _, atEnd := range []bool{true, false} {
			w := asmRow(Q8_0, nb, r, 2)
			q, d, _ := x4Inputs(Q8_0, nb, r, 0)
			gw, gq, gd := guardedCopy(t, w, atEnd), guardedCopy(t, q, atEnd), guardedCopy(t, d, atEnd)
			var out [4]float32
			dotQ8_0Q8x4RowsVNNI(gw, 1, gq, gd, out[:], 1)
			checkVNNI(t, out, w, q, d, fmt.Sprintf("%d guarded blocks (at end %v)", nb, atEnd))
		}
		const rows, stride = 3, 5
		var w []byte
		for rk := range rows {
			w = append(w, asmRow(Q8_0, nb, r, rk)...)
		}
		q, d, _ := x4Inputs(Q8_0, nb, r, 0)
		dst := make([]float32, 4*stride)
		dotQ8_0Q8x4RowsVNNI(guardedCopy(t, w, true), rows, q, d, dst, stride)
		for row := range rows {
			got := [4]float32{dst[row], dst[stride+row], dst[2*stride+row], dst[3*stride+row]}
			checkVNNI(t, got, w[34*nb*row:][:34*nb], q, d, fmt.Sprintf("%d blocks, row %d of %d", nb, row, rows))
		}
	}
	out := [4]float32{2: 7}
	dotQ8_0Q8x4RowsVNNI(nil, 1, nil, nil, out[:], 1)
	if out != [4]float32{} {
		t.Errorf("VNNI: empty products %v", out)
	}
}

// checkQ8Lanes compares products of Q8_0 row w with nv vectors (q, d: one after another),
// got[v], with the single-vector AVX2 kernel's. Both sum exact integers (lanes of four
// products, or whole blocks) scaled per block in float, in different orders; the bound on
// their rounding is relative to the magnitudes of the scaled lanes (laneMag).
func checkQ8Lanes(t *testing.T, kernel string, got []float32, w []byte, q []int8, d []float32, what string) {
	t.Helper()
	nb := len(w) / 34
	for v, g := range got {
		qv, dv := q[v*32*nb:][:32*nb], d[v*nb:][:nb]
		want := asmCases[0].asm(w, qv, dv, nil)
		if g == want || math.IsNaN(float64(g)) && math.IsNaN(float64(want)) {
			continue
		}
		mag := laneMag(Q8_0, w, qv, dv)
		if math.IsInf(mag, 0) && (math.IsInf(float64(g), 0) || math.IsNaN(float64(g))) {
			continue
		}
		if diff := math.Abs(float64(g) - float64(want)); !(diff <= 2e-6*mag+1e-30) {
			t.Errorf("%s %s vector %d: %g, single-vector AVX2 %g (|lanes| %g)", kernel, what, v, g, want, mag)
		}
	}
}

func checkVNNI(t *testing.T, got [4]float32, w []byte, q []int8, d []float32, what string) {
	t.Helper()
	checkQ8Lanes(t, "VNNI", got[:], w, q, d, what)
}

// TestAVX2x16KernelMatchesSingle: the sixteen-vector Q8_0 kernel against the single-vector
// AVX2 kernel on each vector and against its portable twin, on 1 to 17 blocks, every row and
// input kind, one to three rows, with w, qi and di against a PROT_NONE page on either side;
// it writes only its rows' cells.
func TestAVX2x16KernelMatchesSingle(t *testing.T) {
	skipNoAVX2(t)
	r := rand.New(rand.NewPCG(59, 60))
	const stride = 5
	for _, nb := range []int{1, 2, 3, 5, 8, 9, 17} {
		for rk := range 5 {
			for rows := 1; rows <= 3; rows++ {
				var w []byte
				for row := range rows {
					w = append(w, asmRow(Q8_0, nb, r, (rk+row)%5)...)
				}
				var q []int8
				var d []float32
				for v := range 16 {
					qv, dv, _ := asmInput(Q8_0, nb, r, (rk+v)%5)
					q, d = append(q, qv...), append(d, dv...)
				}
				qi, di, si := make([]int8, 16*32*nb), make([]float32, 16*nb), make([]int32, 16*nb)
				interleaveQ8_016(qi, di, si, q, d, 16, 32*nb)
				dst, gen := make([]float32, 16*stride), make([]float32, 16*stride)
				for i := range dst {
					dst[i], gen[i] = -1234.5, -1234.5
				}
				atEnd := rows%2 == 0
				dotQ8_0Q8x16RowsAVX2(guardedCopy(t, w, atEnd), rows, guardedCopy(t, qi, atEnd), guardedCopy(t, di, atEnd), dst, stride)
				dotQ8_0Q8x16RowsGeneric(w, rows, qi, di, gen, stride)
				what := fmt.Sprintf("%d blocks, row kind %d, %d rows", nb, rk, rows)
				for row := range stride {
					got := make([]float32, 16)
					for j := range 16 {
						got[j] = dst[j*stride+row]
						if row >= rows {
							if got[j] != -1234.5 {
								t.Errorf("x16 %s: row %d vector %d written", what, row, j)
							}
							continue
						}
						g, want := float64(got[j]), float64(gen[j*stride+row])
						mag := blocksMag(Q8_0, asmCases[0].asm, w[34*nb*row:][:34*nb], q[32*nb*j:][:32*nb], d[nb*j:][:nb], nil)
						if g != want && !(math.IsNaN(g) && math.IsNaN(want)) && !(math.Abs(g-want) <= 1e-6*mag+1e-30) && !math.IsInf(mag, 0) {
							t.Errorf("x16 %s row %d vector %d: %g, portable %g", what, row, j, g, want)
						}
					}
					if row < rows {
						checkQ8Lanes(t, "x16", got, w[34*nb*row:][:34*nb], q, d, what+fmt.Sprintf(" row %d", row))
					}
				}
			}
		}
	}
	out := make([]float32, 16)
	dotQ8_0Q8x16RowsAVX2(nil, 1, nil, nil, out, 1)
	for j, v := range out {
		if v != 0 {
			t.Errorf("x16: empty product %d = %g", j, v)
		}
	}
}

// TestX16Q4KKernels: each sixteen-vector Q4_K kernel (AVX2, AVX-512 VNNI) is bit-identical
// to the single-vector AVX2 kernel on each vector, and to its portable twin, on 1 to 5
// super-blocks, every row and input kind, one to three rows, with w, qi, di and si against a
// PROT_NONE page on either side; it writes only its rows' cells. The VNNI kernel runs in
// spans of columns as the dispatcher does, and in spans of one and two super-blocks.
func TestX16Q4KKernels(t *testing.T) {
	for _, c := range []struct {
		name   string
		skip   func(testing.TB)
		kernel func(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int)
	}{
		{"avx2", skipNoAVX2, dotQ4_KQ8Kx16RowsAVX2},
		{"vnni", skipNoVNNI, func(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int) {
			dotQ4_KQ8Kx16RowsSpans(w, rows, qi, di, si, dst, stride, x16SpanBlocks)
		}},
		{"vnni/spans-of-1", skipNoVNNI, func(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int) {
			dotQ4_KQ8Kx16RowsSpans(w, rows, qi, di, si, dst, stride, 1)
		}},
		{"vnni/spans-of-2", skipNoVNNI, func(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int) {
			dotQ4_KQ8Kx16RowsSpans(w, rows, qi, di, si, dst, stride, 2)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.skip(t)
			testX16Q4K(t, c.kernel)
		})
	}
}

func testX16Q4K(t *testing.T, kernel func(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int)) {
	skipNoAVX2(t) // the single-vector AVX2 kernel is the reference
	r := rand.New(rand.NewPCG(61, 62))
	const stride = 5
	for nb := 1; nb <= 5; nb++ {
		cols := 256 * nb
		for rk := range 5 {
			for rows := 1; rows <= 3; rows++ {
				var w []byte
				for row := range rows {
					w = append(w, asmRow(Q4_K, nb, r, (rk+row)%5)...)
				}
				var q []int8
				var d []float32
				var s []int16
				for v := range 16 {
					qv, dv, sv := asmInput(Q4_K, nb, r, (rk+v)%5)
					q, d, s = append(q, qv...), append(d, dv...), append(s, sv...)
				}
				qi, di, si := make([]int8, 16*cols), make([]float32, 16*nb), make([]int32, 16*cols/32)
				interleaveQ8K16(qi, di, si, q, d, s, 16, cols)
				dst, gen := make([]float32, 16*stride), make([]float32, 16*stride)
				for i := range dst {
					dst[i], gen[i] = -1234.5, -1234.5
				}
				atEnd := rows%2 == 1
				kernel(guardedCopy(t, w, atEnd), rows, guardedCopy(t, qi, atEnd),
					guardedCopy(t, di, atEnd), guardedCopy(t, si, atEnd), dst, stride)
				dotQ4_KQ8Kx16RowsGeneric(w, rows, qi, di, si, gen, stride)
				for row := range stride {
					for j := range 16 {
						got := dst[j*stride+row]
						if row >= rows {
							if got != -1234.5 {
								t.Errorf("Q4_K x16 %d super-blocks: row %d vector %d written", nb, row, j)
							}
							continue
						}
						want := dotQ4_KQ8KAVX2(w[144*nb*row:][:144*nb], q[cols*j:][:cols], d[nb*j:][:nb], s[cols/16*j:][:cols/16])
						same := func(a, b float32) bool { return a == b || a != a && b != b }
						// (The portable twin rounds as the assembly does unless the compiler fuses
						// its multiply-adds, as with GOAMD64=v3.)
						if !same(got, want) || !compilerFuses() && !same(gen[j*stride+row], want) {
							t.Errorf("Q4_K x16 %d super-blocks, row kind %d, row %d of %d, vector %d: %g, portable %g, single-vector %g",
								nb, rk, row, rows, j, got, gen[j*stride+row], want)
						}
					}
				}
			}
		}
	}
	out := make([]float32, 16)
	for j := range out {
		out[j] = -1234.5
	}
	kernel(nil, 1, nil, nil, nil, out, 1)
	for j, v := range out {
		if v != 0 {
			t.Errorf("Q4_K x16: empty product %d = %g", j, v)
		}
	}
}

// TestAVX2x16Q5_0Kernel: the sixteen-vector Q5_0 kernel against the single-vector AVX2
// kernel on each vector and against its portable twin, on 1 to 17 blocks, every row and
// input kind, one to three rows, with w, qi, di and si against a PROT_NONE page on either
// side; it writes only its rows' cells.
func TestAVX2x16Q5_0Kernel(t *testing.T) {
	skipNoAVX2(t)
	r := rand.New(rand.NewPCG(63, 64))
	const stride = 5
	single := asmCases[7]
	if single.t != Q5_0 {
		t.Fatalf("asmCases[7] is %v, not Q5_0", single.t)
	}
	for _, nb := range []int{1, 2, 3, 5, 8, 9, 17} {
		cols := 32 * nb
		for rk := range 5 {
			for rows := 1; rows <= 3; rows++ {
				var w []byte
				for row := range rows {
					w = append(w, asmRow(Q5_0, nb, r, (rk+row)%5)...)
				}
				var q []int8
				var d []float32
				for v := range 16 {
					qv, dv, _ := asmInput(Q5_0, nb, r, (rk+v)%5)
					q, d = append(q, qv...), append(d, dv...)
				}
				qi, di, si := make([]int8, 16*cols), make([]float32, 16*nb), make([]int32, 16*nb)
				interleaveQ8_016(qi, di, si, q, d, 16, cols)
				dst, gen := make([]float32, 16*stride), make([]float32, 16*stride)
				for i := range dst {
					dst[i], gen[i] = -1234.5, -1234.5
				}
				atEnd := rows%2 == 0
				dotQ5_0Q8x16RowsAVX2(guardedCopy(t, w, atEnd), rows, guardedCopy(t, qi, atEnd),
					guardedCopy(t, di, atEnd), guardedCopy(t, si, atEnd), dst, stride)
				dotQ5_0Q8x16RowsGeneric(w, rows, qi, di, si, gen, stride)
				what := fmt.Sprintf("%d blocks, row kind %d, %d rows", nb, rk, rows)
				for row := range stride {
					for j := range 16 {
						got := dst[j*stride+row]
						if row >= rows {
							if got != -1234.5 {
								t.Errorf("Q5_0 x16 %s: row %d vector %d written", what, row, j)
							}
							continue
						}
						wr, qv, dv := w[22*nb*row:][:22*nb], q[cols*j:][:cols], d[nb*j:][:nb]
						want := single.asm(wr, qv, dv, nil)
						mag := laneMag(Q5_0, wr, qv, dv)
						for _, ref := range []float32{want, gen[j*stride+row]} {
							g, f := float64(got), float64(ref)
							if g != f && !(math.IsNaN(g) && math.IsNaN(f)) && !(math.Abs(g-f) <= 2e-6*mag+1e-30) && !math.IsInf(mag, 0) {
								t.Errorf("Q5_0 x16 %s row %d vector %d: %g, single-vector %g, portable %g (|lanes| %g)",
									what, row, j, got, want, gen[j*stride+row], mag)
							}
						}
					}
				}
			}
		}
	}
}

// TestX4GenericDispatch: with the zero Kernels, the four-vector kernels are the portable
// single-vector ones, four times.
func TestX4GenericDispatch(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	for _, c := range x4AsmCases {
		w := asmRow(c.t, 3, r, 0)
		q, d, s := x4Inputs(c.t, 3, r, 0)
		var got [4]float32
		c.t.format().qdotx4Rows(Kernels{}, w, 1, q, d, s, got[:], 1)
		for v := range 4 {
			nq, nd, ns := len(q)/4, len(d)/4, len(s)/4
			var sv []int16
			if s != nil {
				sv = s[v*ns:][:ns]
			}
			want := c.t.format().qdot(Kernels{}, w, q[v*nq:][:nq], d[v*nd:][:nd], sv)
			if got[v] != want {
				t.Errorf("%v generic dispatch vector %d: %g, want %g", c.t, v, got[v], want)
			}
		}
	}
}
