package mmap

import (
	"bytes"
	"testing"
)

// TestLoad: Load gives the file's bytes as Open does, marks the Map as loaded, ignores
// advice (DontNeed on a copy would lose its bytes), and closes like a mapping.
func TestLoad(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 3*4096/16+7) // spans pages
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte{42}},
		{"multi-page", big},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, tt.data)
			m, err := Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !bytes.Equal(m.Data(), tt.data) || m.Len() != len(tt.data) || m.Data() == nil {
				t.Fatalf("Data() differs from the file contents (len %d, want %d)", len(m.Data()), len(tt.data))
			}
			if !m.Loaded() || m.Path() != path {
				t.Errorf("Loaded() = %v, Path() = %q; want true, %q", m.Loaded(), m.Path(), path)
			}
			for _, a := range []Advice{DontNeed, WillNeed, Random} {
				if err := m.Advise(0, int64(m.Len()), a); err != nil {
					t.Errorf("Advise(%s): %v", a, err)
				}
			}
			if !bytes.Equal(m.Data(), tt.data) {
				t.Errorf("Data() changed after advice")
			}
			if err := m.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := m.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if m.Len() != 0 {
				t.Errorf("Len() after Close = %d, want 0", m.Len())
			}
		})
	}
}

// TestLoadRefuses: Load checks what it opens as Open does.
func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	for name, path := range map[string]string{"missing": dir + "/none.bin", "directory": dir} {
		t.Run(name, func(t *testing.T) {
			if m, err := Load(path); err == nil {
				m.Close()
				t.Fatalf("Load(%s) succeeded, want an error", path)
			}
		})
	}
}
