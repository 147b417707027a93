package mmap

import (
	"testing"
)

// rssFile is the process's resident memory of file mappings (mmap.ResidentFileBytes); the
// test skips where it cannot be read.
func rssFile(t *testing.T) int64 {
	t.Helper()
	n, err := ResidentFileBytes()
	if err != nil {
		t.Skip(err)
	}
	return n
}

// TestAdviseBytesReleases: on Linux, DontNeed on a read-only file mapping drops its pages from
// the process's resident memory, and touching them again brings them back.
func TestAdviseBytesReleases(t *testing.T) {
	const size = 64 << 20
	data := make([]byte, size)
	for i := 0; i < size; i += 4096 {
		data[i] = byte(i >> 12)
	}
	m, err := Open(writeTemp(t, data))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	b := m.Data()
	before := rssFile(t)
	Touch(b)
	touched := rssFile(t)
	if touched-before < size*9/10 {
		t.Fatalf("RssFile grew by %d bytes after touching a %d-byte mapping", touched-before, size)
	}
	// Release all but a few pages at the unaligned ends.
	if err := AdviseBytes(b[123:size-456], DontNeed); err != nil {
		t.Fatal(err)
	}
	released := rssFile(t)
	if touched-released < size*9/10 {
		t.Fatalf("RssFile fell by %d bytes after DontNeed on %d bytes (%d → %d)", touched-released, size, touched, released)
	}
	if err := AdviseBytes(b, WillNeed); err != nil {
		t.Fatal(err)
	}
	Touch(b)
	if again := rssFile(t); again-released < size*9/10 {
		t.Fatalf("RssFile grew by %d bytes touching the released pages again", again-released)
	}
	for i := 0; i < size; i += 4096 {
		if b[i] != byte(i>>12) {
			t.Fatalf("byte %d = %d after release, want %d", i, b[i], byte(i>>12))
		}
	}
}
