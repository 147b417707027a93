package quant

import (
	"encoding/binary"
	"unsafe"
)

// float32View returns b viewed as float32s without copying, or nil if that
// is not possible: b is empty, not 4-byte aligned, or the machine is not
// little-endian.
func float32View(b []byte) []float32 {
	if len(b) < 4 || binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		return nil
	}
	p := unsafe.SliceData(b)
	if uintptr(unsafe.Pointer(p))%unsafe.Alignof(float32(0)) != 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(p)), len(b)/4)
}
