package sample

// probs returns Probs' distribution in a new slice.
func (s *Sampler) probs(logits []float32, history []int) []float32 {
	p := make([]float32, s.vocab)
	s.Probs(logits, history, p)
	return p
}
