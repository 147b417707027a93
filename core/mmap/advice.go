package mmap

import "fmt"

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
