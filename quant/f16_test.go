package quant

import (
	"math"
	"testing"
)

// f16Ref decodes a half from first principles, in float64.
func f16Ref(h uint16) float64 {
	exp := int(h>>10) & 0x1f
	mant := float64(h & 0x3ff)
	var v float64
	switch exp {
	case 0:
		v = math.Ldexp(mant, -24)
	case 0x1f:
		if mant != 0 {
			return math.NaN()
		}
		v = math.Inf(1)
	default:
		v = math.Ldexp(1024+mant, exp-25)
	}
	if h&0x8000 != 0 {
		v = -v
	}
	return v
}

func isNaN32(f float32) bool { return f != f }

func TestF16ToF32All(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		got := F16ToF32(h)
		want := f16Ref(h)
		if math.IsNaN(want) {
			if !isNaN32(got) {
				t.Errorf("F16ToF32(%#04x) = %v, want NaN", h, got)
			}
			// The payload survives.
			if b := math.Float32bits(got); uint16(b>>13)&0x3ff != h&0x3ff || b>>31 != uint32(h>>15) {
				t.Errorf("F16ToF32(%#04x) = NaN %#08x: payload or sign lost", h, b)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != math.Signbit(want) {
			t.Errorf("F16ToF32(%#04x) = %v, want %v", h, got, want)
		}
	}
}

func TestF16Table(t *testing.T) {
	for i := range 1 << 16 {
		if got, want := f16Table[i], F16ToF32(uint16(i)); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("f16Table[%#04x] = %v, F16ToF32 gives %v", i, got, want)
		}
	}
}

func TestF16RoundTripAll(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		f := F16ToF32(h)
		got := F32ToF16(f)
		if isNaN32(f) {
			if got&0x7c00 != 0x7c00 || got&0x3ff == 0 || got&0x8000 != h&0x8000 {
				t.Errorf("F32ToF16(F16ToF32(%#04x)) = %#04x, want a NaN of the same sign", h, got)
			}
			continue
		}
		if got != h {
			t.Errorf("F32ToF16(F16ToF32(%#04x) = %v) = %#04x", h, f, got)
		}
	}
}

func TestF16Known(t *testing.T) {
	tests := []struct {
		h uint16
		f float32
	}{
		{0x0000, 0},
		{0x3c00, 1},
		{0xbc00, -1},
		{0x4000, 2},
		{0x3555, 0.333251953125},
		{0x7bff, 65504},
		{0x0400, 0x1p-14},
		{0x0001, 0x1p-24},
		{0x03ff, 0x3ffp-24},
		{0x7c00, float32(math.Inf(1))},
		{0xfc00, float32(math.Inf(-1))},
	}
	for _, tt := range tests {
		if got := F16ToF32(tt.h); got != tt.f {
			t.Errorf("F16ToF32(%#04x) = %v, want %v", tt.h, got, tt.f)
		}
		if got := F32ToF16(tt.f); got != tt.h {
			t.Errorf("F32ToF16(%v) = %#04x, want %#04x", tt.f, got, tt.h)
		}
	}
	if got := F16ToF32(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("F16ToF32(0x8000) = %v, want -0", got)
	}
}

func TestF32ToF16Rounding(t *testing.T) {
	nan := math.Float32frombits(0x7fc00001)
	tests := []struct {
		name string
		f    float32
		h    uint16
	}{
		{"half ulp above 1 ties to even (down)", 1 + 0x1p-11, 0x3c00},
		{"just above half ulp rounds up", 1 + 0x1p-11 + 0x1p-20, 0x3c01},
		{"1.5 ulp above 1 ties to even (up)", 1 + 3*0x1p-11, 0x3c02},
		{"negative tie", -(1 + 3*0x1p-11), 0xbc02},
		{"carry into exponent", 2 - 0x1p-12, 0x4000},
		{"max finite", 65504, 0x7bff},
		{"tie above max finite rounds to infinity", 65520, 0x7c00},
		{"just below that tie", 65519.99, 0x7bff},
		{"overflow", 1e6, 0x7c00},
		{"negative overflow", -1e6, 0xfc00},
		{"infinity", float32(math.Inf(1)), 0x7c00},
		{"smallest subnormal", 0x1p-24, 0x0001},
		{"half the smallest subnormal ties to zero", 0x1p-25, 0x0000},
		{"above half the smallest subnormal", 0x1p-25 + 0x1p-40, 0x0001},
		{"1.5 smallest subnormals ties to even", 3 * 0x1p-25, 0x0002},
		{"subnormal carries to normal", 0x1p-14 - 0x1p-26, 0x0400},
		{"tiny", 1e-30, 0x0000},
		{"negative tiny", -1e-30, 0x8000},
		{"quiet NaN", nan, 0x7e00},
		{"signaling NaN stays NaN", math.Float32frombits(0x7f800001), 0x7e00},
		{"negative NaN", math.Float32frombits(0xffc00000), 0xfe00},
	}
	for _, tt := range tests {
		if got := F32ToF16(tt.f); got != tt.h {
			t.Errorf("%s: F32ToF16(%v) = %#04x, want %#04x", tt.name, tt.f, got, tt.h)
		}
	}
}

// TestF32ToF16Midpoints checks every midpoint between adjacent positive
// finite halves rounds to the even one, and its float32 neighbours round to
// the nearer one.
func TestF32ToF16Midpoints(t *testing.T) {
	for h := uint16(0); h < 0x7bff; h++ {
		lo, hi := F16ToF32(h), F16ToF32(h+1)
		mid := (lo + hi) / 2 // exact in float32
		even := h
		if h&1 == 1 {
			even = h + 1
		}
		if got := F32ToF16(mid); got != even {
			t.Fatalf("F32ToF16(midpoint %v of %#04x,%#04x) = %#04x, want %#04x", mid, h, h+1, got, even)
		}
		if got := F32ToF16(math.Nextafter32(mid, 0)); got != h {
			t.Fatalf("F32ToF16(just below midpoint of %#04x,%#04x) = %#04x", h, h+1, got)
		}
		if got := F32ToF16(math.Nextafter32(mid, 1e9)); got != h+1 {
			t.Fatalf("F32ToF16(just above midpoint of %#04x,%#04x) = %#04x", h, h+1, got)
		}
		if got := F32ToF16(-mid); got != even|0x8000 {
			t.Fatalf("F32ToF16(-midpoint of %#04x,%#04x) = %#04x", h, h+1, got)
		}
	}
}
