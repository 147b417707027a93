package sample

import "math"

// TokenLogProb is a token and its log-probability.
type TokenLogProb struct {
	ID      int
	LogProb float32
}

// LogProb returns the log-probability of the token the last Sample returned: log
// softmax(l/T) over the whole vocabulary, where l are the logits after penalties and
// cleaning and T is the temperature (1 when greedy), before top-k, top-p and min-p. It
// returns −Inf before the first Sample and when every token was impossible.
func (s *Sampler) LogProb() float32 {
	if s.chosen < 0 || s.impossible {
		return float32(math.Inf(-1))
	}
	return s.logProb(s.x[s.chosen])
}

// TopLogProbs returns the Params.LogProbs most likely tokens of the distribution LogProb
// reports on, most likely first (the lower id first among equals), leaving out impossible
// tokens. The chosen token is among them only if it is that likely. The slice belongs to
// the Sampler and is valid until the next Sample.
func (s *Sampler) TopLogProbs() []TokenLogProb {
	n := s.p.LogProbs
	if n == 0 || s.chosen < 0 || s.impossible {
		return nil
	}
	if !s.haveTop {
		var best []cand
		if s.sorted >= n {
			best = s.cand[:n]
		} else {
			s.heap = selectTop(s.heap, s.x, n)
			best = s.heap
		}
		s.top = s.top[:0]
		for _, c := range best {
			s.top = append(s.top, TokenLogProb{ID: int(c.id), LogProb: s.logProb(c.l)})
		}
		s.haveTop = true
	}
	return s.top
}

// logProb returns the log-probability of a token of logit l (after penalties).
func (s *Sampler) logProb(l float32) float32 {
	if !s.haveLogZ {
		s.logZ, s.haveLogZ = math.Log(expSum(s.e, s.x, s.lmax, s.temp)), true
	}
	return float32(float64((l-s.lmax)/s.temp) - s.logZ)
}
