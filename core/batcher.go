package core

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// step is one Forward call of a sequence, waiting for or being run in batches.
//
// A step's fields change under the model's lock while it runs; over is set under the
// queue's lock, so a caller may look without waiting for the model.
type step struct {
	ctx      context.Context
	tokens   []int
	logits   []float32
	hidden   []float32 // nil, or where the final-normed hidden state of the logits' rows goes
	kind     rowsKind
	start    int  // the sequence's position when Forward was called
	done     int  // tokens run so far
	take     int  // tokens in the batch being formed
	finished bool // no more passes needed
	over     bool // finished and out of the queue: the caller may go (under the queue's lock)
	err      error
}

// batcher joins the Forward calls of many sequences into shared forward passes
// (continuous batching). Each call queues its step, then the callers take turns holding
// the model: whoever holds it runs one pass over what is queued — a row for every waiting
// step first, in arrival order, then the rest of the MaxBatch rows for the longer steps
// (prompts), in arrival order — and every caller returns as soon as its own step is done.
// A decoding sequence thus advances every pass, whatever prompts are being read beside it.
//
// Between two passes each caller samples its token and queues its next step; the one
// holding the model lingers briefly (see linger) for the sequences of the last pass, so
// that they keep sharing passes instead of taking turns.
type batcher struct {
	mu       sync.Mutex    // guards the fields below and the sequences' queued flags
	pending  []*Sequence   // sequences whose step is not finished, oldest first
	lastDone []*Sequence   // sequences whose step finished in the last pass
	lastPass time.Duration // how long the last pass took
}

// Step is one sequence's share of Model.ForwardBatch: tokens to append to Seq and where
// their logits (and, if Hidden is set, their final-normed hidden state) go, as for
// Sequence.ForwardHidden.
type Step struct {
	Seq    *Sequence
	Tokens []int
	Logits []float32
	Hidden []float32
	All    bool
	// Decode computes the tokens as one-token decoding steps would, each row's attention
	// over the cache as when it is fed alone, instead of as a prompt's chunk: the check
	// of drafted tokens in speculative decoding (see Sequence.Verify). Off for prompts.
	Decode bool
}

// ForwardBatch runs several sequences' Forward calls together: their tokens share forward
// passes (every weight read once per pass for all of them) as calls from concurrent
// goroutines do. Each step's sequence must be distinct. It returns the first step's error,
// if any; a step that fails leaves its sequence unchanged, and the others still run.
func (m *Model) ForwardBatch(ctx context.Context, steps []Step) error {
	for i, st := range steps {
		if err := st.Seq.check(st.Tokens, st.Logits, st.Hidden, st.All); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
		for _, other := range steps[:i] {
			if other.Seq == st.Seq {
				return fmt.Errorf("step %d: the sequence is in an earlier step too", i)
			}
		}
	}
	for _, st := range steps {
		st.Seq.queue(ctx, st.Tokens, st.Logits, st.Hidden, rowsKind{all: st.All, decode: st.Decode})
	}
	var first error
	for i, st := range steps {
		if err := m.wait(st.Seq); err != nil && first == nil {
			first = fmt.Errorf("step %d: %w", i, err)
		}
	}
	return first
}

// queue adds the sequence's step to the model's queue.
func (s *Sequence) queue(ctx context.Context, tokens []int, logits, hidden []float32, k rowsKind) {
	s.step = step{ctx: ctx, tokens: tokens, logits: logits, hidden: hidden, kind: k, start: s.pos}
	s.cache.grow(s.pos + len(tokens))
	q := &s.m.queue
	q.mu.Lock()
	q.pending = append(q.pending, s)
	s.queued = true
	q.mu.Unlock()
}

const (
	// defaultMaxBatch is Options.MaxBatch's default: prompt rows per pass. Larger chunks
	// share each expert's weights among more tokens (fewer partial groups of four, fewer
	// reads of every weight); 256 rows of activations cost about 100 MB on V2-Lite.
	defaultMaxBatch = 256
	// sharedBatch caps the rows of a pass while some sequence is decoding.
	sharedBatch = 64
)

// decoding reports whether a pending step has one token left: a sequence decoding, which
// a long pass would hold up. The caller holds q.mu.
func (q *batcher) decoding() bool {
	if len(q.pending) < 2 {
		return false
	}
	for _, s := range q.pending {
		if st := &s.step; !st.finished && len(st.tokens)-st.done == 1 {
			return true
		}
	}
	return false
}

// linger waits, before a pass, for the sequences whose steps finished in the last pass to
// queue their next ones — each caller samples its token between passes — so that they
// share this pass rather than take turns. It waits a tenth of the last pass's time at
// most, and never more than 5 ms: a sequence that is done generating costs the
// others that once. The callers it waits for need not the model's lock to collect their
// results (see wait); it yields the processor while it waits.
func (m *Model) linger() {
	q := &m.queue
	var deadline time.Time
	for {
		q.mu.Lock()
		wait := min(5*time.Millisecond, q.lastPass/10)
		missing := false
		for _, s := range q.lastDone {
			if !s.queued {
				missing = true
				break
			}
		}
		q.mu.Unlock()
		if !missing || wait <= 0 {
			return
		}
		now := time.Now()
		if deadline.IsZero() {
			deadline = now.Add(wait)
		} else if now.After(deadline) {
			return
		}
		runtime.Gosched()
	}
}

// wait runs passes until s's step is over and returns its error. A step is over once the
// pass that finished it has taken it out of the queue. A caller that finds the model busy
// sleeps until its step is over or the pass ends (s.wake), so a pass lingering for callers
// (see linger) never waits on one that is only collecting its result.
func (m *Model) wait(s *Sequence) error {
	q := &m.queue
	over := func() (bool, error) {
		q.mu.Lock()
		defer q.mu.Unlock()
		return s.step.over, s.step.err
	}
	for {
		if ok, err := over(); ok {
			return err
		}
		if !m.mu.TryLock() {
			<-s.wake
			continue
		}
		if ok, err := over(); ok {
			m.mu.Unlock()
			return err
		}
		m.runPass()
		m.mu.Unlock()
		m.wakePending()
	}
}

// wakePending wakes the callers waiting for the model after it was held: whoever still
// waits may run the next pass.
func (m *Model) wakePending() {
	q := &m.queue
	q.mu.Lock()
	for _, p := range q.pending {
		p.signal()
	}
	q.mu.Unlock()
}

// signal wakes the sequence's caller if it sleeps in wait.
func (s *Sequence) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// runPass forms one batch from the queued steps and runs it. m.mu is held.
func (m *Model) runPass() {
	q := &m.queue
	if m.batch == nil && !m.closed {
		m.batch = newBatch(m)
	}
	m.linger()
	b := m.batch
	q.mu.Lock()
	budget := 0
	if b != nil {
		b.reset()
		budget = b.batch
	}
	if q.decoding() {
		budget = min(budget, max(sharedBatch, len(q.pending)))
	}
	for _, s := range q.pending {
		st := &s.step
		st.take = 0
		switch {
		case m.closed:
			st.fail(s, errClosed)
		case st.ctx.Err() != nil:
			st.fail(s, st.ctx.Err())
		case budget > 0:
			st.take, budget = 1, budget-1
		}
	}
	for _, s := range q.pending {
		st := &s.step
		if st.finished || st.take == 0 {
			continue
		}
		more := min(budget, len(st.tokens)-st.done-st.take)
		st.take += more
		budget -= more
	}
	// The prompts' rows first, then the decoding rows (b.exact).
	for _, decoding := range []bool{false, true} {
		for _, s := range q.pending {
			if st := &s.step; !st.finished && st.take > 0 && st.decoding() == decoding {
				m.addStep(b, s)
				if decoding {
					b.exact += st.take
				}
			}
		}
	}
	q.mu.Unlock()

	if b != nil && len(b.parts) > 0 {
		// A lone step keeps its cancellation between layers; a shared pass runs whole.
		var ctx context.Context
		if len(b.parts) == 1 {
			ctx = b.parts[0].s.step.ctx
		}
		began := time.Now()
		err := b.run(ctx)
		took := time.Since(began)
		q.mu.Lock()
		q.lastPass = took
		for _, p := range b.parts {
			st := &p.s.step
			switch {
			case err != nil:
				st.fail(p.s, err)
			default:
				st.done += st.take
				if st.done == len(st.tokens) {
					st.finished = true
				}
			}
		}
		q.mu.Unlock()
		b.reset()
	}

	q.mu.Lock()
	clear(q.lastDone)
	q.lastDone = q.lastDone[:0]
	keep := q.pending[:0]
	for _, s := range q.pending {
		if !s.step.finished {
			keep = append(keep, s)
			continue
		}
		s.queued, s.step.over = false, true
		s.signal()
		if s.step.err == nil {
			q.lastDone = append(q.lastDone, s)
		}
	}
	clear(q.pending[len(keep):])
	q.pending = keep
	q.mu.Unlock()
}

// decoding reports whether the step's rows are drafted tokens checked together
// (Step.Decode), whose products are computed one row at a time (batch.exact) so that each
// row's logits are those of a one-token decoding step alone. One-token steps batched
// together keep the several-row kernels: on the legacy 8-bit formats their logits differ
// from alone by a rounding (taking them one at a time costs a fifth of batched decoding's
// speed on Q8_0).
func (st *step) decoding() bool { return st.kind.decode }

// addStep adds the rows of s's step that this pass takes to the batch, with where their
// outputs go. The queue's lock is held.
func (m *Model) addStep(b *batch, s *Sequence) {
	st := &s.step
	vocab, d := m.Config.VocabSize, m.Config.HiddenSize
	var out, hidden []float32
	switch end := st.done + st.take; {
	case st.kind.all:
		out = st.logits[st.done*vocab : end*vocab]
		if st.hidden != nil {
			hidden = st.hidden[st.done*d : end*d]
		}
	case st.kind.allHidden:
		hidden = st.hidden[st.done*d : end*d]
		if end == len(st.tokens) {
			out = st.logits[:vocab]
		}
	case end == len(st.tokens):
		out = st.logits[:vocab]
		if st.hidden != nil {
			hidden = st.hidden[:d]
		}
	}
	b.add(s, st.tokens[st.done:st.done+st.take], out, hidden, st.kind)
}

// fail ends the step with err, leaving the sequence as it was before the call.
func (st *step) fail(s *Sequence, err error) {
	st.finished, st.err = true, err
	s.pos = st.start
}
