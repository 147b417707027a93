package sample

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// reference is a direct float64 transcription of the stages in the package documentation,
// sorting the whole vocabulary: the distribution Sample draws from.
func reference(p Params, logits []float32, history []int) []float64 {
	v := len(logits)
	l := make([]float64, v)
	for i, x := range logits {
		l[i] = float64(x)
	}
	if p.PenaltyWindow > 0 && len(history) > p.PenaltyWindow {
		history = history[len(history)-p.PenaltyWindow:]
	}
	count := map[int]int{}
	for _, t := range history {
		if t >= 0 && t < v {
			count[t]++
		}
	}
	for t, c := range count {
		if r := float64(p.RepetitionPenalty); r != 0 && r != 1 {
			if l[t] > 0 {
				l[t] /= r
			} else {
				l[t] *= r
			}
		}
		l[t] -= float64(c)*float64(p.FrequencyPenalty) + float64(p.PresencePenalty)
	}
	out := make([]float64, v)
	lmax := math.Inf(-1)
	for i := range l {
		if math.IsNaN(l[i]) {
			l[i] = math.Inf(-1)
		}
		lmax = max(lmax, l[i])
	}
	if math.IsInf(lmax, 1) {
		for i := range l {
			if math.IsInf(l[i], 1) {
				l[i] = 0
			} else {
				l[i] = math.Inf(-1)
			}
		}
		lmax = 0
	}
	if math.IsInf(lmax, -1) {
		out[0] = 1
		return out
	}
	var ids []int
	for i := range l {
		if !math.IsInf(l[i], -1) {
			ids = append(ids, i)
		}
	}
	slices.SortStableFunc(ids, func(a, b int) int { return cmp.Compare(l[b], l[a]) })
	if p.Temperature == 0 {
		out[ids[0]] = 1
		return out
	}
	if p.TopK > 0 && p.TopK < len(ids) {
		ids = ids[:p.TopK]
	}
	t := float64(p.Temperature)
	var z float64
	for _, i := range ids {
		z += math.Exp((l[i] - lmax) / t)
	}
	if p.TopP > 0 && p.TopP < 1 {
		var cum float64
		for k, i := range ids {
			cum += math.Exp((l[i]-lmax)/t) / z
			if cum >= float64(p.TopP)-slack {
				ids = ids[:k+1]
				break
			}
		}
	}
	if p.MinP > 0 {
		thr := math.Log(float64(p.MinP)) - slack
		for k, i := range ids {
			if (l[i]-lmax)/t < thr {
				ids = ids[:k]
				break
			}
		}
	}
	z = 0
	for _, i := range ids {
		z += math.Exp((l[i] - lmax) / t)
	}
	for _, i := range ids {
		out[i] = math.Exp((l[i]-lmax)/t) / z
	}
	return out
}

// randomLogits returns logits spread like a model's, with some ties, NaNs and −Infs.
func randomLogits(r *rand.Rand, v int) []float32 {
	l := make([]float32, v)
	for i := range l {
		switch x := r.IntN(100); {
		case x < 2:
			l[i] = negInf
		case x < 3:
			l[i] = nan
		case x < 8 && i > 0:
			l[i] = l[r.IntN(i)] // a tie
		default:
			l[i] = float32(r.NormFloat64() * 3)
		}
	}
	return l
}

func randomHistory(r *rand.Rand, v, n int) []int {
	h := make([]int, n)
	for i := range h {
		h[i] = r.IntN(v / 10) // repeats
	}
	return h
}

// TestAgainstReference compares Probs with the reference on random vocabularies, covering
// the heap selection of top-k and the histogram of top-p without top-k.
func TestAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	params := []Params{
		{Temperature: 1},
		{Temperature: 0.7},
		{Temperature: 1.3, TopK: 40},
		{Temperature: 0.7, TopK: 40, TopP: 0.9},
		{Temperature: 0.7, TopP: 0.9},
		{Temperature: 1, TopP: 0.999},
		{Temperature: 3, TopP: 0.5},
		{Temperature: 0.05, TopP: 0.95},
		{Temperature: 1, MinP: 0.05},
		{Temperature: 0.8, TopP: 0.95, MinP: 0.1},
		{Temperature: 0.8, TopK: 100, TopP: 0.95, MinP: 0.02},
		{Temperature: 1, RepetitionPenalty: 1.3, PresencePenalty: 0.5, FrequencyPenalty: 0.25},
		{Temperature: 0.6, TopK: 20, TopP: 0.8, RepetitionPenalty: 1.1, FrequencyPenalty: -0.5, PenaltyWindow: 50},
		{Temperature: 1, TopP: 0.9, PresencePenalty: -1, PenaltyWindow: 7},
		{},
		{RepetitionPenalty: 1.5},
	}
	for _, v := range []int{1, 2, 50, 3000} {
		for pi, p := range params {
			t.Run(fmt.Sprintf("vocab %d params %d", v, pi), func(t *testing.T) {
				s, err := New(p, v)
				if err != nil {
					t.Fatal(err)
				}
				for trial := range 5 {
					logits := randomLogits(r, v)
					history := randomHistory(r, max(v, 10), 200)
					want := reference(p, logits, history)
					got := s.probs(slices.Clone(logits), history)
					for i := range want {
						if math.Abs(float64(got[i])-want[i]) > 1e-6+1e-5*want[i] {
							t.Fatalf("trial %d: token %d has probability %g, want %g", trial, i, got[i], want[i])
						}
					}
				}
			})
		}
	}
}

// TestTopPFlat checks top-p when the whole vocabulary falls into one histogram bucket.
func TestTopPFlat(t *testing.T) {
	const v = 1000
	logits := make([]float32, v)
	for i := range logits {
		logits[i] = 2 + float32(i%3)*1e-4
	}
	p := Params{Temperature: 1, TopP: 0.5}
	s, err := New(p, v)
	if err != nil {
		t.Fatal(err)
	}
	got := s.probs(slices.Clone(logits), nil)
	want := reference(p, logits, nil)
	kept := 0
	for i := range want {
		if got[i] != 0 {
			kept++
		}
		if math.Abs(float64(got[i])-want[i]) > 1e-7 {
			t.Fatalf("token %d has probability %g, want %g", i, got[i], want[i])
		}
	}
	if kept < 499 || kept > 501 {
		t.Errorf("top-p 0.5 of a flat distribution kept %d of %d tokens", kept, v)
	}
}

func TestSelectTop(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, v := range []int{0, 1, 5, 100, 1000} {
		t.Run(fmt.Sprintf("vocab %d", v), func(t *testing.T) {
			x := randomLogits(r, v)
			for i := range x {
				if x[i] != x[i] {
					x[i] = negInf
				}
			}
			var all []cand
			for i, l := range x {
				if l != negInf {
					all = append(all, cand{id: int32(i), l: l})
				}
			}
			slices.SortFunc(all, compareCand)
			for _, k := range []int{1, 2, 7, 40, 2000} {
				got := selectTop(make([]cand, 0, k), x, k)
				want := all[:min(k, len(all))]
				if !slices.Equal(got, want) {
					t.Fatalf("vocab %d k %d: selectTop = %v, want %v", v, k, got, want)
				}
			}
		})
	}
}
