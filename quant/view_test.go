package quant

import (
	"encoding/binary"
	"testing"
	"unsafe"
)

func TestFloat32View(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("big-endian: no views")
	}
	buf := make([]float32, 5)
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), 4*len(buf))
	tests := []struct {
		name   string
		off, n int
		want   int // length of the view; -1 for none
	}{
		{"aligned", 0, 16, 4},
		{"aligned, ragged length", 4, 15, 3},
		{"offset 1", 1, 16, -1},
		{"offset 2", 2, 16, -1},
		{"too short", 0, 3, -1},
	}
	for _, tt := range tests {
		v := float32View(raw[tt.off : tt.off+tt.n])
		switch {
		case tt.want < 0 && v != nil:
			t.Errorf("%s: got a view of length %d, want none", tt.name, len(v))
		case tt.want >= 0 && (len(v) != tt.want || &v[0] != &buf[tt.off/4]):
			t.Errorf("%s: got a view of length %d, want %d elements in place", tt.name, len(v), tt.want)
		}
	}
}
