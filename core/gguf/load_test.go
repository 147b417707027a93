package gguf

import (
	"bytes"
	"fmt"
	"os"
	"testing"
)

// TestLoad: after Load every part's tensors read the same bytes from copies of the files,
// views taken before stay valid, and a part whose file changed length is refused with the
// File left mapped.
func TestLoad(t *testing.T) {
	paths := writeSplit(t, t.TempDir(), "model", 3, 6)
	f, err := Open(paths[0])
	must(t, err)
	defer f.Close()
	_, before, _ := f.Tensor("t1a")
	must(t, f.Load())
	must(t, f.Load()) // a second Load keeps the copies
	for i := range 3 {
		for _, s := range []string{"a", "b"} {
			name := fmt.Sprintf("t%d%s", i, s)
			_, data, ok := f.Tensor(name)
			if !ok || !bytes.Equal(data, bytes.Repeat([]byte{byte(i)}, 4*(i+1))) {
				t.Errorf("tensor %s after Load: %v", name, data)
			}
			if !f.parts[i].copy.Loaded() {
				t.Errorf("part %d not loaded", i)
			}
		}
	}
	if _, after, _ := f.Tensor("t1a"); &after[0] == &before[0] || !bytes.Equal(before, after) {
		t.Errorf("t1a: the view before Load (%v) and after (%v) should hold the same bytes in different memory", before, after)
	}
	must(t, f.AdviseTensor("t1a", 0))

	t.Run("changed", func(t *testing.T) {
		paths := writeSplit(t, t.TempDir(), "model", 2, 4)
		f, err := Open(paths[0])
		must(t, err)
		defer f.Close()
		b, err := os.ReadFile(paths[1])
		must(t, err)
		must(t, os.WriteFile(paths[1], append(b, 0), 0o644))
		if err := f.Load(); err == nil {
			t.Fatal("Load of a part that grew succeeded")
		}
		for i, p := range f.parts {
			if p.copy != nil {
				t.Errorf("part %d switched to a copy after a failed Load", i)
			}
		}
		if _, data, ok := f.Tensor("t0b"); !ok || !bytes.Equal(data, []byte{0, 0, 0, 0}) {
			t.Errorf("t0b after a failed Load: %v", data)
		}
	})
}
