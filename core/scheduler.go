package core

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/deepgo/deepgo/core/tokenizer"
)

// ErrOverloaded is returned by Scheduler.Generate when every slot is busy and the queue of
// waiting requests is full.
var ErrOverloaded = errors.New("overloaded: all generation slots are busy and the queue is full")

// ContextError reports a request that does not fit a slot's context.
type ContextError struct {
	PromptTokens int // tokens in the prompt
	MaxTokens    int // tokens the request asked to generate (0 = not given)
	Context      int // tokens a slot holds
}

func (e *ContextError) Error() string {
	if e.MaxTokens > 0 && e.PromptTokens < e.Context {
		return fmt.Sprintf("context too long: the prompt has %d tokens and %d more were requested, but the context holds %d",
			e.PromptTokens, e.MaxTokens, e.Context)
	}
	return fmt.Sprintf("context too long: the prompt has %d tokens but the context holds %d (and one more is needed to reply)",
		e.PromptTokens, e.Context)
}

// SchedulerOptions size a Scheduler; the zero value is good.
type SchedulerOptions struct {
	Slots   int // generations that run at once, each with its own KV cache; 0 = 4
	Queue   int // requests that may wait for a slot; 0 = 64, negative = none
	Context int // tokens per slot; 0 = the model's maximum positions, at most 4096
	// StrictMaxTokens rejects a request whose prompt plus MaxTokens exceeds the context
	// instead of stopping it with FinishLength when the context is full.
	StrictMaxTokens bool
}

// Scheduler serves generation requests on one model from many goroutines: a fixed set of
// slots, each a Sequence whose KV cache is allocated the first time it is used, and a
// bounded first-come-first-served queue of requests waiting for a slot. A free slot is
// handed to the request that waited longest; among free slots the one whose cache already
// holds the longest prefix of the prompt is chosen, and that prefix is not computed again.
//
// The forward passes of the running slots take turns on the model's worker pool, one step
// at a time, so every running request makes progress.
type Scheduler struct {
	m   *Model
	tok *tokenizer.Tokenizer
	o   SchedulerOptions

	mu      sync.Mutex
	free    []*slot        // idle slots
	waiting []chan *slot   // queued requests, oldest first; each receives its slot
	active  int            // slots generating
	stats   SchedulerStats // counters
	closed  bool
}

// slot is one sequence and the tokens its cache holds.
type slot struct {
	seq    *Sequence // nil until first used
	tokens []int     // the tokens in seq's cache, in order
}

// SchedulerStats are a Scheduler's gauges and counters.
type SchedulerStats struct {
	Slots        int   // slots in all
	Active       int   // slots generating now
	Queued       int   // requests waiting for a slot now
	Requests     int64 // requests that got a slot
	Rejected     int64 // requests refused with ErrOverloaded
	ReusedTokens int64 // prompt tokens found in a slot's cache and not recomputed
}

// NewScheduler returns a Scheduler for m, decoding with tok.
func NewScheduler(m *Model, tok *tokenizer.Tokenizer, o SchedulerOptions) *Scheduler {
	if o.Slots <= 0 {
		o.Slots = 4
	}
	if o.Queue == 0 {
		o.Queue = 64
	}
	if o.Queue < 0 {
		o.Queue = 0
	}
	if o.Context <= 0 {
		o.Context = 4096
	}
	if mp := m.Config.MaxPositions; mp > 0 {
		o.Context = min(o.Context, mp)
	}
	s := &Scheduler{m: m, tok: tok, o: o}
	for range o.Slots {
		s.free = append(s.free, &slot{})
	}
	s.stats.Slots = o.Slots
	return s
}

// Context is the number of tokens a slot holds: prompt and reply together.
func (s *Scheduler) Context() int { return s.o.Context }

// Model is the model the scheduler runs.
func (s *Scheduler) Model() *Model { return s.m }

// Tokenizer is the tokenizer the scheduler decodes with.
func (s *Scheduler) Tokenizer() *tokenizer.Tokenizer { return s.tok }

// Stats returns the current gauges and counters.
func (s *Scheduler) Stats() SchedulerStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Active = s.active
	st.Queued = len(s.waiting)
	return st
}

// Check reports, without queueing, whether a prompt of n tokens asking for maxTokens more
// fits a slot: a *ContextError if not.
func (s *Scheduler) Check(n, maxTokens int) error {
	if n+1 > s.o.Context || (s.o.StrictMaxTokens && maxTokens > 0 && n+maxTokens > s.o.Context) {
		return &ContextError{PromptTokens: n, MaxTokens: maxTokens, Context: s.o.Context}
	}
	return nil
}

// Generate waits for a slot, then generates a reply to prompt as Sequence.Generate does,
// calling emit with each chunk: Admit and Admission.Generate in one call.
func (s *Scheduler) Generate(ctx context.Context, prompt []int, o GenerateOptions, emit func(Chunk) error) (Generation, error) {
	a, err := s.Admit(prompt, o.MaxTokens)
	if err != nil {
		return Generation{PromptTokens: len(prompt)}, err
	}
	return a.Generate(ctx, o, emit)
}

// Admission is a request's place in a Scheduler: a slot, or a place in the queue. Exactly
// one of Generate and Cancel must be called on it.
type Admission struct {
	s      *Scheduler
	prompt []int
	sl     *slot      // the slot, if one was free
	ch     chan *slot // else where the slot will come
	done   bool
}

// Admit gives prompt a slot or a place in the queue without waiting. It returns
// ErrOverloaded when the queue is full and a *ContextError when the prompt (with
// maxTokens, under StrictMaxTokens) does not fit a slot.
func (s *Scheduler) Admit(prompt []int, maxTokens int) (*Admission, error) {
	if len(prompt) == 0 {
		return nil, fmt.Errorf("generate: empty prompt")
	}
	if err := s.Check(len(prompt), maxTokens); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errSchedulerClosed
	}
	a := &Admission{s: s, prompt: prompt}
	if len(s.free) > 0 && len(s.waiting) == 0 {
		a.sl = s.takeBest(prompt)
		return a, nil
	}
	if len(s.waiting) >= s.o.Queue {
		s.stats.Rejected++
		return nil, ErrOverloaded
	}
	a.ch = make(chan *slot, 1)
	s.waiting = append(s.waiting, a.ch)
	return a, nil
}

// Cancel gives up the admission: its slot or its place in the queue.
func (a *Admission) Cancel() {
	if a.done {
		return
	}
	a.done = true
	if a.sl != nil {
		a.s.release(a.sl)
		return
	}
	a.s.leave(a.ch)
}

// Generate waits for the slot, then generates a reply as Sequence.Generate does, calling
// emit with each chunk. It returns ctx's error if ctx ends first; the slot is free again
// when Generate returns.
func (a *Admission) Generate(ctx context.Context, o GenerateOptions, emit func(Chunk) error) (Generation, error) {
	prompt := a.prompt
	if a.done {
		return Generation{PromptTokens: len(prompt)}, fmt.Errorf("generate: admission already used")
	}
	a.done = true
	s := a.s
	sl := a.sl
	if sl == nil {
		select {
		case sl = <-a.ch:
		case <-ctx.Done():
			s.leave(a.ch)
			return Generation{PromptTokens: len(prompt)}, ctx.Err()
		}
	}
	defer s.release(sl)
	var err error
	if sl.seq == nil {
		if sl.seq, err = s.m.NewSequence(s.o.Context); err != nil {
			return Generation{PromptTokens: len(prompt)}, err
		}
	}
	// Keep the longest common prefix of the cache and the prompt; at least one prompt token
	// is fed again, for its logits.
	n := min(commonPrefix(sl.tokens, prompt), len(prompt)-1)
	sl.seq.Truncate(n)
	sl.tokens = append(sl.tokens[:n], prompt[n:]...)
	if n > 0 {
		s.mu.Lock()
		s.stats.ReusedTokens += int64(n)
		s.mu.Unlock()
	}
	g, err := sl.seq.Generate(ctx, s.tok, prompt[n:], o, func(c Chunk) error {
		if c.ID >= 0 {
			sl.tokens = append(sl.tokens, c.ID)
		}
		return emit(c)
	})
	g.PromptTokens = len(prompt)
	g.CachedTokens = n
	// The cache holds the prompt and every generated token but (at most) the last.
	sl.tokens = sl.tokens[:min(len(sl.tokens), sl.seq.Len())]
	sl.seq.Truncate(len(sl.tokens))
	return g, err
}

// leave takes ch out of the queue; if a slot was handed to it meanwhile, the slot goes on
// to the next in line.
func (s *Scheduler) leave(ch chan *slot) {
	s.mu.Lock()
	for i, w := range s.waiting {
		if w == ch {
			s.waiting = append(s.waiting[:i], s.waiting[i+1:]...)
			s.mu.Unlock()
			return
		}
	}
	s.mu.Unlock()
	s.release(<-ch)
}

// takeBest removes and returns the free slot sharing the longest prefix with prompt.
// s.mu is held.
func (s *Scheduler) takeBest(prompt []int) *slot {
	best, bestN := 0, -1
	for i, sl := range s.free {
		if n := commonPrefix(sl.tokens, prompt); n > bestN {
			best, bestN = i, n
		}
	}
	sl := s.free[best]
	s.free = append(s.free[:best], s.free[best+1:]...)
	s.active++
	s.stats.Requests++
	return sl
}

// release hands sl to the oldest waiting request, or returns it to the free list.
func (s *Scheduler) release(sl *slot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiting) > 0 {
		ch := s.waiting[0]
		s.waiting = s.waiting[1:]
		s.stats.Requests++
		ch <- sl // buffered: never blocks
		return
	}
	s.active--
	s.free = append(s.free, sl)
}

// Close refuses new requests; requests already running finish.
func (s *Scheduler) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

var errSchedulerClosed = errors.New("generate: scheduler closed")

func commonPrefix(a, b []int) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
