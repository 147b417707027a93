package sample

// Probs runs the stages of Sample up to the draw and returns the final distribution over
// the vocabulary, the probabilities the draw uses. A choice that needs no draw (greedy, or
// the fallback when every token is impossible) is a distribution of one token. It consumes
// no random number.
func (s *Sampler) Probs(logits []float32, history []int) []float32 {
	p := make([]float32, s.vocab)
	id, done := s.process(logits, history)
	switch {
	case done:
		p[id] = 1
	case s.list:
		for _, c := range s.cand[:s.n] {
			p[c.id] = float32(float64(c.w) / s.zk)
		}
	default:
		for i, w := range s.e {
			p[i] = float32(float64(w) / s.zk)
		}
	}
	return p
}
