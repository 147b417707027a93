package convert

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/gguf"
	"github.com/deepgo/deepgo/core/npy"
)

// denseRefs are the dense R1-distill reference checkpoints (core/testdata/ref, PyTorch
// logits from tools/refgen's refgen_dense.py) and the GGUF architecture each converts to.
var denseRefs = []struct{ name, arch string }{
	{"qwen2-gqa", "qwen2"},
	{"qwen2-tied", "qwen2"},
	{"llama3-gqa", "llama"},
	{"llama-bias-tied", "llama"},
	{"qwen3-qknorm", "qwen3"},
	{"qwen3-yarn", "qwen3"}, // YaRN: rope.scaling keys whose attn_factor gives Hugging Face's attention factor
}

// refCase is one case of a reference checkpoint's expected.json: the prompt, the tokens fed
// while decoding, and the file of its logits ([prompt+decode, vocab]).
type refCase struct {
	Name   string `json:"name"`
	Prompt []int  `json:"prompt"`
	Fed    []int  `json:"fed_decode_tokens"`
	Logits struct {
		Absorb string `json:"absorb"`
	} `json:"logits"`
}

// loadRef reads a reference checkpoint's cases, their logits, and the checkpoint's dtype as
// a --type name (bf16, f16 or f32).
func loadRef(t *testing.T, dir string) ([]refCase, [][]float32, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		DType string    `json:"dtype"`
		Cases []refCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	if len(exp.Cases) == 0 {
		t.Fatalf("%s: no cases", dir)
	}
	logits := make([][]float32, len(exp.Cases))
	for i, c := range exp.Cases {
		if logits[i], _, err = npy.ReadFile(filepath.Join(dir, c.Logits.Absorb)); err != nil {
			t.Fatal(err)
		}
	}
	dtype := map[string]string{"bfloat16": "bf16", "float16": "f16", "float32": "f32"}[exp.DType]
	if dtype == "" {
		t.Fatalf("%s: dtype %q", dir, exp.DType)
	}
	return exp.Cases, logits, dtype
}

// convertRef opens a reference checkpoint and writes it as a GGUF file of type typ.
func convertRef(t *testing.T, dir, typ string) string {
	t.Helper()
	m, err := core.Open(dir, core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	out := filepath.Join(t.TempDir(), typ+".gguf")
	if _, err := Write(context.Background(), m, out, Options{Type: typ}); err != nil {
		t.Fatal(err)
	}
	return out
}

// logitStats compares logits with the reference's, row by row ([rows, vocab]).
type logitStats struct {
	maxDiff, meanDiff float64
	kl                float64 // summed over rows
	same, rows        int     // rows with the reference's argmax
}

func (s *logitStats) add(got, want []float32, vocab int) {
	var sum float64
	for i := range want {
		d := math.Abs(float64(got[i] - want[i]))
		if math.IsNaN(d) {
			d = math.Inf(1)
		}
		s.maxDiff = max(s.maxDiff, d)
		sum += d
	}
	n := float64(s.rows * vocab)
	rows := len(want) / vocab
	s.meanDiff = (s.meanDiff*n + sum) / (n + float64(len(want)))
	for r := range rows {
		w, g := want[r*vocab:(r+1)*vocab], got[r*vocab:(r+1)*vocab]
		s.kl += kl(w, g)
		if argmax(w) == argmax(g) {
			s.same++
		}
	}
	s.rows += rows
}

func argmax(x []float32) int {
	a := 0
	for i, v := range x {
		if v > x[a] {
			a = i
		}
	}
	return a
}

// TestDenseConversions converts every dense reference checkpoint to GGUF, checks what
// llama.cpp reads of the file (general.architecture, no output.weight when tied, the Llama-3
// rope_freqs; the F32 file written again from itself is the same), opens it and evaluates
// the reference cases. F32, and the 16-bit type the
// checkpoint is stored in, hold its exact values: they must match the reference logits within
// the fixture tolerance (max |diff| ≤ 2e-3, mean ≤ 2e-4). The other 16-bit type and Q8_0 round
// the weights: they must keep the mean KL divergence from the reference under 2e-3 nats and
// its argmax on at least 90% of the rows (measured: KL ≤ 1.1e-3, top-1 ≥ 73/76 for Q8_0).
// -short runs F32 and Q8_0.
func TestDenseConversions(t *testing.T) {
	types := []string{"f32", "q8_0", "f16", "bf16"}
	if testing.Short() {
		types = types[:2]
	}
	for _, ref := range denseRefs {
		dir := filepath.Join("..", "testdata", "ref", ref.name)
		cases, want, dtype := loadRef(t, dir)
		for _, typ := range types {
			t.Run(ref.name+"/"+typ, func(t *testing.T) {
				out := convertRef(t, dir, typ)
				checkDenseFile(t, out, dir, ref.arch)
				m, err := core.Open(out, core.Options{Threads: 2})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				if typ == "f32" { // GGUF to GGUF: Llama's rows are not permuted again, rope_freqs is kept
					again := filepath.Join(t.TempDir(), "again.gguf")
					if _, err := Write(context.Background(), m, again, Options{Type: typ}); err != nil {
						t.Fatal(err)
					}
					sameTensors(t, out, again)
				}
				var s logitStats
				for i, c := range cases {
					got, err := core.Eval(context.Background(), m, c.Prompt, c.Fed)
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != len(want[i]) {
						t.Fatalf("%s: %d logits, want %d", c.Name, len(got), len(want[i]))
					}
					s.add(got, want[i], m.Config.VocabSize)
				}
				meanKL := s.kl / float64(s.rows)
				t.Logf("%s %s: max |diff| %.3g, mean %.3g, mean KL %.3g, top-1 %d/%d", ref.name, typ, s.maxDiff, s.meanDiff, meanKL, s.same, s.rows)
				if exact := typ == "f32" || typ == dtype; !exact {
					if !(meanKL <= 2e-3) || float64(s.same) < 0.9*float64(s.rows) {
						t.Errorf("mean KL %.3g (limit 2e-3), top-1 %d/%d (limit 90%%)", meanKL, s.same, s.rows)
					}
					return
				}
				if !(s.maxDiff <= 2e-3 && s.meanDiff <= 2e-4) {
					t.Errorf("max |diff| %.3g (limit 2e-3), mean %.3g (limit 2e-4)", s.maxDiff, s.meanDiff)
				}
			})
		}
	}
}

// checkDenseFile checks the metadata and tensors llama.cpp needs of a dense conversion.
func checkDenseFile(t *testing.T, path, refDir, arch string) {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, err := f.GetString("general.architecture"); v != arch {
		t.Errorf("general.architecture %q (%v), want %s", v, err, arch)
	}
	var cfg struct {
		Tied        bool            `json:"tie_word_embeddings"`
		RopeScaling json.RawMessage `json:"rope_scaling"`
		Layers      int             `json:"num_hidden_layers"`
		KVHeads     int             `json:"num_key_value_heads"`
	}
	b, err := os.ReadFile(filepath.Join(refDir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := f.Tensor("output.weight"); ok == cfg.Tied {
		t.Errorf("output.weight present %v with tie_word_embeddings %v", ok, cfg.Tied)
	}
	_, _, freqs := f.Tensor("rope_freqs.weight")
	if llama3 := strings.Contains(string(cfg.RopeScaling), `"llama3"`); freqs != llama3 {
		t.Errorf("rope_freqs.weight present %v with rope_scaling %s", freqs, cfg.RopeScaling)
	}
	for _, k := range []struct {
		key  string
		want int
	}{{arch + ".block_count", cfg.Layers}, {arch + ".attention.head_count_kv", cfg.KVHeads}} {
		if v, err := f.GetUint(k.key); err != nil || int(v) != k.want {
			t.Errorf("%s = %d (%v), want %d", k.key, v, err, k.want)
		}
	}
}

// TestDenseAllTypes: every --type converts each dense family's reference checkpoint into a
// file deepgo opens and evaluates; the mean KL divergence from the reference stays under
// 0.25 nats (measured: Q4_0 0.09–0.12, the worst; Q5_* 0.02–0.03; Q8_0 under 1e-3; these
// rows are 64 to 128 values wide, so the K types fall back to 32-value blocks: Q2_K and Q3_K
// to Q4_0, Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0).
func TestDenseAllTypes(t *testing.T) {
	if testing.Short() {
		t.Skip("every type of three checkpoints: TestDenseConversions covers F32 and Q8_0")
	}
	for _, name := range []string{"qwen2-gqa", "llama3-gqa", "qwen3-qknorm"} {
		dir := filepath.Join("..", "testdata", "ref", name)
		cases, want, _ := loadRef(t, dir)
		for _, typ := range Types() {
			t.Run(name+"/"+typ, func(t *testing.T) {
				m, err := core.Open(convertRef(t, dir, typ), core.Options{Threads: 2})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				var s logitStats
				for i, c := range cases {
					got, err := core.Eval(context.Background(), m, c.Prompt, c.Fed)
					if err != nil {
						t.Fatal(err)
					}
					s.add(got, want[i], m.Config.VocabSize)
				}
				kl := s.kl / float64(s.rows)
				t.Logf("%s %s: mean KL %.3g, top-1 %d/%d", name, typ, kl, s.same, s.rows)
				if !(kl <= 0.25) {
					t.Errorf("mean KL %.3g > 0.25", kl)
				}
			})
		}
	}
}
