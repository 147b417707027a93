package safetensors

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileErrors(t *testing.T) {
	ok := Tensor{Name: "ok", DType: F32, Shape: []int{2}, Data: make([]byte, 8)}
	tests := []struct {
		name     string
		tensors  []Tensor
		metadata map[string]string
		want     string
	}{
		{"size mismatch", []Tensor{{Name: "w", DType: F32, Shape: []int{2, 2}, Data: make([]byte, 15)}}, nil, `tensor "w": F32 shape [2 2] needs 16 bytes, data has 15`},
		{"unknown dtype", []Tensor{{Name: "w", DType: "F12", Shape: []int{1}, Data: make([]byte, 1)}}, nil, `tensor "w": unknown dtype "F12"`},
		{"negative dim", []Tensor{{Name: "w", DType: U8, Shape: []int{-1}}}, nil, `tensor "w": shape [-1]: negative dimension -1`},
		{"too many dims", []Tensor{{Name: "w", DType: U8, Shape: make([]int, 9)}}, nil, `tensor "w": shape has 9 dimensions`},
		{"duplicate names", []Tensor{ok, ok}, nil, `tensor "ok": duplicate name`},
		{"empty name", []Tensor{ok, {DType: U8}}, nil, "tensor 1: empty tensor name"},
		{"reserved name", []Tensor{{Name: "__metadata__", DType: U8}}, nil, `name "__metadata__" is reserved`},
		{"invalid UTF-8 name", []Tensor{{Name: "\xff", DType: U8, Shape: []int{}, Data: []byte{0}}}, nil, "not valid UTF-8"},
		{"invalid UTF-8 metadata", []Tensor{ok}, map[string]string{"k": "\xfe"}, `__metadata__: key "k"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.safetensors")
			err := WriteFile(path, tt.tensors, tt.metadata)
			if err == nil {
				t.Fatalf("WriteFile succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not contain %q and the path", err, tt.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("WriteFile left %d files behind", len(entries))
			}
		})
	}
}

func TestWriteFileMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "x.safetensors")
	if err := WriteFile(path, nil, nil); err == nil {
		t.Fatal("WriteFile into a missing directory succeeded")
	}
}

// TestWriteFileReplacesMapped checks that overwriting a file that is open
// leaves the open file's data intact.
func TestWriteFileReplacesMapped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	old := []Tensor{{Name: "w", DType: U8, Shape: []int{4096}, Data: bytes.Repeat([]byte{1}, 4096)}}
	if err := WriteFile(path, old, nil); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := WriteFile(path, []Tensor{{Name: "v", DType: U8, Shape: []int{1}, Data: []byte{2}}}, nil); err != nil {
		t.Fatal(err)
	}
	w, ok := f.Tensor("w")
	if !ok || !bytes.Equal(w.Data, old[0].Data) {
		t.Fatal("the open file's data changed when the file was replaced")
	}
	g, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, ok := g.Tensor("v"); !ok {
		t.Fatal("the new file lacks tensor v")
	}
}
