package mmap

import "golang.org/x/sys/unix"

// adviseHuge asks for transparent huge pages under b (MADV_HUGEPAGE); only a hint, which
// kernels without THP refuse.
func adviseHuge(b []byte) { _ = unix.Madvise(b, unix.MADV_HUGEPAGE) }
