package gguf

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/deepgo/deepgo/core/fixture"
)

// fixtureDir holds the files llama.cpp wrote (../shared/fixtures/gguf/README.md).
var fixtureDir = fixture.Join("gguf")

type fixtureIndex struct {
	Files map[string]struct {
		Path        *string `json:"path"`
		Size        int64   `json:"size"`
		SHA256      string  `json:"sha256"`
		Version     uint32  `json:"gguf_version"`
		Alignment   int64   `json:"alignment"`
		NKV         int     `json:"n_kv"`
		NTensors    int     `json:"n_tensors"`
		DataOffset  int64   `json:"data_offset"`
		FileType    uint32  `json:"file_type"`
		TensorInfos []struct {
			Name   string  `json:"name"`
			Type   string  `json:"type"`
			TypeID uint32  `json:"type_id"`
			Ne     []int64 `json:"ne"`
			Offset int64   `json:"offset"`
			NBytes int64   `json:"nbytes"`
			SHA256 string  `json:"sha256"`
		} `json:"tensors"`
	} `json:"files"`
}

// loadFixtures returns the fixture index, skipping the test if the shared
// fixtures are absent.
func loadFixtures(t testing.TB) *fixtureIndex {
	t.Helper()
	b, err := os.ReadFile(fixture.Path(t, "gguf", "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx fixtureIndex
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	return &idx
}

// fixturePaths returns the shipped fixture files, by index name.
func fixturePaths(t testing.TB) map[string]string {
	idx := loadFixtures(t)
	m := make(map[string]string)
	for name, f := range idx.Files {
		if f.Path != nil {
			m[name] = filepath.Join(fixtureDir, *f.Path)
		}
	}
	return m
}

func TestFixtures(t *testing.T) {
	idx := loadFixtures(t)
	n := 0
	for name, want := range idx.Files {
		if want.Path == nil {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(fixtureDir, *want.Path)
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Version() != want.Version || f.Alignment() != want.Alignment || f.DataOffset() != want.DataOffset {
				t.Errorf("version %d alignment %d data offset %d, want %d %d %d",
					f.Version(), f.Alignment(), f.DataOffset(), want.Version, want.Alignment, want.DataOffset)
			}
			if len(f.Keys()) != want.NKV {
				t.Errorf("%d keys, want %d", len(f.Keys()), want.NKV)
			}
			if ft, err := f.GetUint("general.file_type"); err != nil || ft != uint64(want.FileType) {
				t.Errorf("general.file_type = %d, %v; want %d", ft, err, want.FileType)
			}
			ts := f.Tensors()
			if len(ts) != want.NTensors || len(ts) != len(want.TensorInfos) {
				t.Fatalf("%d tensors, want %d", len(ts), want.NTensors)
			}
			for i, wt := range want.TensorInfos {
				got := ts[i]
				if got.Name != wt.Name || got.Type.String() != wt.Type || uint32(got.Type) != wt.TypeID ||
					!equalInts(got.Ne, wt.Ne) || got.Offset != wt.Offset || got.Size != wt.NBytes || got.File != path {
					t.Errorf("tensor %d = %+v, want %+v", i, got, wt)
					continue
				}
				_, data, ok := f.Tensor(wt.Name)
				if !ok {
					t.Fatalf("Tensor(%q) not found", wt.Name)
				}
				sum := sha256.Sum256(data)
				if hex.EncodeToString(sum[:]) != wt.SHA256 {
					t.Errorf("tensor %s: sha256 of data differs", wt.Name)
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no shipped fixture files in index.json")
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
