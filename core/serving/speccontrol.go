package serving

import "time"

// specControl chooses how many tokens each pass drafts. It estimates, from the accept
// decisions so far in the reply, the chance that a draft at each position is accepted given
// the ones before it, and so the expected tokens of a pass with k drafts: 1 + Σ_{j≤k} Π_{i≤j}
// rate[i].
//
// A sampled reply's tokens depend on how many are drafted (the random source is read once
// per decision), so for it the choice looks at the accept decisions only: the k-th token is
// drafted while the chance that drafts 1..k are all accepted is at least cost, the price of
// a drafted token in one-token passes. When even the first is not worth it, drafting pauses
// and one token is tried after probeEvery passes, then after twice as many each time the
// try fails (up to maxProbeGap). The same request thus drafts the same way every time.
//
// A greedy reply is the same whatever is drafted, so for it (timed) the controller also
// measures how long passes with each k take, and takes the k with the most expected tokens
// per second: a check of several rows that costs more than it gains (a small model bound by
// computation rather than memory) turns drafting off by itself. It times each k once first,
// from 0 up, going on to k+1 only while k is not clearly worse than the best so far, then,
// every exploreEvery passes, a neighbour of the best.
type specControl struct {
	max  int
	cost float64
	rate [MaxDraft]float64 // estimated acceptance at each position, given the earlier ones accepted
	idle int               // passes without drafts since the last probe (untimed)
	gap  int               // passes between probes now (untimed)

	fixed  bool // always draft max (replay: the ceiling)
	timed  bool
	secs   [MaxDraft + 1]float64 // running mean of a pass's seconds with k drafts
	n      [MaxDraft + 1]int     // passes timed with k drafts
	passes int
	best   int // the k of the last choice on timing
}

const (
	specPrior    = 0.8  // the acceptance assumed before any is measured
	specWeight   = 0.15 // the weight of each new outcome in the running estimates
	probeEvery   = 8    // passes before the first probe while drafting pauses (untimed)
	maxProbeGap  = 128  // the most passes between probes (untimed)
	exploreEvery = 64   // passes between tries of a neighbouring k (timed)
)

func newSpecControl(max int, cost float64, timed bool) specControl {
	c := specControl{max: max, cost: cost, timed: timed, gap: probeEvery}
	for i := range c.rate {
		c.rate[i] = specPrior
	}
	return c
}

// next returns how many tokens to draft in this pass, at most room.
func (c *specControl) next(room int) int {
	top := min(c.max, room)
	if top <= 0 {
		return 0
	}
	if c.fixed {
		return top
	}
	if c.timed {
		return c.nextTimed(top)
	}
	k, reach := 0, 1.0
	for k < top {
		reach *= c.rate[k]
		if reach < c.cost {
			break
		}
		k++
	}
	if k == 0 {
		if c.idle++; c.idle >= c.gap {
			c.idle = 0
			return 1
		}
	}
	return k
}

// nextTimed is next for a greedy reply: the k of the most expected tokens per second.
func (c *specControl) nextTimed(top int) int {
	c.passes++
	best, bestRate := 0, 0.0
	for k := range top + 1 {
		if c.n[k] == 0 {
			if k == 0 || c.speed(k-1) >= 0.9*bestRate {
				return k // not timed yet, and its predecessor is worth going beyond
			}
			break
		}
		if r := c.speed(k); r > bestRate {
			best, bestRate = k, r
		}
	}
	c.best = best
	if c.passes%exploreEvery == 0 {
		if n := best + 1 - 2*(c.passes/exploreEvery%2); n >= 0 && n <= top {
			return n
		}
	}
	return best
}

// speed is the expected tokens per second of passes with k drafts, which must have been timed.
func (c *specControl) speed(k int) float64 { return c.expected(k) / max(c.secs[k], 1e-9) }

// expected is the expected tokens of a pass with k drafts.
func (c *specControl) expected(k int) float64 {
	e, reach := 1.0, 1.0
	for j := range k {
		reach *= c.rate[j]
		e += reach
	}
	return e
}

// update learns from a pass that drafted k tokens of which the first accepted were
// accepted, and that took d: each position up to the first rejection counts once.
func (c *specControl) update(k, accepted int, d time.Duration) {
	for j := 0; j < k && j <= accepted; j++ {
		hit := 0.0
		if j < accepted {
			hit = 1
		}
		c.rate[j] += specWeight * (hit - c.rate[j])
	}
	if !c.timed {
		if k > 0 && c.idle == 0 && accepted == 0 && c.next0() {
			c.gap = min(2*c.gap, maxProbeGap) // a failed probe: wait longer for the next
		} else if accepted > 0 {
			c.gap = probeEvery
		}
		return
	}
	s := d.Seconds()
	if c.n[k] == 0 {
		c.secs[k] = s
	} else {
		c.secs[k] += specWeight * (s - c.secs[k])
	}
	c.n[k]++
}

// next0 reports whether the untimed rule drafts nothing now: a pass of drafts that it
// made was a probe.
func (c *specControl) next0() bool { return c.rate[0] < c.cost }
