//go:build unix

package mmap

import (
	"fmt"
	"math"
	"os"

	"golang.org/x/sys/unix"
)

// Open maps the whole file at path read-only. An empty file yields a valid
// Map whose Data is empty.
func Open(path string) (*Map, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	// The mapping outlives the descriptor: it is safe to close f once the
	// file is mapped.
	defer f.Close()

	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("mmap: %s: not a regular file (mode %v)", path, fi.Mode())
	}
	size := fi.Size()
	if size == 0 {
		return &Map{path: path, data: []byte{}}, nil
	}
	if size < 0 || uint64(size) > math.MaxInt {
		return nil, fmt.Errorf("mmap: %s: file size %d does not fit in the address space", path, size)
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap: map %s (%d bytes): %w", path, size, err)
	}
	return &Map{path: path, data: data, mapped: true}, nil
}

func unmap(path string, data []byte) error {
	if err := unix.Munmap(data); err != nil {
		return fmt.Errorf("mmap: unmap %s: %w", path, err)
	}
	return nil
}

// advise applies a to bytes [off, end) of data, where 0 <= off < end <=
// len(data), widened to whole pages.
func advise(path string, data []byte, off, end int64, a Advice) error {
	var flag int
	switch a {
	case Normal:
		flag = unix.MADV_NORMAL
	case WillNeed:
		flag = unix.MADV_WILLNEED
	case DontNeed:
		flag = unix.MADV_DONTNEED
	case Random:
		flag = unix.MADV_RANDOM
	case Sequential:
		flag = unix.MADV_SEQUENTIAL
	}
	// The mapping starts on a page boundary, so offsets within it align
	// the same way as addresses.
	page := int64(os.Getpagesize())
	start := off &^ (page - 1)
	if err := unix.Madvise(data[start:end], flag); err != nil {
		return fmt.Errorf("mmap: advise %s [%d,%d) %s: %w", path, off, end, a, err)
	}
	return nil
}
