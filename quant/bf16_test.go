package quant

import (
	"math"
	"testing"
)

func TestBF16RoundTripAll(t *testing.T) {
	for i := range 1 << 16 {
		b := uint16(i)
		f := BF16ToF32(b)
		if math.Float32bits(f) != uint32(b)<<16 {
			t.Fatalf("BF16ToF32(%#04x) = %#08x", b, math.Float32bits(f))
		}
		got := F32ToBF16(f)
		if isNaN32(f) {
			if got&0x7f80 != 0x7f80 || got&0x7f == 0 || got&0x8000 != b&0x8000 {
				t.Errorf("F32ToBF16(BF16ToF32(%#04x)) = %#04x, want a NaN of the same sign", b, got)
			}
			continue
		}
		if got != b {
			t.Errorf("F32ToBF16(BF16ToF32(%#04x)) = %#04x", b, got)
		}
	}
}

func TestF32ToBF16(t *testing.T) {
	tests := []struct {
		name string
		bits uint32 // float32 input
		b    uint16
	}{
		{"one", 0x3f800000, 0x3f80},
		{"minus one", 0xbf800000, 0xbf80},
		{"tie down to even", 0x3f808000, 0x3f80},
		{"tie up to even", 0x3f818000, 0x3f82},
		{"above tie", 0x3f808001, 0x3f81},
		{"below tie", 0x3f807fff, 0x3f80},
		{"negative tie to even", 0xbf818000, 0xbf82},
		{"carry into exponent", 0x3fffffff, 0x4000},
		{"max finite", 0x7f7f0000, 0x7f7f},
		{"rounds to infinity", 0x7f7f8000, 0x7f80},
		{"max float32 rounds to infinity", 0x7f7fffff, 0x7f80},
		{"infinity", 0x7f800000, 0x7f80},
		{"minus infinity", 0xff800000, 0xff80},
		{"subnormal tie to even", 0x00018000, 0x0002},
		{"zero", 0, 0},
		{"minus zero", 0x80000000, 0x8000},
		{"quiet NaN", 0x7fc00000, 0x7fc0},
		{"NaN with low payload only stays NaN", 0x7f800001, 0x7fc0},
		{"NaN with payload 0x7fff stays NaN", 0x7f80ffff, 0x7fc0},
		{"negative NaN", 0xffc00001, 0xffc0},
	}
	for _, tt := range tests {
		if got := F32ToBF16(math.Float32frombits(tt.bits)); got != tt.b {
			t.Errorf("%s: F32ToBF16(%#08x) = %#04x, want %#04x", tt.name, tt.bits, got, tt.b)
		}
	}
}
