package convert

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/gguf"
	"github.com/deepgo/deepgo/core/tokenizer"
)

type indexTensor struct {
	Name   string  `json:"name"`
	Type   string  `json:"type"`
	Ne     []int64 `json:"ne"`
	SHA256 string  `json:"sha256"`
}

func loadIndex(t *testing.T, file string) []indexTensor {
	t.Helper()
	b, err := os.ReadFile(fixture.Path(t, "gguf", "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Files map[string]struct {
			Tensors []indexTensor `json:"tensors"`
		} `json:"files"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	return idx.Files[file].Tensors
}

// TestMatchesLlamaCpp converts the BF16 reference checkpoint and compares every tensor's
// name, type, shape and bytes with the files llama.cpp's converter and llama-quantize wrote
// from the same checkpoint.
func TestMatchesLlamaCpp(t *testing.T) {
	m, err := core.Open(fixture.Path(t, "deepseek-v3-tiny-bf16"), core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, c := range []struct{ typ, file string }{
		{"f32", "v3tiny-F32.gguf"}, {"q8_0", "v3tiny-Q8_0.gguf"}, {"q4_k_m", "v3tiny-Q4_K_M.gguf"},
	} {
		t.Run(c.typ, func(t *testing.T) {
			want := loadIndex(t, c.file)
			out := filepath.Join(t.TempDir(), "m.gguf")
			if _, err := Write(context.Background(), m, out, Options{Type: c.typ}); err != nil {
				t.Fatal(err)
			}
			f, err := gguf.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if len(f.Tensors()) != len(want) {
				t.Errorf("%d tensors, llama.cpp wrote %d", len(f.Tensors()), len(want))
			}
			for _, w := range want {
				info, data, ok := f.Tensor(w.Name)
				if !ok {
					t.Errorf("missing %s", w.Name)
					continue
				}
				sum := sha256.Sum256(data)
				if info.Type.String() != w.Type || hex.EncodeToString(sum[:]) != w.SHA256 {
					t.Errorf("%s: %s sha256 %x, llama.cpp %s %s", w.Name, info.Type, sum[:6], w.Type, w.SHA256[:12])
				}
			}
		})
	}
}

// TestRoundTrip: a converted F32 file (from the BF16 and from the FP8 checkpoint) gives the
// reference logits, and re-opening it runs; a quantized one runs too.
func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name   string
		shared bool // in ../shared/fixtures, else in core/testdata/ref
	}{
		{"deepseek-v3-tiny-bf16", true},
		{"deepseek-v3-tiny-fp8", true},
		{"v2-lite-tiny", false}, // V2: no q LoRA, softmax routing
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join("..", "testdata", "ref", c.name)
			if c.shared {
				dir = fixture.Path(t, c.name)
			}
			src := filepath.Base(dir)
			m, err := core.Open(dir, core.Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			prompt, decode := []int{0, 1322, 767, 386}, []int{1558, 86}
			want, err := core.Eval(context.Background(), m, prompt, decode)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "f32.gguf")
			if _, err := Write(context.Background(), m, out, Options{Type: "f32"}); err != nil {
				t.Fatal(err)
			}
			m.Close()
			f, err := gguf.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.GetUint("deepseek2.attention.q_lora_rank"); err != nil {
				t.Errorf("%s: llama.cpp needs deepseek2.attention.q_lora_rank: %v", src, err)
			}
			f.Close()
			g, err := core.Open(out, core.Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			got, err := core.Eval(context.Background(), g, prompt, decode)
			g.Close()
			if err != nil {
				t.Fatal(err)
			}
			var d float32
			for i := range want {
				d = max(d, abs(got[i]-want[i]))
			}
			if d > 1e-4 {
				t.Errorf("%s → f32 GGUF: max |diff| %g", src, d)
			}
		})
	}
}

func abs(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

func TestBadType(t *testing.T) {
	if _, err := Write(context.Background(), nil, filepath.Join(t.TempDir(), "x.gguf"), Options{Type: "q9"}); err == nil {
		t.Error("unknown type: no error")
	}
}

// TestVocabForLlamaCpp: the embedded vocabulary is padded to vocab_size with unused tokens
// (llama.cpp sizes token_embd from it) and control-looking added tokens are control-typed.
func TestVocabForLlamaCpp(t *testing.T) {
	tok, err := tokenizer.Load(fixture.Path(t, "tokenizer", "deepseek-v3"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := ggufVocab(tok, 129280)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Tokens) != 129280 || len(v.Types) != 129280 {
		t.Fatalf("%d tokens, %d types", len(v.Tokens), len(v.Types))
	}
	if v.Tokens[129279] != "[PAD129279]" || v.Types[129279] != tokenUnused {
		t.Errorf("last token %q type %d", v.Tokens[129279], v.Types[129279])
	}
	user, _ := tok.ID("<｜User｜>")
	if v.Types[user] != tokenControl {
		t.Errorf("<｜User｜> has type %d, want control", v.Types[user])
	}
	if _, err := ggufVocab(tok, 1000); err == nil {
		t.Error("tokenizer larger than the vocabulary: no error")
	}
	// The padded vocabulary still encodes like the original.
	back, err := tokenizer.FromVocab(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Hello, world!", "<｜User｜>你好<｜Assistant｜>"} {
		t.Run(s, func(t *testing.T) {
			if a, b := tok.Encode(s), back.Encode(s); fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("%q: %v vs %v", s, a, b)
			}
		})
	}
}
