package quant

import (
	"strings"
	"testing"
)

// TestKernelsNarrow: a setting of generic or avx2 (any case), or none, narrows the kernels
// as it says; any other is an error that names it.
func TestKernelsNarrow(t *testing.T) {
	all := Kernels{extAVX2Int | extAVX512All | extNEON | extDotProd | extRVV}
	for _, c := range []struct {
		setting string
		want    Kernels
		bad     bool
	}{
		{"", all, false},
		{"generic", Kernels{}, false},
		{"GENERIC", Kernels{}, false},
		{"avx2", Kernels{extAVX2Int | extNEON | extDotProd | extRVV}, false},
		{"AVX2", Kernels{extAVX2Int | extNEON | extDotProd | extRVV}, false},
		{"avx512", all, true},
		{"gneric", all, true},
	} {
		t.Run(c.setting, func(t *testing.T) {
			got, err := all.Narrow(c.setting)
			if (err != nil) != c.bad {
				t.Fatalf("Narrow(%q) error %v, want an error: %v", c.setting, err, c.bad)
			}
			if err != nil && !strings.Contains(err.Error(), c.setting) {
				t.Errorf("%v does not name the setting", err)
			}
			if err == nil && got != c.want {
				t.Errorf("Narrow(%q) = %v, want %v", c.setting, got, c.want)
			}
		})
	}
}

// TestKernelsString names the extensions in a fixed order, and none as generic.
func TestKernelsString(t *testing.T) {
	for _, c := range []struct {
		k    Kernels
		want string
	}{
		{Kernels{}, "generic"},
		{Kernels{extAVX2Int}, "avx2+f16c"},
		{Kernels{extAVX2Int | extAVX512All}, "avx2+f16c+avx512+vnni+avxvnni"},
		{Kernels{extNEON | extDotProd}, "neon+dotprod"},
		{Kernels{extRVV}, "rvv"},
	} {
		t.Run(c.want, func(t *testing.T) {
			if got := c.k.String(); got != c.want {
				t.Errorf("%#v: %q", c.k, got)
			}
		})
	}
}

// TestImplementations: the tests' list of implementations starts with everything the CPU
// has, ends with the portable kernels, and holds no choice twice.
func TestImplementations(t *testing.T) {
	ks := implementations()
	t.Logf("implementations: %v", ks)
	if ks[0] != CPUKernels() || ks[len(ks)-1] != (Kernels{}) {
		t.Errorf("implementations %v: want %v first and generic last", ks, CPUKernels())
	}
	seen := map[Kernels]bool{}
	for _, k := range ks {
		if seen[k] {
			t.Errorf("%v listed twice", k)
		}
		seen[k] = true
	}
}
