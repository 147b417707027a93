package serving

// specControl chooses how many tokens each pass drafts, from how often drafts have been
// accepted at each position so far in the reply: the k-th token is drafted while the
// estimated chance that drafts 1..k are all accepted — the expected gain of drafting it —
// is at least its cost. When even the first is not worth it, drafting pauses and one
// token is tried again every probeEvery passes. It depends only on the accept decisions,
// never on timing, so the same request drafts the same way every time.
type specControl struct {
	max  int
	cost float64
	rate [MaxDraft]float64 // estimated acceptance at each position, given the earlier ones accepted
	idle int               // passes without drafts since the last probe
}

const (
	specPrior  = 0.8  // the acceptance assumed before any is measured
	specWeight = 0.15 // the weight of each new outcome in the running estimate
	probeEvery = 8    // passes between probes while drafting pauses
)

func newSpecControl(max int, cost float64) specControl {
	c := specControl{max: max, cost: cost}
	for i := range c.rate {
		c.rate[i] = specPrior
	}
	return c
}

// next returns how many tokens to draft in this pass, at most room.
func (c *specControl) next(room int) int {
	k, reach := 0, 1.0
	for k < min(c.max, room) {
		reach *= c.rate[k]
		if reach < c.cost {
			break
		}
		k++
	}
	if k == 0 && room > 0 {
		if c.idle++; c.idle >= probeEvery {
			c.idle = 0
			return 1
		}
	}
	return k
}

// update learns from a pass that drafted k tokens of which the first accepted were
// accepted: each position up to the first rejection counts once.
func (c *specControl) update(k, accepted int) {
	for j := 0; j < k && j <= accepted; j++ {
		hit := 0.0
		if j < accepted {
			hit = 1
		}
		c.rate[j] += specWeight * (hit - c.rate[j])
	}
}
