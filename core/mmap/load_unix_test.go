//go:build unix

package mmap

import (
	"bytes"
	"testing"
	"unsafe"
)

// TestLoadAligned: a loaded file starts on a 2 MiB boundary, where huge pages can back it,
// and its copy is not the file's mapping (Open's bytes stay as they were).
func TestLoadAligned(t *testing.T) {
	data := bytes.Repeat([]byte{7, 1, 3}, 1<<20)
	path := writeTemp(t, data)
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if p := uintptr(unsafe.Pointer(unsafe.SliceData(m.Data()))); p%hugePage != 0 {
		t.Errorf("data at %#x, want a multiple of %#x", p, hugePage)
	}
	if !bytes.Equal(m.Data(), data) {
		t.Errorf("Data() differs from the file")
	}
}
