package serving

import (
	"context"
	"sync"

	"github.com/deepgo/deepgo/core"
)

// promptShare lets the copies of one prompt (AdmitCopies) share its computation: the
// first copy reads the prompt; each other copy that holds its slot by then has the prompt's
// KV cache copied into its own sequence (core.Sequence.CopyPrefix) instead of computing it.
// The copies holding a slot when admitted are registered then, so whether a copy shares
// does not depend on when its goroutine runs. A copy still queued when the first has read
// the prompt reads it itself, in its own slot, as a separate request would.
type promptShare struct {
	mu      sync.Mutex
	done    bool           // the first copy has read the prompt, or will not
	waiting map[*slot]bool // slots of copies waiting for the prompt
	copied  map[*slot]bool // slots that received it
	ready   chan struct{}  // closed when done
}

func newPromptShare() *promptShare {
	return &promptShare{waiting: make(map[*slot]bool), copied: make(map[*slot]bool), ready: make(chan struct{})}
}

// AdmitCopies admits k replies to one prompt, as k calls of Admit would (on an error none
// stays admitted), and lets them share the prompt: the first to be admitted reads it, and
// the others that hold a slot by then copy its KV cache rather than compute it again.
// Each admission is generated (or cancelled) on its own, typically at once on k goroutines;
// the copies' replies are the same as k separate requests', their steps batched together.
func (s *Scheduler) AdmitCopies(prompt []int, maxTokens, k int) ([]*Admission, error) {
	out := make([]*Admission, 0, k)
	for range k {
		a, err := s.Admit(prompt, maxTokens)
		if err != nil {
			for _, x := range out {
				x.Cancel()
			}
			return nil, err
		}
		out = append(out, a)
	}
	if k > 1 {
		sh := newPromptShare()
		for i, a := range out {
			a.share, a.leads = sh, i == 0
			if i > 0 && a.sl != nil {
				if err := s.prepare(a.sl); err != nil {
					for _, x := range out {
						x.Cancel()
					}
					return nil, err
				}
				sh.waiting[a.sl] = true
			}
		}
	}
	return out, nil
}

// prepare readies a slot a copy holds to receive the prompt: its sequence exists and its
// cache holds no more than the request's reservation.
func (s *Scheduler) prepare(sl *slot) error {
	if sl.seq == nil {
		seq, err := s.m.NewSequence(s.o.Context)
		if err != nil {
			return err
		}
		sl.seq = seq
	}
	sl.seq.ReleaseCache(sl.limit)
	return nil
}

// give copies the first n tokens of seq, the first copy's sequence, which has just read
// the prompt, into the sequences of the copies waiting, and lets every copy go on. It runs
// on the first copy's goroutine between its forward passes; the copies waiting are blocked
// in wait.
func (p *promptShare) give(seq *core.Sequence, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	for sl := range p.waiting {
		if sl.seq.CopyPrefix(seq, n) == nil {
			p.copied[sl] = true
		}
	}
	p.done = true
	close(p.ready)
}

// generateCopy generates the reply of a copy whose sequence received the prompt, but for
// its last token, from the first copy.
func (a *Admission) generateCopy(ctx context.Context, sl *slot, o GenerateOptions, emit func(Chunk) error) (Generation, error) {
	prompt := a.prompt
	if sl.mtp != nil {
		sl.mtp.Truncate(0) // its rows were for the tokens the cache held before
	}
	sl.tokens = append(sl.tokens[:0], prompt...)
	return a.s.run(ctx, sl, nil, prompt, len(prompt)-1, o, emit)
}

// finish lets every copy go on, if the first did not give them the prompt: they read it
// themselves.
func (p *promptShare) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done {
		p.done = true
		close(p.ready)
	}
}

// wait waits, holding sl, for the first copy to read the prompt, and reports whether it
// was copied into sl's sequence (registered at admission, it may have been already); it
// returns at once, false, once the first copy is done without it. If ctx ends first it
// returns ctx's error, and sl is left alone. A slot not registered at admission is
// prepared (Scheduler.prepare) before wait.
func (p *promptShare) wait(ctx context.Context, sl *slot) (bool, error) {
	p.mu.Lock()
	if !p.done {
		p.waiting[sl] = true
		p.mu.Unlock()
		select {
		case <-p.ready:
		case <-ctx.Done():
		}
		p.mu.Lock()
	}
	defer p.mu.Unlock()
	// The slot's entries are used once: a later copy given the same slot from the queue
	// finds none.
	copied := p.copied[sl]
	delete(p.waiting, sl)
	delete(p.copied, sl)
	if copied {
		return true, nil
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return false, nil
}

// leave stops sl from receiving the prompt: its copy is given up, or reads the prompt
// itself. Once it returns the first copy no longer touches sl.
func (p *promptShare) leave(sl *slot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.waiting, sl)
	delete(p.copied, sl)
}
