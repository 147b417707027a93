package core_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/npy"
)

// TestGGUFFixtures runs llama.cpp's own quantized files and compares with the float32 logits
// of their exact dequantized weights (../shared/fixtures/gguf/README.md): rows P-1 … P+15.
func TestGGUFFixtures(t *testing.T) {
	dir := fixture.Path(t, "gguf")
	exp := loadExpected(t, fixture.Path(t, "deepseek-v3-tiny-bf16"))
	for _, typ := range []string{"Q8_0", "Q4_K_M"} {
		t.Run(typ, func(t *testing.T) {
			m, err := core.Open(filepath.Join(dir, "models", "v3tiny-"+typ+".gguf"), core.Options{Threads: 2, MaxBatch: 8, FloatActivations: true})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			v := m.Config.VocabSize
			for i, c := range exp.Cases {
				want, shape, err := npy.ReadFile(filepath.Join(dir, "llamacpp-logits", typ+"-dequantized", c.Name+".npy"))
				if err != nil {
					t.Fatal(err)
				}
				got, err := core.Eval(context.Background(), m, c.Prompt, c.FedDecodeToken)
				if err != nil {
					t.Fatal(err)
				}
				rows := got[(len(c.Prompt)-1)*v:]
				if shape[0]*shape[1] != len(rows) {
					t.Fatalf("case %d: reference shape %v, have %d rows", i, shape, len(rows)/v)
				}
				compareLogits(t, typ+"/"+c.Name, rows, want, v)
			}
		})
	}
}

// TestGGUFIntegerAccuracy checks the default (integer) path, which quantizes activations to
// 8 bits as llama.cpp does, against the official float32 reference: its top-1 agreement and
// KL divergence must be as good as llama.cpp's own on the same files (the anchor in
// ../shared/fixtures/gguf/llamacpp-logits/accuracy.json). This random-weight model is
// hypersensitive (see that README), so the anchor, not the exact float logits, is the bar.
func TestGGUFIntegerAccuracy(t *testing.T) {
	dir := fixture.Path(t, "gguf")
	raw, err := os.ReadFile(filepath.Join(dir, "llamacpp-logits", "accuracy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var acc struct {
		Results map[string]struct {
			Overall struct {
				Rows   int     `json:"rows"`
				Top1   int     `json:"top1_rows_agree"`
				KLMean float64 `json:"kl_mean"`
			} `json:"overall"`
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &acc); err != nil {
		t.Fatal(err)
	}
	refDir := fixture.Path(t, "deepseek-v3-tiny-bf16")
	exp := loadExpected(t, refDir)
	for _, typ := range []string{"Q8_0", "Q4_K_M"} {
		t.Run(typ, func(t *testing.T) {
			anchor := acc.Results[typ].Overall
			m, err := core.Open(filepath.Join(dir, "models", "v3tiny-"+typ+".gguf"), core.Options{Threads: 2, MaxBatch: 8})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			v := m.Config.VocabSize
			var rows, top1 int
			var kl float64
			for _, c := range exp.Cases {
				want, _ := expectedLogits(t, refDir, c)
				got, err := core.Eval(context.Background(), m, c.Prompt, c.FedDecodeToken)
				if err != nil {
					t.Fatal(err)
				}
				for r := 0; r < len(got)/v; r++ {
					g, w := got[r*v:(r+1)*v], want[r*v:(r+1)*v]
					if argmax(g) == argmax(w) {
						top1++
					}
					kl += klDivergence(w, g)
					rows++
				}
			}
			kl /= float64(rows)
			t.Logf("%s integer path: top-1 %d/%d, KL %.4f; llama.cpp: %d/%d, KL %.4f", typ, top1, rows, kl, anchor.Top1, anchor.Rows, anchor.KLMean)
			if rows != anchor.Rows {
				t.Fatalf("%d rows, the anchor has %d", rows, anchor.Rows)
			}
			if kl > anchor.KLMean*1.25+0.01 || top1 < anchor.Top1-6 {
				t.Errorf("%s: less accurate than llama.cpp on the same file", typ)
			}
		})
	}
}

func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// klDivergence is KL(softmax(p) ‖ softmax(q)) in nats, in float64.
func klDivergence(p, q []float32) float64 {
	lp, lq := logSoftmax(p), logSoftmax(q)
	var kl float64
	for i := range lp {
		kl += math.Exp(lp[i]) * (lp[i] - lq[i])
	}
	return kl
}

func logSoftmax(x []float32) []float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, float64(v))
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v) - m - math.Log(s)
	}
	return out
}

// TestDecodeAllocsGGUF: the integer path (prepared inputs, experts in one job, the split
// attention layout) allocates nothing in a steady-state decode step either.
func TestDecodeAllocsGGUF(t *testing.T) {
	dir := fixture.Path(t, "gguf", "models")
	for _, typ := range []string{"Q8_0", "Q4_K_M"} {
		t.Run(typ, func(t *testing.T) {
			m, err := core.Open(filepath.Join(dir, "v3tiny-"+typ+".gguf"), core.Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			s, err := m.NewSequence(256)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			logits := make([]float32, m.Config.VocabSize)
			// Warm up with many tokens, so every expert has been used once.
			for i := range 48 {
				if err := s.Forward(ctx, []int{(i * 131) % m.Config.VocabSize}, logits, false); err != nil {
					t.Fatal(err)
				}
			}
			tok := []int{7}
			allocs := testing.AllocsPerRun(50, func() {
				if err := s.Forward(ctx, tok, logits, false); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s: decode step allocates %v times", typ, allocs)
			}
			m.Close()
		})
	}
}
