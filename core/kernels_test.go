package core

import (
	"strings"
	"testing"

	"github.com/deepgo/deepgo/quant"
)

// TestOptionsKernels: Options.Kernels, or else DEEPGO_KERNELS, narrows the CPU's kernels; a
// value neither knows is refused when the model is opened, naming where it came from.
func TestOptionsKernels(t *testing.T) {
	generic := quant.Kernels{}
	for _, c := range []struct {
		name, option, env string
		want              quant.Kernels
		bad               string // what the error names; "" for none
	}{
		{name: "default", want: quant.CPUKernels()},
		{name: "option", option: "generic", want: generic},
		{name: "env", env: "GENERIC", want: generic},
		{name: "option over env", option: "generic", env: "gneric", want: generic},
		{name: "unknown env", env: "gneric", bad: `DEEPGO_KERNELS: kernels "gneric"`},
		{name: "unknown option", option: "avx512", bad: `kernels "avx512"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("DEEPGO_KERNELS", c.env)
			k, err := Options{Kernels: c.option}.kernels()
			if c.bad != "" {
				if err == nil || !strings.Contains(err.Error(), c.bad) {
					t.Fatalf("kernels() error %v, want one naming %s", err, c.bad)
				}
				if _, err := Open("/nonexistent", Options{Kernels: c.option}); err == nil || !strings.Contains(err.Error(), c.bad) {
					t.Errorf("Open error %v, want one naming %s", err, c.bad)
				}
				return
			}
			if err != nil || k != c.want {
				t.Errorf("kernels() = %v, %v; want %v", k, err, c.want)
			}
		})
	}
}
