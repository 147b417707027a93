package mmap

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckPath(t *testing.T) {
	dir := t.TempDir()
	file := writeTemp(t, []byte("x"))
	cases := []struct {
		name  string
		path  string
		dirOK bool
		isDir bool
		want  string // "" for no error
	}{
		{"file", file, false, false, ""},
		{"file, directory allowed", file, true, false, ""},
		{"directory allowed", dir, true, true, ""},
		{"directory refused", dir, false, false, "is a directory, not a regular file"},
		{"missing", filepath.Join(dir, "missing"), true, false, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			isDir, err := CheckPath(c.path, c.dirOK)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want one containing %q", err, c.want)
			case isDir != c.isDir:
				t.Errorf("isDir %v, want %v", isDir, c.isDir)
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	path := writeTemp(t, []byte("0123456789"))
	cases := []struct {
		name  string
		limit int64
		want  string // "" for no error
	}{
		{"under the limit", 100, ""},
		{"at the limit", 10, ""},
		{"over the limit", 9, "is 10 bytes, more than the 9 allowed: file too large"},
		{"zero limit", 0, "more than the 0 allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := ReadFile(path, c.limit)
			if c.want == "" {
				if err != nil || string(b) != "0123456789" {
					t.Fatalf("got %q, %v", b, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v, want ErrTooLarge containing %q", err, c.want)
			}
		})
	}
	if _, err := ReadFile(filepath.Dir(path), 100); err == nil || !errors.Is(err, ErrNotRegular) {
		t.Errorf("directory: error %v, want ErrNotRegular", err)
	}
}
