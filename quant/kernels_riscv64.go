//go:build !noasm

package quant

import "golang.org/x/sys/unix"

const (
	atHWCAP  = 16               // AT_HWCAP in the ELF auxiliary vector
	hwcapV   = 1 << ('v' - 'a') // the single-letter extension bits of riscv Linux
	minVLENB = 16               // VLEN >= 128 bits (Zvl128b): the kernels ask for 16 e16 lanes at m2
)

// detect reads the vector extension the riscv64 assembly uses.
func detect() ext {
	if detectRVV() {
		return extRVV
	}
	return 0
}

// detectRVV reports the V extension (1.0) from the V bit of AT_HWCAP (bit 'v'-'a'), which
// Linux sets only where the vector unit is usable (kernel 6.5 on); QEMU 7.2 user mode lacks
// the riscv_hwprobe syscall, so hwprobe alone would miss it. With V it also reads vlenb
// and requires VLEN >= 128, which V implies and the kernels rely on.
func detectRVV() bool {
	return hwcapHasV() && rvvVLENB() >= minVLENB
}

// hwcapHasV reads AT_HWCAP from the auxiliary vector the runtime kept.
func hwcapHasV() bool {
	auxv, err := unix.Auxv()
	if err != nil {
		return false
	}
	for _, kv := range auxv {
		if kv[0] == atHWCAP {
			return kv[1]&hwcapV != 0
		}
	}
	return false
}
