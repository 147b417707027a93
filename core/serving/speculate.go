package serving

import (
	"time"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/sample"
)

// Speculative decoding (Leviathan et al. 2023; DeepSeek-V3 §2.2 and §5.4.3 for the MTP
// module as the drafter). Each pass of the loop:
//
//  1. takes x, the token just chosen (not yet in the cache), and drafts d1..dk after it;
//  2. feeds x, d1..dk to the model in one pass (core.Sequence.Verify): row j's logits are
//     those of the token after d_j, exactly as decoding them one at a time would give;
//  3. goes through the drafts in order: d_j is kept if the sampler, given row j−1, agrees
//     (greedy: it picks d_j; sampling: the speculative-sampling rule); the first one
//     rejected is replaced by the sampler's choice, and if all are kept, row k gives one
//     more token — so every pass yields at least one token;
//  4. rolls back the KV cache (and the MTP module's) past the last kept token.
//
// The MTP module's row i takes the model's final-normed hidden state at i and the token at
// i+1: after a pass its rows up to x's position stand, and the rows of the kept tokens are
// computed at the start of the next pass from the hidden states the check returned, in
// the same forward pass as the first draft. Further drafts feed the module its own output
// back (vLLM's multi-step MTP).

// speculator holds the buffers and state of speculation for one generation.
type speculator struct {
	sp    Speculation
	ctl   specControl
	s     *core.Sequence
	mtp   *core.MTPSequence // nil unless drafting with the MTP module
	draft *sample.Sampler   // draws the MTP module's proposals (its own random source)
	text  []int             // the tokens of the sequence: the cache's, the prompt, then the emitted ones
	base  int               // the position in s of text[0]
	text0 int               // len(text) before the first emitted token
	stats SpecStats

	vocab, d int
	hid      []float32 // the model's hidden states of positions mtp.Len().., not yet fed to it
	nh       int       // rows in hid
	valid    int       // the MTP module's rows computed from the model's hidden states (the rest from drafts)
	chain    []float32 // the MTP module's last output, fed back for a further draft
	chain2   []float32
	mlogits  []float32 // the MTP module's logits
	drafts   []int     // [MaxDraft]
	q        []float32 // [MaxDraft*vocab] the drafts' distributions, when sampling with MTP
	vtok     []int     // [MaxDraft+1] x and the drafts
	vlogits  []float32 // [(MaxDraft+1)*vocab]
	vhid     []float32 // [(MaxDraft+1)*d], with MTP
	p        []float32 // [vocab] the model's distribution at one row, when sampling
	one      []int     // [1]
}

// prefillRows is the most prompt tokens fed per pass while drafting with the MTP module:
// their hidden states wait in a buffer of that many rows for the module to read them.
const prefillRows = 256

// newSpeculator prepares speculation for a generation on s whose text is text, of which
// the last fed tokens are still to be fed (the ones before are in s's cache).
func newSpeculator(s *core.Sequence, mtp *core.MTPSequence, o GenerateOptions, text []int, fed int) *speculator {
	c := s.Model().Config
	sp := o.Speculation
	if sp.Draft == 0 {
		sp.Draft = DefaultDraft
	}
	if sp.Cost == 0 {
		sp.Cost = DefaultCost(sp.Mode)
	}
	v, d := c.VocabSize, c.HiddenSize
	x := &speculator{
		sp: sp, ctl: newSpecControl(sp.Draft, sp.Cost, o.Sampling.Greedy()), s: s,
		vocab: v, d: d,
		text:    append(make([]int, 0, len(text)+s.Cap()-s.Len()), text...),
		base:    s.Len() - (len(text) - fed),
		text0:   len(text),
		drafts:  make([]int, MaxDraft),
		vtok:    make([]int, MaxDraft+1),
		vlogits: make([]float32, (MaxDraft+1)*v),
		one:     make([]int, 1),
	}
	x.ctl.fixed = sp.Fixed || sp.Mode == SpecReplay
	if !o.Sampling.Greedy() {
		x.p = make([]float32, v)
	}
	if sp.Mode == SpecMTP {
		x.mtp = mtp
		x.valid = mtp.Len()
		draftParams := o.Sampling
		draftParams.Seed = o.Sampling.Seed ^ 0x6a09e667f3bcc908 // its own stream
		draftParams.LogProbs = 0
		x.draft, _ = sample.New(draftParams, v) // the params were validated
		x.hid = make([]float32, (prefillRows+MaxDraft+1)*d)
		x.chain, x.chain2 = make([]float32, d), make([]float32, d)
		x.mlogits = make([]float32, v)
		x.vhid = make([]float32, (MaxDraft+1)*d)
		if !o.Sampling.Greedy() {
			x.q = make([]float32, MaxDraft*v)
		}
	}
	return x
}

// speculate feeds the prompt, then generates with drafts checked several at a time.
func (gn *generator) speculate(x *speculator, prompt []int) error {
	defer func() {
		gn.g.Spec = x.stats
		x.finish(gn)
	}()
	logits := x.vlogits[:x.vocab]
	if err := x.prefill(gn, prompt, logits); err != nil {
		return err
	}
	if gn.prefilled != nil {
		gn.prefilled()
	}
	id := gn.sm.Sample(logits, gn.history)
	for {
		if err := gn.ctx.Err(); err != nil {
			return err
		}
		if done, err := gn.push(id); done || err != nil {
			return err
		}
		x.text = append(x.text, id)
		began := time.Now()
		k, err := x.propose(gn, x.ctl.next(gn.limit-len(gn.history)-1))
		if err != nil {
			return err
		}
		if k == 0 {
			if id, err = x.step(gn, id); err != nil {
				return err
			}
			x.ctl.update(0, 0, time.Since(began))
			continue
		}
		accepted, stop := 0, false
		id, accepted, stop, err = x.check(gn, id, k)
		if err != nil {
			return err
		}
		x.stats.record(k, accepted)
		x.ctl.update(k, accepted, time.Since(began))
		if stop {
			return nil
		}
	}
}

// prefill feeds the prompt and leaves the last token's logits in logits. With the MTP
// module it is fed in passes of prefillRows tokens, the module reading each pass's hidden
// states but the last (whose row needs the token that is not chosen yet).
func (x *speculator) prefill(gn *generator, prompt []int, logits []float32) error {
	if x.mtp == nil {
		return gn.s.Forward(gn.ctx, prompt, logits, false)
	}
	for done := 0; done < len(prompt); {
		n := min(prefillRows, len(prompt)-done)
		if err := gn.s.Prefill(gn.ctx, prompt[done:done+n], logits, x.hid[x.nh*x.d:]); err != nil {
			return err
		}
		x.nh += n
		done += n
		if err := x.feed(gn, x.nh-1); err != nil {
			return err
		}
	}
	return nil
}

// feed runs the MTP module over the first rows of the buffered hidden states, at its next
// positions, each with the token after its position; the last row's logits go to
// x.mlogits and its output to x.chain.
func (x *speculator) feed(gn *generator, rows int) error {
	if rows <= 0 {
		return nil
	}
	t0 := x.mtp.Len() + 1 - x.base
	if err := x.mtp.ForwardOut(gn.ctx, x.hid[:rows*x.d], x.text[t0:t0+rows], x.mlogits, x.chain, false); err != nil {
		return err
	}
	copy(x.hid, x.hid[rows*x.d:x.nh*x.d])
	x.nh -= rows
	x.valid = x.mtp.Len()
	return nil
}

// propose drafts up to k tokens after the last of x.text into x.drafts and returns how
// many.
func (x *speculator) propose(gn *generator, k int) (int, error) {
	if k == 0 {
		return 0, nil
	}
	switch x.sp.Mode {
	case SpecNgram:
		return lookup(x.text, x.drafts[:k]), nil
	case SpecReplay:
		if i := len(gn.history); i < len(x.sp.Replay) {
			return copy(x.drafts[:k], x.sp.Replay[i:]), nil
		}
		return 0, nil
	}
	// The module's rows up to the position before the chosen token; the last gives the
	// first draft.
	if err := x.feed(gn, x.nh); err != nil {
		return 0, err
	}
	for j := range k {
		// The draft sampler's penalties see the reply so far with the drafts before this
		// one (gn.history has room for them: k stays within the limit).
		hist := append(gn.history, x.drafts[:j]...)
		if x.q == nil {
			x.drafts[j] = x.draft.Sample(x.mlogits, hist)
		} else {
			q := x.q[j*x.vocab : (j+1)*x.vocab]
			x.draft.Probs(x.mlogits, hist, q)
			x.drafts[j] = x.draft.Draw(q)
		}
		if j+1 == k {
			break
		}
		x.one[0] = x.drafts[j]
		if err := x.mtp.ForwardOut(gn.ctx, x.chain, x.one, x.mlogits, x.chain2, false); err != nil {
			return 0, err
		}
		x.chain, x.chain2 = x.chain2, x.chain
	}
	return k, nil
}

// step is a pass without drafts: it feeds id and returns the next token.
func (x *speculator) step(gn *generator, id int) (int, error) {
	x.one[0] = id
	logits := x.vlogits[:x.vocab]
	if x.mtp == nil {
		if err := gn.s.Forward(gn.ctx, x.one, logits, false); err != nil {
			return 0, err
		}
		return gn.sm.Sample(logits, gn.history), nil
	}
	if x.nh == len(x.hid)/x.d {
		if err := x.feed(gn, x.nh-1); err != nil {
			return 0, err
		}
	}
	if err := gn.s.ForwardHidden(gn.ctx, x.one, logits, x.hid[x.nh*x.d:(x.nh+1)*x.d], false); err != nil {
		return 0, err
	}
	x.nh++
	return gn.sm.Sample(logits, gn.history), nil
}

// check feeds id and the k drafts in one pass, emits the drafts the sampler accepts, and
// returns the token chosen after them and how many were accepted; stop reports that the
// generation ended among them.
func (x *speculator) check(gn *generator, id, k int) (next, accepted int, stop bool, err error) {
	v, n := x.vocab, gn.s.Len()
	x.vtok[0] = id
	copy(x.vtok[1:], x.drafts[:k])
	rows := x.vlogits[:(k+1)*v]
	var hid []float32
	if x.mtp != nil {
		hid = x.vhid[:(k+1)*x.d]
	}
	if err := gn.s.Verify(gn.ctx, x.vtok[:k+1], rows, hid); err != nil {
		return 0, 0, false, err
	}
	next = -1
	for j := range k {
		row, d := rows[j*v:(j+1)*v], x.drafts[j]
		t, ok := 0, false
		if x.p == nil {
			t = gn.sm.Sample(row, gn.history)
			ok = t == d
		} else {
			var q []float32
			if x.q != nil {
				q = x.q[j*v : (j+1)*v]
			}
			gn.sm.Probs(row, gn.history, x.p)
			t, ok = gn.sm.Accept(x.p, q, d)
		}
		if !ok {
			next = t
			break
		}
		accepted++
		done, err := gn.push(d)
		if done || err != nil {
			return 0, accepted, true, err
		}
		x.text = append(x.text, d)
	}
	if next < 0 {
		next = gn.sm.Sample(rows[k*v:], gn.history)
	}
	x.rollback(n, accepted)
	return next, accepted, false, nil
}

// rollback drops the rows of rejected drafts after a check that began at position n and
// kept accepted drafts: the sequence keeps the checked token and those; the MTP module
// keeps its rows up to n−1, and the check's hidden states of positions n.. wait for it.
func (x *speculator) rollback(n, accepted int) {
	x.s.Truncate(n + 1 + accepted)
	if x.mtp == nil {
		return
	}
	x.mtp.Truncate(n)
	x.valid = n
	x.nh = copy(x.hid, x.vhid[:(accepted+1)*x.d]) / x.d
}

// finish leaves the sequence holding its text up to the last emitted token, and the MTP
// module only rows whose next token is in it.
func (x *speculator) finish(gn *generator) {
	x.s.Truncate(x.base + x.text0 + len(gn.history))
	if x.mtp != nil {
		x.mtp.Truncate(min(x.valid, max(0, x.s.Len()-1)))
	}
}
