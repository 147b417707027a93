//go:build unix

package mmap

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// special is a path a model path must not be, and what refusing it must say.
type special struct {
	name, path, want string
	is               error // what the error must wrap, if anything
}

// specialPaths makes, in a fresh directory, a named pipe, a symbolic link loop and a
// dangling link, and names /dev/zero where it exists.
func specialPaths(t *testing.T) []special {
	t.Helper()
	dir := t.TempDir()
	var s []special
	fifo := filepath.Join(dir, "x.gguf")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	s = append(s, special{"fifo", fifo, "is a named pipe (FIFO), not a regular file", ErrNotRegular})
	if _, err := os.Stat("/dev/zero"); err == nil {
		s = append(s, special{"dev zero", "/dev/zero", "/dev/zero is a character device, not a regular file", ErrNotRegular})
	}
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	s = append(s, special{"symlink loop", loop, "too many levels of symbolic links", nil})
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "absent"), dangling); err != nil {
		t.Fatal(err)
	}
	return append(s, special{"dangling symlink", dangling, "dangling", fs.ErrNotExist})
}

// bounded fails the test if f does not return within a few seconds: refusing a path must
// never wait (a FIFO opened for reading blocks until a writer comes).
func bounded(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("blocked for 10 s")
	}
}

func TestSpecialPaths(t *testing.T) {
	for _, c := range specialPaths(t) {
		t.Run(c.name, func(t *testing.T) {
			check := func(what string, err error) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s: no error", what)
				}
				if !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s: error %q does not contain %q", what, err, c.want)
				}
				if c.is != nil && !errors.Is(err, c.is) {
					t.Errorf("%s: error %q is not %v", what, err, c.is)
				}
			}
			bounded(t, func() {
				_, err := CheckPath(c.path, true)
				check("CheckPath", err)
				f, _, err := OpenFile(c.path)
				if err == nil {
					f.Close()
				}
				check("OpenFile", err)
				_, err = ReadFile(c.path, 1<<20)
				check("ReadFile", err)
				m, err := Open(c.path)
				if err == nil {
					m.Close()
				}
				check("Open", err)
			})
		})
	}
}
