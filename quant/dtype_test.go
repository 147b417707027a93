package quant

import "testing"

func TestDType(t *testing.T) {
	tests := []struct {
		t    DType
		name string
		size int
	}{
		{F32, "F32", 4},
		{F16, "F16", 2},
		{BF16, "BF16", 2},
		{F8E4M3, "F8_E4M3", 1},
		{0, "DType(0)", 0},
		{42, "DType(42)", 0},
	}
	for _, tt := range tests {
		if got := tt.t.String(); got != tt.name {
			t.Errorf("DType(%d).String() = %q, want %q", uint8(tt.t), got, tt.name)
		}
		if got := tt.t.ElemSize(); got != tt.size {
			t.Errorf("%v.ElemSize() = %d, want %d", tt.t, got, tt.size)
		}
	}
}

func TestParseDType(t *testing.T) {
	for d := F32; d <= Q6_K; d++ {
		if got, ok := ParseDType(d.String()); !ok || got != d {
			t.Errorf("ParseDType(%q) = %v, %v", d.String(), got, ok)
		}
	}
	if _, ok := ParseDType("IQ2_XXS"); ok {
		t.Error("IQ2_XXS parsed")
	}
}
