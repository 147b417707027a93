//go:build !unix

package mmap

import (
	"fmt"
	"os"
)

// Open reads the whole file at path into memory; this system has no mmap
// support. An empty file yields a valid Map whose Data is empty.
func Open(path string) (*Map, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("mmap: %s: not a regular file (mode %v)", path, fi.Mode())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	if data == nil {
		data = []byte{}
	}
	return &Map{path: path, data: data}, nil
}

func unmap(string, []byte) error { return nil }

func advise(string, []byte, int64, int64, Advice) error { return nil }

func adviseBytes([]byte, Advice) error { return nil }
