package core_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/synth"
)

// TestVerifyMatchesDecoding: drafted tokens checked together (Sequence.Verify) get, row by
// row, the logits and hidden states of one-token Forward calls, bit for bit — on float
// weights and on the trained model's Q8_0 file with 8-bit activations (the decoding rows
// are multiplied one at a time) — with the batch split across passes or not; and
// Prefill hands back every prompt row's hidden state with the last row's logits.
func TestVerifyMatchesDecoding(t *testing.T) {
	ctx := context.Background()
	cfg, err := synth.Shape("tiny", 2)
	if err != nil {
		t.Fatal(err)
	}
	path := writeModel(t, cfg, synth.Options{Seed: 7})
	for _, run := range []struct {
		path     string
		maxBatch int
	}{{path, 2}, {path, 16}, {fixture.TrainedGGUF(t), 2}, {fixture.TrainedGGUF(t), 16}} {
		maxBatch := run.maxBatch
		m, err := core.Open(run.path, core.Options{Threads: 2, MaxBatch: maxBatch})
		if err != nil {
			t.Fatal(err)
		}
		v, d := m.Config.VocabSize, m.Config.HiddenSize
		prompt := []int{1, 17, 33, 2, 99, 5, 61}
		draft := []int{7, 8, 42, 11}

		// One token at a time.
		one, err := m.NewSequence(32)
		if err != nil {
			t.Fatal(err)
		}
		promptHidden := make([]float32, len(prompt)*d)
		promptLogits := make([]float32, len(prompt)*v)
		if err := one.ForwardHidden(ctx, prompt, promptLogits, promptHidden, true); err != nil {
			t.Fatal(err)
		}
		wantL := make([]float32, len(draft)*v)
		wantH := make([]float32, len(draft)*d)
		for i, tok := range draft {
			if err := one.ForwardHidden(ctx, []int{tok}, wantL[i*v:(i+1)*v], wantH[i*d:(i+1)*d], false); err != nil {
				t.Fatal(err)
			}
		}

		s, err := m.NewSequence(32)
		if err != nil {
			t.Fatal(err)
		}
		last := make([]float32, v)
		hid := make([]float32, len(prompt)*d)
		if err := s.Prefill(ctx, prompt, last, hid); err != nil {
			t.Fatal(err)
		}
		// The prompt's last logits as a Forward without all computes them (one row).
		alone, err := m.NewSequence(32)
		if err != nil {
			t.Fatal(err)
		}
		lastOnly := make([]float32, v)
		if err := alone.Forward(ctx, prompt, lastOnly, false); err != nil {
			t.Fatal(err)
		}
		if diff := maxDiff(last, lastOnly); diff != 0 {
			t.Errorf("MaxBatch %d: Prefill's logits differ by %g", maxBatch, diff)
		}
		if diff := maxDiff(hid, promptHidden); diff != 0 {
			t.Errorf("MaxBatch %d: Prefill's hidden states differ by %g", maxBatch, diff)
		}
		gotL := make([]float32, len(draft)*v)
		gotH := make([]float32, len(draft)*d)
		if err := s.Verify(ctx, draft, gotL, gotH); err != nil {
			t.Fatal(err)
		}
		if diff := maxDiff(gotL, wantL); diff != 0 {
			t.Errorf("MaxBatch %d: Verify's logits differ from decoding's by %g", maxBatch, diff)
		}
		if diff := maxDiff(gotH, wantH); diff != 0 {
			t.Errorf("MaxBatch %d: Verify's hidden states differ from decoding's by %g", maxBatch, diff)
		}
		if s.Len() != len(prompt)+len(draft) {
			t.Errorf("Len %d after Verify", s.Len())
		}
		// Rolling back two drafts and verifying others continues from there.
		s.Truncate(len(prompt) + 2)
		if err := s.Verify(ctx, draft[2:], gotL[:2*v], nil); err != nil {
			t.Fatal(err)
		}
		if diff := maxDiff(gotL[:2*v], wantL[2*v:]); diff != 0 {
			t.Errorf("MaxBatch %d: after a rollback Verify's logits differ by %g", maxBatch, diff)
		}
		m.Close()
	}
}

// BenchmarkVerify: the cost of checking k drafted tokens — a pass of k+1 rows that take the
// decoding path (Sequence.Verify) — against one decoding step (rows=1), on the trained
// model's Q8_0 GGUF and BF16 checkpoint, after a 64-token prompt. ns/op is one pass.
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	for _, mm := range []struct{ name, path string }{
		{"q8_0", fixture.TrainedGGUF(b)},
		{"bf16", fixture.Trained(b)},
	} {
		m, err := core.Open(mm.path, core.Options{Threads: 2})
		if err != nil {
			b.Fatal(err)
		}
		v := m.Config.VocabSize
		prompt := make([]int, 64)
		for i := range prompt {
			prompt[i] = (i*37 + 11) % v
		}
		for _, rows := range []int{1, 2, 3, 4} {
			b.Run(fmt.Sprintf("%s/rows=%d", mm.name, rows), func(b *testing.B) {
				s, err := m.NewSequence(128)
				if err != nil {
					b.Fatal(err)
				}
				logits := make([]float32, rows*v)
				if err := s.Forward(ctx, prompt, logits[:v], false); err != nil {
					b.Fatal(err)
				}
				tokens := prompt[:rows]
				for b.Loop() {
					if err := s.Verify(ctx, tokens, logits, nil); err != nil {
						b.Fatal(err)
					}
					s.Truncate(len(prompt))
				}
			})
		}
		m.Close()
	}
}

// TestVerifyBesideOthersExact: on the trained model's Q8_0 file with 8-bit activations —
// kernels that add in another order when they take several rows — drafts checked beside
// other sequences' decoding steps and a prompt get, row by row, the logits of one-token
// steps alone.
func TestVerifyBesideOthersExact(t *testing.T) {
	ctx := context.Background()
	m, err := core.Open(fixture.TrainedGGUF(t), core.Options{Threads: 2, MaxBatch: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v := m.Config.VocabSize
	prompt := []int{1, 17, 33, 2, 99}
	draft := []int{7, 8, 42}
	open := func() *core.Sequence {
		s, err := m.NewSequence(64)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Forward(ctx, prompt, make([]float32, v), false); err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := make([]float32, len(draft)*v)
	s := open()
	for i, tok := range draft {
		if err := s.Forward(ctx, []int{tok}, want[i*v:(i+1)*v], false); err != nil {
			t.Fatal(err)
		}
	}
	long := make([]int, 12)
	for i := range long {
		long[i] = 20 + i
	}
	for _, beside := range []string{"decoding", "prompt", "both"} {
		s := open()
		got := make([]float32, len(draft)*v)
		batch := []core.Step{{Seq: s, Tokens: draft, Logits: got, All: true, Decode: true}}
		if beside != "prompt" {
			for range 3 {
				batch = append(batch, core.Step{Seq: open(), Tokens: []int{5}, Logits: make([]float32, v)})
			}
		}
		if beside != "decoding" {
			other, err := m.NewSequence(64)
			if err != nil {
				t.Fatal(err)
			}
			batch = append(batch, core.Step{Seq: other, Tokens: long, Logits: make([]float32, v)})
		}
		if err := m.ForwardBatch(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if d := maxDiff(got, want); d != 0 {
			t.Errorf("beside %s: checked drafts' logits differ from decoding alone by %g", beside, d)
		}
	}
}
