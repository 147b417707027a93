package serving_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/sample"
	"github.com/deepgo/deepgo/core/serving"
	"github.com/deepgo/deepgo/core/synth"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// TestAdmitCopies: the copies of one prompt give the replies separate requests give (the
// same seed, the same text); the copies holding a slot when the first has read the prompt
// copy its cache (ReusedTokens, CachedTokens), a copy still queued reads it itself (or
// reuses the prefix of the slot it gets), and a first copy given up lets the others go on.
// Which copies share is settled at admission: generated one after another, the copies
// holding a slot still copy the prompt.
func TestAdmitCopies(t *testing.T) {
	m, tok := tinyModel(t, 9)
	prompt := append([]int{tok.BOS()}, tok.Encode("The quick brown fox jumps over the lazy dog, and then")...)
	opts := serving.GenerateOptions{MaxTokens: 8, Sampling: sample.Params{Temperature: 0.8, Seed: 3}}
	gen := func(a *serving.Admission) (string, serving.Generation, error) {
		var b strings.Builder
		g, err := a.Generate(context.Background(), opts, func(c serving.Chunk) error {
			b.WriteString(c.Text)
			return nil
		})
		return b.String(), g, err
	}
	alone := serving.NewScheduler(m, tok, serving.SchedulerOptions{Slots: 1, Context: 128})
	a, err := alone.Admit(prompt, 8)
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := gen(a)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name        string
		slots, k    int
		copied      int // copies that copy the prompt
		cancelFirst bool
		inTurn      bool // generate the copies one after another
	}{
		{"all with slots", 3, 3, 2, false, false},
		{"one queued", 2, 3, 2, false, false}, // the queued copy reuses a finished copy's slot's prefix
		{"first given up", 3, 3, 0, true, false},
		{"in turn", 3, 3, 2, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := serving.NewScheduler(m, tok, serving.SchedulerOptions{Slots: tc.slots, Context: 128})
			adms, err := s.AdmitCopies(prompt, 8, tc.k)
			if err != nil || len(adms) != tc.k {
				t.Fatalf("%d admissions: %v", len(adms), err)
			}
			if tc.cancelFirst {
				adms[0].Cancel()
				adms = adms[1:]
			}
			texts := make([]string, len(adms))
			gens := make([]serving.Generation, len(adms))
			var wg sync.WaitGroup
			for i, a := range adms {
				wg.Go(func() {
					var err error
					if texts[i], gens[i], err = gen(a); err != nil {
						t.Error(err)
					}
				})
				if tc.inTurn {
					wg.Wait()
				}
			}
			wg.Wait()
			cached := 0
			for i := range adms {
				if texts[i] != want {
					t.Errorf("copy %d: %q; alone %q", i, texts[i], want)
				}
				if gens[i].CachedTokens == len(prompt)-1 {
					cached++
				}
			}
			st := s.Stats()
			if cached != tc.copied || st.ReusedTokens != int64(tc.copied*(len(prompt)-1)) {
				t.Errorf("%d copies copied the prompt, %d tokens reused; want %d copies", cached, st.ReusedTokens, tc.copied)
			}
			if st.Active != 0 || st.Queued != 0 {
				t.Errorf("after: %+v", st)
			}
		})
	}
}

// BenchmarkCopies: four replies to one 200-token prompt, admitted as copies (the prompt
// read once) or as four requests (read four times); tokens/op counts the rows through the
// model.
func BenchmarkCopies(b *testing.B) {
	cfg, err := synth.Shape("tiny", 2)
	if err != nil {
		b.Fatal(err)
	}
	dir := writeModel(b, cfg, synth.Options{Seed: 9})
	tok, err := tokenizer.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	m, err := core.Open(dir, core.Options{Threads: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	prompt := []int{tok.BOS()}
	for len(prompt) < 200 {
		prompt = append(prompt, tok.Encode(" and the earth was without form, and void")...)
	}
	prompt = prompt[:200]
	opts := serving.GenerateOptions{MaxTokens: 4, Sampling: sample.Params{Temperature: 1}}
	for _, shared := range []bool{true, false} {
		b.Run(fmt.Sprintf("shared=%v", shared), func(b *testing.B) {
			before := m.Stats().Tokens
			for b.Loop() {
				s := serving.NewScheduler(m, tok, serving.SchedulerOptions{Slots: 4, Context: 256})
				var adms []*serving.Admission
				if shared {
					adms, err = s.AdmitCopies(prompt, 4, 4)
				} else {
					for range 4 {
						a, err := s.Admit(prompt, 4)
						if err != nil {
							b.Fatal(err)
						}
						adms = append(adms, a)
					}
				}
				if err != nil {
					b.Fatal(err)
				}
				var wg sync.WaitGroup
				for _, a := range adms {
					wg.Go(func() { a.Generate(context.Background(), opts, func(serving.Chunk) error { return nil }) })
				}
				wg.Wait()
			}
			b.ReportMetric(float64(m.Stats().Tokens-before)/float64(b.N), "tokens/op")
		})
	}
}
