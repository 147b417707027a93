package convert

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/gguf"
)

// llamaQuantize is testdata/llama-quantize-types.json: what llama-quantize chose for each
// weight matrix of several shapes, and the files it wrote from the reference fixture (see the
// file's source fields for how it was made).
type llamaQuantize struct {
	Models []struct {
		Name    string            `json:"name"`
		Experts int               `json:"experts"`
		Tensors []string          `json:"tensors"` // "name ne0xne1[xne2]"
		Types   map[string]string `json:"types"`   // --type → the types, space-separated, in tensor order
	} `json:"models"`
	Files map[string]struct {
		FileType uint32            `json:"file_type"`
		Tensors  map[string]string `json:"tensors"` // name → "TYPE sha256"
	} `json:"files"`
}

func loadLlamaQuantize(t *testing.T) llamaQuantize {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "llama-quantize-types.json"))
	if err != nil {
		t.Fatal(err)
	}
	var lq llamaQuantize
	if err := json.Unmarshal(b, &lq); err != nil {
		t.Fatal(err)
	}
	return lq
}

// TestTypesMatchLlamaQuantize: every weight matrix of DeepSeek-V3 671B (with and without its
// multi-token-prediction layer), V2-Lite, V2-Lite with 8 experts and the reference fixture
// gets, for each K-quant mixture, the type llama-quantize chose for it.
func TestTypesMatchLlamaQuantize(t *testing.T) {
	lq := loadLlamaQuantize(t)
	for _, m := range lq.Models {
		t.Run(m.Name, func(t *testing.T) {
			tensors := make([]core.ExportTensor, len(m.Tensors))
			for i, s := range m.Tensors {
				name, shape, _ := strings.Cut(s, " ")
				tensors[i] = core.ExportTensor{Name: name, Matrix: true}
				for _, d := range strings.Split(shape, "x") {
					n, err := strconv.ParseInt(d, 10, 64)
					if err != nil {
						t.Fatalf("%q: %v", s, err)
					}
					tensors[i].Ne = append(tensors[i].Ne, n)
				}
			}
			for typ, list := range m.Types {
				t.Run(typ, func(t *testing.T) {
					spec, err := lookupType(typ)
					if err != nil {
						t.Fatal(err)
					}
					want := strings.Fields(list)
					got := tensorTypes(tensors, spec, quantModel{experts: m.Experts})
					bad := 0
					for i, g := range got {
						if g.String() != want[i] {
							if bad++; bad <= 10 {
								t.Errorf("%s: %v, llama-quantize %s", tensors[i].Name, g, want[i])
							}
						}
					}
					if bad > 10 {
						t.Errorf("and %d more", bad-10)
					}
				})
			}
		})
	}
}

// TestMixturesMatchLlamaCpp converts the BF16 reference checkpoint to each mixture and
// compares the file type and every tensor's type and bytes with the file llama-quantize
// wrote (q4_k_m: TestMatchesLlamaCpp).
func TestMixturesMatchLlamaCpp(t *testing.T) {
	lq := loadLlamaQuantize(t)
	m, err := core.Open(fixture.Path(t, "deepseek-v3-tiny-bf16"), core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for typ, want := range lq.Files {
		t.Run(typ, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "m.gguf")
			if _, err := Write(context.Background(), m, out, Options{Type: typ}); err != nil {
				t.Fatal(err)
			}
			f, err := gguf.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if ft, err := f.GetUint("general.file_type"); err != nil || ft != uint64(want.FileType) {
				t.Errorf("general.file_type %d (%v), llama-quantize wrote %d", ft, err, want.FileType)
			}
			if len(f.Tensors()) != len(want.Tensors) {
				t.Errorf("%d tensors, llama-quantize wrote %d", len(f.Tensors()), len(want.Tensors))
			}
			for name, w := range want.Tensors {
				info, data, ok := f.Tensor(name)
				if !ok {
					t.Errorf("missing %s", name)
					continue
				}
				sum := sha256.Sum256(data)
				if got := info.Type.String() + " " + hex.EncodeToString(sum[:]); got != w {
					t.Errorf("%s: %.24s, llama-quantize %.24s", name, got, w)
				}
			}
		})
	}
}

// TestFileTypes: the general.file_type of every type llama.cpp's fixture files have is the
// one llama-quantize wrote (the pure K types as its --pure *_K_S files).
func TestFileTypes(t *testing.T) {
	b, err := os.ReadFile(fixture.Path(t, "gguf", "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Files map[string]struct {
			FileType uint32 `json:"file_type"`
			Arg      string `json:"ftype_arg"`
			Pure     bool   `json:"pure"`
		} `json:"files"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	ours := map[string]string{"Q3_K_S": "q3_k", "Q4_K_S": "q4_k", "Q5_K_S": "q5_k", "Q4_K_M": "q4_k_m"}
	for file, f := range idx.Files {
		if f.Arg == "" {
			continue
		}
		t.Run(file, func(t *testing.T) {
			name, ok := ours[f.Arg]
			if !ok {
				name = strings.ToLower(f.Arg)
			}
			spec, err := lookupType(name)
			if err != nil {
				t.Fatal(err)
			}
			if spec.fileType != f.FileType || (spec.mix == nil) != f.Pure {
				t.Errorf("%s: file type %d, mixture %v; llama-quantize %s wrote %d (pure %v)", name, spec.fileType, spec.mix != nil, f.Arg, f.FileType, f.Pure)
			}
		})
	}
}

// TestLayerCount: the layers the mixtures count are the file's deepseek2.block_count, with
// a multi-token-prediction layer and without.
func TestLayerCount(t *testing.T) {
	for _, dir := range []string{fixture.Path(t, "deepseek-v3-tiny-bf16"), filepath.Join("..", "testdata", "ref", "v3-mtp")} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			m, err := core.Open(dir, core.Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			want := -1
			for _, kv := range m.Config.GGUFMetadata() {
				if kv[0] == "deepseek2.block_count" {
					want = int(kv[1].(uint32))
				}
			}
			if got := blockCount(m.Export()); got != want {
				t.Errorf("%d layers, block_count %d", got, want)
			}
		})
	}
}
