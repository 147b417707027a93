//go:build !noasm

package quant

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The arm64 kernels against their generic twins: both assembly versions of each integer
// kernel (plain NEON always, SDOT where the CPU has it) and the float kernels, with every
// slice ending where a PROT_NONE page begins, so a read past the end faults.
//
// Run on an amd64 machine with QEMU user mode:
//
//	GOARCH=arm64 go test -exec "qemu-aarch64-static -cpu cortex-a72" ./quant/  (NEON only)
//	GOARCH=arm64 go test -exec "qemu-aarch64-static -cpu max" ./quant/         (NEON + SDOT)

// a64Guarded returns n zero bytes that end at a page followed by an inaccessible one.
func a64Guarded(t testing.TB, n int) []byte {
	ps := unix.Getpagesize()
	size := (n + ps - 1) / ps * ps
	m, err := unix.Mmap(-1, 0, size+ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Mprotect(m[size:], unix.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Munmap(m) })
	return m[size-n : size : size]
}

// a64Copy copies s to guarded memory.
func a64Copy[T any](t testing.TB, s []T) []T {
	if len(s) == 0 {
		return s[:0:0]
	}
	sz := int(unsafe.Sizeof(s[0]))
	b := a64Guarded(t, sz*len(s))
	c := unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(s))
	copy(c, s)
	return c
}

func TestArm64Features(t *testing.T) {
	t.Logf("kernels: %s", CPUKernels())
	if !CPUKernels().has(extNEON) {
		t.Error("no ASIMD detected: every arm64 core has it")
	}
}

func TestGuardPage(t *testing.T) {
	b := a64Guarded(t, 10)
	b[9] = 1 // the last byte is writable; b[10] would fault
	if len(b) != 10 || cap(b) != 10 {
		t.Fatal(len(b), cap(b))
	}
}

type a64IntKernel struct {
	typ             DType
	neon, sdot, gen func(w []byte, q []int8, d []float32, s []int16) float32
	dispatched      func(w []byte, q []int8, d []float32, s []int16) float32
	scales, dmin    int // offsets of the f16 scale and min (-1: none) in a block
}

func a64Q8(f func(w []byte, q []int8, d []float32) float32) func(w []byte, q []int8, d []float32, s []int16) float32 {
	return func(w []byte, q []int8, d []float32, _ []int16) float32 { return f(w, q, d) }
}

var a64IntKernels = []a64IntKernel{
	{Q8_0, a64Q8(dotQ8_0Q8NEON), a64Q8(dotQ8_0Q8SDOT), a64Q8(dotQ8_0Q8Generic), cpuKernels.dotQ8_0Q8, 0, -1},
	{Q4_0, a64Q8(dotQ4_0Q8NEON), a64Q8(dotQ4_0Q8SDOT), a64Q8(dotQ4_0Q8Generic), cpuKernels.dotQ4_0Q8, 0, -1},
	{Q2_K, dotQ2_KQ8KNEON, dotQ2_KQ8KSDOT, dotQ2_KQ8KGeneric, cpuKernels.dotQ2_KQ8K, 80, 82},
	{Q3_K, dotQ3_KQ8KNEON, dotQ3_KQ8KSDOT, dotQ3_KQ8KGeneric, cpuKernels.dotQ3_KQ8K, 108, -1},
	{Q4_K, dotQ4_KQ8KNEON, dotQ4_KQ8KSDOT, dotQ4_KQ8KGeneric, cpuKernels.dotQ4_KQ8K, 0, 2},
	{Q5_K, dotQ5_KQ8KNEON, dotQ5_KQ8KSDOT, dotQ5_KQ8KGeneric, cpuKernels.dotQ5_KQ8K, 0, 2},
	{Q6_K, dotQ6_KQ8KNEON, dotQ6_KQ8KSDOT, dotQ6_KQ8KGeneric, cpuKernels.dotQ6_KQ8K, 208, -1},
}

// a64Bound is the scale of the float rounding in the generic sum: Σ over blocks of the
// magnitudes of its scale and min terms.
func a64Bound(k a64IntKernel, w []byte, q []int8, d []float32, s []int16) float64 {
	bb, bs := k.typ.BlockBytes(), k.typ.BlockSize()
	var sum float64
	for b := range d {
		wb := append([]byte(nil), w[bb*b:][:bb]...)
		qb, db := q[bs*b:][:bs], d[b:b+1]
		var sb []int16
		if s != nil {
			sb = s[16*b:][:16]
		}
		all := float64(k.gen(wb, qb, db, sb))
		if k.dmin < 0 {
			sum += math.Abs(all)
			continue
		}
		wb[k.dmin], wb[k.dmin+1] = 0, 0
		sc := float64(k.gen(wb, qb, db, sb))
		sum += math.Abs(sc) + math.Abs(all-sc)
	}
	return sum
}

func TestArm64IntKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	putF16 := func(w []byte, off int, h uint16) { binary.LittleEndian.PutUint16(w[off:], h) }
	for _, k := range a64IntKernels {
		bb, bs := k.typ.BlockBytes(), k.typ.BlockSize()
		for nb := 0; nb <= 17; nb++ {
			cols := nb * bs
			for mode := range 10 {
				var (
					w     []byte
					q     []int8
					d     []float32
					s     []int16
					exact bool // unit scales: the integers must come out exactly
				)
				switch mode {
				case 0, 1: // quantized rows or arbitrary bytes with finite scales, prepared input
					if mode == 0 {
						w = randomRow(k.typ, cols, r, 1)
					} else {
						w = randomBytes(k.typ, cols, r)
					}
					var in Input
					if nb > 0 {
						in.Prepare(CPUKernels(), k.typ, randomVector(cols, r, 1), 1, cols, cols)
						q, d, s = in.vec(0)
					}
				default: // arbitrary bytes, full int8 and int16 range
					w = make([]byte, nb*bb)
					for i := range w {
						w[i] = byte(r.Uint32())
					}
					q = make([]int8, cols)
					for i := range q {
						q[i] = int8(r.Uint32())
					}
					d = make([]float32, nb)
					for i := range d {
						d[i] = float32(r.NormFloat64())
					}
					s = make([]int16, 16*nb)
					for i := range s {
						s[i] = int16(r.Uint32())
					}
					// worst cases for the 16-bit partial sums: extreme bytes and values
					if mode >= 5 {
						ext := []byte{0x00, 0xff, 0x80, 0x7f, 0x88, 0x77}
						for i := range w {
							if mode == 5 {
								w[i] = ext[r.IntN(len(ext))]
							} else {
								w[i] = ext[mode-6]
							}
						}
						for i := range q {
							if mode == 5 {
								q[i] = []int8{-128, 127, -127}[r.IntN(3)]
							} else {
								q[i] = -128
							}
						}
					}
					for b := range nb {
						switch mode {
						case 2: // finite random scales
							putF16(w, bb*b+k.scales, F32ToF16(float32(r.NormFloat64()*0.01)))
							if k.dmin >= 0 {
								putF16(w, bb*b+k.dmin, F32ToF16(float32(r.NormFloat64()*0.01)))
							}
						case 3: // extreme scales: huge and subnormal halves, tiny and huge inputs
							putF16(w, bb*b+k.scales, []uint16{0x7bff, 0x0001, 0xfbff, 0x8001}[r.IntN(4)])
							if k.dmin >= 0 {
								putF16(w, bb*b+k.dmin, []uint16{0x7bff, 0x0001, 0x0400}[r.IntN(3)])
							}
							d[b] = []float32{1e-30, 1e-20, 1e20, 1e25, -1e-30}[r.IntN(5)]
						default: // unit scales: exact
							exact = true
							putF16(w, bb*b+k.scales, 0x3c00)
							if k.dmin >= 0 {
								putF16(w, bb*b+k.dmin, 0x3c00)
							}
							d[b] = 1
						}
					}
				}
				if bs == 32 {
					s = nil // Q8_0 and Q4_0 take no sums
				}
				want := k.gen(w, q, d, s)
				bound := a64Bound(k, w, q, d, s)
				gw, gq, gd, gs := a64Copy(t, w), a64Copy(t, q), a64Copy(t, d), a64Copy(t, s)
				check := func(name string, got float32) {
					t.Helper()
					ok := got == want || math.IsNaN(float64(got)) && math.IsNaN(float64(want))
					if !ok && !exact {
						diff := math.Abs(float64(got) - float64(want))
						ok = diff <= 1e-5*bound || diff < 1e-37
					}
					if !ok {
						t.Errorf("%v %s: %d blocks, mode %d: got %g, generic %g (bound %g)", k.typ, name, nb, mode, got, want, bound)
					}
				}
				check("neon", k.neon(gw, gq, gd, gs))
				if CPUKernels().has(extDotProd) {
					check("sdot", k.sdot(gw, gq, gd, gs))
				}
				check("dispatched", k.dispatched(gw, gq, gd, gs))
			}
		}
	}
	if !CPUKernels().has(extDotProd) {
		t.Log("no dot product instructions: SDOT kernels not run")
	}
}

// TestArm64IntKernelsShort: rows and inputs too short for d's blocks go to the generic
// kernels, which panic as Go slices do, rather than the assembly reading past them.
func TestArm64IntKernelsShort(t *testing.T) {
	for _, k := range a64IntKernels {
		bb, bs := k.typ.BlockBytes(), k.typ.BlockSize()
		for short := range 3 {
			w, q, d, s := make([]byte, 2*bb), make([]int8, 2*bs), make([]float32, 2), make([]int16, 32)
			switch short {
			case 0:
				w = w[:2*bb-1]
			case 1:
				q = q[:2*bs-1]
			case 2:
				if k.dmin < 0 { // Q8_0, Q4_0, Q3_K, Q6_K read no sums
					continue
				}
				s = s[:31]
			}
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%v short %d: no panic", k.typ, short)
					}
				}()
				k.dispatched(a64Copy(t, w), a64Copy(t, q), a64Copy(t, d), a64Copy(t, s))
			}()
		}
	}
}

type a64FloatKernel struct {
	name       string
	size       int // bytes per weight
	neon, gen  func([]byte, []float32) float32
	dispatched func([]byte, []float32) float32
	enc        func(float32) []byte // a float in the format
	special    [][]byte             // NaN, +Inf, -Inf codes (nil: none)
}

func a64F32(f func(a, b []float32) float32) func([]byte, []float32) float32 {
	return func(w []byte, x []float32) float32 {
		a := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(w))), len(w)/4)
		return f(a, x)
	}
}

func a64LE16(h uint16) []byte { return []byte{byte(h), byte(h >> 8)} }

var a64FloatKernels = []a64FloatKernel{
	{"f32", 4, a64F32(dotF32NEON), a64F32(dotF32Generic), a64F32(cpuKernels.dotF32),
		func(f float32) []byte { return binary.LittleEndian.AppendUint32(nil, math.Float32bits(f)) },
		[][]byte{{0, 0, 0xc0, 0x7f}, {0, 0, 0x80, 0x7f}, {0, 0, 0x80, 0xff}}},
	{"f32le", 4, dotF32LENEON, dotF32LEGeneric, cpuKernels.dotF32LE,
		func(f float32) []byte { return binary.LittleEndian.AppendUint32(nil, math.Float32bits(f)) },
		[][]byte{{1, 0, 0x80, 0x7f}, {0, 0, 0x80, 0x7f}, {0, 0, 0x80, 0xff}}},
	{"f16", 2, dotF16NEON, dotF16Generic, cpuKernels.dotF16,
		func(f float32) []byte { return a64LE16(F32ToF16(f)) },
		[][]byte{{0x01, 0x7c}, {0x00, 0x7c}, {0x00, 0xfc}}},
	{"bf16", 2, dotBF16NEON, dotBF16Generic, cpuKernels.dotBF16,
		func(f float32) []byte { return a64LE16(F32ToBF16(f)) },
		[][]byte{{0x81, 0x7f}, {0x80, 0x7f}, {0x80, 0xff}}},
	{"e4m3", 1, dotE4M3NEON, dotE4M3Generic, cpuKernels.dotE4M3,
		func(f float32) []byte { return []byte{F32ToE4M3(f)} },
		[][]byte{{0x7f}, {0xff}}},
}

func TestArm64FloatKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	lengths := []int{255, 256, 1000, 4099}
	for n := range 80 {
		lengths = append(lengths, n)
	}
	for _, k := range a64FloatKernels {
		for _, n := range lengths {
			for mode := range 5 {
				var wscale, xscale float64 = 1, 1
				switch mode {
				case 1:
					xscale = 1e-30
				case 2:
					xscale = 1e30
				case 3:
					wscale = 1e3
				}
				w := make([]byte, 0, n*k.size)
				for range n {
					w = append(w, k.enc(float32(r.NormFloat64()*wscale))...)
				}
				if k.name == "f32" && mode == 2 {
					xscale = 1e15 // keep f32·f32 products finite
				}
				x := randomVector(n, r, xscale)
				if mode == 4 && n > 0 { // arbitrary bits, finite
					for i := range w {
						w[i] = byte(r.Uint32())
					}
					for i := range n {
						c := w[i*k.size:][:k.size]
						switch k.name {
						case "f32", "f32le":
							c[3] &= 0xbf // exponent below 128: finite, products small
						case "f16":
							c[1] &= 0xbf
						case "bf16":
							c[1] &= 0xbf
						case "e4m3":
							if c[0]&0x7f == 0x7f {
								c[0] &= 0xfe
							}
						}
					}
				}
				want := k.gen(w, x)
				var bound float64
				for i := range n {
					bound += math.Abs(float64(k.gen(w[i*k.size:][:k.size], x[i:i+1])))
				}
				gw, gx := a64Copy(t, w), a64Copy(t, x)
				n16 := n &^ 15
				check := func(name string, got, want float32, bound float64) {
					t.Helper()
					diff := math.Abs(float64(got) - float64(want))
					if !(got == want || diff <= 1e-5*bound || diff < 1e-37 || math.IsNaN(float64(got)) && math.IsNaN(float64(want))) {
						t.Errorf("%s %s: n %d mode %d: got %g, generic %g (bound %g)", k.name, name, n, mode, got, want, bound)
					}
				}
				check("dispatched", k.dispatched(gw, gx), want, bound)
				// the assembly alone, on the first n16 values
				w16, x16 := a64Copy(t, w[:n16*k.size]), a64Copy(t, x[:n16])
				var b16 float64
				for i := range n16 {
					b16 += math.Abs(float64(k.gen(w[i*k.size:][:k.size], x[i:i+1])))
				}
				check("neon", k.neon(w16, x16), k.gen(w[:n16*k.size], x[:n16]), b16)
			}
			// one special value anywhere makes the sum NaN or infinite, as in the generic kernel
			if n > 0 {
				for si, sp := range k.special {
					w := make([]byte, 0, n*k.size)
					for range n {
						w = append(w, k.enc(float32(r.NormFloat64()))...)
					}
					copy(w[r.IntN(n)*k.size:], sp)
					x := randomVector(n, r, 1)
					for i := range x {
						x[i] = float32(math.Abs(float64(x[i]))) + 0.5 // positive: +Inf stays +Inf
					}
					want, got := k.gen(w, x), k.dispatched(a64Copy(t, w), a64Copy(t, x))
					if !(got == want || math.IsNaN(float64(got)) && math.IsNaN(float64(want))) {
						t.Errorf("%s special %d, n %d: got %g, generic %g", k.name, si, n, got, want)
					}
				}
			}
		}
	}
}

// TestArm64FloatConversions: every code of the 16- and 8-bit formats converts exactly.
func TestArm64FloatConversions(t *testing.T) {
	x := make([]float32, 16)
	for _, k := range a64FloatKernels {
		codes := 1 << (8 * k.size)
		if k.size == 4 {
			continue
		}
		w := make([]byte, 16*k.size)
		gw, gx := a64Copy(t, w), a64Copy(t, x)
		for c := range codes {
			lane := c % 16
			clear(gw)
			clear(gx)
			gx[lane] = 1.5
			if k.size == 2 {
				gw[2*lane], gw[2*lane+1] = byte(c), byte(c>>8)
			} else {
				gw[lane] = byte(c)
			}
			got, want := k.neon(gw, gx), k.gen(gw, gx)
			if !(got == want || math.IsNaN(float64(got)) && math.IsNaN(float64(want))) {
				t.Errorf("%s code %#x: got %g, generic %g", k.name, c, got, want)
			}
		}
	}
}

// TestArm64Encodings re-assembles the GNU spelling in the comment of every WORD in the
// assembly files with llvm-mc, where it is installed (under QEMU user mode the host's
// llvm-mc runs natively), and compares the encodings.
func TestArm64Encodings(t *testing.T) {
	mc, err := exec.LookPath("llvm-mc")
	if err != nil {
		t.Skip("llvm-mc not installed")
	}
	// A WORD with its instruction in a line comment, or, inside a macro, in a /* */ one.
	re := regexp.MustCompile(`^\s*WORD \$0x([0-9a-f]{8}) (?:// (.*)|/\* (.*) \*/(?: \\)?)$`)
	for _, file := range []string{"dotq_arm64.s", "dot_arm64.s"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var words, asm []string
		for _, line := range strings.Split(string(src), "\n") {
			if m := re.FindStringSubmatch(line); m != nil {
				words, asm = append(words, m[1]), append(asm, m[2]+m[3])
			} else if strings.Contains(line, "WORD $") {
				t.Errorf("%s: unparsed %q", file, line)
			}
		}
		cmd := exec.Command(mc, "-triple=aarch64", "-mattr=+dotprod,+neon", "-show-encoding")
		cmd.Stdin = strings.NewReader(strings.Join(asm, "\n") + "\n")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Skipf("llvm-mc: %v", err)
		}
		enc := regexp.MustCompile(`encoding: \[0x(..),0x(..),0x(..),0x(..)\]`).FindAllStringSubmatch(string(out), -1)
		if len(enc) != len(words) {
			t.Fatalf("%s: %d WORDs, llvm-mc encoded %d:\n%s", file, len(words), len(enc), out)
		}
		for i, e := range enc {
			if got := fmt.Sprintf("%s%s%s%s", e[4], e[3], e[2], e[1]); got != words[i] {
				t.Errorf("%s: %q is %s, WORD says %s", file, asm[i], got, words[i])
			}
		}
		t.Logf("%s: %d encodings checked", file, len(words))
	}
}
