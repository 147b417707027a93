//go:build !noasm

package quant

import "github.com/klauspost/cpuid/v2"

// detect reads the x86 extensions the amd64 assembly uses.
func detect() (e ext) {
	c := &cpuid.CPU
	if c.Supports(cpuid.AVX2, cpuid.FMA3) {
		e |= extAVX2
	}
	if c.Supports(cpuid.F16C) {
		e |= extF16C
	}
	if c.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL) {
		e |= extAVX512
	}
	if c.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX512VNNI) {
		e |= extVNNI
	}
	if c.Supports(cpuid.AVX2, cpuid.AVXVNNI) {
		e |= extAVXVNNI
	}
	return e
}
