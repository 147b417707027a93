package mmap

import (
	"fmt"
	"os"
	"unsafe"
)

// Advice is a hint to the operating system about how a range of a [Map]
// will be accessed; see madvise(2).
type Advice int

const (
	// Normal requests the default behaviour (MADV_NORMAL).
	Normal Advice = iota
	// WillNeed asks the kernel to read the range ahead (MADV_WILLNEED).
	WillNeed
	// DontNeed tells the kernel the range will not be needed soon; its
	// pages may be dropped from memory and are read again from the file on
	// the next access (MADV_DONTNEED).
	DontNeed
	// Random disables read-ahead for the range (MADV_RANDOM).
	Random
	// Sequential asks for aggressive read-ahead (MADV_SEQUENTIAL).
	Sequential
)

// String returns the name of the advice, such as "WillNeed".
func (a Advice) String() string {
	switch a {
	case Normal:
		return "Normal"
	case WillNeed:
		return "WillNeed"
	case DontNeed:
		return "DontNeed"
	case Random:
		return "Random"
	case Sequential:
		return "Sequential"
	}
	return fmt.Sprintf("Advice(%d)", int(a))
}

// Advise gives the operating system advice a about bytes [off, off+n) of the
// mapping. The range is clipped to the file and widened to whole pages; an
// empty range is a no-op. Advise returns an error for a negative offset or
// length or an unknown Advice, and is a no-op (returning nil) where the file
// was read into memory rather than mapped.
func (m *Map) Advise(off, n int64, a Advice) error {
	if a < Normal || a > Sequential {
		return fmt.Errorf("mmap: advise %s: unknown advice %d", m.path, int(a))
	}
	if off < 0 || n < 0 {
		return fmt.Errorf("mmap: advise %s: negative range (offset %d, length %d)", m.path, off, n)
	}
	size := int64(len(m.data))
	if !m.mapped || n == 0 || off >= size {
		return nil
	}
	end := size
	if n <= size-off {
		end = off + n
	}
	return advise(m.path, m.data, off, end, a)
}

// AdviseBytes gives the operating system advice a about b, which must be a part of the Data
// of an open [Map] and no other memory (on anonymous memory DontNeed would discard the
// contents). DontNeed covers only the pages that lie entirely inside b, so that the data
// around b keep theirs; the other advice covers every page b touches. An empty b is a
// no-op, as is any advice where the file was read into memory rather than mapped (systems
// without mmap). AdviseBytes does not allocate unless it fails.
func AdviseBytes(b []byte, a Advice) error {
	if a < Normal || a > Sequential {
		return fmt.Errorf("mmap: advise %d bytes: unknown advice %d", len(b), int(a))
	}
	if len(b) == 0 {
		return nil
	}
	return adviseBytes(b, a)
}

// Touch reads one byte of every memory page b spans, so that the pages are in memory (read
// from the file if they were not) when it returns. Its result, the bytes read combined, is
// meaningless; callers keep it so that the reads are not optimised away.
func Touch(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	page := os.Getpagesize()
	// b[0] is on the first page; the next begins at the first page boundary after it.
	next := page - int(uintptr(unsafe.Pointer(unsafe.SliceData(b)))&uintptr(page-1))
	x := b[0]
	for i := next; i < len(b); i += page {
		x ^= b[i]
	}
	return x
}
