// Package mmap provides read-only memory mappings of whole files, and the checks every
// model file goes through before it is opened: [CheckPath] (a regular file, or a directory
// where one is allowed; never a named pipe or a device), [OpenFile] (opens without
// blocking, then checks what it opened) and [ReadFile] (a small file read whole, under a
// size bound its caller names).
//
// On Unix systems (the "unix" build constraint: Linux, Darwin, the BSDs,
// Solaris, AIX...) [Open] maps the file with mmap(2), so the returned bytes
// are backed by the operating system's page cache and no copy of the file is
// made on the Go heap. On other systems (Windows, WebAssembly...) [Open]
// falls back to reading the whole file into memory; the API and its
// semantics are otherwise the same, and [Map.Advise] is a no-op there.
//
// The bytes returned by [Map.Data] are read-only: writing to them faults the
// process on Unix. They remain valid until [Map.Close]; using them afterwards
// faults the process. If the underlying file is truncated while it is mapped,
// reading the vanished pages raises SIGBUS, so files must not be modified in
// place while they are mapped (replace them by renaming a new file instead).
//
// [Load] reads a whole file into anonymous memory of the process's own instead, 2 MiB-aligned
// and advised to be backed by huge pages: the engine loads a dense model's weights so, since
// it reads every one of them for every token (core.Options.Mapped).
//
// The engine pages routed experts in and out through this package: [AdviseBytes] advises
// the kernel about any part of a mapping's data and [Touch] reads its pages in;
// [ResidentFileBytes] reports how much of the mapped files is in memory (the tests check
// the paging with it).
//
// The files:
//
//	file.go       CheckPath, OpenFile, ReadFile and their errors (ErrNotRegular, ErrTooLarge)
//	map.go        Map: Data, Path, Len, Close
//	map_unix.go   Open with mmap(2), Load into an anonymous mapping, and madvise(2) (unix)
//	map_other.go  Open and Load by reading the whole file; advice does nothing (elsewhere)
//	hugepage_*.go adviseHuge: MADV_HUGEPAGE for Load on Linux, nothing on other Unix systems
//	advice.go     Advice, Map.Advise, AdviseBytes, Touch
//	resident.go   ResidentFileBytes: RssFile and RssShmem from /proc/self/status (Linux)
package mmap
