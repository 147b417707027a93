package sample

import "math"

// clean writes the logits after penalties and cleaning (steps 1 and 2 of the package
// documentation) to s.x, sets s.lmax to their maximum and returns the lowest id that has
// it, or −1 when every token is impossible.
func (s *Sampler) clean(logits []float32, history []int) int {
	negInf := float32(math.Inf(-1))
	x := s.x[:len(logits)]
	best, lmax := -1, negInf
	if s.pen.count(history) {
		counts := s.pen.counts[:len(logits)]
		for i, v := range logits {
			if n := counts[i]; n > 0 {
				v = s.pen.apply(v, n)
			}
			if v != v {
				v = negInf
			}
			x[i] = v
			if v > lmax {
				best, lmax = i, v
			}
		}
		s.pen.clear()
	} else {
		for i, v := range logits {
			if v != v {
				v = negInf
			}
			x[i] = v
			if v > lmax {
				best, lmax = i, v
			}
		}
	}
	if math.IsInf(float64(lmax), 1) {
		// The +Inf tokens share the probability; best is already the first of them.
		for i, v := range x {
			if v == lmax {
				x[i] = 0
			} else {
				x[i] = negInf
			}
		}
		lmax = 0
	}
	s.lmax = lmax
	return best
}
