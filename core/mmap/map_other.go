//go:build !unix

package mmap

import (
	"fmt"
	"io"
	"math"
	"os"
)

// openFlags: this system has no O_NONBLOCK; OpenFile still refuses what is not a regular file.
const openFlags = os.O_RDONLY

// Open reads the whole regular file at path into memory (see [OpenFile] for what it
// refuses); this system has no mmap support. An empty file yields a valid Map whose Data
// is empty.
func Open(path string) (*Map, error) {
	f, fi, err := OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	defer f.Close()
	if uint64(fi.Size()) > math.MaxInt {
		return nil, fmt.Errorf("mmap: %s: file size %d does not fit in memory", path, fi.Size())
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("mmap: read %s: %w", path, err)
	}
	return &Map{path: path, data: data}, nil
}

func unmap(string, []byte) error { return nil }

func advise(string, []byte, int64, int64, Advice) error { return nil }

func adviseBytes([]byte, Advice) error { return nil }

// Load is [Open] here: this system reads the file into memory anyway.
func Load(path string) (*Map, error) {
	m, err := Open(path)
	if err != nil {
		return nil, err
	}
	m.loaded = true
	return m, nil
}
