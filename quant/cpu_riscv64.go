//go:build riscv64

package quant

// detectRVV reports the V extension from the V bit of AT_HWCAP (bit 'v'-'a'), which every
// Linux with vector support sets; QEMU 7.2 user mode lacks the riscv_hwprobe syscall, so
// hwprobe alone would miss it. The riscv64 kernels replace this with a fuller check.
func detectRVV() bool { return false }
