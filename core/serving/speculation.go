package serving

import (
	"fmt"
	"strconv"
	"strings"
)

// SpecMode is where speculative decoding takes its drafts: the tokens it proposes after the
// one just chosen, which one forward pass of the model then checks together. The output is
// the model's own either way (see Generate).
type SpecMode string

const (
	SpecOff SpecMode = "off" // no drafts: one token per pass
	// SpecMTP drafts with the model's multi-token-prediction module (DeepSeek-V3 §2.2),
	// applied again for each further token.
	SpecMTP SpecMode = "mtp"
	// SpecNgram drafts by prompt lookup: the tokens that followed the latest earlier
	// occurrence of the last few tokens, in the prompt or the reply.
	SpecNgram SpecMode = "ngram"
	// SpecReplay proposes Speculation.Replay, a given continuation, always Draft tokens a
	// pass: with the model's own greedy one every draft is accepted, the ceiling of
	// speculation and the cost of a check of Draft+1 rows (deepgo bench).
	SpecReplay SpecMode = "replay"
)

// Limits and defaults of Speculation.
const (
	MaxDraft     = 8 // the most tokens drafted per pass
	DefaultDraft = 3 // Speculation.Draft's default
)

// Speculation configures speculative decoding; the zero value is off.
type Speculation struct {
	Mode SpecMode // "" = SpecOff
	// Draft is the most tokens proposed per pass, 1..MaxDraft; 0 = DefaultDraft. Fewer are
	// proposed while they are seldom accepted (see Cost), none at the end of the reply.
	Draft int
	// Cost is what one more drafted token costs, as a share of a one-token decoding pass
	// (drafting it and checking one more row), for sampled replies: a pass proposes the
	// k-th token only while the chance that the first k are all accepted, as measured so
	// far in the reply, is at least Cost; below it for the first, speculation pauses and
	// tries one token again every few passes. It depends on the tokens only, so a seeded
	// reply stays reproducible. Greedy replies, the same whatever is drafted, time their
	// passes instead and draft as many tokens as give the most tokens per second (none
	// where checks cost more than they gain). 0 = the mode's default (DefaultCost).
	Cost float64
	// Fixed drafts Draft tokens every pass, as SpecReplay does, instead of as many as
	// pay: for measuring acceptance at every position.
	Fixed bool
	// Replay is the continuation SpecReplay proposes: Replay[i] after the i-th generated
	// token. Ignored in the other modes.
	Replay []int
}

// DefaultCost is Speculation.Cost's default for a mode: drafting with the MTP module costs
// one transformer block and the output head per token; prompt lookup costs nothing but
// the row it adds to the check.
func DefaultCost(m SpecMode) float64 {
	if m == SpecMTP {
		return 0.3
	}
	return 0.15
}

// ParseSpecMode reads a --speculative value: off, mtp, ngram or replay.
func ParseSpecMode(s string) (SpecMode, error) {
	switch m := SpecMode(strings.ToLower(s)); m {
	case SpecOff, SpecMTP, SpecNgram, SpecReplay:
		return m, nil
	}
	return "", fmt.Errorf("speculative mode %s: want off, mtp, ngram or replay", strconv.Quote(s))
}

// on reports whether sp drafts at all.
func (sp Speculation) on() bool { return sp.Mode != "" && sp.Mode != SpecOff }

// Validate checks sp, for a model with or without an MTP module.
func (sp Speculation) Validate(hasMTP bool) error {
	switch sp.Mode {
	case "", SpecOff, SpecMTP, SpecNgram, SpecReplay:
	default:
		_, err := ParseSpecMode(string(sp.Mode))
		if err == nil { // another case of a known mode
			err = fmt.Errorf("speculative mode %q: write it in lower case", sp.Mode)
		}
		return err
	}
	if sp.Draft < 0 || sp.Draft > MaxDraft {
		return fmt.Errorf("speculative draft of %d tokens: want 1 to %d", sp.Draft, MaxDraft)
	}
	if sp.Cost < 0 || sp.Cost != sp.Cost || sp.Cost > 1 {
		return fmt.Errorf("speculative cost %g: want 0 to 1", sp.Cost)
	}
	if sp.Mode == SpecMTP && !hasMTP {
		return fmt.Errorf("speculative mode mtp: the model has no multi-token-prediction module")
	}
	return nil
}

// SpecStats count what speculation did in a reply (or, summed, in a Scheduler).
type SpecStats struct {
	Passes   int64           // checking passes with at least one drafted token
	Drafted  int64           // tokens drafted
	Accepted int64           // drafted tokens accepted
	ByPos    [MaxDraft]Count // per draft position (0 = the first drafted token)
}

// Count is how many drafts at one position were checked and how many accepted.
type Count struct{ Drafted, Accepted int64 }

// Add adds o's counts to st.
func (st *SpecStats) Add(o SpecStats) {
	st.Passes += o.Passes
	st.Drafted += o.Drafted
	st.Accepted += o.Accepted
	for i := range st.ByPos {
		st.ByPos[i].Drafted += o.ByPos[i].Drafted
		st.ByPos[i].Accepted += o.ByPos[i].Accepted
	}
}

// AcceptedPerPass is the mean number of drafted tokens accepted per checking pass.
func (st SpecStats) AcceptedPerPass() float64 {
	if st.Passes == 0 {
		return 0
	}
	return float64(st.Accepted) / float64(st.Passes)
}

// AcceptByPos is the acceptance rate at each draft position that was ever checked: of the
// drafts at position i whose predecessors were all accepted, the share accepted.
func (st SpecStats) AcceptByPos() []float64 {
	var r []float64
	for _, c := range st.ByPos {
		if c.Drafted == 0 {
			break
		}
		r = append(r, float64(c.Accepted)/float64(c.Drafted))
	}
	return r
}

// record counts one checking pass of k drafts of which the first accepted were accepted.
func (st *SpecStats) record(k, accepted int) {
	st.Passes++
	st.Drafted += int64(k)
	st.Accepted += int64(accepted)
	for j := 0; j < k && j <= accepted; j++ {
		st.ByPos[j].Drafted++
		if j < accepted {
			st.ByPos[j].Accepted++
		}
	}
}
