//go:build !riscv64

package quant

func detectRVV() bool { return false }
