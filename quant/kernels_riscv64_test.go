//go:build !noasm

package quant

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Run under QEMU user mode, for example:
//
//	GOARCH=riscv64 go test -exec "qemu-riscv64-static -cpu rv64,v=true,vlen=128,vext_spec=v1.0" ./quant/
//
// DEEPGO_EXPECT_RVV=1 (or 0) makes TestRiscv64Detect insist that the vector kernels are
// (are not) in use.

func TestRiscv64Detect(t *testing.T) {
	hw := hwcapHasV()
	rvv := CPUKernels().has(extRVV)
	t.Logf("kernels %s hwcap.V=%v", CPUKernels(), hw)
	if hw {
		t.Logf("vlenb %d (VLEN %d)", rvvVLENB(), 8*rvvVLENB())
	}
	if got := detectRVV(); got != (hw && rvvVLENB() >= minVLENB) {
		t.Errorf("detectRVV() = %v with hwcap V %v", got, hw)
	}
	if !hw && rvv {
		t.Error("rvv kernels chosen without the V bit in AT_HWCAP")
	}
	switch os.Getenv("DEEPGO_EXPECT_RVV") {
	case "1":
		if !rvv {
			t.Error("DEEPGO_EXPECT_RVV=1 but the generic kernels are in use")
		}
	case "0":
		if rvv {
			t.Error("DEEPGO_EXPECT_RVV=0 but the rvv kernels are in use")
		}
	}
}

// rvvKernel is one integer kernel with its generic twin.
type rvvKernel struct {
	t        DType
	bb       int // bytes per block
	vals     int // values per block
	fast     func(w []byte, q []int8, d []float32, s []int16) float32
	generic  func(w []byte, q []int8, d []float32, s []int16) float32
	scaleOff []int // offsets of the block's f16 scales
}

var rvvKernels = []rvvKernel{
	{Q8_0, blockBytesQ8_0, qk, func(w []byte, q []int8, d []float32, _ []int16) float32 { return cpuKernels.dotQ8_0Q8(w, q, d, nil) },
		func(w []byte, q []int8, d []float32, _ []int16) float32 { return dotQ8_0Q8Generic(w, q, d) }, []int{0}},
	{Q4_0, blockBytesQ4_0, qk, func(w []byte, q []int8, d []float32, _ []int16) float32 { return cpuKernels.dotQ4_0Q8(w, q, d, nil) },
		func(w []byte, q []int8, d []float32, _ []int16) float32 { return dotQ4_0Q8Generic(w, q, d) }, []int{0}},
	{Q2_K, blockBytesQ2_K, qkK, cpuKernels.dotQ2_KQ8K, dotQ2_KQ8KGeneric, []int{80, 82}},
	{Q3_K, blockBytesQ3_K, qkK, cpuKernels.dotQ3_KQ8K, dotQ3_KQ8KGeneric, []int{108}},
	{Q4_K, blockBytesQ4_K, qkK, cpuKernels.dotQ4_KQ8K, dotQ4_KQ8KGeneric, []int{0, 2}},
	{Q5_K, blockBytesQ5_K, qkK, cpuKernels.dotQ5_KQ8K, dotQ5_KQ8KGeneric, []int{0, 2}},
	{Q6_K, blockBytesQ6_K, qkK, cpuKernels.dotQ6_KQ8K, dotQ6_KQ8KGeneric, []int{208}},
}

// sameFloat: the rvv kernels add the float parts in the generic order, so the results
// are identical (NaN matching NaN); closeEnough is the documented tolerance.
func sameFloat(a, b float32) bool {
	return a == b || math.IsNaN(float64(a)) && math.IsNaN(float64(b)) || closeEnough(a, b)
}

// guarded returns a slice of n bytes that ends where an inaccessible page begins, so a
// read past its end faults.
func guarded(t *testing.T, n int) []byte {
	ps := os.Getpagesize()
	size := (n+ps-1)/ps*ps + ps
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	if err := unix.Mprotect(mem[size-ps:], unix.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	return mem[size-ps-n : size-ps : size-ps]
}

func guardedInt8(t *testing.T, n int) []int8 {
	b := guarded(t, n)
	return unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// fillCase fills one test case: mode 0 random bytes with finite scales, 1 arbitrary
// bytes everywhere (scales may be Inf or NaN), 2 extreme (all weight bits set, input
// at -128), 3 extreme (weights 0x80 / 0x00 patterns, input ±127), 4 quantized rows.
func fillCase(k rvvKernel, mode int, r *rand.Rand, w []byte, q []int8, d []float32, s []int16) {
	nb := len(d)
	for i := range w {
		w[i] = byte(r.Uint32())
	}
	for i := range q {
		q[i] = int8(r.Uint32())
	}
	for i := range d {
		d[i] = float32(r.NormFloat64())
	}
	for i := range s {
		s[i] = int16(r.Uint32())
	}
	switch mode {
	case 2:
		for i := range w {
			w[i] = 0xff
		}
		for i := range q {
			q[i] = -128
		}
	case 3:
		for i := range w {
			w[i] = byte(0x80 >> (i % 2 * 7))
		}
		for i := range q {
			q[i] = int8(127 - 254*(i%2))
		}
	case 4:
		cols := nb * k.vals
		copy(w, randomRow(k.t, cols, r, 1))
		x := randomVector(cols, r, 1)
		var in Input
		in.Prepare(CPUKernels(), k.t, x, 1, cols, cols)
		qq, dd, ss := in.vec(0)
		copy(q, qq)
		copy(d, dd)
		copy(s, ss)
	}
	if mode != 1 && mode != 4 {
		for b := range nb {
			for _, o := range k.scaleOff {
				h := F32ToF16(float32(r.NormFloat64() * 0.01))
				w[k.bb*b+o], w[k.bb*b+o+1] = byte(h), byte(h>>8)
			}
		}
	}
}

func TestRiscv64IntKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	counts := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 33, 64, 65, 130}
	for _, k := range rvvKernels {
		for _, nb := range counts {
			for mode := range 5 {
				w := guarded(t, nb*k.bb)
				q := guardedInt8(t, nb*k.vals)
				d := make([]float32, nb)
				s := make([]int16, nb*k.vals/16)
				fillCase(k, mode, r, w, q, d, s)
				got, want := k.fast(w, q, d, s), k.generic(w, q, d, s)
				if !sameFloat(got, want) {
					t.Errorf("%v %d blocks mode %d: kernel %g, generic %g", k.t, nb, mode, got, want)
				}
			}
		}
	}
}

// TestRiscv64IntSums checks the assembly's integer sums themselves, exactly, against
// integer versions of the generic loops (the float comparison above could hide a wrong
// sum behind an Inf or NaN scale).
func TestRiscv64IntSums(t *testing.T) {
	if !CPUKernels().has(extRVV) {
		t.Skip("no RVV")
	}
	r := rand.New(rand.NewPCG(5, 9))
	for _, k := range rvvKernels {
		for _, nb := range []int{1, 2, 3, 7, 16, 17} {
			for mode := range 5 {
				w := guarded(t, nb*k.bb)
				q := guardedInt8(t, nb*k.vals)
				d := make([]float32, nb)
				s := make([]int16, nb*k.vals/16)
				fillCase(k, mode, r, w, q, d, s)
				got := make([]int32, nb)
				want := make([]int32, nb)
				for b := range nb {
					want[b] = refBlockSum(k.t, w[k.bb*b:][:k.bb], q[k.vals*b:][:k.vals])
				}
				switch k.t {
				case Q8_0:
					q8_0SumsRVV(&w[0], &q[0], nb, &got[0])
				case Q4_0:
					q4_0SumsRVV(&w[0], &q[0], nb, &got[0])
				case Q6_K:
					q6_KSumsRVV(&w[0], &q[0], nb, &got[0])
				case Q2_K:
					q2_KSumsRVV(&w[0], &q[0], nb, &got[0])
				case Q3_K:
					sc := make([]int8, 16*nb)
					for b := range nb {
						u := scalesQ3_K((*[12]byte)(w[110*b+96:]))
						copy(sc[16*b:], u[:])
					}
					q3_KSumsRVV(&w[0], &q[0], &sc[0], nb, &got[0])
				case Q4_K, Q5_K:
					sc := make([]uint8, 8*nb)
					for b := range nb {
						for j := range 8 {
							sc[8*b+j], _ = scaleMinK4(j, (*[12]byte)(w[k.bb*b+4:]))
						}
					}
					if k.t == Q4_K {
						q4_KSumsRVV(&w[0], &q[0], &sc[0], nb, &got[0])
					} else {
						q5_KSumsRVV(&w[0], &q[0], &sc[0], nb, &got[0])
					}
				}
				for b := range nb {
					if got[b] != want[b] {
						t.Errorf("%v %d blocks mode %d: block %d sum %d, want %d", k.t, nb, mode, b, got[b], want[b])
					}
				}
			}
		}
	}
}

// refBlockSum is the integer part of one block of the generic kernels (sq for the K
// formats, without the mins).
func refBlockSum(t DType, blk []byte, x []int8) int32 {
	var sq int32
	switch t {
	case Q8_0:
		for j := range 32 {
			sq += int32(int8(blk[2+j])) * int32(x[j])
		}
	case Q4_0:
		for j := range 16 {
			sq += (int32(blk[2+j]&15) - 8) * int32(x[j])
			sq += (int32(blk[2+j]>>4) - 8) * int32(x[j+16])
		}
	case Q4_K, Q5_K:
		scales := (*[12]byte)(blk[4:])
		for n := range 4 {
			var a, c int32
			for l := range 32 {
				lo, hi := int32(blk[16+32*n+l]&15), int32(blk[16+32*n+l]>>4)
				if t == Q5_K {
					ql, qh := blk[48+32*n+l], blk[16+l]
					lo = int32(ql&15 | qh>>uint(2*n)&1<<4)
					hi = int32(ql>>4 | qh>>uint(2*n+1)&1<<4)
				}
				a += lo * int32(x[64*n+l])
				c += hi * int32(x[64*n+32+l])
			}
			sc1, _ := scaleMinK4(2*n, scales)
			sc2, _ := scaleMinK4(2*n+1, scales)
			sq += int32(sc1)*a + int32(sc2)*c
		}
	case Q6_K:
		for i := range 256 {
			n, rem := i/128, i%128
			quarter, l := rem/32, rem%32
			lo, hi, e := blk[64*n+l], blk[64*n+l+32], blk[128+32*n+l]
			var v int32
			switch quarter {
			case 0:
				v = int32(lo&15 | e&3<<4)
			case 1:
				v = int32(hi&15 | e>>2&3<<4)
			case 2:
				v = int32(lo>>4 | e>>4&3<<4)
			case 3:
				v = int32(hi>>4 | e>>6&3<<4)
			}
			sc := int32(int8(blk[192+8*n+l/16+2*quarter]))
			sq += sc * (v - 32) * int32(x[i])
		}
	case Q2_K, Q3_K:
		var sc3 [16]int8
		if t == Q3_K {
			sc3 = scalesQ3_K((*[12]byte)(blk[96:]))
		}
		for g := range 16 {
			n, j, h := g/8, g/2%4, g%2
			var a int32
			for l := range 16 {
				xi := int32(x[128*n+32*j+16*h+l])
				if t == Q2_K {
					a += int32(blk[16+32*n+16*h+l]>>uint(2*j)&3) * xi
				} else {
					v := int32(blk[32+32*n+16*h+l]>>uint(2*j)&3 | blk[16*h+l]>>uint(4*n+j)&1<<2)
					a += (v - 4) * xi
				}
			}
			if t == Q2_K {
				sq += int32(blk[g]&15) * a
			} else {
				sq += int32(sc3[g]) * a
			}
		}
	}
	return sq
}

func TestRiscv64IntKernelsNoAlloc(t *testing.T) {
	k := rvvKernels[4] // Q4_K: the scales are unpacked into a stack array
	nb := 3
	w, q := make([]byte, nb*k.bb), make([]int8, nb*256)
	d, s := make([]float32, nb), make([]int16, nb*16)
	fillCase(k, 0, rand.New(rand.NewPCG(1, 2)), w, q, d, s)
	for _, kk := range rvvKernels {
		if kk.bb*nb > len(w) {
			continue
		}
		if a := testing.AllocsPerRun(10, func() { kk.fast(w[:nb*kk.bb], q[:nb*kk.vals], d, s) }); a != 0 {
			t.Errorf("%v: %v allocations", kk.t, a)
		}
	}
}

// floatKernel is one float kernel with its generic twin, on w bytes of ew bytes per value.
type floatKernel struct {
	name    string
	ew      int
	fast    func(w []byte, x []float32) float32
	generic func(w []byte, x []float32) float32
	value   func(w []byte, i int) float32 // the decoded value i
}

func f32sAsBytes(a []float32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(a))), 4*len(a))
}

func bytesAsF32s(w []byte) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(w))), len(w)/4)
}

var rvvFloatKernels = []floatKernel{
	{"F32", 4, func(w []byte, x []float32) float32 { return cpuKernels.dotF32(bytesAsF32s(w), x) },
		func(w []byte, x []float32) float32 { return dotF32Generic(bytesAsF32s(w), x) },
		func(w []byte, i int) float32 { return f32le(w[4*i:]) }},
	{"F32LE", 4, cpuKernels.dotF32LE, dotF32LEGeneric, func(w []byte, i int) float32 { return f32le(w[4*i:]) }},
	{"F16", 2, cpuKernels.dotF16, dotF16Generic, func(w []byte, i int) float32 { return F16ToF32(uint16(w[2*i]) | uint16(w[2*i+1])<<8) }},
	{"BF16", 2, cpuKernels.dotBF16, dotBF16Generic, func(w []byte, i int) float32 { return BF16ToF32(uint16(w[2*i]) | uint16(w[2*i+1])<<8) }},
	{"E4M3", 1, cpuKernels.dotE4M3, dotE4M3Generic, func(w []byte, i int) float32 { return E4M3ToF32(w[i]) }},
}

// randomFloatBytes fills w with n finite values of the kernel's format.
func randomFloatBytes(k floatKernel, w []byte, r *rand.Rand, scale float64) {
	n := len(w) / k.ew
	for i := range n {
		f := float32(r.NormFloat64() * scale)
		switch k.name {
		case "F32", "F32LE":
			u := math.Float32bits(f)
			w[4*i], w[4*i+1], w[4*i+2], w[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
		case "F16":
			h := F32ToF16(f)
			w[2*i], w[2*i+1] = byte(h), byte(h>>8)
		case "BF16":
			h := F32ToBF16(f)
			w[2*i], w[2*i+1] = byte(h), byte(h>>8)
		case "E4M3":
			w[i] = F32ToE4M3(f)
		}
	}
}

// TestRiscv64FloatKernels: each float kernel within relative 1e-5 of its generic twin,
// measured against Σ|w·x| (the sums cancel, so against the result itself it could be
// arbitrarily large), and within plain relative 1e-5 when every product is positive. The
// rows end at an inaccessible page; F32LE also runs at every misalignment.
func TestRiscv64FloatKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	lengths := []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 257, 1000, 4096, 4099}
	for _, k := range rvvFloatKernels {
		for _, n := range lengths {
			for trial := range 4 {
				off := 0
				if k.name == "F32LE" {
					off = trial
				}
				buf := guarded(t, n*k.ew+off)
				w := buf[off:]
				if k.name == "F32" && off != 0 {
					continue
				}
				x := bytesAsF32s(guarded(t, 4*n))
				positive := trial == 3
				randomFloatBytes(k, w, r, []float64{1, 1e-3, 100, 1}[trial])
				for i := range x {
					x[i] = float32(r.NormFloat64())
				}
				var mag float64
				for i := range x {
					if positive && (k.value(w, i) < 0) != (x[i] < 0) {
						x[i] = -x[i]
					}
					mag += math.Abs(float64(k.value(w, i)) * float64(x[i]))
				}
				got, want := k.fast(w, x), k.generic(w, x)
				diff := math.Abs(float64(got) - float64(want))
				if diff > 1e-5*mag+1e-30 || positive && !closeEnough(got, want) {
					t.Errorf("%s n=%d trial %d: kernel %g, generic %g (Σ|wx| %g)", k.name, n, trial, got, want, mag)
				}
			}
		}
	}
}

// TestRiscv64FloatDecode runs every code of each format through a one-value product with
// x = 1, so the kernels' conversions must be exact: bit for bit the generic kernel's
// result, NaN for NaN; then a NaN at every position of a longer row.
func TestRiscv64FloatDecode(t *testing.T) {
	one := []float32{1}
	check := func(k floatKernel, w []byte) {
		t.Helper()
		// The sums start at +0, so a -0 value comes out +0 from both kernels.
		got, want := k.fast(w, one), k.generic(w, one)
		if math.Float32bits(got) != math.Float32bits(want) && !(math.IsNaN(float64(got)) && math.IsNaN(float64(want))) ||
			got != k.value(w, 0) && !math.IsNaN(float64(got)) {
			t.Errorf("%s % x: kernel %g (%#x), want %g (%#x)", k.name, w, got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
	for _, k := range rvvFloatKernels {
		switch k.ew {
		case 1:
			for c := range 256 {
				check(k, []byte{byte(c)})
			}
		case 2:
			for c := range 1 << 16 {
				check(k, []byte{byte(c), byte(c >> 8)})
			}
		case 4:
			for _, f := range []float32{0, float32(math.Copysign(0, -1)), 1, -2.5, 1e-45, -1e-40, math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())} {
				check(k, f32sAsBytes([]float32{f}))
			}
		}
	}
	// A special value among ordinary ones: Inf and NaN propagate from any lane.
	for _, k := range rvvFloatKernels {
		n := 37
		for pos := range n {
			w := make([]byte, n*k.ew)
			x := make([]float32, n)
			for i := range x {
				x[i] = 1
			}
			switch k.name {
			case "F32", "F32LE":
				copy(w[4*pos:], f32sAsBytes([]float32{float32(math.NaN())}))
			case "F16":
				w[2*pos+1] = 0x7e
			case "BF16":
				w[2*pos+1] = 0x7f
				w[2*pos] = 0xc0
			case "E4M3":
				w[pos] = 0x7f
			}
			if got := k.fast(w, x); !math.IsNaN(float64(got)) {
				t.Errorf("%s: NaN at %d of %d gives %g", k.name, pos, n, got)
			}
		}
	}
}
