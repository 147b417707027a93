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
// row, the logits and hidden states of one-token Forward calls, bit for bit on float
// weights, with the other paths of attention and with the batch split across passes; and
// Prefill hands back every prompt row's hidden state with the last row's logits.
func TestVerifyMatchesDecoding(t *testing.T) {
	ctx := context.Background()
	cfg, err := synth.Shape("tiny", 2)
	if err != nil {
		t.Fatal(err)
	}
	path := writeModel(t, cfg, synth.Options{Seed: 7})
	for _, maxBatch := range []int{2, 16} {
		m, err := core.Open(path, core.Options{Threads: 2, MaxBatch: maxBatch})
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
		if diff := maxDiff(last, promptLogits[(len(prompt)-1)*v:]); diff != 0 {
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
