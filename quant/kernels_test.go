package quant

import (
	"strings"
	"testing"
)

// TestKernelsSetting: DEEPGO_KERNELS accepts generic and avx2 (any case) or nothing, and a
// value it does not know is reported by check, naming the value, not silently ignored.
func TestKernelsSetting(t *testing.T) {
	for _, c := range []struct {
		v   string
		bad bool
	}{{"", false}, {"generic", false}, {"GENERIC", false}, {"avx2", false}, {"AVX2", false}, {"avx512", true}, {"gneric", true}} {
		t.Setenv("DEEPGO_KERNELS", c.v)
		f := detect()
		err := f.check()
		if (err != nil) != c.bad {
			t.Errorf("DEEPGO_KERNELS=%q: check() = %v, want an error: %v", c.v, err, c.bad)
		}
		if err != nil && !strings.Contains(err.Error(), c.v) {
			t.Errorf("DEEPGO_KERNELS=%q: %v does not name the value", c.v, err)
		}
		if strings.EqualFold(c.v, "avx2") && (f.avx512 || f.vnni || f.avxvnni) {
			t.Errorf("DEEPGO_KERNELS=%q left AVX-512 on: %+v", c.v, f)
		}
		if strings.EqualFold(c.v, "generic") && f != (features{}) {
			t.Errorf("DEEPGO_KERNELS=%q left kernels on: %+v", c.v, f)
		}
	}
}
