package core

import (
	"context"
	"fmt"
	"sync"
)

// step is one Forward call of a sequence, waiting for or being run in batches.
type step struct {
	ctx      context.Context
	tokens   []int
	logits   []float32
	all      bool
	start    int // the sequence's position when Forward was called
	done     int // tokens run so far
	take     int // tokens in the batch being formed
	finished bool
	err      error
}

// batcher joins the Forward calls of many sequences into shared forward passes
// (continuous batching). Each call queues its step, then the callers take turns holding
// the model: whoever holds it runs one pass over what is queued — a row for every waiting
// step first, in arrival order, then the rest of the MaxBatch rows for the longer steps
// (prompts), in arrival order — and every caller returns as soon as its own step is done.
// A decoding sequence thus advances every pass, whatever prompts are being read beside it.
type batcher struct {
	mu      sync.Mutex  // guards pending
	pending []*Sequence // sequences whose step is not finished, oldest first
}

// Step is one sequence's share of Model.ForwardBatch: tokens to append to Seq and where
// their logits go, as for Sequence.Forward.
type Step struct {
	Seq    *Sequence
	Tokens []int
	Logits []float32
	All    bool
}

// ForwardBatch runs several sequences' Forward calls together: their tokens share forward
// passes (every weight read once per pass for all of them) as calls from concurrent
// goroutines do. Each step's sequence must be distinct. It returns the first step's error,
// if any; a step that fails leaves its sequence unchanged, and the others still run.
func (m *Model) ForwardBatch(ctx context.Context, steps []Step) error {
	for i, st := range steps {
		if err := st.Seq.check(st.Tokens, st.Logits, st.All); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
		for _, other := range steps[:i] {
			if other.Seq == st.Seq {
				return fmt.Errorf("step %d: the sequence is in an earlier step too", i)
			}
		}
	}
	for _, st := range steps {
		st.Seq.queue(ctx, st.Tokens, st.Logits, st.All)
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
func (s *Sequence) queue(ctx context.Context, tokens []int, logits []float32, all bool) {
	s.step = step{ctx: ctx, tokens: tokens, logits: logits, all: all, start: s.pos}
	s.cache.grow(s.pos + len(tokens))
	q := &s.m.queue
	q.mu.Lock()
	q.pending = append(q.pending, s)
	q.mu.Unlock()
}

// wait runs passes until s's step is done and returns its error.
func (m *Model) wait(s *Sequence) error {
	st := &s.step
	for {
		m.mu.Lock()
		if st.finished {
			err := st.err
			*st = step{}
			m.mu.Unlock()
			return err
		}
		m.runPass()
		m.mu.Unlock()
	}
}

// runPass forms one batch from the queued steps and runs it. m.mu is held.
func (m *Model) runPass() {
	q := &m.queue
	if m.batch == nil && !m.closed {
		m.batch = newBatch(m)
	}
	b := m.batch
	q.mu.Lock()
	budget := 0
	if b != nil {
		b.reset()
		budget = b.batch
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
		vocab := m.Config.VocabSize
		var out []float32
		switch end := st.done + st.take; {
		case st.all:
			out = st.logits[st.done*vocab : end*vocab]
		case end == len(st.tokens):
			out = st.logits[:vocab]
		}
		b.add(s, st.tokens[st.done:st.done+st.take], out, st.all)
	}
	q.mu.Unlock()

	if b != nil && len(b.parts) > 0 {
		// A lone step keeps its cancellation between layers; a shared pass runs whole.
		var ctx context.Context
		if len(b.parts) == 1 {
			ctx = b.parts[0].s.step.ctx
		}
		err := b.run(ctx)
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
		b.reset()
	}

	q.mu.Lock()
	keep := q.pending[:0]
	for _, s := range q.pending {
		if !s.step.finished {
			keep = append(keep, s)
		}
	}
	clear(q.pending[len(keep):])
	q.pending = keep
	q.mu.Unlock()
}

// fail ends the step with err, leaving the sequence as it was before the call.
func (st *step) fail(s *Sequence, err error) {
	st.finished, st.err = true, err
	s.pos = st.start
}
