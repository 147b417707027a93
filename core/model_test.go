package core_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/synth"
)

// Small configurations of the shapes the fixtures do not cover.
func testConfigs() map[string]*core.Config {
	yarn := func(f float64, orig int, ms float64) *core.RopeScaling {
		return &core.RopeScaling{Type: "yarn", Factor: f, OriginalMaxPositionEmbeddings: orig, BetaFast: 32, BetaSlow: 1, MScale: ms, MScaleAllDim: ms}
	}
	return map[string]*core.Config{
		// V2-Lite-like: no q LoRA, softmax greedy routing, 2 shared experts, no normalisation.
		"v2lite": {Architectures: []string{"DeepseekV2ForCausalLM"}, VocabSize: 300, HiddenSize: 64, IntermediateSize: 96,
			NumHiddenLayers: 3, NumAttentionHeads: 4, RMSNormEps: 1e-6, MaxPositions: 512, HiddenAct: "silu",
			KVLoRARank: 32, QKNopeHeadDim: 16, QKRopeHeadDim: 8, VHeadDim: 16, RopeTheta: 10000, RopeScaling: yarn(4, 64, 0.707),
			NRoutedExperts: 8, NSharedExperts: 2, NumExpertsPerTok: 3, MoEIntermediateSize: 24, FirstKDenseReplace: 1,
			MoELayerFreq: 1, NGroup: 1, TopKGroup: 1, TopKMethod: "greedy", ScoringFunc: "softmax", RoutedScalingFactor: 1},
		// V2 with group-limited greedy routing, q LoRA, v_head ≠ qk_nope, 2 dense layers.
		"v2group": {Architectures: []string{"DeepseekV2ForCausalLM"}, VocabSize: 260, HiddenSize: 96, IntermediateSize: 128,
			NumHiddenLayers: 4, NumAttentionHeads: 3, RMSNormEps: 1e-6, MaxPositions: 512, HiddenAct: "silu", QLoRARank: 48,
			KVLoRARank: 40, QKNopeHeadDim: 12, QKRopeHeadDim: 6, VHeadDim: 20, RopeTheta: 10000, RopeScaling: yarn(16, 32, 0.707),
			NRoutedExperts: 12, NSharedExperts: 1, NumExpertsPerTok: 4, MoEIntermediateSize: 16, FirstKDenseReplace: 2,
			MoELayerFreq: 1, NGroup: 4, TopKGroup: 2, TopKMethod: "group_limited_greedy", ScoringFunc: "softmax", RoutedScalingFactor: 16},
		// V3: sigmoid + noaux_tc with bias, no YaRN, hidden not a multiple of the FP8 block.
		"v3": {Architectures: []string{"DeepseekV3ForCausalLM"}, VocabSize: 333, HiddenSize: 136, IntermediateSize: 200,
			NumHiddenLayers: 3, NumAttentionHeads: 2, RMSNormEps: 1e-6, MaxPositions: 512, HiddenAct: "silu", QLoRARank: 72,
			KVLoRARank: 136, QKNopeHeadDim: 24, QKRopeHeadDim: 8, VHeadDim: 40, RopeTheta: 50000,
			NRoutedExperts: 16, NSharedExperts: 2, NumExpertsPerTok: 5, MoEIntermediateSize: 20, FirstKDenseReplace: 1,
			MoELayerFreq: 1, NGroup: 8, TopKGroup: 4, TopKMethod: "noaux_tc", ScoringFunc: "sigmoid", NormTopKProb: true,
			RoutedScalingFactor: 2.5},
	}
}

func writeModel(t testing.TB, cfg *core.Config, opts synth.Options) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "model")
	if err := synth.WriteHF(dir, cfg, opts); err != nil {
		t.Fatal(err)
	}
	return dir
}

func evalWith(t *testing.T, dir string, opts core.Options, prompt, decode []int) []float32 {
	t.Helper()
	m, err := core.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	out, err := core.Eval(context.Background(), m, prompt, decode)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func maxDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// pathsTolerance: the paths sum in different orders (and the SIMD kernels in yet another),
// so they agree to float32 rounding carried through the layers: ~1e-5 of the logits'
// scale (~20 here).
const pathsTolerance = 5e-4

// TestPathsAgree checks that every way of running the same model gives the same logits:
// naive vs absorbed attention, one prompt chunk vs many, one thread vs several, and a
// one-shot prefill vs feeding the same tokens one decode step at a time.

func TestPathsAgree(t *testing.T) {
	prompt := []int{0, 17, 33, 5, 250, 99, 7, 1, 42, 64, 128}
	decode := []int{3, 200, 11, 12}
	for name, cfg := range testConfigs() {
		for _, dtype := range []string{"BF16", "F8_E4M3", "F16", "F32"} {
			t.Run(name+"/"+dtype, func(t *testing.T) {
				dir := writeModel(t, cfg, synth.Options{Seed: 7, DType: dtype, Sharded: dtype == "F16"})
				ref := evalWith(t, dir, core.Options{Attention: core.AttentionNaive, Threads: 1}, prompt, decode)
				for _, c := range []struct {
					name string
					o    core.Options
				}{
					{"absorbed", core.Options{Attention: core.AttentionAbsorbed, Threads: 1}},
					{"auto 3 threads batch 4", core.Options{Attention: core.AttentionAuto, Threads: 3, MaxBatch: 4}},
					{"absorbed 2 threads batch 1", core.Options{Attention: core.AttentionAbsorbed, Threads: 2, MaxBatch: 1}},
				} {
					t.Run(c.name, func(t *testing.T) {
						got := evalWith(t, dir, c.o, prompt, decode)
						if d := maxDiff(ref, got); d > pathsTolerance {
							t.Errorf("options %+v: max |diff| %.3g from naive single-threaded", c.o, d)
						}
					})
				}
				// Token-at-a-time prefill gives the same rows.
				all := append(append([]int{}, prompt...), decode...)
				step := evalWith(t, dir, core.Options{}, all[:1], all[1:])
				if d := maxDiff(ref, step); d > pathsTolerance {
					t.Errorf("token-by-token: max |diff| %.3g from prefill", d)
				}
			})
		}
	}
}

// TestDecodeAllocs: a steady-state decode step allocates nothing.
func TestDecodeAllocs(t *testing.T) {
	cfg := testConfigs()["v3"]
	dir := writeModel(t, cfg, synth.Options{Seed: 1, DType: "F8_E4M3"})
	for _, c := range []struct {
		name string
		attn core.Attention
	}{{"auto", core.AttentionAuto}, {"naive", core.AttentionNaive}} {
		t.Run(c.name, func(t *testing.T) {
			m, err := core.Open(dir, core.Options{Threads: 2, Attention: c.attn})
			if err != nil {
				t.Fatal(err)
			}
			s, err := m.NewSequence(256)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			logits := make([]float32, cfg.VocabSize)
			tok := []int{1}
			if err := s.Forward(ctx, []int{0, 1, 2, 3}, logits, false); err != nil {
				t.Fatal(err)
			}
			allocs := testing.AllocsPerRun(50, func() {
				if err := s.Forward(ctx, tok, logits, false); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("attention %d: decode step allocates %v times", c.attn, allocs)
			}
			m.Close()
		})
	}
}

func TestForwardErrors(t *testing.T) {
	cfg := testConfigs()["v2lite"]
	dir := writeModel(t, cfg, synth.Options{Seed: 1})
	m, err := core.Open(dir, core.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s, err := m.NewSequence(4)
	if err != nil {
		t.Fatal(err)
	}
	logits := make([]float32, 4*cfg.VocabSize)
	ctx := context.Background()
	cases := []struct {
		name   string
		tokens []int
		buf    []float32
		all    bool
	}{
		{"empty", nil, logits, false},
		{"negative token", []int{-1}, logits, false},
		{"token past vocab", []int{cfg.VocabSize}, logits, false},
		{"over capacity", []int{1, 2, 3, 4, 5}, logits, false},
		{"small buffer", []int{1, 2}, logits[:cfg.VocabSize], true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := s.Forward(ctx, c.tokens, c.buf, c.all); err == nil {
				t.Errorf("%s: no error", c.name)
			}
			if s.Len() != 0 {
				t.Errorf("%s: sequence advanced to %d", c.name, s.Len())
			}
		})
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Forward(cancelled, []int{1}, logits, false); err != context.Canceled {
		t.Errorf("cancelled context: got %v", err)
	}
	if _, err := m.NewSequence(cfg.MaxPositions + 1); err == nil {
		t.Error("capacity past max_position_embeddings: no error")
	}
	m.Close()
	if err := s.Forward(ctx, []int{1}, logits, false); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("forward after Close: got %v", err)
	}
}

func BenchmarkDecode(b *testing.B) {
	cfg := testConfigs()["v3"]
	dir := writeModel(b, cfg, synth.Options{Seed: 1})
	m, err := core.Open(dir, core.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	s, _ := m.NewSequence(cfg.MaxPositions)
	logits := make([]float32, cfg.VocabSize)
	ctx := context.Background()
	tok := []int{1} // made once: a literal in the loop would be one allocation per step
	b.ReportAllocs()
	for b.Loop() {
		if s.Len() == s.Cap() {
			s.Reset()
		}
		if err := s.Forward(ctx, tok, logits, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tok/s")
}
