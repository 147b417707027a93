package sample

import "fmt"

// MaxBias bounds the size of a [Bias]: OpenAI's range, −100 to 100. In practice −100 bans
// a token and 100 all but forces it.
const MaxBias = 100

// Bias is one entry of [Params.LogitBias]: Value is added to the logit of token ID before
// every other stage (OpenAI's logit_bias).
type Bias struct {
	ID    int
	Value float32
}

// validateBias reports the biases that are out of range: a value that is not finite or
// beyond ±MaxBias, or a negative id; ids beyond the vocabulary are checked by New.
func (p Params) validateBias(bad func(format string, args ...any)) {
	for i, b := range p.LogitBias {
		if v := b.Value; isNaN(v) || v < -MaxBias || v > MaxBias {
			bad("logit bias %d (token %d) is %g: outside [-%d, %d]", i, b.ID, v, MaxBias, MaxBias)
		}
		if b.ID < 0 {
			bad("logit bias %d names token %d: negative", i, b.ID)
		}
	}
}

// checkBiasIDs reports a bias whose token is not in a vocabulary of vocab tokens.
func (p Params) checkBiasIDs(vocab int) error {
	for i, b := range p.LogitBias {
		if b.ID >= vocab {
			return fmt.Errorf("sample: logit bias %d names token %d, not in the vocabulary of %d", i, b.ID, vocab)
		}
	}
	return nil
}

// addBias adds the logit biases to logits in place. It does not allocate.
func (s *Sampler) addBias(logits []float32) {
	for _, b := range s.p.LogitBias {
		logits[b.ID] += b.Value
	}
}
