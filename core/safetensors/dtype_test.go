package safetensors

import (
	"cmp"
	"testing"
)

func TestDTypeSize(t *testing.T) {
	tests := []struct {
		d    DType
		want int
	}{
		{F64, 8}, {F32, 4}, {F16, 2}, {BF16, 2},
		{F8E4M3, 1}, {F8E5M2, 1}, {F8E8M0, 1},
		{I64, 8}, {I32, 4}, {I16, 2}, {I8, 1},
		{U64, 8}, {U32, 4}, {U16, 2}, {U8, 1}, {Bool, 1},
		{"F8_E4M3", 1}, {"BOOL", 1},
		{"", 0}, {"bf16", 0}, {"Q4_K", 0}, {"F4", 0},
	}
	for _, tt := range tests {
		t.Run(cmp.Or(string(tt.d), "empty"), func(t *testing.T) {
			if got := tt.d.Size(); got != tt.want {
				t.Errorf("DType(%q).Size() = %d, want %d", string(tt.d), got, tt.want)
			}
		})
	}
}
