package quant

import (
	"fmt"
	"strings"
)

// Kernels is a choice of kernel implementations: the instruction-set extensions the
// assembly kernels may use. The zero Kernels uses none, so every product runs the
// portable Go kernels; CPUKernels is everything this machine can run, and Narrow turns
// some of it off, for comparison or to rule the assembly out.
//
// A Kernels is a plain value that the caller passes in: to Input.Prepare for the matrix
// products (MulInput runs the kernels its Input was prepared with) and as the receiver of
// the vector operations (Kernels.DotF32, ...). Nothing in the package changes one. The
// package-level functions (DotF32, ...) and Matrix.MulVec and MulMat run CPUKernels.
type Kernels struct{ ext ext }

// ext is a set of instruction-set extensions.
type ext uint16

// The extensions the assembly uses.
const (
	extAVX2    ext = 1 << iota // amd64: AVX2 + FMA3
	extF16C                    // amd64: half-precision conversions
	extAVX512                  // amd64: AVX-512 F + BW + VL
	extVNNI                    // amd64: AVX-512 VNNI (with F, BW and VL)
	extAVXVNNI                 // amd64: AVX-VNNI (VEX-encoded)
	extNEON                    // arm64: Advanced SIMD
	extDotProd                 // arm64: the dot-product instructions SDOT/UDOT
	extRVV                     // riscv64: the vector extension 1.0, VLEN >= 128
	// extReorder is not an instruction set but a permission: kernels that add a batch's
	// products in another order than the one-vector kernels (faster for batches, but a
	// vector's product then depends, by a rounding, on the vectors that come with it) may
	// run. CPUKernels leaves it out; BatchVariant adds it.
	extReorder

	// extAVX2Int is what amd64's integer kernels need (the F16C converts the blocks' scales).
	extAVX2Int = extAVX2 | extF16C
	// extAVX512All is what the "avx2" setting turns off.
	extAVX512All = extAVX512 | extVNNI | extAVXVNNI
)

// cpuKernels is what this CPU offers (detect, in kernels_$GOARCH.go), read once when the
// package initialises, as internal/cpu reads its flags, and never changed.
var cpuKernels = Kernels{detect()}

// CPUKernels returns every kernel this CPU can run: the extensions it has that the
// assembly uses (read with github.com/klauspost/cpuid/v2 on amd64 and arm64, from AT_HWCAP
// on riscv64), or none on other architectures and in a build with the noasm tag.
func CPUKernels() Kernels { return cpuKernels }

// BatchVariant returns k allowed the kernels whose rounding depends on the batch: the
// sixteen-vector kernels of Q8_0 (without AVX-512 VNNI) and Q5_0, which add blocks in
// another order than the one-vector kernels. With them, prefill and batched
// decoding run faster where they apply, but a vector's product may differ in its last bits
// with the number of vectors it is multiplied with. Without them (every Kernels but one
// this returns), MulInput gives each vector bit for bit the product it gets alone, on
// every format: a row's result does not depend on the batch it shares.
func (k Kernels) BatchVariant() Kernels { return Kernels{k.ext | extReorder} }

// has reports whether k may use every extension of e.
func (k Kernels) has(e ext) bool { return k.ext&e == e }

// Narrow returns k less what setting turns off, in any case: "" nothing, "generic"
// everything (the portable Go kernels only), "avx2" AVX-512 (amd64: the AVX2 kernels
// where both exist, to compare them on a machine with both). Any other setting is an
// error that names it, so that a mistyped choice does not pass unnoticed.
func (k Kernels) Narrow(setting string) (Kernels, error) {
	switch {
	case setting == "":
		return k, nil
	case strings.EqualFold(setting, "generic"):
		return Kernels{}, nil
	case strings.EqualFold(setting, "avx2"):
		return Kernels{k.ext &^ extAVX512All}, nil
	}
	return k, fmt.Errorf("kernels %q: want generic (the portable Go kernels only), avx2 (no AVX-512), or nothing", setting)
}

// String names the extensions k uses, for logs and benchmarks: "avx2+f16c",
// "neon+dotprod", or "generic" for none.
func (k Kernels) String() string {
	var parts []string
	for _, n := range [...]struct {
		e    ext
		name string
	}{
		{extAVX2, "avx2"}, {extF16C, "f16c"}, {extAVX512, "avx512"}, {extVNNI, "vnni"}, {extAVXVNNI, "avxvnni"},
		{extNEON, "neon"}, {extDotProd, "dotprod"}, {extRVV, "rvv"}, {extReorder, "batch-variant"},
	} {
		if k.has(n.e) {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "generic"
	}
	return strings.Join(parts, "+")
}
