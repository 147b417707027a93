package convert

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

// TestQuantizationKL: the mean KL divergence to the official reference of deepgo's own
// conversions is at most 1.25× what llama.cpp's files of the same type get (its own
// computation on them, ../shared/fixtures/gguf/llamacpp-logits/accuracy.json).
func TestQuantizationKL(t *testing.T) {
	b, err := os.ReadFile(fixture.Path(t, "gguf", "llamacpp-logits", "accuracy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var acc struct {
		Results map[string]struct {
			Overall struct {
				KLMean float64 `json:"kl_mean"`
			} `json:"overall"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &acc); err != nil {
		t.Fatal(err)
	}
	refDir := fixture.Path(t, "deepseek-v3-tiny-bf16")
	var exp struct {
		Cases []struct {
			Name   string `json:"name"`
			Prompt []int  `json:"prompt"`
			Fed    []int  `json:"fed_decode_tokens"`
		} `json:"cases"`
	}
	eb, err := os.ReadFile(filepath.Join(refDir, "expected", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(eb, &exp); err != nil {
		t.Fatal(err)
	}
	src, err := core.Open(refDir, core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, c := range []struct{ typ, llama string }{{"q8_0", "Q8_0"}, {"q6_k", "Q6_K"}, {"q4_k_m", "Q4_K_M"}} {
		t.Run(c.typ, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), c.typ+".gguf")
			if _, err := Write(context.Background(), src, out, Options{Type: c.typ}); err != nil {
				t.Fatal(err)
			}
			m, err := core.Open(out, core.Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			rows := 0
			v := m.Config.VocabSize
			for _, cs := range exp.Cases {
				ref, _, err := npy.ReadFile(filepath.Join(refDir, "expected", cs.Name+".absorb.npy"))
				if err != nil {
					t.Fatal(err)
				}
				got, err := core.Eval(context.Background(), m, cs.Prompt, cs.Fed)
				if err != nil {
					t.Fatal(err)
				}
				for r := 0; r < len(ref)/v; r++ {
					sum += kl(ref[r*v:(r+1)*v], got[r*v:(r+1)*v])
					rows++
				}
			}
			m.Close()
			mean := sum / float64(rows)
			limit := 1.25 * acc.Results[c.llama].Overall.KLMean
			t.Logf("%s: mean KL %.4f over %d rows (llama.cpp %.4f, limit %.4f)", c.llama, mean, rows, acc.Results[c.llama].Overall.KLMean, limit)
			if !(mean <= limit) {
				t.Errorf("%s: mean KL %.4f > %.4f", c.llama, mean, limit)
			}
		})
	}
}

// kl is KL(softmax(p) ‖ softmax(q)) in nats, in float64.
func kl(p, q []float32) float64 {
	lp, lq := logSoftmax(p), logSoftmax(q)
	var s float64
	for i := range lp {
		s += math.Exp(lp[i]) * (lp[i] - lq[i])
	}
	return s
}

func logSoftmax(x []float32) []float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, float64(v))
	}
	var z float64
	for _, v := range x {
		z += math.Exp(float64(v) - mx)
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v) - mx - math.Log(z)
	}
	return out
}
