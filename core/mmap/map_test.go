package mmap

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpen(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 3*4096/16+7) // spans pages
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte{42}},
		{"small", []byte("hello, world")},
		{"multi-page", big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, tt.data)
			m, err := Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got := m.Path(); got != path {
				t.Errorf("Path() = %q, want %q", got, path)
			}
			if !bytes.Equal(m.Data(), tt.data) {
				t.Errorf("Data() differs from the file contents (len %d, want %d)", len(m.Data()), len(tt.data))
			}
			if m.Data() == nil {
				t.Errorf("Data() = nil, want a non-nil slice")
			}
			if m.Len() != len(tt.data) {
				t.Errorf("Len() = %d, want %d", m.Len(), len(tt.data))
			}
			if err := m.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := m.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if len(m.Data()) != 0 {
				t.Errorf("Data() after Close has %d bytes, want 0", len(m.Data()))
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		want string
		is   error
	}{
		{"missing file", filepath.Join(dir, "missing.bin"), "missing.bin", fs.ErrNotExist},
		{"directory", dir, "not a regular file", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Open(tt.path)
			if err == nil {
				m.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.path)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
		})
	}
}

func TestAdvise(t *testing.T) {
	data := bytes.Repeat([]byte{7}, 5*os.Getpagesize()+123)
	m, err := Open(writeTemp(t, data))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	size := int64(len(data))
	tests := []struct {
		name    string
		off, n  int64
		a       Advice
		wantErr string
	}{
		{"whole file willneed", 0, size, WillNeed, ""},
		{"unaligned sequential", 1000, 5000, Sequential, ""},
		{"unaligned random", 4097, 1, Random, ""},
		{"dontneed tail", size - 10, 10, DontNeed, ""},
		{"normal", 0, size, Normal, ""},
		{"past end is clipped", size - 1, 1 << 40, WillNeed, ""},
		{"offset past end", size + 100, 10, WillNeed, ""},
		{"empty range", 10, 0, WillNeed, ""},
		{"negative offset", -1, 10, WillNeed, "negative range"},
		{"negative length", 0, -10, WillNeed, "negative range"},
		{"unknown advice", 0, 10, Advice(99), "unknown advice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := m.Advise(tt.off, tt.n, tt.a)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Advise: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("Advise succeeded, want error containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
	// The data must be intact after DontNeed.
	if !bytes.Equal(m.Data(), data) {
		t.Fatal("data changed after Advise")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Advise(0, size, WillNeed); err != nil {
		t.Fatalf("Advise after Close: %v", err)
	}
}

func TestAdviceString(t *testing.T) {
	tests := []struct {
		a    Advice
		want string
	}{
		{Normal, "Normal"},
		{WillNeed, "WillNeed"},
		{DontNeed, "DontNeed"},
		{Random, "Random"},
		{Sequential, "Sequential"},
		{Advice(42), "Advice(42)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.a.String(); got != tt.want {
				t.Errorf("Advice(%d).String() = %q, want %q", int(tt.a), got, tt.want)
			}
		})
	}
}

func TestAdviseBytes(t *testing.T) {
	page := os.Getpagesize()
	data := make([]byte, 6*page+321)
	for i := range data {
		data[i] = byte(i * 7)
	}
	m, err := Open(writeTemp(t, data))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	b := m.Data()
	tests := []struct {
		name    string
		lo, hi  int
		a       Advice
		wantErr string
	}{
		{"whole willneed", 0, len(b), WillNeed, ""},
		{"unaligned willneed", 100, 3*page + 5, WillNeed, ""},
		{"unaligned dontneed", 100, 3*page + 5, DontNeed, ""},
		{"dontneed inside one page", page + 1, 2*page - 1, DontNeed, ""},
		{"aligned dontneed", page, 4 * page, DontNeed, ""},
		{"tail random", len(b) - 10, len(b), Random, ""},
		{"sequential", 0, len(b), Sequential, ""},
		{"normal", 5, 6, Normal, ""},
		{"empty", 10, 10, DontNeed, ""},
		{"unknown advice", 0, 10, Advice(-1), "unknown advice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := AdviseBytes(b[tt.lo:tt.hi], tt.a)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("AdviseBytes: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("AdviseBytes error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	// DontNeed drops pages of a read-only file mapping, never their contents.
	if !bytes.Equal(b, data) {
		t.Fatal("data changed after AdviseBytes")
	}
}

func TestTouch(t *testing.T) {
	page := os.Getpagesize()
	data := make([]byte, 4*page+99)
	for i := range data {
		data[i] = byte(i*13 + 1)
	}
	m, err := Open(writeTemp(t, data))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, c := range []struct {
		name string
		r    [2]int
	}{
		{"whole", [2]int{0, len(data)}},
		{"from byte 1", [2]int{1, len(data)}},
		{"across a page boundary", [2]int{page - 1, page + 1}},
		{"pages 1 and 2", [2]int{page, 3 * page}},
		{"empty", [2]int{5, 5}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.r
			b := m.Data()[r[0]:r[1]]
			var want byte
			if len(b) > 0 {
				// The mapping starts on a page boundary: the pages after b[0]'s start at the
				// multiples of the page size.
				want = data[r[0]]
				for off := (r[0]/page + 1) * page; off < r[1]; off += page {
					want ^= data[off]
				}
			}
			if got := Touch(b); got != want {
				t.Errorf("Touch([%d:%d]) = %d, want %d", r[0], r[1], got, want)
			}
		})
	}
}
