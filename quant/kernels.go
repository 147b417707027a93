package quant

import (
	"fmt"
	"os"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// features are the instruction-set extensions the kernels may use, detected once at
// start-up (github.com/klauspost/cpuid/v2; riscv64 reads AT_HWCAP itself). Setting
// DEEPGO_KERNELS=generic in the environment turns them all off: every product then runs
// the portable Go kernels, for comparison or to rule the assembly out. DEEPGO_KERNELS=avx2
// turns off AVX-512 only (amd64), to compare the AVX2 kernels on a machine with both.
type features struct {
	avx2    bool // amd64: AVX2 + FMA3
	f16c    bool // amd64: half-precision conversions
	avx512  bool // amd64: AVX-512 F + BW + VL
	vnni    bool // amd64: AVX-512 VNNI
	avxvnni bool // amd64: AVX-VNNI (VEX-encoded)
	asimd   bool // arm64: Advanced SIMD (NEON)
	dotprod bool // arm64: SDOT/UDOT
	rvv     bool // riscv64: vector extension 1.0
	// setting is a DEEPGO_KERNELS value detect did not know (and ignored), for CheckKernels.
	setting string
}

// cpu is what this machine offers, read once.
var cpu = detect()

func detect() features {
	v, _ := os.LookupEnv("DEEPGO_KERNELS")
	if strings.EqualFold(v, "generic") {
		return features{}
	}
	c := &cpuid.CPU
	f := features{
		avx2:    c.Supports(cpuid.AVX2, cpuid.FMA3),
		f16c:    c.Supports(cpuid.F16C),
		avx512:  c.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL),
		vnni:    c.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX512VNNI),
		avxvnni: c.Supports(cpuid.AVX2, cpuid.AVXVNNI),
		asimd:   c.Supports(cpuid.ASIMD),
		dotprod: c.Supports(cpuid.ASIMD, cpuid.ASIMDDP),
	}
	f.rvv = detectRVV()
	switch {
	case strings.EqualFold(v, "avx2"):
		f.avx512, f.vnni, f.avxvnni = false, false, false
	case v != "":
		f.setting = v
	}
	return f
}

// CheckKernels reports a DEEPGO_KERNELS setting that is neither "generic" nor "avx2" (nor
// empty): it is ignored, the kernels chosen for the CPU run, and a program should say so
// rather than let a mistyped override pass unnoticed.
func CheckKernels() error { return cpu.check() }

func (f features) check() error {
	if f.setting != "" {
		return fmt.Errorf("DEEPGO_KERNELS=%q: want generic (portable Go kernels only), avx2 (no AVX-512), or nothing", f.setting)
	}
	return nil
}

// Kernels names the kernels in use, for logs and benchmarks: "avx2", "neon+dotprod", "generic"...
func Kernels() string {
	var parts []string
	for _, p := range []struct {
		on   bool
		name string
	}{
		{cpu.avx2, "avx2"}, {cpu.f16c, "f16c"}, {cpu.avx512, "avx512"}, {cpu.vnni, "vnni"}, {cpu.avxvnni, "avxvnni"},
		{cpu.asimd, "neon"}, {cpu.dotprod, "dotprod"}, {cpu.rvv, "rvv"},
	} {
		if p.on {
			parts = append(parts, p.name)
		}
	}
	if len(parts) == 0 {
		return "generic"
	}
	return strings.Join(parts, "+")
}
