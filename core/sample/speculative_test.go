package sample

import "testing"

// TestAcceptKeepsDistribution: drafts drawn from q and decided by Accept against p come out
// distributed as p (Leviathan et al., Theorem 1): a chi-square test over 100,000 trials,
// for a draft distribution q, for a certain draft (q nil), and for q = p (all accepted).
func TestAcceptKeepsDistribution(t *testing.T) {
	p := []float32{0.05, 0.4, 0.25, 0, 0.2, 0.1}
	q := []float32{0.3, 0.1, 0.25, 0.2, 0, 0.15}
	cases := []struct {
		name  string
		q     []float32
		draft func(*Sampler) int
	}{
		{"drawn from q", q, func(s *Sampler) int { return s.Draw(q) }},
		{"certain draft", nil, func(*Sampler) int { return 1 }},
		{"certain impossible draft", nil, func(*Sampler) int { return 3 }},
		{"q equal to p", p, func(s *Sampler) int { return s.Draw(p) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(Params{Temperature: 1, Seed: 3}, len(p))
			if err != nil {
				t.Fatal(err)
			}
			const n = 100000
			counts := make([]int, len(p))
			rejected := 0
			for range n {
				id, ok := s.Accept(p, c.q, c.draft(s))
				counts[id]++
				if !ok {
					rejected++
				}
			}
			var chi2 float64
			for i, pi := range p {
				if pi == 0 {
					if counts[i] != 0 {
						t.Errorf("token %d has probability 0 but came %d times", i, counts[i])
					}
					continue
				}
				e := float64(pi) * n
				d := float64(counts[i]) - e
				chi2 += d * d / e
			}
			// 4 degrees of freedom: the 0.1% critical value is 18.5.
			if chi2 > 18.5 {
				t.Errorf("chi-square %.2f: counts %v for p %v", chi2, counts, p)
			}
			if c.name == "q equal to p" && rejected != 0 {
				t.Errorf("q = p: %d rejected", rejected)
			}
		})
	}
}

// TestProbsMatchesSample: Probs gives the distribution Sample draws from — greedy puts
// everything on Sample's choice, top-k keeps k tokens — and sums to one.
func TestProbsMatchesSample(t *testing.T) {
	logits := []float32{1, 3, 2.5, -1, 0.5, 3}
	for _, p := range []Params{{}, {Temperature: 0.7}, {Temperature: 1, TopK: 2}, {Temperature: 1, TopP: 0.8}, {Temperature: 1, MinP: 0.3}, {RepetitionPenalty: 1.3}} {
		s, err := New(p, len(logits))
		if err != nil {
			t.Fatal(err)
		}
		probs := make([]float32, len(logits))
		s.Probs(append([]float32(nil), logits...), []int{1}, probs)
		var sum float64
		kept := 0
		for _, v := range probs {
			sum += float64(v)
			if v > 0 {
				kept++
			}
		}
		if sum < 0.9999 || sum > 1.0001 {
			t.Errorf("%+v: probabilities sum to %g", p, sum)
		}
		if p.Greedy() {
			id := s.Sample(append([]float32(nil), logits...), []int{1})
			if probs[id] != 1 {
				t.Errorf("%+v: greedy Probs %v, Sample chose %d", p, probs, id)
			}
		}
		if p.TopK == 2 && kept != 2 {
			t.Errorf("top-k 2 keeps %d tokens: %v", kept, probs)
		}
	}
}
