//go:build noasm || !(amd64 || arm64 || riscv64)

package quant

// detect: without assembly (the noasm build tag, or an architecture that has none) there
// is no extension to use; every product runs the portable Go kernels.
func detect() ext { return 0 }
