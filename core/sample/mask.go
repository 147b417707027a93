package sample

import (
	"fmt"
	"math"
	"math/bits"
)

// SampleMasked is Sample with only the tokens of allowed possible: bit id%64 of word
// id/64 is set for each token that may be chosen (a grammar's mask). The others get a
// logit of −Inf before every stage, greedy included, so penalties, top-k, top-p, min-p
// and the log-probabilities all see the masked distribution. A nil allowed allows every
// token. SampleMasked does not allocate; it panics if allowed is not nil and has fewer
// than (vocab+63)/64 words.
func (s *Sampler) SampleMasked(logits []float32, history []int, allowed []uint64) int {
	if allowed != nil {
		applyMask(logits, allowed)
	}
	return s.Sample(logits, history)
}

// applyMask sets the logits of the tokens allowed does not have to −Inf.
func applyMask(logits []float32, allowed []uint64) {
	words := (len(logits) + 63) / 64
	if len(allowed) < words {
		panic(fmt.Sprintf("sample: a mask of %d words for a vocabulary of %d tokens", len(allowed), len(logits)))
	}
	inf := float32(math.Inf(-1))
	for w, a := range allowed[:words] {
		off := ^a
		for off != 0 {
			id := w*64 + bits.TrailingZeros64(off)
			off &= off - 1
			if id >= len(logits) {
				break
			}
			logits[id] = inf
		}
	}
}
