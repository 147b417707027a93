package gguf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeSplit writes a model of n parts, part i holding tensors t<i>a and
// t<i>b, with split.tensors.count total; it returns the paths.
func writeSplit(t *testing.T, dir, prefix string, n int, total int32) []string {
	t.Helper()
	var paths []string
	for i := range n {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		if i == 0 {
			must(t, w.AddKV("general.architecture", "test"))
		}
		must(t, w.AddKV(KeySplitNo, uint16(i)))
		must(t, w.AddKV(KeySplitCount, uint16(n)))
		must(t, w.AddKV(KeySplitTensorsCount, total))
		for _, s := range []string{"a", "b"} {
			must(t, w.AddTensor(fmt.Sprintf("t%d%s", i, s), F32, []int64{int64(i + 1)}))
		}
		for _, s := range []string{"a", "b"} {
			must(t, w.WriteTensorData(fmt.Sprintf("t%d%s", i, s), bytes.Repeat([]byte{byte(i)}, 4*(i+1))))
		}
		must(t, w.Close())
		p := SplitPath(filepath.Join(dir, prefix), i, n)
		must(t, os.WriteFile(p, buf.Bytes(), 0o644))
		paths = append(paths, p)
	}
	return paths
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSplit(t *testing.T) {
	dir := t.TempDir()
	paths := writeSplit(t, dir, "model", 3, 6)
	if filepath.Base(paths[1]) != "model-00002-of-00003.gguf" {
		t.Fatal(paths[1])
	}
	for _, p := range paths {
		f, err := Open(p)
		if err != nil {
			t.Fatalf("Open(%s): %v", p, err)
		}
		ts := f.Tensors()
		if len(ts) != 6 || len(f.Paths()) != 3 {
			t.Fatalf("%d tensors, %d parts", len(ts), len(f.Paths()))
		}
		if a, err := f.GetString("general.architecture"); err != nil || a != "test" {
			t.Errorf("architecture %q, %v", a, err)
		}
		for i := range 3 {
			ti, data, ok := f.Tensor(fmt.Sprintf("t%db", i))
			if !ok || ti.File != paths[i] || !bytes.Equal(data, bytes.Repeat([]byte{byte(i)}, 4*(i+1))) {
				t.Errorf("tensor t%db: %+v %v", i, ti, data)
			}
		}
		must(t, f.Close())
	}
}

func TestSplitErrors(t *testing.T) {
	dir := t.TempDir()
	paths := writeSplit(t, dir, "m", 3, 6)
	must(t, os.Remove(paths[2]))
	_, err := Open(paths[0])
	if err == nil || !strings.Contains(err.Error(), "split part 3 of 3: mmap: open") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing part: %v", err)
	}

	writeSplit(t, dir, "count", 2, 5)
	_, err = Open(filepath.Join(dir, "count-00001-of-00002.gguf"))
	if err == nil || !strings.Contains(err.Error(), "split.tensors.count is 5, but the 2 parts hold 4 tensors") {
		t.Errorf("wrong tensor count: %v", err)
	}

	// A part renamed: its split.no does not match the file name.
	paths = writeSplit(t, dir, "swap", 2, 4)
	b0, _ := os.ReadFile(paths[0])
	b1, _ := os.ReadFile(paths[1])
	must(t, os.WriteFile(paths[0], b1, 0o644))
	must(t, os.WriteFile(paths[1], b0, 0o644))
	_, err = Open(paths[0])
	if err == nil || !strings.Contains(err.Error(), "file name says part 1 of 2, metadata says part 2 of 2") {
		t.Errorf("swapped parts: %v", err)
	}

	// A split part under a plain name.
	paths = writeSplit(t, dir, "plain", 2, 4)
	p := filepath.Join(dir, "plain.gguf")
	must(t, os.Rename(paths[0], p))
	_, err = Open(p)
	if err == nil || !strings.Contains(err.Error(), "does not end in -00001-of-00002.gguf") {
		t.Errorf("plain name: %v", err)
	}

	// Duplicate tensor names across parts.
	paths = writeSplit(t, dir, "dup", 2, 4)
	b1, _ = os.ReadFile(paths[1])
	b1 = bytes.ReplaceAll(b1, []byte("t1a"), []byte("t0a"))
	must(t, os.WriteFile(paths[1], b1, 0o644))
	_, err = Open(paths[0])
	if err == nil || !strings.Contains(err.Error(), `tensor "t0a": duplicate tensor name`) {
		t.Errorf("duplicate across parts: %v", err)
	}
}

// TestSplitWriterFixture splits a fixture model and checks that the parts
// open as the same model.
func TestSplitWriterFixture(t *testing.T) {
	paths := fixturePaths(t)
	f, err := Open(paths["v3tiny-Q8_0.gguf"])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	prefix := filepath.Join(t.TempDir(), "q8")
	s := NewSplitWriter(prefix, 3<<20)
	for _, k := range f.Keys() {
		v, _ := f.Get(k)
		must(t, s.AddKV(k, v))
	}
	for _, ti := range f.Tensors() {
		must(t, s.AddTensor(ti.Name, ti.Type, ti.Ne))
	}
	for _, ti := range f.Tensors() {
		_, data, _ := f.Tensor(ti.Name)
		must(t, s.WriteTensorData(ti.Name, data))
	}
	parts, err := s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) < 3 {
		t.Fatalf("%d parts", len(parts))
	}
	g, err := Open(parts[len(parts)-1])
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if len(g.Keys()) != len(f.Keys())+3 || len(g.Paths()) != len(parts) {
		t.Errorf("%d keys, %d parts", len(g.Keys()), len(g.Paths()))
	}
	for _, k := range f.Keys() {
		v, _ := f.Get(k)
		w, _ := g.Get(k)
		if !reflect.DeepEqual(v, w) {
			t.Errorf("key %s differs", k)
		}
	}
	if n, err := g.GetInt(KeySplitTensorsCount); err != nil || n != int64(len(f.Tensors())) {
		t.Errorf("split.tensors.count %d, %v", n, err)
	}
	for _, ti := range f.Tensors() {
		_, d1, _ := f.Tensor(ti.Name)
		tj, d2, ok := g.Tensor(ti.Name)
		if !ok || !bytes.Equal(d1, d2) || tj.Type != ti.Type {
			t.Errorf("tensor %s differs", ti.Name)
		}
	}
	if !reflect.DeepEqual(names(f.Tensors()), names(g.Tensors())) {
		t.Error("tensor order differs")
	}
}

func names(ts []TensorInfo) []string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Name)
	}
	return s
}

func TestSplitWriterSmall(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "s")
	s := NewSplitWriter(prefix, 64)
	must(t, s.AddKV(KeyAlignment, uint32(64)))
	if err := s.AddKV(KeySplitNo, uint16(0)); err == nil {
		t.Error("AddKV split.no succeeded")
	}
	sizes := []int64{4, 4, 40, 1, 16}
	for i, n := range sizes {
		must(t, s.AddTensor(fmt.Sprint("t", i), F32, []int64{n}))
	}
	for i, n := range sizes[:4] {
		must(t, s.WriteTensorData(fmt.Sprint("t", i), bytes.Repeat([]byte{byte(i)}, int(4*n))))
	}
	if _, err := s.Close(); err == nil || !strings.Contains(err.Error(), "1 of 5 tensors were not written") {
		t.Errorf("Close: %v", err)
	}

	prefix = filepath.Join(t.TempDir(), "s")
	s = NewSplitWriter(prefix, 64)
	must(t, s.AddKV(KeyAlignment, uint32(64)))
	for i, n := range sizes {
		must(t, s.AddTensor(fmt.Sprint("t", i), F32, []int64{n}))
	}
	for i, n := range sizes {
		must(t, s.WriteTensorData(fmt.Sprint("t", i), bytes.Repeat([]byte{byte(i)}, int(4*n))))
	}
	parts, err := s.Close()
	if err != nil {
		t.Fatal(err)
	}
	// Padded to 64 bytes, every tensor fills a part: 64, 64, 192, 64, 64.
	if len(parts) != 5 {
		t.Errorf("%d parts", len(parts))
	}
	g, err := Open(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for i, n := range sizes {
		_, d, ok := g.Tensor(fmt.Sprint("t", i))
		if !ok || !bytes.Equal(d, bytes.Repeat([]byte{byte(i)}, int(4*n))) {
			t.Errorf("t%d differs", i)
		}
	}
	if g.Alignment() != 64 {
		t.Error(g.Alignment())
	}

	// No tensors: one part with the metadata.
	prefix = filepath.Join(t.TempDir(), "e")
	s = NewSplitWriter(prefix, 64)
	must(t, s.AddKV("a", "b"))
	parts, err = s.Close()
	if err != nil || len(parts) != 1 {
		t.Fatal(parts, err)
	}
	g, err = Open(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	if v, err := g.GetString("a"); err != nil || v != "b" {
		t.Error(v, err)
	}
	g.Close()
}
