package core_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/convert"
	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/synth"
)

// TestBatchInvariant: a token's logits are bit for bit the same however the sequence got
// there — its prompt in one pass, in chunks or a token at a time; alone or beside other
// sequences' prompts and decoding steps; with one thread and passes of up to 64 rows or two
// threads and passes of 4 — on random BF16 weights, random Q4_K_M weights (Q4_K, Q6_K, Q5_0)
// and the trained model's Q8_0 file, both with 8-bit activations. This is what makes a request's reply independent
// of the load (issue: "answers that don't change with the load").
func TestBatchInvariant(t *testing.T) {
	ctx := context.Background()
	tokens := make([]int, 16)
	for i := range tokens {
		tokens[i] = (i*37 + 11) % 200
	}
	models := []struct{ name, path string }{{"trained-q8_0", fixture.TrainedGGUF(t)}}
	for _, typ := range []string{"", "q4_k_m"} { // q8_0: the trained model
		cfg, err := synth.Shape("tiny", 2)
		if err != nil {
			t.Fatal(err)
		}
		name := "random-bf16"
		path := writeModel(t, cfg, synth.Options{Seed: 11})
		if typ != "" {
			name = "random-" + typ
			path = quantized(t, path, typ)
		}
		models = append(models, struct{ name, path string }{name, path})
	}
	// The dense families' grouped-query attention (reference checkpoints of tools/refgen).
	for _, name := range []string{"qwen2-gqa", "qwen3-qknorm"} {
		models = append(models, struct{ name, path string }{name, filepath.Join("testdata", "ref", name)})
	}
	for _, mod := range models {
		t.Run(mod.name, func(t *testing.T) {
			var want [][]float32 // the logits after each token, fed one at a time with one thread
			for _, o := range []core.Options{{Threads: 1, MaxBatch: 64}, {Threads: 2, MaxBatch: 4}} {
				m, err := core.Open(mod.path, o)
				if err != nil {
					t.Fatal(err)
				}
				for _, chunk := range []int{1, 5, len(tokens)} {
					for _, beside := range []string{"alone", "others"} {
						got := feed(t, ctx, m, tokens, chunk, beside == "others")
						if want == nil {
							want = got
							continue
						}
						for i := range got {
							if got[i] == nil {
								continue
							}
							if d := maxDiff(got[i], want[i]); d != 0 {
								t.Fatalf("threads %d, MaxBatch %d, chunks of %d, %s: token %d's logits differ by %g", o.Threads, o.MaxBatch, chunk, beside, i, d)
							}
						}
					}
				}
				m.Close()
			}
		})
	}
}

// quantized converts the checkpoint at hf into a GGUF file of type typ.
func quantized(t *testing.T, hf, typ string) string {
	t.Helper()
	m, err := core.Open(hf, core.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	path := filepath.Join(t.TempDir(), typ+".gguf")
	if _, err := convert.Write(context.Background(), m, path, convert.Options{Type: typ}); err != nil {
		t.Fatal(err)
	}
	return path
}

// feed runs tokens through a new sequence chunk tokens at a time and returns the logits
// after each chunk's last token (nil for the others); with others, every pass also carries
// another sequence's prompt and three decoding sequences.
func feed(t *testing.T, ctx context.Context, m *core.Model, tokens []int, chunk int, others bool) [][]float32 {
	t.Helper()
	v := m.Config.VocabSize
	s, err := m.NewSequence(64)
	if err != nil {
		t.Fatal(err)
	}
	var extra []*core.Sequence
	if others {
		for range 4 {
			e, err := m.NewSequence(256)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Forward(ctx, []int{3, 4, 5}, make([]float32, v), false); err != nil {
				t.Fatal(err)
			}
			extra = append(extra, e)
		}
	}
	out := make([][]float32, len(tokens))
	for i := 0; i < len(tokens); i += chunk {
		end := min(i+chunk, len(tokens))
		logits := make([]float32, v)
		steps := []core.Step{{Seq: s, Tokens: tokens[i:end], Logits: logits}}
		for j, e := range extra {
			toks := []int{(i + j) % 50}
			if j == 0 {
				toks = []int{9, 8, 7, 6, 5}
			}
			steps = append(steps, core.Step{Seq: e, Tokens: toks, Logits: make([]float32, v)})
		}
		if err := m.ForwardBatch(ctx, steps); err != nil {
			t.Fatal(fmt.Errorf("tokens %d..%d: %w", i, end, err))
		}
		out[end-1] = logits
	}
	return out
}

// TestBatchVariantDiffers: with Options.BatchVariant a prompt's chunks take the naive
// attention path, so feeding a prompt in chunks gives logits that differ, in their last
// bits, from feeding it a token at a time: the check above would see it.
func TestBatchVariantDiffers(t *testing.T) {
	ctx := context.Background()
	cfg, err := synth.Shape("tiny", 2)
	if err != nil {
		t.Fatal(err)
	}
	path := writeModel(t, cfg, synth.Options{Seed: 11})
	tokens := []int{5, 9, 13, 17, 21, 25, 29, 33}
	run := func(variant bool) (one, chunked []float32) {
		m, err := core.Open(path, core.Options{Threads: 1, BatchVariant: variant})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		a, b := feed(t, ctx, m, tokens, 1, false), feed(t, ctx, m, tokens, len(tokens), false)
		return a[len(tokens)-1], b[len(tokens)-1]
	}
	one, chunked := run(true)
	if d := maxDiff(one, chunked); d == 0 || d > 1e-3 {
		t.Errorf("batch-variant: chunked and token-at-a-time logits differ by %g, want a rounding", d)
	}
	one, chunked = run(false)
	if d := maxDiff(one, chunked); d != 0 {
		t.Errorf("batch-invariant: chunked and token-at-a-time logits differ by %g", d)
	}
}

// TestBatchedDecodeAllocs: a decoding step of one, two, three or five sequences together
// (ForwardBatch, the Scheduler's steps) allocates nothing on the trained model's Q8_0
// file — the two or three rows left after the groups of four included.
func TestBatchedDecodeAllocs(t *testing.T) {
	for _, path := range []string{fixture.TrainedGGUF(t), filepath.Join("testdata", "ref", "qwen2-gqa")} {
		t.Run(filepath.Base(path), func(t *testing.T) { testBatchedDecodeAllocs(t, path) })
	}
}

func testBatchedDecodeAllocs(t *testing.T, path string) {
	ctx := context.Background()
	m, err := core.Open(path, core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v := m.Config.VocabSize
	for _, n := range []int{1, 2, 3, 5} {
		steps := make([]core.Step, n)
		for i := range steps {
			s, err := m.NewSequence(256)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Forward(ctx, []int{1, 2, 3 + i}, make([]float32, v), false); err != nil {
				t.Fatal(err)
			}
			steps[i] = core.Step{Seq: s, Tokens: []int{7 + i}, Logits: make([]float32, v)}
		}
		if a := testing.AllocsPerRun(20, func() {
			if err := m.ForwardBatch(ctx, steps); err != nil {
				t.Fatal(err)
			}
		}); a != 0 {
			t.Errorf("%d sequences: a batched decoding step allocates %v times", n, a)
		}
	}
}
