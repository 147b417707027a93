package safetensors

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/mmap"
)

// writeShards writes tensors to files in dir, shards[i] holding the tensors
// whose names are listed in it, and returns the weight map.
func writeShards(t *testing.T, dir string, tensors []Tensor, shards map[string][]string) map[string]string {
	t.Helper()
	byName := make(map[string]Tensor)
	for _, tt := range tensors {
		byName[tt.Name] = tt
	}
	wm := make(map[string]string)
	for file, names := range shards {
		var ts []Tensor
		for _, n := range names {
			ts = append(ts, byName[n])
			wm[n] = file
		}
		if err := WriteFile(filepath.Join(dir, file), ts, map[string]string{"format": "pt"}); err != nil {
			t.Fatal(err)
		}
	}
	return wm
}

func writeIndex(t *testing.T, dir string, weightMap map[string]string) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"metadata": map[string]any{"total_size": 123}, "weight_map": weightMap})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, IndexFileName), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

var testShards = map[string][]string{
	"model-00001-of-00002.safetensors": {"model.embed_tokens.weight", "scalar", "empty", "mask"},
	"model-00002-of-00002.safetensors": {"fp8.weight", "fp8.weight_scale_inv", "ids", `quote"and<html>é`},
}

func checkCheckpoint(t *testing.T, c *Checkpoint, want []Tensor) {
	t.Helper()
	var names []string
	for _, w := range want {
		names = append(names, w.Name)
		got, err := c.Tensor(w.Name)
		if err != nil {
			t.Errorf("Tensor(%q): %v", w.Name, err)
			continue
		}
		if got.DType != w.DType || !slices.Equal(got.Shape, w.Shape) || !bytes.Equal(got.Data, w.Data) {
			t.Errorf("Tensor(%q) = %s %v (%d bytes), want %s %v (%d bytes)", w.Name, got.DType, got.Shape, len(got.Data), w.DType, w.Shape, len(w.Data))
		}
		if filepath.Dir(got.File) != c.Dir() {
			t.Errorf("Tensor(%q).File = %q, not in %q", w.Name, got.File, c.Dir())
		}
		if !c.Has(w.Name) {
			t.Errorf("Has(%q) = false", w.Name)
		}
	}
	slices.Sort(names)
	if got := c.Names(); !slices.Equal(got, names) {
		t.Errorf("Names() = %q, want %q", got, names)
	}
	if c.Has("missing") {
		t.Error(`Has("missing") = true`)
	}
	_, err := c.Tensor("missing")
	if want := `safetensors: tensor "missing" not found in ` + c.Dir(); err == nil || err.Error() != want {
		t.Errorf(`Tensor("missing") error = %v, want %q`, err, want)
	}
}

func TestOpenDir(t *testing.T) {
	tensors := testTensors()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		files int
	}{
		{"sharded with index", func(t *testing.T, dir string) {
			writeIndex(t, dir, writeShards(t, dir, tensors, testShards))
			// Tensors not in the weight map are ignored, as are other files.
			if err := WriteFile(filepath.Join(dir, "extra.safetensors"), tensors[:1], nil); err != nil {
				t.Fatal(err)
			}
		}, 2},
		{"index with a tensor not in the map", func(t *testing.T, dir string) {
			wm := writeShards(t, dir, append(slices.Clone(tensors), Tensor{Name: "unmapped", DType: U8, Shape: []int{}, Data: []byte{1}}),
				map[string][]string{"a.safetensors": {"unmapped", "scalar", "empty", "mask", "model.embed_tokens.weight",
					"fp8.weight", "fp8.weight_scale_inv", "ids", `quote"and<html>é`}})
			delete(wm, "unmapped")
			writeIndex(t, dir, wm)
		}, 1},
		{"single model.safetensors", func(t *testing.T, dir string) {
			if err := WriteFile(filepath.Join(dir, SingleFileName), tensors, nil); err != nil {
				t.Fatal(err)
			}
			// Ignored: model.safetensors takes precedence.
			if err := WriteFile(filepath.Join(dir, "other.safetensors"), tensors, nil); err != nil {
				t.Fatal(err)
			}
		}, 1},
		{"all *.safetensors", func(t *testing.T, dir string) {
			writeShards(t, dir, tensors, testShards)
			for _, name := range []string{"notes.txt", ".hidden.safetensors"} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte("junk"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			c, err := OpenDir(dir)
			if err != nil {
				t.Fatalf("OpenDir: %v", err)
			}
			if len(c.Files()) != tt.files {
				t.Errorf("%d files, want %d", len(c.Files()), tt.files)
			}
			checkCheckpoint(t, c, tensors)
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := c.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if c.Has("scalar") {
				t.Error("Has after Close = true")
			}
			if _, err := c.Tensor("scalar"); err == nil || !strings.Contains(err.Error(), "closed") {
				t.Errorf("Tensor after Close: error %v, want one saying the checkpoint is closed", err)
			}
		})
	}
}

func TestOpenDirErrors(t *testing.T) {
	tensors := testTensors()
	writeFile := func(name, content string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
		is    error
	}{
		{"empty directory", func(*testing.T, string) {}, "no model.safetensors.index.json, model.safetensors or *.safetensors file in", nil},
		{"bad JSON in index", writeFile(IndexFileName, `{"weight_map": {`), IndexFileName + ": invalid JSON", nil},
		{"index without weight_map", writeFile(IndexFileName, `{"metadata": {}}`), "missing weight_map", nil},
		{"empty weight_map", writeFile(IndexFileName, `{"weight_map": {}}`), "weight_map is empty", nil},
		{"shard not a string", writeFile(IndexFileName, `{"weight_map": {"w": 3}}`), `weight_map: tensor "w": shard is not a string`, nil},
		{"shard outside the directory", writeFile(IndexFileName, `{"weight_map": {"w": "../x.safetensors"}}`), `shard "../x.safetensors" is not a file name inside the directory`, nil},
		{"duplicate in weight_map", writeFile(IndexFileName, `{"weight_map": {"w": "a", "w": "b"}}`), `weight_map: tensor "w": duplicate name`, nil},
		{"index naming a missing shard", func(t *testing.T, dir string) {
			wm := writeShards(t, dir, tensors, testShards)
			wm["extra"] = "model-00003-of-00002.safetensors"
			writeIndex(t, dir, wm)
		}, `missing shard "model-00003-of-00002.safetensors"`, fs.ErrNotExist},
		{"tensor not in its shard", func(t *testing.T, dir string) {
			wm := writeShards(t, dir, tensors, testShards)
			wm["scalar"] = "model-00002-of-00002.safetensors"
			writeIndex(t, dir, wm)
		}, `tensor "scalar" not found in shard "model-00002-of-00002.safetensors"`, nil},
		{"malformed shard", func(t *testing.T, dir string) {
			writeFile("a.safetensors", "\x02\x00\x00\x00\x00\x00\x00\x00{}")(t, dir)
			writeFile("b.safetensors", "\x01\x00")(t, dir)
			writeIndex(t, dir, map[string]string{"x": "a.safetensors", "y": "b.safetensors"})
		}, "b.safetensors: truncated file", nil},
		{"malformed model.safetensors", writeFile(SingleFileName, "\x05\x00\x00\x00\x00\x00\x00\x00{}"), "header length 5 past end of file (size 10)", nil},
		{"index over its bound", func(t *testing.T, dir string) {
			f, err := os.Create(filepath.Join(dir, IndexFileName))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(MaxIndexSize + 1); err != nil { // sparse: takes no room
				t.Fatal(err)
			}
		}, IndexFileName + " is 268435457 bytes, more than the 268435456 allowed: file too large", mmap.ErrTooLarge},
		{"index a directory", func(t *testing.T, dir string) {
			if err := os.Mkdir(filepath.Join(dir, IndexFileName), 0o755); err != nil {
				t.Fatal(err)
			}
		}, IndexFileName + " is a directory, not a regular file", mmap.ErrNotRegular},
		{"duplicate names across files", func(t *testing.T, dir string) {
			for _, name := range []string{"a.safetensors", "b.safetensors"} {
				if err := WriteFile(filepath.Join(dir, name), tensors[1:3], nil); err != nil {
					t.Fatal(err)
				}
			}
		}, `tensor "scalar" is in both`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			c, err := OpenDir(dir)
			if err == nil {
				c.Close()
				t.Fatalf("OpenDir succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name the directory %q", err, dir)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
		})
	}
}

func TestOpenDirNotADirectory(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "missing"), "no such file"},
		{"a file", writeRaw(t, rawFile("{}", nil)), "is not a directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := OpenDir(tt.path); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("OpenDir(%q) error = %v, want one containing %q", tt.path, err, tt.want)
			}
		})
	}
}
