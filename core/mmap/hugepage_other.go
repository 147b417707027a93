//go:build unix && !linux

package mmap

// adviseHuge does nothing: this system has no MADV_HUGEPAGE.
func adviseHuge([]byte) {}
