package sample

// Speculative sampling (Leviathan et al. 2023, "Fast Inference from Transformers via
// Speculative Decoding", Algorithm 1; Chen et al. 2023): a drafted token d, drawn from the
// draft distribution q, is kept with probability min(1, p(d)/q(d)), where p is the
// distribution Sample draws from; when it is not, the token is drawn from
// norm(max(0, p − q)). The token that results is distributed as p exactly.

// Probs writes into dst (one value per token of the vocabulary) the probability with which
// Sample would choose each token given logits and history, after every stage: greedy
// decoding puts 1 on its choice. It draws nothing. Like Sample it may modify logits, and
// it leaves LogProb and TopLogProbs to describe these logits once Accept or Choose has
// named the token. It does not allocate.
func (s *Sampler) Probs(logits []float32, history []int, dst []float32) {
	dst = dst[:s.vocab]
	clear(dst)
	id, done := s.process(logits, history)
	s.chosen = -1
	if done {
		dst[id] = 1
		return
	}
	if s.zk <= 0 {
		dst[0] = 1
		return
	}
	inv := 1 / s.zk
	if s.list {
		for _, c := range s.cand[:s.n] {
			dst[c.id] = float32(float64(c.w) * inv)
		}
		return
	}
	for i, w := range s.e[:s.vocab] {
		if w != 0 {
			dst[i] = float32(float64(w) * inv)
		}
	}
}

// Draw returns a token drawn from probs (as Probs writes them), with one number of the
// random source: how a drafter samples its proposals.
func (s *Sampler) Draw(probs []float32) int {
	return drawFrom(probs, s.uniform(), nil, -1)
}

// Accept decides the drafted token d given p, the distribution of the token at its place
// (Probs of the checking model's logits), and q, the distribution d was drawn from (nil:
// d was proposed with certainty, as prompt lookup proposes). It returns d and true when d
// is kept, or the replacement drawn from norm(max(0, p − q)) and false. It uses one
// number of the random source, two when it replaces d, and records the result for
// LogProb and TopLogProbs.
func (s *Sampler) Accept(p, q []float32, d int) (int, bool) {
	qd := float32(1)
	if q != nil {
		qd = q[d]
	}
	u := s.uniform()
	if pd := p[d]; pd >= qd || u*float64(qd) < float64(pd) {
		s.chosen = d
		return d, true
	}
	id := drawFrom(p, s.uniform(), q, d)
	s.chosen = id
	return id, false
}

// Choose records id as the chosen token of the last Probs, for LogProb and TopLogProbs.
func (s *Sampler) Choose(id int) { s.chosen = id }

// drawFrom returns the token at which the cumulative weight of p (less q, clamped at zero,
// when q is not nil; less all of token d's when q is nil and d ≥ 0) exceeds u times the
// total.
func drawFrom(p []float32, u float64, q []float32, d int) int {
	weight := func(i int) float64 {
		w := float64(p[i])
		switch {
		case q != nil:
			w = max(0, w-float64(q[i]))
		case i == d:
			w = 0
		}
		return w
	}
	var z float64
	for i := range p {
		z += weight(i)
	}
	if z == 0 { // p ≤ q everywhere: only by rounding, as both sum to one
		best := 0
		for i, w := range p {
			if w > p[best] {
				best = i
			}
		}
		return best
	}
	r, cum, last := u*z, 0.0, 0
	for i := range p {
		w := weight(i)
		if w == 0 {
			continue
		}
		cum += w
		if cum > r {
			return i
		}
		last = i
	}
	return last
}
