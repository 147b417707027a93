package sample

import (
	"math"
	"testing"
)

func TestSampleMasked(t *testing.T) {
	const vocab = 130 // three mask words, the last partial
	logits := func() []float32 {
		l := make([]float32, vocab)
		for i := range l {
			l[i] = float32(i) / 10 // the highest ids are the likeliest
		}
		return l
	}
	only := func(ids ...int) []uint64 {
		m := make([]uint64, (vocab+63)/64)
		for _, id := range ids {
			m[id/64] |= 1 << (id % 64)
		}
		return m
	}
	cases := []struct {
		name  string
		p     Params
		allow []int
	}{
		{"greedy", Params{}, []int{3, 70}},
		{"greedy logprobs", Params{LogProbs: 3}, []int{5}},
		{"temperature", Params{Temperature: 1.5}, []int{0, 64, 65}},
		{"top-k", Params{Temperature: 1, TopK: 2}, []int{1, 2, 100}},
		{"top-p", Params{Temperature: 1, TopP: 0.5}, []int{7, 8, 9}},
		{"min-p", Params{Temperature: 1, MinP: 0.5}, []int{63, 127}},
		{"penalties", Params{Temperature: 1, PresencePenalty: 2, RepetitionPenalty: 1.3}, []int{128}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(c.p, vocab)
			if err != nil {
				t.Fatal(err)
			}
			mask := only(c.allow...)
			seen := map[int]bool{}
			for range 200 {
				id := s.SampleMasked(logits(), []int{c.allow[0]}, mask)
				if mask[id/64]&(1<<(id%64)) == 0 {
					t.Fatalf("id %d outside the mask %v", id, c.allow)
				}
				seen[id] = true
				if lp := s.LogProb(); lp > 0 || math.IsInf(float64(lp), -1) {
					t.Fatalf("log-probability %g of the chosen id", lp)
				}
				for _, tl := range s.TopLogProbs() {
					if mask[tl.ID/64]&(1<<(tl.ID%64)) == 0 && !math.IsInf(float64(tl.LogProb), -1) {
						t.Fatalf("top log-probability %+v of an id outside the mask", tl)
					}
				}
			}
			if c.p.Greedy() && seen[c.allow[len(c.allow)-1]] != true {
				t.Errorf("greedy chose %v, want the highest allowed id %d", seen, c.allow[len(c.allow)-1])
			}
		})
	}
	t.Run("nil mask allows all", func(t *testing.T) {
		s, _ := New(Params{}, vocab)
		if id := s.SampleMasked(logits(), nil, nil); id != vocab-1 {
			t.Errorf("id %d, want %d", id, vocab-1)
		}
	})
	t.Run("short mask panics", func(t *testing.T) {
		s, _ := New(Params{}, vocab)
		defer func() {
			if recover() == nil {
				t.Error("no panic")
			}
		}()
		s.SampleMasked(logits(), nil, make([]uint64, 2))
	})
}
