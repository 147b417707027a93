package core_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/synth"
)

// batchModels are the models the batching tests run: a synthesized Hugging Face checkpoint
// (float weights, kv_b_proj: prompts take the naive attention path, decoding the absorbed
// one) and, where the fixtures are present, a llama.cpp Q8_0 file (the split attention
// layout), run with float activations. tol is the largest logit difference allowed between
// a sequence run alone and in a batch. Float products do not depend on the rows beside them.
// The integer kernels do, by a rounding (they take four rows at a time, in another order of
// additions), and a rounding can flip a near tie in expert routing, which no tolerance
// covers; the quant tests hold those kernels to their twins.
func batchModels(t *testing.T) []struct {
	name string
	path string
	tol  float64
} {
	cfg, err := synth.Shape("tiny", 2)
	if err != nil {
		t.Fatal(err)
	}
	models := []struct {
		name string
		path string
		tol  float64
	}{{"hf", writeModel(t, cfg, synth.Options{Seed: 5}), 1e-4}}
	q8 := fixture.Join("gguf", "models", "v3tiny-Q8_0.gguf")
	if _, err := os.Stat(q8); err == nil {
		models = append(models, struct {
			name string
			path string
			tol  float64
		}{"gguf-q8_0", q8, 1e-4})
	}
	return models
}

// TestForwardBatchMatchesAlone: sequences run together — prompts of different lengths in
// chunks of a small MaxBatch, decoding steps beside another sequence's prompt — get the
// logits they get alone, and the same greedy tokens.
func TestForwardBatchMatchesAlone(t *testing.T) {
	ctx := context.Background()
	for _, bm := range batchModels(t) {
		t.Run(bm.name, func(t *testing.T) {
			m, err := core.Open(bm.path, core.Options{Threads: 2, MaxBatch: 6, FloatActivations: true})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			v := m.Config.VocabSize
			prompts := [][]int{
				{1, 17, 33, 2, 99, 5, 61, 7, 8, 42, 11},
				{3, 4, 5},
				{9},
				{20, 21, 22, 23, 24, 25, 26, 27},
			}
			const steps = 5
			// Alone: each prompt's logits (every row), then steps greedy tokens' logits.
			type run struct {
				prompt []float32
				decode [][]float32
				ids    []int
			}
			alone := make([]run, len(prompts))
			for i, p := range prompts {
				s, err := m.NewSequence(64)
				if err != nil {
					t.Fatal(err)
				}
				r := &alone[i]
				r.prompt = make([]float32, len(p)*v)
				if err := s.Forward(ctx, p, r.prompt, true); err != nil {
					t.Fatal(err)
				}
				last := r.prompt[(len(p)-1)*v:]
				for range steps {
					id := argmax(last)
					r.ids = append(r.ids, id)
					out := make([]float32, v)
					if err := s.Forward(ctx, []int{id}, out, false); err != nil {
						t.Fatal(err)
					}
					r.decode = append(r.decode, out)
					last = out
				}
			}
			check := func(what string, got, want []float32) {
				t.Helper()
				if d := maxDiff(got, want); d > bm.tol {
					t.Errorf("%s: logits differ from the sequence alone by %g (tolerance %g)", what, d, bm.tol)
				}
			}

			// Together: the first three prompts in one batch; then they decode while the
			// fourth prompt is read beside them.
			seqs := make([]*core.Sequence, len(prompts))
			for i := range seqs {
				if seqs[i], err = m.NewSequence(64); err != nil {
					t.Fatal(err)
				}
			}
			outs := make([][]float32, len(prompts))
			var batch []core.Step
			for i, p := range prompts[:3] {
				outs[i] = make([]float32, len(p)*v)
				batch = append(batch, core.Step{Seq: seqs[i], Tokens: p, Logits: outs[i], All: true})
			}
			if err := m.ForwardBatch(ctx, batch); err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				check("prompt "+string(rune('A'+i)), outs[i], alone[i].prompt)
			}
			last := make([][]float32, len(prompts))
			for i, p := range prompts[:3] {
				last[i] = outs[i][(len(p)-1)*v:]
			}
			ids := make([][]int, len(prompts))
			for k := range steps {
				batch = batch[:0]
				for i := range 3 {
					id := argmax(last[i])
					ids[i] = append(ids[i], id)
					last[i] = make([]float32, v)
					batch = append(batch, core.Step{Seq: seqs[i], Tokens: []int{id}, Logits: last[i]})
				}
				if k == 0 {
					outs[3] = make([]float32, len(prompts[3])*v)
					batch = append(batch, core.Step{Seq: seqs[3], Tokens: prompts[3], Logits: outs[3], All: true})
				}
				if err := m.ForwardBatch(ctx, batch); err != nil {
					t.Fatal(err)
				}
				for i := range 3 {
					check("decode", last[i], alone[i].decode[k])
				}
			}
			check("prompt D beside decoding", outs[3], alone[3].prompt)
			for i := range 3 {
				if !slices.Equal(ids[i], alone[i].ids) {
					t.Errorf("sequence %d: greedy tokens %v together, %v alone", i, ids[i], alone[i].ids)
				}
			}
		})
	}
}

// TestForwardConcurrent: Forward calls from many goroutines at once (they share passes)
// give each sequence the logits it gets alone.
func TestForwardConcurrent(t *testing.T) {
	ctx := context.Background()
	bm := batchModels(t)[0]
	m, err := core.Open(bm.path, core.Options{Threads: 2, MaxBatch: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v := m.Config.VocabSize
	const n, steps = 6, 6
	run := func(i int) ([]float32, error) {
		s, err := m.NewSequence(64)
		if err != nil {
			return nil, err
		}
		p := []int{1 + i, 2 + 2*i, 3, 4 + i, 5}[:2+i%4]
		out := make([]float32, v)
		if err := s.Forward(ctx, p, out, false); err != nil {
			return nil, err
		}
		all := slices.Clone(out)
		for range steps {
			if err := s.Forward(ctx, []int{argmax(out)}, out, false); err != nil {
				return nil, err
			}
			all = append(all, out...)
		}
		return all, nil
	}
	want := make([][]float32, n)
	for i := range n {
		if want[i], err = run(i); err != nil {
			t.Fatal(err)
		}
	}
	got := make([][]float32, n)
	errs := make([]error, n)
	before := m.Stats()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = run(i) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if d := maxDiff(got[i], want[i]); d > bm.tol {
			t.Errorf("sequence %d: concurrent logits differ by %g", i, d)
		}
	}
	// The goroutines' steps shared passes.
	st := m.Stats()
	if tokens, passes := st.Tokens-before.Tokens, st.Passes-before.Passes; passes >= tokens {
		t.Errorf("%d tokens in %d passes: the concurrent steps were not batched", tokens, passes)
	} else {
		t.Logf("%d tokens in %d passes", tokens, passes)
	}
}

// TestPromptBesideDecoding: a prompt read while another sequence decodes runs in passes of
// at most 64 rows, and in MaxBatch-row chunks once it is alone.
func TestPromptBesideDecoding(t *testing.T) {
	ctx := context.Background()
	m, err := core.Open(batchModels(t)[0].path, core.Options{Threads: 2, MaxBatch: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v := m.Config.VocabSize
	dec, err := m.NewSequence(256)
	if err != nil {
		t.Fatal(err)
	}
	if err := dec.Forward(ctx, []int{1, 2, 3}, make([]float32, v), false); err != nil {
		t.Fatal(err)
	}
	long, err := m.NewSequence(256)
	if err != nil {
		t.Fatal(err)
	}
	prompt := make([]int, 190)
	for i := range prompt {
		prompt[i] = 1 + i%7
	}
	before := m.Stats()
	err = m.ForwardBatch(ctx, []core.Step{
		{Seq: dec, Tokens: []int{4}, Logits: make([]float32, v)},
		{Seq: long, Tokens: prompt, Logits: make([]float32, v)},
	})
	if err != nil {
		t.Fatal(err)
	}
	// 1 + 63 rows beside the decoding step, then 100 and 27 alone; without the cap 1 + 99
	// and 91.
	st := m.Stats()
	if tokens, passes := st.Tokens-before.Tokens, st.Passes-before.Passes; tokens != 191 || passes != 3 {
		t.Errorf("%d tokens in %d passes, want 191 in 3", tokens, passes)
	}
}

// TestForwardBatchErrors: a bad step is refused before anything runs; a cancelled call
// fails and leaves its sequence as it was.
func TestForwardBatchErrors(t *testing.T) {
	bm := batchModels(t)[0]
	m, err := core.Open(bm.path, core.Options{Threads: 2, MaxBatch: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v := m.Config.VocabSize
	a, _ := m.NewSequence(16)
	b, _ := m.NewSequence(16)
	out := make([]float32, 2*v)
	if err := m.ForwardBatch(context.Background(), []core.Step{{Seq: a, Tokens: []int{1}, Logits: out}, {Seq: a, Tokens: []int{2}, Logits: out}}); err == nil {
		t.Error("the same sequence twice: no error")
	}
	if err := m.ForwardBatch(context.Background(), []core.Step{{Seq: a, Tokens: []int{1}, Logits: out}, {Seq: b, Tokens: []int{v}, Logits: out}}); err == nil || a.Len() != 0 {
		t.Errorf("a token out of range: %v, first sequence at %d", err, a.Len())
	}
	if err := a.Forward(context.Background(), []int{1, 2, 3}, out, false); err != nil {
		t.Fatal(err)
	}
	// b's context is cancelled before its pass; a still advances.
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	err = errors.Join(
		a.Forward(context.Background(), []int{4}, out[:v], false),
		b.Forward(cancelled, []int{1, 2, 3, 4, 5, 6}, out[v:], false),
	)
	if !errors.Is(err, context.Canceled) || a.Len() != 4 || b.Len() != 0 {
		t.Errorf("cancelled step: %v, lengths %d and %d, want 4 and 0", err, a.Len(), b.Len())
	}
}
