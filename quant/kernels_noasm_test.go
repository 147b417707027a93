//go:build noasm

package quant

import "testing"

// TestNoasm: built with the noasm tag, the package has no extension to use, so every
// product runs the portable kernels.
func TestNoasm(t *testing.T) {
	if k := CPUKernels(); k != (Kernels{}) {
		t.Errorf("CPUKernels() = %v with the noasm tag, want generic", k)
	}
}
