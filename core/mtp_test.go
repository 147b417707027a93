package core_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/npy"
	"github.com/deepgo/deepgo/core/synth"
)

// mtpRefCase is a reference case's MTP logits (tools/refgen, the eval --mtp protocol).
type mtpRefCase struct {
	Name           string `json:"name"`
	Prompt         []int  `json:"prompt"`
	FedDecodeToken []int  `json:"fed_decode_tokens"`
	Logits         struct {
		MTP string `json:"mtp"`
	} `json:"logits"`
}

// mtpRefModels lists the reference checkpoints in testdata/ref that have MTP logits.
func mtpRefModels(t *testing.T) map[string]string {
	t.Helper()
	dirs := map[string]string{}
	all, _ := filepath.Glob(filepath.Join("testdata", "ref", "*", "case0_mtp.npy"))
	for _, p := range all {
		dirs[filepath.Base(filepath.Dir(p))] = filepath.Dir(p)
	}
	if len(dirs) == 0 {
		t.Fatal("no reference checkpoints with MTP logits in testdata/ref")
	}
	return dirs
}

func loadMTPCases(t *testing.T, dir string) []mtpRefCase {
	t.Helper()
	var e struct {
		Cases []mtpRefCase `json:"cases"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e.Cases
}

// TestMTPReference runs the eval --mtp protocol on the reference checkpoints (BF16 and
// FP8) on every attention path, against the MTP logits of the official model.py's classes.
func TestMTPReference(t *testing.T) {
	for name, dir := range mtpRefModels(t) {
		cases := loadMTPCases(t, dir)
		for _, mode := range []struct {
			name    string
			attn    core.Attention
			threads int
		}{{"auto", core.AttentionAuto, 2}, {"naive", core.AttentionNaive, 1}, {"absorbed", core.AttentionAbsorbed, 3}} {
			t.Run(name+"/"+mode.name, func(t *testing.T) {
				m, err := core.Open(dir, core.Options{Attention: mode.attn, Threads: mode.threads, MaxBatch: 8})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				if !m.HasMTP() {
					t.Fatal("no MTP module")
				}
				for _, c := range cases {
					want, shape, err := npy.ReadFile(filepath.Join(dir, c.Logits.MTP))
					if err != nil {
						t.Fatal(err)
					}
					got, err := core.EvalMTP(context.Background(), m, c.Prompt, c.FedDecodeToken)
					if err != nil {
						t.Fatal(err)
					}
					if shape[0] != len(c.Prompt)+len(c.FedDecodeToken)-1 || shape[1] != m.Config.VocabSize {
						t.Fatalf("%s: reference shape %v", c.Name, shape)
					}
					compareLogits(t, c.Name, got, want, m.Config.VocabSize)
				}
			})
		}
	}
}

// TestMTPDecodeAllocs: a steady-state speculative step — a main decode step handing back
// its hidden row, then an MTP step on it — allocates nothing, on both attention paths.
func TestMTPDecodeAllocs(t *testing.T) {
	cfg := *testConfigs()["v3"]
	cfg.NumNextNPredictLayers = 1
	dir := writeModel(t, &cfg, synth.Options{Seed: 4, DType: "F8_E4M3"})
	for _, c := range []struct {
		name string
		attn core.Attention
	}{{"auto", core.AttentionAuto}, {"naive", core.AttentionNaive}} {
		t.Run(c.name, func(t *testing.T) {
			m, err := core.Open(dir, core.Options{Threads: 2, Attention: c.attn})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			s, err := m.NewSequence(256)
			if err != nil {
				t.Fatal(err)
			}
			ms, err := m.NewMTPSequence(256)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			logits, draft := make([]float32, cfg.VocabSize), make([]float32, cfg.VocabSize)
			hidden := make([]float32, 4*cfg.HiddenSize)
			if err := s.ForwardHidden(ctx, []int{0, 1, 2, 3}, make([]float32, 4*cfg.VocabSize), hidden, true); err != nil {
				t.Fatal(err)
			}
			if err := ms.Forward(ctx, hidden[:3*cfg.HiddenSize], []int{1, 2, 3}, draft, false); err != nil {
				t.Fatal(err)
			}
			tok, h := []int{1}, hidden[:cfg.HiddenSize]
			allocs := testing.AllocsPerRun(50, func() {
				if err := ms.Forward(ctx, h, tok, draft, false); err != nil {
					t.Fatal(err)
				}
				if err := s.ForwardHidden(ctx, tok, logits, h, false); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("a main and an MTP decode step allocate %v times", allocs)
			}
		})
	}
}

// TestMTPChunksAndSharing: the module's rows give the same logits whether they run as one
// prefill, in chunks of MaxBatch rows, or one at a time, while other sequences forward on
// the same model from other goroutines; a truncated MTP sequence recomputes its rows the
// same; and ForwardHidden's rows are the main model's final-normed hidden state whether one
// sequence runs or several share the passes.
func TestMTPChunksAndSharing(t *testing.T) {
	cfg := *testConfigs()["v3"]
	cfg.NumNextNPredictLayers = 1
	dir := writeModel(t, &cfg, synth.Options{Seed: 5})
	v, d := cfg.VocabSize, cfg.HiddenSize
	ctx := context.Background()
	tokens := []int{0, 17, 4, 99, 250, 3, 8, 41, 7, 300, 12, 5}
	L := len(tokens)
	run := func(t *testing.T, maxBatch int, busy bool, step int) (hidden, mtp []float32) {
		t.Helper()
		m, err := core.Open(dir, core.Options{Threads: 2, MaxBatch: maxBatch})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		stop, started := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		if busy { // another sequence decodes on the model meanwhile
			go func() {
				o, err := m.NewSequence(512)
				out := make([]float32, v)
				for i := 0; err == nil; i++ {
					if i == 1 {
						close(started)
					}
					select {
					case <-stop:
						done <- nil
						return
					default:
					}
					if o.Len() == o.Cap() {
						o.Reset()
					}
					err = o.Forward(ctx, []int{i % v}, out, false)
				}
				done <- err
			}()
			<-started
		}
		s, err := m.NewSequence(L)
		if err != nil {
			t.Fatal(err)
		}
		hidden = make([]float32, L*d)
		if err := s.ForwardHidden(ctx, tokens, make([]float32, L*v), hidden, true); err != nil {
			t.Fatal(err)
		}
		ms, err := m.NewMTPSequence(L)
		if err != nil {
			t.Fatal(err)
		}
		mtp = make([]float32, (L-1)*v)
		for i := 0; i < L-1; i += step {
			n := min(step, L-1-i)
			if err := ms.Forward(ctx, hidden[i*d:(i+n)*d], tokens[i+1:i+1+n], mtp[i*v:(i+n)*v], true); err != nil {
				t.Fatal(err)
			}
		}
		if busy {
			close(stop)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		// Rows recomputed after a truncation are the same.
		ms.Truncate(5)
		again := make([]float32, v)
		if err := ms.Forward(ctx, hidden[5*d:6*d], tokens[6:7], again, false); err != nil {
			t.Fatal(err)
		}
		var dr float64
		for i, x := range again {
			dr = max(dr, math.Abs(float64(x-mtp[5*v+i])))
		}
		if dr > 1e-3 { // a row alone takes the absorbed path, in a chunk the naive one
			t.Errorf("row 5 after Truncate(5): max |diff| %.3g", dr)
		}
		return hidden, mtp
	}
	wantH, want := run(t, 256, false, L)
	for _, c := range []struct {
		name     string
		maxBatch int
		busy     bool
		step     int
	}{{"chunks of 4", 4, false, L}, {"one row at a time", 256, false, 1}, {"beside a decoding sequence", 256, true, 3}} {
		t.Run(c.name, func(t *testing.T) {
			h, got := run(t, c.maxBatch, c.busy, c.step)
			var dh, dm float64
			for i := range h {
				dh = max(dh, math.Abs(float64(h[i]-wantH[i])))
			}
			for i := range got {
				dm = max(dm, math.Abs(float64(got[i]-want[i])))
			}
			// The attention paths differ by rounding (naive for chunks, absorbed for one row).
			if dh > 1e-4 || dm > 1e-3 {
				t.Errorf("hidden max |diff| %.3g, MTP logits max |diff| %.3g", dh, dm)
			}
		})
	}
}

// TestMTPErrors: the MTP API refuses bad calls with errors, leaving the sequence as it was.
func TestMTPErrors(t *testing.T) {
	cfg := *testConfigs()["v3"]
	plain := writeModel(t, &cfg, synth.Options{Seed: 6})
	cfg.NumNextNPredictLayers = 1
	dir := writeModel(t, &cfg, synth.Options{Seed: 6})
	m, err := core.Open(plain, core.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.NewMTPSequence(8); err == nil || !strings.Contains(err.Error(), "no multi-token-prediction module") {
		t.Errorf("NewMTPSequence without a module: %v", err)
	}
	m.Close()
	if m, err = core.Open(dir, core.Options{Threads: 1}); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ms, err := m.NewMTPSequence(4)
	if err != nil {
		t.Fatal(err)
	}
	v, d := cfg.VocabSize, cfg.HiddenSize
	h, out := make([]float32, 8*d), make([]float32, 8*v)
	ctx := context.Background()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	for _, c := range []struct {
		name   string
		call   func() error
		expect string
	}{
		{"capacity 0", func() error { _, err := m.NewMTPSequence(0); return err }, "capacity 0 must be positive"},
		{"no tokens", func() error { return ms.Forward(ctx, h, nil, out, true) }, "no tokens"},
		{"token out of range", func() error { return ms.Forward(ctx, h, []int{v}, out, true) }, "out of range"},
		{"hidden too short", func() error { return ms.Forward(ctx, h[:d], []int{1, 2}, out, true) }, "hidden holds"},
		{"logits too short", func() error { return ms.Forward(ctx, h, []int{1, 2}, out[:v], true) }, "logits buffer holds"},
		{"past the capacity", func() error { return ms.Forward(ctx, h, []int{1, 2, 3, 4, 5}, out, true) }, "exceed the context of 4"},
		{"canceled", func() error { return ms.Forward(canceled, h, []int{1, 2}, out, true) }, "context canceled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if err == nil || !strings.Contains(err.Error(), c.expect) {
				t.Errorf("error %v, want one mentioning %q", err, c.expect)
			}
			if ms.Len() != 0 {
				t.Errorf("Len %d after a failed call", ms.Len())
			}
		})
	}
	s, err := m.NewSequence(4)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ForwardHidden(ctx, []int{1, 2}, out, h[:d], true); err == nil || !strings.Contains(err.Error(), "hidden buffer holds") {
		t.Errorf("ForwardHidden with a short hidden buffer: %v", err)
	}
}

// TestForwardHiddenBatch: the hidden rows ForwardBatch hands back for several sequences in
// one pass are those each sequence gets alone.
func TestForwardHiddenBatch(t *testing.T) {
	cfg := *testConfigs()["v2lite"]
	dir := writeModel(t, &cfg, synth.Options{Seed: 7})
	m, err := core.Open(dir, core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v, d := cfg.VocabSize, cfg.HiddenSize
	ctx := context.Background()
	prompts := [][]int{{0, 4, 9}, {0, 250, 17, 3, 8}}
	alone := make([][]float32, len(prompts))
	for i, p := range prompts {
		s, err := m.NewSequence(8)
		if err != nil {
			t.Fatal(err)
		}
		alone[i] = make([]float32, len(p)*d)
		if err := s.ForwardHidden(ctx, p, make([]float32, len(p)*v), alone[i], true); err != nil {
			t.Fatal(err)
		}
	}
	for _, all := range []bool{true, false} {
		t.Run(map[bool]string{true: "all rows", false: "last row"}[all], func(t *testing.T) {
			var steps []core.Step
			for _, p := range prompts {
				s, err := m.NewSequence(8)
				if err != nil {
					t.Fatal(err)
				}
				n := 1
				if all {
					n = len(p)
				}
				steps = append(steps, core.Step{Seq: s, Tokens: p, Logits: make([]float32, n*v), Hidden: make([]float32, n*d), All: all})
			}
			if err := m.ForwardBatch(ctx, steps); err != nil {
				t.Fatal(err)
			}
			for i, st := range steps {
				want := alone[i]
				if !all {
					want = want[(len(prompts[i])-1)*d:]
				}
				var dh float64
				for j := range st.Hidden {
					dh = max(dh, math.Abs(float64(st.Hidden[j]-want[j])))
				}
				if dh > 1e-5 {
					t.Errorf("sequence %d: hidden max |diff| %.3g from its rows alone", i, dh)
				}
			}
		})
	}
}
