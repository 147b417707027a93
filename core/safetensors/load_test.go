package safetensors

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCheckpointLoad: after Load a sharded checkpoint's tensors read the same bytes from
// copies of its files; a file that changed length is refused and no file switched.
func TestCheckpointLoad(t *testing.T) {
	tensors := testTensors()
	dir := t.TempDir()
	writeIndex(t, dir, writeShards(t, dir, tensors, testShards))
	c, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Load(); err != nil {
		t.Fatal(err)
	}
	for _, f := range c.Files() {
		if f.copy == nil || !f.copy.Loaded() {
			t.Errorf("%s: not loaded", f.Path())
		}
	}
	checkCheckpoint(t, c, tensors)
	if err := c.Load(); err != nil {
		t.Fatalf("second Load: %v", err)
	}

	t.Run("changed", func(t *testing.T) {
		dir := t.TempDir()
		writeIndex(t, dir, writeShards(t, dir, tensors, testShards))
		c, err := OpenDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		p := filepath.Join(dir, "model-00002-of-00002.safetensors")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, append(b, 0), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := c.Load(); err == nil {
			t.Fatal("Load of a file that grew succeeded")
		}
		for _, f := range c.Files() {
			if f.copy != nil {
				t.Errorf("%s switched to a copy after a failed Load", f.Path())
			}
		}
		got, err := c.Tensor("model.embed_tokens.weight")
		if err != nil || !bytes.Equal(got.Data, tensors[0].Data) {
			t.Errorf("embed after a failed Load: %v", err)
		}
	})
}
