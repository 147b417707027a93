package quant

import (
	"math"
	"testing"
)

func TestE4M3Known(t *testing.T) {
	tests := []struct {
		b uint8
		f float32
	}{
		{0x00, 0},
		{0x01, 0x1p-9},
		{0x07, 7 * 0x1p-9},
		{0x08, 0x1p-6},
		{0x30, 0.5},
		{0x38, 1},
		{0x39, 1.125},
		{0x40, 2},
		{0x7e, 448},
		{0x78, 256},
		{0xb8, -1},
		{0xfe, -448},
		{0x81, -0x1p-9},
	}
	for _, tt := range tests {
		if got := E4M3ToF32(tt.b); got != tt.f {
			t.Errorf("E4M3ToF32(%#02x) = %v, want %v", tt.b, got, tt.f)
		}
		if got := F32ToE4M3(tt.f); got != tt.b {
			t.Errorf("F32ToE4M3(%v) = %#02x, want %#02x", tt.f, got, tt.b)
		}
	}
	if got := E4M3ToF32(0x80); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("E4M3ToF32(0x80) = %v, want -0", got)
	}
	for _, b := range []uint8{0x7f, 0xff} {
		if got := E4M3ToF32(b); !isNaN32(got) {
			t.Errorf("E4M3ToF32(%#02x) = %v, want NaN", b, got)
		}
	}
}

func TestE4M3RoundTripAll(t *testing.T) {
	finite := 0
	for i := range 256 {
		b := uint8(i)
		f := E4M3ToF32(b)
		if isNaN32(f) {
			continue
		}
		finite++
		if got := F32ToE4M3(f); got != b {
			t.Errorf("F32ToE4M3(E4M3ToF32(%#02x) = %v) = %#02x", b, f, got)
		}
	}
	if finite != 254 {
		t.Errorf("%d finite E4M3 codes, want 254", finite)
	}
}

// TestF32ToE4M3Midpoints checks that every midpoint between adjacent
// positive E4M3 values rounds to the even code and its float32 neighbours
// to the nearer code.
func TestF32ToE4M3Midpoints(t *testing.T) {
	for b := uint8(0); b < 0x7e; b++ {
		lo, hi := E4M3ToF32(b), E4M3ToF32(b+1)
		mid := (lo + hi) / 2
		even := b
		if b&1 == 1 {
			even = b + 1
		}
		tests := []struct {
			f    float32
			want uint8
		}{
			{mid, even},
			{math.Nextafter32(mid, 0), b},
			{math.Nextafter32(mid, 1e9), b + 1},
			{-mid, even | 0x80},
		}
		for _, tt := range tests {
			if got := F32ToE4M3(tt.f); got != tt.want {
				t.Errorf("F32ToE4M3(%v) (between %#02x and %#02x) = %#02x, want %#02x", tt.f, b, b+1, got, tt.want)
			}
		}
	}
}

func TestF32ToE4M3Special(t *testing.T) {
	tests := []struct {
		name string
		f    float32
		b    uint8
	}{
		{"tie above max saturates", 464, 0x7e},
		{"above max saturates", 500, 0x7e},
		{"far above max saturates", 1e30, 0x7e},
		{"infinity saturates", float32(math.Inf(1)), 0x7e},
		{"minus infinity saturates", float32(math.Inf(-1)), 0xfe},
		{"negative saturates", -1000, 0xfe},
		{"half the smallest subnormal ties to zero", 0x1p-10, 0x00},
		{"just above half the smallest subnormal", 0x1p-10 + 0x1p-30, 0x01},
		{"tiny", 1e-20, 0x00},
		{"negative tiny", -1e-20, 0x80},
		{"float32 subnormal", 1e-40, 0x00},
		{"minus zero", float32(math.Copysign(0, -1)), 0x80},
		{"NaN", float32(math.NaN()), 0x7f},
		{"negative NaN", math.Float32frombits(0xffc00000), 0xff},
	}
	for _, tt := range tests {
		if got := F32ToE4M3(tt.f); got != tt.b {
			t.Errorf("%s: F32ToE4M3(%v) = %#02x, want %#02x", tt.name, tt.f, got, tt.b)
		}
	}
}

// TestE4M3Blocks: every block's largest magnitude maps to ±448 and each value decodes back
// within E4M3's half-ulp (2^-4 relative, subnormals 2^-10 of the scale); partial edge blocks
// get their own scale; an all-zero block stays zero.
func TestE4M3Blocks(t *testing.T) {
	const rows, cols, blk = 130, 200, 128
	v := make([]float32, rows*cols)
	for i := range v {
		v[i] = float32(math.Sin(float64(i)*0.37)) * float32(1+i%7)
	}
	for i := range 2 { // the block at rows 128.., cols 128.. is all zero
		for j := 128; j < cols; j++ {
			v[(128+i)*cols+j] = 0
		}
	}
	codes, scale := E4M3Blocks(v, rows, cols, blk)
	if len(codes) != rows*cols || len(scale) != 4 {
		t.Fatalf("%d codes, %d scales; want %d and 4", len(codes), len(scale), rows*cols)
	}
	for i := range rows {
		for j := range cols {
			s := scale[(i/blk)*2+j/blk]
			got := E4M3ToF32(codes[i*cols+j]) * s
			want := v[i*cols+j]
			if d := math.Abs(float64(got - want)); d > math.Abs(float64(want))/16+float64(s)/1024 {
				t.Fatalf("[%d,%d]: %g decodes as %g (scale %g)", i, j, want, got, s)
			}
		}
	}
	if scale[3] != 1.0/448 {
		t.Errorf("all-zero block scale %g, want 1/448", scale[3])
	}
}
