package sample

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestLogProbs(t *testing.T) {
	lg := func(p float64) float32 { return float32(math.Log(p)) }
	tests := []struct {
		name    string
		p       Params
		logits  []float32 // nil: ln1to4
		history []int
		want    []float32 // log-probabilities of the distribution reported, by id
		top     []int     // ids TopLogProbs reports, in order
	}{
		{name: "temperature 1", p: Params{Temperature: 1, LogProbs: 2},
			want: []float32{lg(.1), lg(.2), lg(.3), lg(.4)}, top: []int{3, 2}},
		{name: "temperature 0.5 is applied", p: Params{Temperature: 0.5, LogProbs: 4},
			want: []float32{lg(1. / 30), lg(4. / 30), lg(9. / 30), lg(16. / 30)}, top: []int{3, 2, 1, 0}},
		{name: "top-k does not truncate the report", p: Params{Temperature: 0.5, TopK: 2, LogProbs: 3},
			want: []float32{lg(1. / 30), lg(4. / 30), lg(9. / 30), lg(16. / 30)}, top: []int{3, 2, 1}},
		{name: "top-k longer than the report", p: Params{Temperature: 0.5, TopK: 3, LogProbs: 2},
			want: []float32{lg(1. / 30), lg(4. / 30), lg(9. / 30), lg(16. / 30)}, top: []int{3, 2}},
		{name: "top-p and min-p do not truncate the report", p: Params{Temperature: 1, TopP: 0.5, MinP: 0.9, LogProbs: 4},
			want: []float32{lg(.1), lg(.2), lg(.3), lg(.4)}, top: []int{3, 2, 1, 0}},
		{name: "greedy reports temperature 1", p: Params{LogProbs: 4},
			want: []float32{lg(.1), lg(.2), lg(.3), lg(.4)}, top: []int{3, 2, 1, 0}},
		{name: "penalties are applied", p: Params{Temperature: 1, PresencePenalty: lnTwo, LogProbs: 4}, history: []int{3, 1},
			want: []float32{lg(1. / 7), lg(1. / 7), lg(3. / 7), lg(2. / 7)}, top: []int{2, 3, 0, 1}},
		{name: "impossible tokens are left out", p: Params{Temperature: 1, LogProbs: 4}, logits: []float32{negInf, lnTwo, nan, lnTwo},
			want: []float32{negInf, lg(.5), negInf, lg(.5)}, top: []int{1, 3}},
		{name: "no logprobs asked for", p: Params{Temperature: 1},
			want: []float32{lg(.1), lg(.2), lg(.3), lg(.4)}, top: []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.p, 4)
			if err != nil {
				t.Fatal(err)
			}
			for range 20 {
				id := s.Sample(logitsOf(tt.logits), tt.history)
				if got := s.LogProb(); math.Abs(float64(got-tt.want[id])) > 1e-6 {
					t.Fatalf("chose %d: LogProb() = %g, want %g", id, got, tt.want[id])
				}
				top := s.TopLogProbs()
				if len(top) != len(tt.top) {
					t.Fatalf("TopLogProbs() = %v, want ids %v", top, tt.top)
				}
				for i, e := range top {
					if e.ID != tt.top[i] || math.Abs(float64(e.LogProb-tt.want[e.ID])) > 1e-6 {
						t.Fatalf("TopLogProbs() = %v, want ids %v with log-probabilities %v", top, tt.top, tt.want)
					}
				}
			}
		})
	}
}

func TestLogProbImpossible(t *testing.T) {
	s, err := New(Params{Temperature: 1, LogProbs: 3}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if lp, top := s.LogProb(), s.TopLogProbs(); !math.IsInf(float64(lp), -1) || len(top) != 0 {
		t.Errorf("before Sample: LogProb() = %g, TopLogProbs() = %v; want -Inf and none", lp, top)
	}
	if id := s.Sample([]float32{nan, negInf, nan}, nil); id != 0 {
		t.Errorf("Sample of impossible tokens = %d, want the fallback 0", id)
	}
	if lp, top := s.LogProb(), s.TopLogProbs(); !math.IsInf(float64(lp), -1) || len(top) != 0 {
		t.Errorf("after the fallback: LogProb() = %g, TopLogProbs() = %v; want -Inf and none", lp, top)
	}
}

// TestLogProbsLarge compares the log-probabilities with a direct computation on a large
// vocabulary, for each way Sample can get to its candidates.
func TestLogProbsLarge(t *testing.T) {
	const v = 5000
	r := rand.New(rand.NewPCG(5, 6))
	for _, tt := range []struct {
		name string
		p    Params
	}{
		{"greedy", Params{LogProbs: 5}},
		{"temperature", Params{Temperature: 0.7, LogProbs: 20}},
		{"top-k top-p", Params{Temperature: 0.7, TopK: 40, TopP: 0.9, LogProbs: 5}},
		{"top-k 3", Params{Temperature: 0.7, TopK: 3, LogProbs: 5}},
		{"top-p", Params{Temperature: 0.7, TopP: 0.9, LogProbs: 20}},
		{"min-p penalties", Params{Temperature: 1.2, TopP: 0.5, MinP: 0.1, LogProbs: 7, RepetitionPenalty: 1.2, PresencePenalty: 0.3}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.p, v)
			if err != nil {
				t.Fatal(err)
			}
			for range 5 {
				logits := randomLogits(r, v)
				history := randomHistory(r, v, 100)
				// The reported distribution: penalties and temperature (1 when greedy) only.
				ref := Params{Temperature: tt.p.Temperature, RepetitionPenalty: tt.p.RepetitionPenalty, PresencePenalty: tt.p.PresencePenalty}
				if ref.Temperature == 0 {
					ref.Temperature = 1
				}
				want := reference(ref, logits, history)
				id := s.Sample(slices.Clone(logits), history)
				if got := float64(s.LogProb()); math.Abs(got-math.Log(want[id])) > 1e-5 {
					t.Fatalf("%+v: LogProb() = %g, want %g", tt.p, got, math.Log(want[id]))
				}
				ids := make([]int, v)
				for i := range ids {
					ids[i] = i
				}
				slices.SortStableFunc(ids, func(a, b int) int { return cmp.Compare(want[b], want[a]) })
				top := s.TopLogProbs()
				if len(top) != tt.p.LogProbs {
					t.Fatalf("%+v: %d top log-probabilities, want %d", tt.p, len(top), tt.p.LogProbs)
				}
				for i, e := range top {
					if e.ID != ids[i] || math.Abs(float64(e.LogProb)-math.Log(want[e.ID])) > 1e-5 {
						t.Fatalf("%+v: TopLogProbs()[%d] = %v, want %d with %g", tt.p, i, e, ids[i], math.Log(want[ids[i]]))
					}
				}
			}
		})
	}
}
