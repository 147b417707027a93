//go:build !noasm

package quant

import "github.com/klauspost/cpuid/v2"

// detect reads the arm64 extensions the assembly uses: Advanced SIMD, which every arm64
// core has, and the dot-product instructions (Cortex-A76 and newer, Graviton 2+, Apple).
func detect() (e ext) {
	c := &cpuid.CPU
	if c.Supports(cpuid.ASIMD) {
		e |= extNEON
	}
	if c.Supports(cpuid.ASIMD, cpuid.ASIMDDP) {
		e |= extDotProd
	}
	return e
}
