package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/gguf"
	"github.com/deepgo/deepgo/core/npy"
)

// mtpRef is a reference checkpoint of core/testdata/ref with multi-token-prediction logits
// (tools/refgen: the eval --mtp protocol, from the official model.py's classes).
type mtpRef struct {
	dir   string
	cases []struct {
		Name   string `json:"name"`
		Prompt []int  `json:"prompt"`
		Fed    []int  `json:"fed_decode_tokens"`
		Logits struct {
			MTP string `json:"mtp"`
		} `json:"logits"`
	}
}

func loadMTPRef(t *testing.T, name string) mtpRef {
	t.Helper()
	r := mtpRef{dir: filepath.Join("..", "testdata", "ref", name)}
	b, err := os.ReadFile(filepath.Join(r.dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Cases json.RawMessage `json:"cases"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(e.Cases, &r.cases); err != nil {
		t.Fatal(err)
	}
	return r
}

// mtpDiff runs every case's eval --mtp protocol on m and measures it against the reference:
// the largest and the mean |diff|, and the rows whose argmax differs where the reference's
// top-1/top-2 margin exceeds 4e-3 (the fixture tolerance's argmax rule), of all rows.
func mtpDiff(t *testing.T, m *core.Model, r mtpRef) (maxd, mean float64, argmaxWrong, rows int) {
	t.Helper()
	v := m.Config.VocabSize
	var sum float64
	var n int
	for _, c := range r.cases {
		want, _, err := npy.ReadFile(filepath.Join(r.dir, c.Logits.MTP))
		if err != nil {
			t.Fatal(err)
		}
		got, err := core.EvalMTP(context.Background(), m, c.Prompt, c.Fed)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d logits, want %d", c.Name, len(got), len(want))
		}
		for i := range want {
			d := math.Abs(float64(got[i] - want[i]))
			if math.IsNaN(d) {
				t.Fatalf("%s: NaN at %d", c.Name, i)
			}
			maxd = max(maxd, d)
			sum += d
		}
		n += len(want)
		for row := 0; row < len(want)/v; row++ {
			w, g := want[row*v:(row+1)*v], got[row*v:(row+1)*v]
			a, b := top2(w)
			rows++
			if ga, _ := top2(g); w[a]-w[b] > 4e-3 && ga != a {
				argmaxWrong++
			}
		}
	}
	return maxd, sum / float64(n), argmaxWrong, rows
}

// mainDiff is the main model's mean |diff| from the reference logits (caseN.npy, the eval
// protocol) over the cases.
func mainDiff(t *testing.T, m *core.Model, r mtpRef) float64 {
	t.Helper()
	var sum float64
	var n int
	for i, c := range r.cases {
		want, _, err := npy.ReadFile(filepath.Join(r.dir, fmt.Sprintf("case%d.npy", i)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := core.Eval(context.Background(), m, c.Prompt, c.Fed)
		if err != nil {
			t.Fatal(err)
		}
		for j := range want {
			sum += math.Abs(float64(got[j] - want[j]))
		}
		n += len(want)
	}
	return sum / float64(n)
}

func top2(x []float32) (int, int) {
	a, b := 0, 1
	if x[b] > x[a] {
		a, b = b, a
	}
	for i := 2; i < len(x); i++ {
		if x[i] > x[a] {
			a, b = i, a
		} else if x[i] > x[b] {
			b = i
		}
	}
	return a, b
}

// nextnNames are llama.cpp's names of an MTP module's own tensors in block n (llama-arch.cpp
// LLM_TENSOR_NEXTN_*), each with its ne.
func nextnNames(n, hidden, vocab int64) map[string][]int64 {
	p := fmt.Sprintf("blk.%d.nextn.", n)
	return map[string][]int64{
		p + "eh_proj.weight": {2 * hidden, hidden}, p + "enorm.weight": {hidden}, p + "hnorm.weight": {hidden},
		p + "embed_tokens.weight": {hidden, vocab}, p + "shared_head_norm.weight": {hidden},
		p + "shared_head_head.weight": {hidden, vocab},
	}
}

// TestMTPRoundTrip converts the MTP reference checkpoints (BF16 and FP8) to GGUF and runs
// the eval --mtp protocol on the files: F32 (and BF16 from the BF16 checkpoint) within the
// fixture tolerance of the official reference, Q8_0 (and BF16 from FP8) within a looser
// bound, relative to the main model's error on the same file; the file keeps the module under
// llama.cpp's names (blk.N.nextn.*, the block's usual blk.N.*), counts it in
// deepseek2.block_count and says deepseek2.nextn_predict_layers = 1, and re-quantizing the
// F32 file (GGUF → GGUF) keeps it byte for byte as converting the checkpoint does.
func TestMTPRoundTrip(t *testing.T) {
	for _, name := range []string{"v3-mtp", "v3-mtp-fp8"} {
		t.Run(name, func(t *testing.T) {
			ref := loadMTPRef(t, name)
			m, err := core.Open(ref.dir, core.Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			c := m.Config
			dir := t.TempDir()
			for _, typ := range []string{"f32", "bf16", "q8_0"} {
				t.Run(typ, func(t *testing.T) {
					out := filepath.Join(dir, typ+".gguf")
					if _, err := Write(context.Background(), m, out, Options{Type: typ}); err != nil {
						t.Fatal(err)
					}
					checkNextn(t, out, c)
					g, err := core.Open(out, core.Options{Threads: 2})
					if err != nil {
						t.Fatal(err)
					}
					defer g.Close()
					if !g.HasMTP() || g.Config.NumHiddenLayers != c.NumHiddenLayers {
						t.Fatalf("reopened: MTP %v, %d layers; want MTP and %d", g.HasMTP(), g.Config.NumHiddenLayers, c.NumHiddenLayers)
					}
					maxd, mean, wrong, rows := mtpDiff(t, g, ref)
					t.Logf("%s → %s GGUF: MTP logits max |diff| %.3g, mean %.3g, argmax differs on %d of %d rows", name, typ, maxd, mean, wrong, rows)
					if typ == "f32" || typ == "bf16" && name == "v3-mtp" {
						// The file holds the checkpoint's values exactly: the fixture tolerance.
						if maxd > 2e-3 || mean > 2e-4 || wrong > 0 {
							t.Errorf("max |diff| %.3g (limit 2e-3), mean %.3g (limit 2e-4), argmax differs on %d rows", maxd, mean, wrong)
						}
						return
					}
					// Q8_0 rounds every weight to 8 bits (and FP8 → BF16 rounds the dequantized FP8
					// values). This random-weight model is hypersensitive: its routing has
					// near-ties, so one changed expert moves a row's logits by several units,
					// the main model's as much as the module's. The bound: a mean |diff| at most
					// 0.3 (logit std ≈ 2) and three times the main model's on the same file and
					// cases, and the argmax kept on three rows in four.
					mainMean := mainDiff(t, g, ref)
					t.Logf("main model on the same file: mean |diff| %.3g", mainMean)
					if mean > 0.3 || mean > 3*mainMean || wrong*4 > rows {
						t.Errorf("mean |diff| %.3g (limits 0.3 and 3 × the main model's %.3g), argmax differs on %d of %d rows (limit a quarter)",
							mean, mainMean, wrong, rows)
					}
				})
			}
			// GGUF → GGUF: re-quantizing the F32 file gives the same Q8_0 file's tensors.
			f32, err := core.Open(filepath.Join(dir, "f32.gguf"), core.Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer f32.Close()
			again := filepath.Join(dir, "again-q8_0.gguf")
			if _, err := Write(context.Background(), f32, again, Options{Type: "q8_0"}); err != nil {
				t.Fatal(err)
			}
			checkNextn(t, again, c)
			sameTensors(t, filepath.Join(dir, "q8_0.gguf"), again)
		})
	}
}

// checkNextn checks a converted file's MTP module: llama.cpp's names and shapes, and the
// metadata llama.cpp reads (block_count counting it, nextn_predict_layers).
func checkNextn(t *testing.T, path string, c *core.Config) {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := int64(c.NumHiddenLayers)
	if bc, err := f.GetUint("deepseek2.block_count"); err != nil || bc != uint64(n+1) {
		t.Errorf("deepseek2.block_count = %d (%v), want %d: llama.cpp counts the MTP layer", bc, err, n+1)
	}
	if nl, err := f.GetUint("deepseek2.nextn_predict_layers"); err != nil || nl != 1 {
		t.Errorf("deepseek2.nextn_predict_layers = %d (%v), want 1", nl, err)
	}
	for name, ne := range nextnNames(n, int64(c.HiddenSize), int64(c.VocabSize)) {
		info, _, ok := f.Tensor(name)
		if !ok {
			t.Errorf("no %s", name)
			continue
		}
		if !slices.Equal(info.Ne, ne) {
			t.Errorf("%s has ne %v, want %v", name, info.Ne, ne)
		}
	}
	// The module's block has the usual tensors of an MoE block.
	for _, s := range []string{"attn_norm", "attn_q_a", "attn_kv_a_mqa", "attn_k_b", "attn_v_b", "attn_output", "ffn_norm",
		"ffn_gate_inp", "ffn_gate_exps", "ffn_up_exps", "ffn_down_exps", "ffn_gate_shexp"} {
		if _, _, ok := f.Tensor(fmt.Sprintf("blk.%d.%s.weight", n, s)); !ok {
			t.Errorf("no blk.%d.%s.weight", n, s)
		}
	}
}

// sameTensors checks that two GGUF files hold the same tensors, byte for byte.
func sameTensors(t *testing.T, a, b string) {
	t.Helper()
	fa, err := gguf.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	defer fa.Close()
	fb, err := gguf.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	if len(fa.Tensors()) != len(fb.Tensors()) {
		t.Errorf("%d tensors vs %d", len(fa.Tensors()), len(fb.Tensors()))
	}
	for _, x := range fa.Tensors() {
		_, da, _ := fa.Tensor(x.Name)
		y, db, ok := fb.Tensor(x.Name)
		if !ok || y.Type != x.Type || !bytes.Equal(da, db) {
			t.Errorf("%s differs (%v, %v vs %v)", x.Name, ok, x.Type, y.Type)
		}
	}
}

// TestMTPMatchesLlamaCpp: on deepgo's F32 conversion of the MTP reference checkpoint,
// llama.cpp's own MTP drafts (testdata/llamacpp-mtp-drafts.json, from
// llama-speculative-simple --spec-type draft-mtp) are what core.MTPSequence computes when
// fed llama.cpp's row layout: the row at position p takes the hidden state at p-1 and the
// token at p, after a row of a zero hidden state and the first token at position 0 (the
// eval --mtp protocol, as vLLM's, puts that row at p-1 and has no extra row).
func TestMTPMatchesLlamaCpp(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "llamacpp-mtp-drafts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Prompt, Targets []int
		First           int `json:"first_position"`
		Drafts          [][][2]float64
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	m, err := core.Open(filepath.Join("..", "testdata", "ref", "v3-mtp"), core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "f32.gguf")
	_, err = Write(context.Background(), m, out, Options{Type: "f32"})
	m.Close()
	if err != nil {
		t.Fatal(err)
	}
	g, err := core.Open(out, core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	seq := append(append([]int(nil), want.Prompt...), want.Targets...)
	L, v, d := len(seq), g.Config.VocabSize, g.Config.HiddenSize
	ctx := context.Background()
	s, err := g.NewSequence(L)
	if err != nil {
		t.Fatal(err)
	}
	hidden := make([]float32, (L+1)*d) // a zero row, then the hidden state at 0..L-1
	if err := s.ForwardHidden(ctx, seq, make([]float32, L*v), hidden[d:], true); err != nil {
		t.Fatal(err)
	}
	ms, err := g.NewMTPSequence(L)
	if err != nil {
		t.Fatal(err)
	}
	logits := make([]float32, L*v)
	if err := ms.Forward(ctx, hidden[:L*d], seq, logits, true); err != nil {
		t.Fatal(err)
	}
	for r, cands := range want.Drafts {
		p := want.First + r
		t.Run(fmt.Sprintf("position %d", p), func(t *testing.T) {
			row := logits[p*v : (p+1)*v]
			top := make([]int, v)
			for i := range top {
				top[i] = i
			}
			slices.SortFunc(top, func(a, b int) int { return cmpDesc(row[a], row[b]) })
			var sum float64
			for _, i := range top[:10] { // llama.cpp's draft sampler: top 10, softmax
				sum += math.Exp(float64(row[i] - row[top[0]]))
			}
			for k, c := range cands {
				prob := math.Exp(float64(row[top[k]]-row[top[0]])) / sum
				if top[k] != int(c[0]) || math.Abs(prob-c[1]) > 2e-3 {
					t.Errorf("candidate %d: token %d p %.3f, llama.cpp %d p %.3f", k, top[k], prob, int(c[0]), c[1])
				}
			}
		})
	}
}

func cmpDesc(a, b float32) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
