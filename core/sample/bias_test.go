package sample

import (
	"math"
	"strings"
	"testing"
)

func TestLogitBias(t *testing.T) {
	logits := func() []float32 { return []float32{0, 3, 1, 2, -1} } // argmax 1
	for _, tc := range []struct {
		name string
		p    Params
		want int
	}{
		{"none", Params{}, 1},
		{"ban the best", Params{LogitBias: []Bias{{1, -100}}}, 3},
		{"ban two", Params{LogitBias: []Bias{{1, -100}, {3, -100}}}, 2},
		{"favour one", Params{LogitBias: []Bias{{4, 4.5}}}, 4},
		{"force while sampling", Params{Temperature: 1, Seed: 7, LogitBias: []Bias{{0, 100}}}, 0},
		{"force with top-k", Params{Temperature: 1, TopK: 2, Seed: 7, LogitBias: []Bias{{2, 100}}}, 2},
		{"ban while sampling", Params{Temperature: 1, TopP: 0.9, Seed: 7, LogitBias: []Bias{{0, -100}, {1, -100}, {2, -100}, {3, -100}}}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.p, 5)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 50 { // a forced or banned token holds on every draw
				if got := s.Sample(logits(), nil); got != tc.want {
					t.Fatalf("draw %d: token %d, want %d", i, got, tc.want)
				}
			}
		})
	}
	// The log-probabilities describe the biased distribution.
	s, _ := New(Params{LogitBias: []Bias{{1, -100}}, LogProbs: 2}, 5)
	s.Sample(logits(), nil)
	top := s.TopLogProbs()
	if len(top) != 2 || top[0].ID != 3 || top[1].ID != 2 {
		t.Errorf("top log-probabilities %+v", top)
	}
}

func TestLogitBiasInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    Bias
		want string
	}{
		{"too big", Bias{1, 100.5}, "outside [-100, 100]"},
		{"too small", Bias{1, -101}, "outside [-100, 100]"},
		{"NaN", Bias{1, float32(math.NaN())}, "outside"},
		{"+Inf", Bias{1, float32(math.Inf(1))}, "outside"},
		{"negative id", Bias{-1, 1}, "negative"},
		{"beyond the vocabulary", Bias{5, 1}, "not in the vocabulary of 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Params{LogitBias: []Bias{{0, 1}, tc.b}}, 5)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := New(Params{LogitBias: []Bias{{4, 100}, {0, -100}}}, 5); err != nil {
		t.Errorf("the extremes: %v", err)
	}
}
