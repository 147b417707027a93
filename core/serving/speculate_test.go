package serving_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/sample"
	"github.com/deepgo/deepgo/core/serving"
	"github.com/deepgo/deepgo/core/synth"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// specModel is a model the speculation tests run, with its tokenizer and prompts.
type specModel struct {
	name    string
	m       *core.Model
	tok     *tokenizer.Tokenizer
	prompts [][]int
}

// specModels opens the trained model (BF16, and its Q8_0 GGUF with 8-bit activations,
// whose kernels round differently when they take several rows at once), whose MTP module
// drafts well, and a random tiny model with an MTP module, whose drafts are mostly
// rejected.
func specModels(t *testing.T) []specModel { return openSpecModels(t, true) }

// trainedSpecModel opens the trained model's BF16 checkpoint alone.
func trainedSpecModel(t *testing.T) specModel { return openSpecModels(t, false)[0] }

func openSpecModels(t *testing.T, all bool) []specModel {
	t.Helper()
	var out []specModel
	open := func(name, path, tokDir string, o core.Options, texts ...string) {
		tok, err := tokenizer.Load(tokDir)
		if err != nil {
			t.Fatal(err)
		}
		m, err := core.Open(path, o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(func() { m.Close() })
		sm := specModel{name: name, m: m, tok: tok}
		for _, s := range texts {
			sm.prompts = append(sm.prompts, append([]int{tok.BOS()}, tok.Encode(s)...))
		}
		out = append(out, sm)
	}
	dir := fixture.Trained(t)
	texts := []string{"In the beginning God created", "And the LORD said unto Moses,", "Blessed are the"}
	open("trained-bf16", dir, dir, core.Options{Threads: 2, MaxBatch: 16}, texts...)
	if !all {
		return out
	}
	open("trained-q8_0", fixture.TrainedGGUF(t), dir, core.Options{Threads: 2}, texts[:2]...)
	cfg, err := synth.Shape("tiny", 2)
	if err != nil {
		t.Fatal(err)
	}
	cfg.NumNextNPredictLayers = 1
	rnd := writeModel(t, cfg, synth.Options{Seed: 11})
	open("random-tiny", rnd, rnd, core.Options{Threads: 2}, "The quick brown fox", "1 2 3 1 2 3 1 2")
	// A dense model (grouped-query attention), which has no MTP module.
	cfg, err = synth.Shape("tiny-qwen2", 2)
	if err != nil {
		t.Fatal(err)
	}
	dense := writeModel(t, cfg, synth.Options{Seed: 12})
	open("random-tiny-qwen2", dense, dense, core.Options{Threads: 2}, "The quick brown fox", "1 2 3 1 2 3 1 2")
	return out
}

// generateIDs runs Generate on a new sequence and returns the ids it emitted.
func generateIDs(t *testing.T, sm specModel, prompt []int, o serving.GenerateOptions) ([]int, serving.Generation) {
	t.Helper()
	s, err := sm.m.NewSequence(256)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	g, err := serving.Generate(context.Background(), s, sm.tok, prompt, o, func(c serving.Chunk) error {
		if c.ID >= 0 {
			ids = append(ids, c.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if g.CompletionTokens != len(ids) {
		t.Errorf("CompletionTokens %d, %d ids", g.CompletionTokens, len(ids))
	}
	return ids, g
}

// TestSpeculationGreedyLossless: greedy replies with speculation — MTP, prompt lookup and
// replay drafts, 1 to 3 tokens a pass — are token for token the replies without it, and
// end the same way; replaying the reply accepts every draft.
func TestSpeculationGreedyLossless(t *testing.T) {
	for _, sm := range specModels(t) {
		t.Run(sm.name, func(t *testing.T) {
			const n = 40
			prompts, ks := sm.prompts, []int{1, 2, 3}
			if testing.Short() { // the race detector's pace: one prompt, the shortest and longest drafts
				prompts, ks = prompts[:1], []int{1, 3}
			}
			for pi, prompt := range prompts {
				want, wg := generateIDs(t, sm, prompt, serving.GenerateOptions{MaxTokens: n})
				for _, mode := range []serving.SpecMode{serving.SpecMTP, serving.SpecNgram, serving.SpecReplay} {
					if mode == serving.SpecMTP && !sm.m.HasMTP() {
						// Refused, with an error that says why.
						s, err := sm.m.NewSequence(256)
						if err != nil {
							t.Fatal(err)
						}
						o := serving.GenerateOptions{MaxTokens: n, Speculation: serving.Speculation{Mode: mode, Draft: 2}}
						_, err = serving.Generate(context.Background(), s, sm.tok, prompt, o, func(serving.Chunk) error { return nil })
						if err == nil || !strings.Contains(err.Error(), "no multi-token-prediction module") {
							t.Errorf("mtp drafting without a module: %v", err)
						}
						continue
					}
					for _, k := range ks {
						t.Run(fmt.Sprintf("prompt%d/%s/k=%d", pi, mode, k), func(t *testing.T) {
							sp := serving.Speculation{Mode: mode, Draft: k, Replay: want}
							if mode == serving.SpecReplay {
								sp.Cost = 0.01 // never pause: every draft is right
							}
							got, g := generateIDs(t, sm, prompt, serving.GenerateOptions{MaxTokens: n, Speculation: sp})
							if !slices.Equal(got, want) || g.Finish != wg.Finish {
								t.Fatalf("with speculation %v (%s),\nwithout %v (%s)", got, g.Finish, want, wg.Finish)
							}
							st := g.Spec
							t.Logf("passes %d, drafted %d, accepted %d, by position %.2f", st.Passes, st.Drafted, st.Accepted, st.AcceptByPos())
							if mode == serving.SpecReplay && st.Accepted != st.Drafted {
								t.Errorf("replay: %d of %d drafts accepted", st.Accepted, st.Drafted)
							}
							if mode == serving.SpecReplay && len(want) > k+2 && st.Passes == 0 {
								t.Errorf("replay: no checking pass")
							}
						})
					}
				}
			}
		})
	}
}

// TestSpeculationMTPAccepts: on the trained model the MTP module's drafts are mostly
// accepted, so a reply takes fewer passes than tokens.
func TestSpeculationMTPAccepts(t *testing.T) {
	sm := trainedSpecModel(t)
	_, g := generateIDs(t, sm, sm.prompts[0], serving.GenerateOptions{MaxTokens: 60, StopIDs: []int{},
		Speculation: serving.Speculation{Mode: serving.SpecMTP, Draft: 1, Fixed: true}})
	st := g.Spec
	if st.Passes == 0 || float64(st.Accepted)/float64(st.Drafted) < 0.4 {
		t.Errorf("MTP drafts on the trained model: %d of %d accepted in %d passes", st.Accepted, st.Drafted, st.Passes)
	}
}

// TestSpeculationBatched: sequences speculating at once, beside one that does not, share
// the model's passes and each get the reply it gets alone.
func TestSpeculationBatched(t *testing.T) {
	sm := trainedSpecModel(t)
	const n = 30
	var want [][]int
	for _, p := range sm.prompts {
		ids, _ := generateIDs(t, sm, p, serving.GenerateOptions{MaxTokens: n})
		want = append(want, ids)
	}
	modes := []serving.Speculation{{Mode: serving.SpecMTP, Draft: 3}, {Mode: serving.SpecNgram, Draft: 2}, {}}
	got := make([][]int, len(sm.prompts))
	var wg sync.WaitGroup
	for i, p := range sm.prompts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = generateIDs(t, sm, p, serving.GenerateOptions{MaxTokens: n, Speculation: modes[i%len(modes)]})
		}()
	}
	wg.Wait()
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("prompt %d (%s) batched: %v\nalone: %v", i, modes[i%len(modes)].Mode, got[i], want[i])
		}
	}
}

// TestSpeculationSampledDistribution: with sampling (temperature 1, top-k 3) the first two
// tokens of replies drafted by the MTP module — the second decided by the
// speculative-sampling rule — follow the model's own distribution: a chi-square test of
// 600 seeded replies against the exact probabilities of the nine pairs.
func TestSpeculationSampledDistribution(t *testing.T) {
	sm := trainedSpecModel(t)
	ctx := context.Background()
	prompt := sm.prompts[2]
	params := sample.Params{Temperature: 1, TopK: 3}
	v := sm.m.Config.VocabSize
	probs := func(tokens []int, history []int) []float32 {
		s, err := sm.m.NewSequence(64)
		if err != nil {
			t.Fatal(err)
		}
		logits := make([]float32, v)
		if err := s.Forward(ctx, tokens, logits, false); err != nil {
			t.Fatal(err)
		}
		sp, err := sample.New(params, v)
		if err != nil {
			t.Fatal(err)
		}
		p := make([]float32, v)
		sp.Probs(logits, history, p)
		return p
	}
	// The exact probability of each pair (x, y).
	want := map[[2]int]float64{}
	p1 := probs(prompt, nil)
	for x, px := range p1 {
		if px == 0 {
			continue
		}
		p2 := probs(append(slices.Clone(prompt), x), []int{x})
		for y, py := range p2 {
			if py != 0 {
				want[[2]int{x, y}] = float64(px) * float64(py)
			}
		}
	}
	const runs = 600
	got := map[[2]int]int{}
	var spec serving.SpecStats
	for seed := range uint64(runs) {
		p := params
		p.Seed = seed + 1
		ids, g := generateIDs(t, sm, prompt, serving.GenerateOptions{MaxTokens: 3, StopIDs: []int{}, Sampling: p,
			Speculation: serving.Speculation{Mode: serving.SpecMTP, Draft: 1, Cost: 0.01}})
		got[[2]int{ids[0], ids[1]}]++
		spec.Add(g.Spec)
	}
	var chi2 float64
	for pair, pw := range want {
		e := pw * runs
		d := float64(got[pair]) - e
		chi2 += d * d / e
	}
	for pair := range got {
		if _, ok := want[pair]; !ok {
			t.Errorf("pair %v is impossible but came %d times", pair, got[pair])
		}
	}
	// 8 degrees of freedom (9 pairs): the 0.1% critical value is 26.1.
	t.Logf("chi-square %.2f over %d pairs; drafts accepted %d of %d", chi2, len(want), spec.Accepted, spec.Drafted)
	if len(want) != 9 || chi2 > 26.1 {
		t.Errorf("chi-square %.2f over %d pairs: the sampled pairs do not follow the model's distribution", chi2, len(want))
	}
	if spec.Accepted == 0 || spec.Accepted == spec.Drafted {
		t.Errorf("drafts accepted %d of %d: the test needs both outcomes", spec.Accepted, spec.Drafted)
	}
}

// TestSchedulerSpeculation: a Scheduler drafting with the MTP module by default gives the
// replies of plain decoding, across requests that reuse a slot's cached prefix (the
// module's rows with it) or change it, and sums what was drafted in its stats.
func TestSchedulerSpeculation(t *testing.T) {
	sm := trainedSpecModel(t)
	sch := serving.NewScheduler(sm.m, sm.tok, serving.SchedulerOptions{Slots: 1, Context: 256,
		Speculation: serving.Speculation{Mode: serving.SpecMTP, Draft: 2}})
	a := sm.prompts[0]
	prompts := [][]int{a, append(slices.Clone(a), sm.tok.Encode(" the heaven")...), sm.prompts[1], a}
	for i, p := range prompts {
		want, _ := generateIDs(t, sm, p, serving.GenerateOptions{MaxTokens: 24})
		var got []int
		g, err := sch.Generate(context.Background(), p, serving.GenerateOptions{MaxTokens: 24}, func(c serving.Chunk) error {
			if c.ID >= 0 {
				got = append(got, c.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("request %d (%d cached): %v\nplain: %v", i, g.CachedTokens, got, want)
		}
	}
	if st := sch.Stats().Spec; st.Passes == 0 || st.Accepted == 0 {
		t.Errorf("scheduler speculation stats %+v", st)
	}
}

// TestSpeculationAllocs: the speculative loop allocates nothing per token beyond what the
// plain loop does (the chunks' text): from a reply of 16 tokens to one of 48, its
// allocations grow no more than the plain loop's (its buffers are made when it starts).
func TestSpeculationAllocs(t *testing.T) {
	sm := trainedSpecModel(t)
	s, err := sm.m.NewSequence(256)
	if err != nil {
		t.Fatal(err)
	}
	growth := func(sp serving.Speculation) float64 {
		allocs := func(n int) float64 {
			return testing.AllocsPerRun(5, func() {
				s.Reset()
				o := serving.GenerateOptions{MaxTokens: n, StopIDs: []int{}, Speculation: sp}
				if _, err := serving.Generate(context.Background(), s, sm.tok, sm.prompts[0], o, func(serving.Chunk) error { return nil }); err != nil {
					t.Fatal(err)
				}
			})
		}
		return allocs(48) - allocs(16)
	}
	plain := growth(serving.Speculation{})
	for _, mode := range []serving.SpecMode{serving.SpecMTP, serving.SpecNgram} {
		if g := growth(serving.Speculation{Mode: mode, Draft: 2, Fixed: true}); g > plain {
			t.Errorf("%s: 32 more tokens allocate %v more times; the plain loop %v", mode, g, plain)
		}
	}
}
