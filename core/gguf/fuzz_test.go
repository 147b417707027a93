package gguf

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// seeds returns small valid and malformed files for the fuzz corpus.
func seeds(t testing.TB) [][]byte {
	s := [][]byte{base().build(), buildFile(t, 0), buildFile(t, 64)}
	v2 := base()
	v2.version = 2
	s = append(s, v2.build())
	trunc := buildFile(t, 0)
	s = append(s, trunc[:len(trunc)/2])
	nested := base()
	nested.kvs = append(nested.kvs, kv("n", Array, enc(nil).u32(uint32(Array)).u64(2).
		u32(uint32(String)).u64(1).str("x").u32(uint32(Bool)).u64(1).u8(1)))
	return append(s, nested.build())
}

// TestWriteFuzzCorpus regenerates testdata/fuzz/FuzzParse when
// GGUF_WRITE_CORPUS is set.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("GGUF_WRITE_CORPUS") == "" {
		t.Skip("set GGUF_WRITE_CORPUS=1 to regenerate testdata/fuzz/FuzzParse")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	must(t, os.MkdirAll(dir, 0o755))
	for i, b := range seeds(t) {
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		must(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%02d", i)), []byte(content), 0o644))
	}
}

// FuzzParse checks that Parse never panics, and that what it accepts is
// consistent and survives a write and re-parse.
func FuzzParse(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Parse("fuzz", b)
		if err != nil {
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %v is a %T, not a *FormatError", err, err)
			}
			return
		}
		for _, ti := range g.Tensors() {
			_, data, ok := g.Tensor(ti.Name)
			if !ok || int64(len(data)) != ti.Size || ti.Offset < g.DataOffset() || ti.Offset+ti.Size > int64(len(b)) {
				t.Fatalf("tensor %+v inconsistent", ti)
			}
		}
		if g.Alignment() > 4096 {
			return // do not write gigabytes of padding
		}
		h, err := Parse("rewritten", rewrite(t, g))
		if err != nil {
			t.Fatalf("rewritten file: %v", err)
		}
		if !reflect.DeepEqual(g.Keys(), h.Keys()) {
			t.Fatal("keys differ")
		}
		for _, k := range g.Keys() {
			v, _ := g.Get(k)
			w, _ := h.Get(k)
			if !reflect.DeepEqual(v, w) && v.String() != w.String() { // NaNs differ under DeepEqual
				t.Fatalf("key %s: %v, rewritten %v", k, v, w)
			}
		}
		for _, ti := range g.Tensors() {
			_, d1, _ := g.Tensor(ti.Name)
			tj, d2, ok := h.Tensor(ti.Name)
			if !ok || tj.Type != ti.Type || !reflect.DeepEqual(tj.Ne, ti.Ne) || !bytes.Equal(d1, d2) {
				t.Fatalf("tensor %s differs after rewrite", ti.Name)
			}
		}
	})
}
