//go:build unix

package mmap

import (
	"fmt"
	"io"
	"math"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// openFlags opens without blocking: opening a named pipe for reading would otherwise wait
// for a writer (OpenFile then refuses it as not a regular file).
const openFlags = os.O_RDONLY | unix.O_NONBLOCK

// Open maps the whole regular file at path read-only (see [OpenFile] for what it refuses).
// An empty file yields a valid Map whose Data is empty.
func Open(path string) (*Map, error) {
	f, size, err := openWhole(path, 0)
	if err != nil {
		return nil, err
	}
	// The mapping outlives the descriptor: it is safe to close f once the
	// file is mapped.
	defer f.Close()
	if size == 0 {
		return &Map{path: path, data: []byte{}}, nil
	}
	data, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap: map %s (%d bytes): %w", path, size, err)
	}
	return &Map{path: path, data: data, mapped: true}, nil
}

func unmap(path string, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	if err := unix.Munmap(data); err != nil {
		return fmt.Errorf("mmap: unmap %s: %w", path, err)
	}
	return nil
}

// advise applies a to bytes [off, end) of data, where 0 <= off < end <=
// len(data), widened to whole pages.
func advise(path string, data []byte, off, end int64, a Advice) error {
	// The mapping starts on a page boundary, so offsets within it align
	// the same way as addresses.
	page := int64(os.Getpagesize())
	start := off &^ (page - 1)
	if err := unix.Madvise(data[start:end], madvFlag(a)); err != nil {
		return fmt.Errorf("mmap: advise %s [%d,%d) %s: %w", path, off, end, a, err)
	}
	return nil
}

// madvFlag is madvise(2)'s flag for a valid Advice.
func madvFlag(a Advice) int {
	switch a {
	case WillNeed:
		return unix.MADV_WILLNEED
	case DontNeed:
		return unix.MADV_DONTNEED
	case Random:
		return unix.MADV_RANDOM
	case Sequential:
		return unix.MADV_SEQUENTIAL
	}
	return unix.MADV_NORMAL
}

// adviseBytes applies a to the pages of b, a non-empty part of a mapping: for DontNeed the
// pages entirely inside b, otherwise every page b touches. Mappings start on a page
// boundary, so whole pages around b's bytes belong to the same mapping.
func adviseBytes(b []byte, a Advice) error {
	page := uintptr(os.Getpagesize())
	p := unsafe.Pointer(unsafe.SliceData(b))
	addr := uintptr(p)
	lo, hi := addr&^(page-1), addr+uintptr(len(b)) // the kernel rounds the length up
	if a == DontNeed {
		lo, hi = (addr+page-1)&^(page-1), hi&^(page-1)
		if hi <= lo {
			return nil
		}
	}
	region := unsafe.Slice((*byte)(unsafe.Add(p, int(lo)-int(addr))), hi-lo)
	if err := unix.Madvise(region, madvFlag(a)); err != nil {
		return fmt.Errorf("mmap: advise %d bytes at %#x %s: %w", len(b), addr, a, err)
	}
	return nil
}

// openWhole opens the regular file at path (OpenFile) for Open or Load and returns its size,
// which with slack more bytes must fit in the address space.
func openWhole(path string, slack int) (*os.File, int, error) {
	f, fi, err := OpenFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("mmap: %w", err)
	}
	size := fi.Size()
	if size < 0 || uint64(size) > uint64(math.MaxInt-slack) {
		f.Close()
		return nil, 0, fmt.Errorf("mmap: %s: file size %d does not fit in the address space", path, size)
	}
	return f, int(size), nil
}

// hugePage is the size of the transparent huge pages Load asks for (x86-64's and arm64's
// with 4 KiB pages); elsewhere the advice is ignored or refused, which Load tolerates.
const hugePage = 2 << 20

// Load reads the whole regular file at path into anonymous memory of its own and returns
// it as a Map, read-only like one from [Open] (see [OpenFile] for what it refuses). The
// region is aligned to 2 MiB and advised MADV_HUGEPAGE before it is filled, so that where
// the kernel gives transparent huge pages, reading it sweeps far fewer page-table entries
// than a mapping of the page cache does. Its pages belong to the process: the kernel
// cannot drop them under memory pressure as it can a mapping's clean pages, and [Map.Advise]
// does nothing to them (DontNeed would lose the bytes, not merely release them).
func Load(path string) (*Map, error) {
	f, size, err := openWhole(path, hugePage)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size == 0 {
		return &Map{path: path, data: []byte{}, loaded: true}, nil
	}
	region, err := unix.Mmap(-1, 0, size+hugePage, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("mmap: load %s (%d bytes): %w", path, size, err)
	}
	start := int((hugePage - uintptr(unsafe.Pointer(unsafe.SliceData(region)))%hugePage) % hugePage)
	data := region[start : start+size : start+size]
	adviseHuge(data)
	if _, err := io.ReadFull(f, data); err != nil {
		unix.Munmap(region)
		return nil, fmt.Errorf("mmap: load %s: %w", path, err)
	}
	if err := unix.Mprotect(data, unix.PROT_READ); err != nil {
		unix.Munmap(region)
		return nil, fmt.Errorf("mmap: load %s: make read-only: %w", path, err)
	}
	return &Map{path: path, data: data, region: region, loaded: true}, nil
}
