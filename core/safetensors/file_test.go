package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/mmap"
)

// rawFile returns a safetensors file made of header, unpadded, and data.
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

// writeRaw writes b to a new file in a temporary directory.
func writeRaw(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// testTensors returns tensors of several dtypes and shapes.
func testTensors() []Tensor {
	seq := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + n)
		}
		return b
	}
	return []Tensor{
		{Name: "model.embed_tokens.weight", DType: BF16, Shape: []int{16, 8}, Data: seq(256)},
		{Name: "scalar", DType: F32, Shape: []int{}, Data: seq(4)},
		{Name: "empty", DType: F16, Shape: []int{0, 3}, Data: []byte{}},
		{Name: "fp8.weight", DType: F8E4M3, Shape: []int{3, 5}, Data: seq(15)},
		{Name: "fp8.weight_scale_inv", DType: F32, Shape: []int{1, 1}, Data: seq(4)},
		{Name: "ids", DType: I64, Shape: []int{2, 1, 3}, Data: seq(48)},
		{Name: "mask", DType: Bool, Shape: []int{3}, Data: []byte{1, 0, 1}},
		{Name: `quote"and<html>é`, DType: U8, Shape: []int{1}, Data: []byte{9}},
	}
}

func TestRoundTrip(t *testing.T) {
	tensors := testTensors()
	metadata := map[string]string{"format": "pt", "note": `<"x">`}
	path := filepath.Join(t.TempDir(), "rt.safetensors")
	if err := WriteFile(path, tensors, metadata); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw)
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("Stat: %v, %v; want mode 0644", fi.Mode(), err)
	}

	f, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer f.Close()
	if f.Path() != path {
		t.Errorf("Path() = %q, want %q", f.Path(), path)
	}
	if !reflect.DeepEqual(f.Header().Metadata, metadata) {
		t.Errorf("Metadata = %v, want %v", f.Header().Metadata, metadata)
	}
	if got := len(f.Header().Tensors); got != len(tensors) {
		t.Errorf("header has %d tensors, want %d", got, len(tensors))
	}
	var off int64
	for i, want := range tensors {
		got, ok := f.Tensor(want.Name)
		if !ok {
			t.Errorf("Tensor(%q) not found", want.Name)
			continue
		}
		if got.Name != want.Name || got.DType != want.DType || !reflect.DeepEqual(got.Shape, want.Shape) || got.File != path {
			t.Errorf("Tensor(%q) = %s %v in %q, want %s %v in %q", want.Name, got.DType, got.Shape, got.File, want.DType, want.Shape, path)
		}
		if !bytes.Equal(got.Data, want.Data) {
			t.Errorf("Tensor(%q).Data differs", want.Name)
		}
		if got.NumElements()*int64(got.DType.Size()) != int64(len(got.Data)) {
			t.Errorf("Tensor(%q): %d elements of %d bytes, data has %d", want.Name, got.NumElements(), got.DType.Size(), len(got.Data))
		}
		if cap(got.Data) != len(got.Data) {
			t.Errorf("Tensor(%q).Data has capacity %d beyond its length %d", want.Name, cap(got.Data), len(got.Data))
		}
		// Tensors are written in the given order.
		if len(want.Data) > 0 && !bytes.Equal(raw[8+int(n)+int(off):][:len(want.Data)], want.Data) {
			t.Errorf("tensor %d %q is not at offset %d", i, want.Name, off)
		}
		off += int64(len(want.Data))
		if err := f.Advise(want.Name, mmap.WillNeed); err != nil {
			t.Errorf("Advise(%q): %v", want.Name, err)
		}
	}
	if int64(len(raw)) != 8+int64(n)+off {
		t.Errorf("file is %d bytes, want %d", len(raw), 8+int64(n)+off)
	}
	if _, ok := f.Tensor("missing"); ok {
		t.Error(`Tensor("missing") found`)
	}

	// Shape must be a copy: changing it does not change the header.
	t1, _ := f.Tensor("ids")
	t1.Shape[0] = 99
	if t2, _ := f.Tensor("ids"); t2.Shape[0] != 2 {
		t.Errorf("modifying a returned Shape changed the header: %v", t2.Shape)
	}

	// The data is a view into the mapping, not a copy.
	a, _ := f.Tensor("model.embed_tokens.weight")
	b, _ := f.Tensor("model.embed_tokens.weight")
	if &a.Data[0] != &b.Data[0] {
		t.Error("Tensor data is copied, want a view into the mapping")
	}

	if err := f.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, ok := f.Tensor("scalar"); ok {
		t.Error("Tensor found after Close")
	}
}

func TestRoundTripNoMetadata(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := WriteFile(path, nil, nil); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer f.Close()
	if len(f.Header().Tensors) != 0 || len(f.Header().Metadata) != 0 {
		t.Errorf("header = %+v, want empty", f.Header())
	}
}

func TestOpenErrors(t *testing.T) {
	const w = `{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"empty file", nil, "truncated file: 0 bytes"},
		{"truncated file", []byte{1, 0, 0}, "truncated file: 3 bytes"},
		{"header length past end", rawFile(w, make([]byte, 8))[:40], "header length 54 past end of file (size 40)"},
		{"huge header length", binary.LittleEndian.AppendUint64(nil, 1<<63+5), "header length 9223372036854775813 past end of file (size 8)"},
		{"bad JSON", rawFile(`{"w":`, nil), "invalid JSON"},
		{"unknown dtype", rawFile(`{"w":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)), `tensor "w": unknown dtype "F7"`},
		{"data past end", rawFile(w, make([]byte, 7)), `tensor "w": data_offsets [0, 8] past end of data section (7 bytes)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeRaw(t, tt.file)
			f, err := Open(path)
			if err == nil {
				f.Close()
				t.Fatalf("Open succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %q", err, path)
			}
		})
	}
}

func TestOpenMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.safetensors")
	_, err := Open(path)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open(%q) error = %v, want one that names the file and is fs.ErrNotExist", path, err)
	}
}
