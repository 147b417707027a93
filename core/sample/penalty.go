package sample

// penalties applies the repetition, presence and frequency penalties. The token counts live
// in a vocabulary-sized slice that is zero between calls; touched lists the ids counted so
// that clearing costs as little as counting.
type penalties struct {
	on                       bool
	rep, presence, frequency float32
	repOn                    bool
	window                   int
	counts                   []int32 // occurrences in the window, by id
	touched                  []int32 // ids with a non-zero count, capacity vocab
}

func newPenalties(p Params, vocab int) penalties {
	if !p.penalised() {
		return penalties{}
	}
	return penalties{
		on:        true,
		rep:       p.RepetitionPenalty,
		repOn:     p.repetition(),
		presence:  p.PresencePenalty,
		frequency: p.FrequencyPenalty,
		window:    p.PenaltyWindow,
		counts:    make([]int32, vocab),
		touched:   make([]int32, 0, vocab),
	}
}

// count tallies the tokens of history that the penalties look at and reports whether there
// are any. The caller must call clear afterwards.
func (pn *penalties) count(history []int) bool {
	if !pn.on {
		return false
	}
	if pn.window > 0 && len(history) > pn.window {
		history = history[len(history)-pn.window:]
	}
	counts := pn.counts
	for _, t := range history {
		if uint(t) >= uint(len(counts)) {
			continue
		}
		if counts[t] == 0 {
			pn.touched = append(pn.touched, int32(t))
		}
		counts[t]++
	}
	return len(pn.touched) > 0
}

// clear zeroes the counts that count set.
func (pn *penalties) clear() {
	for _, t := range pn.touched {
		pn.counts[t] = 0
	}
	pn.touched = pn.touched[:0]
}

// apply returns logit l of a token seen n > 0 times.
func (pn *penalties) apply(l float32, n int32) float32 {
	if pn.repOn {
		if l > 0 {
			l /= pn.rep
		} else {
			l *= pn.rep
		}
	}
	return l - float32(n)*pn.frequency - pn.presence
}
