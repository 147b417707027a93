package serving

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/deepgo/deepgo/core"
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

// CapacityError reports a request whose KV cache could never fit the scheduler's budget,
// even with every other slot empty.
type CapacityError struct {
	PromptTokens int   // tokens in the prompt
	NeedBytes    int64 // KV cache memory of the prompt and one more token
	BudgetBytes  int64 // SchedulerOptions.KVBudget
}

func (e *CapacityError) Error() string {
	return fmt.Sprintf("no capacity: the prompt of %d tokens needs %.1f MB of KV cache, more than the server's budget of %.1f MB",
		e.PromptTokens, float64(e.NeedBytes)/1e6, float64(e.BudgetBytes)/1e6)
}

// The defaults of SchedulerOptions.
const (
	DefaultSlots   = 4    // generations at once
	DefaultQueue   = 64   // requests waiting for a slot
	DefaultContext = 4096 // tokens per slot, when the model allows as many
)

// SchedulerOptions size a Scheduler; the zero value is good.
type SchedulerOptions struct {
	Slots   int // generations that run at once, each with its own KV cache; 0 = DefaultSlots
	Queue   int // requests that may wait for a slot; 0 = DefaultQueue, negative = none
	Context int // tokens per slot; 0 = DefaultContext; at most the model's maximum positions
	// StrictMaxTokens rejects a request whose prompt plus MaxTokens exceeds the context
	// instead of stopping it with FinishLength when the context is full.
	StrictMaxTokens bool
	// KVBudget caps the memory of all slots' KV caches together, in bytes; 0 = no cap
	// (each slot may fill its context). A request reserves room for its prompt and
	// MaxTokens (or the whole context), as much as the budget allows, and waits in the
	// queue until that much is free; one whose prompt alone does not fit gets a
	// *CapacityError. Idle slots keep their caches for prefix reuse until the room is
	// needed.
	KVBudget int64
	// Speculation is how requests that leave GenerateOptions.Speculation zero draft
	// tokens; the zero value is off. Each slot keeps its own MTP module state beside its
	// KV cache (one layer's more memory, outside KVBudget).
	Speculation Speculation
}

// Scheduler serves generation requests on one model from many goroutines: a fixed set of
// slots, each a Sequence whose KV cache is allocated the first time it is used, and a
// bounded first-come-first-served queue of requests waiting for a slot. A free slot is
// handed to the request that waited longest; among free slots the one whose cache already
// holds the longest prefix of the prompt is chosen, and that prefix is not computed again.
//
// The running slots' forward passes are batched (see Model.ForwardBatch): every step of
// every running request shares one pass over the weights, and a new request joins between
// steps (continuous batching).
type Scheduler struct {
	m   *core.Model
	tok *tokenizer.Tokenizer
	o   SchedulerOptions

	mu       sync.Mutex
	slots    []*slot        // all slots
	free     []*slot        // idle slots
	waiting  []*waiter      // queued requests, oldest first
	active   int            // slots generating
	reserved int64          // KV bytes reserved by the active slots
	stats    SchedulerStats // counters
	closed   bool
}

// slot is one sequence and the tokens its cache holds.
type slot struct {
	seq     *core.Sequence    // nil until first used
	mtp     *core.MTPSequence // the MTP module's rows beside seq; nil until a request drafts with it
	tokens  []int             // the tokens in seq's cache, in order
	limit   int               // while active: the most tokens its cache may hold
	reserve int64             // while active: the KV bytes reserved for them
}

// waiter is a queued request; it receives its slot on ch.
type waiter struct {
	prompt []int
	limit  int // tokens to reserve
	ch     chan *slot
}

// SchedulerStats are a Scheduler's gauges and counters.
type SchedulerStats struct {
	Slots        int       // slots in all
	Active       int       // slots generating now
	Queued       int       // requests waiting for a slot now
	Requests     int64     // requests that got a slot
	Rejected     int64     // requests refused with ErrOverloaded
	ReusedTokens int64     // prompt tokens found in a slot's cache and not recomputed
	KVBytes      int64     // KV memory held: idle slots' caches and the running requests' reservations
	KVReserved   int64     // KV bytes reserved by the running requests
	KVBudget     int64     // SchedulerOptions.KVBudget (0 = none)
	Spec         SpecStats // speculative decoding: drafts checked and accepted, summed over replies
}

// NewScheduler returns a Scheduler for m, decoding with tok. o.Speculation is checked when
// a request uses it (Generate).
func NewScheduler(m *core.Model, tok *tokenizer.Tokenizer, o SchedulerOptions) *Scheduler {
	if o.Slots <= 0 {
		o.Slots = DefaultSlots
	}
	if o.Queue == 0 {
		o.Queue = DefaultQueue
	}
	if o.Queue < 0 {
		o.Queue = 0
	}
	if o.Context <= 0 {
		o.Context = DefaultContext
	}
	if mp := m.Config.MaxPositions; mp > 0 {
		o.Context = min(o.Context, mp)
	}
	s := &Scheduler{m: m, tok: tok, o: o}
	for range o.Slots {
		s.slots = append(s.slots, &slot{})
	}
	s.free = append(s.free, s.slots...)
	s.stats.Slots = o.Slots
	return s
}

// Context is the number of tokens a slot holds: prompt and reply together.
func (s *Scheduler) Context() int { return s.o.Context }

// Capacity is the most requests the scheduler holds at once: one a slot, and the queue.
func (s *Scheduler) Capacity() int { return s.o.Slots + s.o.Queue }

// Speculation is the speculative decoding of requests that do not choose their own.
func (s *Scheduler) Speculation() Speculation { return s.o.Speculation }

// Model is the model the scheduler runs.
func (s *Scheduler) Model() *core.Model { return s.m }

// Tokenizer is the tokenizer the scheduler decodes with.
func (s *Scheduler) Tokenizer() *tokenizer.Tokenizer { return s.tok }

// Stats returns the current gauges and counters.
func (s *Scheduler) Stats() SchedulerStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Active = s.active
	st.Queued = len(s.waiting)
	st.KVReserved, st.KVBudget = s.reserved, s.o.KVBudget
	st.KVBytes = s.held()
	return st
}

// Check reports, without queueing, whether a prompt of n tokens asking for maxTokens more
// fits a slot: a *ContextError if not, or a *CapacityError if its KV cache cannot fit the
// budget.
func (s *Scheduler) Check(n, maxTokens int) error {
	// Compared as differences: n + maxTokens may overflow (maxTokens comes from a request).
	if n+1 > s.o.Context || (s.o.StrictMaxTokens && maxTokens > 0 && maxTokens > s.o.Context-n) {
		return &ContextError{PromptTokens: n, MaxTokens: maxTokens, Context: s.o.Context}
	}
	if b := s.o.KVBudget; b > 0 {
		if need := s.kvBytes(n + 1); need > b {
			return &CapacityError{PromptTokens: n, NeedBytes: need, BudgetBytes: b}
		}
	}
	return nil
}

// limitFor is the number of tokens a request reserves: its prompt and maxTokens (0: up to
// the context), at most what the whole KV budget holds.
func (s *Scheduler) limitFor(n, maxTokens int) int {
	limit := s.o.Context
	if maxTokens > 0 && maxTokens < limit-n { // not n+maxTokens < limit: that may overflow
		limit = n + maxTokens
	}
	if b := s.o.KVBudget; b > 0 && s.kvBytes(limit) > b {
		// The most tokens in (n+1, limit) whose cache fits the budget, or n+1.
		lo, hi := n+1, limit
		for lo+1 < hi {
			if mid := lo + (hi-lo)/2; s.kvBytes(mid) <= b {
				lo = mid
			} else {
				hi = mid
			}
		}
		limit = lo
	}
	return limit
}

// kvBytes is the KV cache memory of a slot holding n tokens.
func (s *Scheduler) kvBytes(n int) int64 { return s.m.KVCacheBytes(s.o.Context, n) }

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
	sl     *slot   // the slot, if one was free
	w      *waiter // else its place in the queue
	done   bool
	share  *promptShare // the copies of one prompt it belongs to (AdmitCopies); nil = none
	leads  bool         // it is the copy that reads the prompt
}

// Admit gives prompt a slot or a place in the queue without waiting. It returns
// ErrOverloaded when the queue is full, a *ContextError when the prompt (with maxTokens,
// under StrictMaxTokens) does not fit a slot, and a *CapacityError when its KV cache
// cannot fit the budget.
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
	w := &waiter{prompt: prompt, limit: s.limitFor(len(prompt), maxTokens)}
	if len(s.waiting) == 0 {
		if sl := s.place(w); sl != nil {
			a.sl = sl
			return a, nil
		}
	}
	if len(s.waiting) >= s.o.Queue {
		s.stats.Rejected++
		return nil, ErrOverloaded
	}
	w.ch = make(chan *slot, 1)
	s.waiting = append(s.waiting, w)
	a.w = w
	return a, nil
}

// place gives w a slot if one is free and the KV budget has room for w's reservation, and
// returns it, or nil. Among free slots it takes the one whose cache shares the longest
// prefix with w's prompt; if the budget is short, other idle slots' caches are dropped to
// make room. s.mu is held.
func (s *Scheduler) place(w *waiter) *slot {
	if len(s.free) == 0 {
		return nil
	}
	best, bestN := 0, -1
	for i, sl := range s.free {
		if n := commonPrefix(sl.tokens, w.prompt); n > bestN {
			best, bestN = i, n
		}
	}
	sl := s.free[best]
	need := s.kvBytes(w.limit)
	if b := s.o.KVBudget; b > 0 {
		// The chosen slot's own cache is kept within the reservation, so only the
		// others count; drop idle caches, least useful first, until the rest fits.
		others := s.held() - s.idleBytes(sl)
		for _, o := range s.free {
			if others+need <= b {
				break
			}
			if o != sl && o.seq != nil && o.seq.CacheBytes() > 0 {
				others -= o.seq.CacheBytes()
				o.seq.ReleaseCache(0)
				o.tokens = o.tokens[:0]
				if o.mtp != nil {
					o.mtp.Reset()
				}
			}
		}
		if others+need > b {
			return nil
		}
	}
	s.free = append(s.free[:best], s.free[best+1:]...)
	sl.limit, sl.reserve = w.limit, need
	s.reserved += need
	s.active++
	s.stats.Requests++
	return sl
}

// held is the KV memory held: idle slots' caches and the active slots' reservations.
// s.mu is held.
func (s *Scheduler) held() int64 {
	n := s.reserved
	for _, sl := range s.free {
		n += s.idleBytes(sl)
	}
	return n
}

// idleBytes is the memory of an idle slot's cache.
func (s *Scheduler) idleBytes(sl *slot) int64 {
	if sl.seq == nil {
		return 0
	}
	return sl.seq.CacheBytes()
}

// Cancel gives up the admission: its slot or its place in the queue.
func (a *Admission) Cancel() {
	if a.done {
		return
	}
	a.done = true
	if a.leads {
		a.share.finish() // the other copies read the prompt themselves
	} else if a.share != nil && a.sl != nil {
		a.share.leave(a.sl) // before the slot goes to another request
	}
	if a.sl != nil {
		a.s.release(a.sl)
		return
	}
	a.s.leave(a.w)
}

// Generate waits for the slot, then generates a reply as Sequence.Generate does, calling
// emit with each chunk. It returns ctx's error if ctx ends first; the slot is free again
// when Generate returns. Under a KV budget the reply also ends (FinishLength) when the
// request's reservation is full.
func (a *Admission) Generate(ctx context.Context, o GenerateOptions, emit func(Chunk) error) (Generation, error) {
	prompt := a.prompt
	if a.done {
		return Generation{PromptTokens: len(prompt)}, fmt.Errorf("generate: admission already used")
	}
	a.done = true
	if a.leads {
		defer a.share.finish() // whatever happens, the other copies wait no longer
	}
	s := a.s
	sl := a.sl
	if sl == nil {
		select {
		case sl = <-a.w.ch:
		case <-ctx.Done():
			s.leave(a.w)
			return Generation{PromptTokens: len(prompt)}, ctx.Err()
		}
	}
	defer s.release(sl)
	// A copy registered at admission (AdmitCopies) had its slot prepared then, and the
	// first copy may be writing its sequence now: nothing touches it before share.wait or
	// share.leave.
	if registered := a.share != nil && !a.leads && a.sl != nil; !registered {
		if err := s.prepare(sl); err != nil {
			return Generation{PromptTokens: len(prompt)}, err
		}
	}
	var err error
	if o.Speculation.Mode == "" {
		o.Speculation = s.o.Speculation
	}
	if o.Constraint != nil {
		o.Speculation = Speculation{Mode: SpecOff} // drafts are not checked against the grammar
	}
	// The copies of a prompt share it, unless they draft with the MTP module, whose rows
	// are not copied.
	useMTP := o.Speculation.Mode == SpecMTP && s.m.HasMTP()
	switch {
	case a.share == nil:
	case useMTP && !a.leads:
		a.share.leave(sl)
	case useMTP:
	case a.leads:
		o.prefilled = func() { a.share.give(sl.seq, len(prompt)-1) }
	default:
		copied, err := a.share.wait(ctx, sl)
		if err != nil {
			return Generation{PromptTokens: len(prompt)}, err
		}
		if copied {
			return a.generateCopy(ctx, sl, o, emit)
		}
	}
	// Keep the longest common prefix of the cache and the prompt; at least one prompt token
	// is fed again, for its logits.
	common := commonPrefix(sl.tokens, prompt)
	n := min(common, len(prompt)-1)
	var mtp *core.MTPSequence
	if useMTP {
		if sl.mtp == nil {
			if sl.mtp, err = s.m.NewMTPSequence(s.o.Context); err != nil {
				return Generation{PromptTokens: len(prompt)}, err
			}
		}
		// The module's row i reads the token at i+1: its rows stand while that is in the
		// common prefix, and the sequence restarts where the module's rows end, so that
		// the module reads the hidden state of every position fed again.
		sl.mtp.Truncate(max(0, common-1))
		n = min(n, sl.mtp.Len())
		sl.mtp.Truncate(n)
		mtp = sl.mtp
	} else if sl.mtp != nil {
		sl.mtp.Truncate(max(0, n-1)) // the rows after the prefix go stale without it
	}
	sl.seq.ReleaseCache(sl.limit)
	sl.seq.Truncate(n)
	sl.tokens = append(sl.tokens[:n], prompt[n:]...)
	return s.run(ctx, sl, mtp, prompt, n, o, emit)
}

// run generates on sl, whose cache holds the first n tokens of prompt, and keeps the
// slot's record of its cache.
func (s *Scheduler) run(ctx context.Context, sl *slot, mtp *core.MTPSequence, prompt []int, n int, o GenerateOptions, emit func(Chunk) error) (Generation, error) {
	if n > 0 {
		s.mu.Lock()
		s.stats.ReusedTokens += int64(n)
		s.mu.Unlock()
	}
	if room := sl.limit - len(prompt); o.MaxTokens <= 0 || o.MaxTokens > room {
		o.MaxTokens = room
	}
	g, err := generate(ctx, sl.seq, mtp, s.tok, prompt, len(prompt)-n, o, func(c Chunk) error {
		if c.ID >= 0 {
			sl.tokens = append(sl.tokens, c.ID)
		}
		return emit(c)
	})
	g.PromptTokens = len(prompt)
	g.CachedTokens = n
	if g.Spec.Passes > 0 {
		s.mu.Lock()
		s.stats.Spec.Add(g.Spec)
		s.mu.Unlock()
	}
	// The cache holds the prompt and every generated token but (at most) the last.
	sl.tokens = sl.tokens[:min(len(sl.tokens), sl.seq.Len())]
	sl.seq.Truncate(len(sl.tokens))
	return g, err
}

// leave takes w out of the queue; if a slot was handed to it meanwhile, the slot goes on
// to the next in line.
func (s *Scheduler) leave(w *waiter) {
	s.mu.Lock()
	for i, x := range s.waiting {
		if x == w {
			s.waiting = append(s.waiting[:i], s.waiting[i+1:]...)
			s.dispatch() // the head may have changed
			s.mu.Unlock()
			return
		}
	}
	s.mu.Unlock()
	s.release(<-w.ch)
}

// release returns sl to the free list, ends its reservation, and hands free slots to the
// waiting requests in order.
func (s *Scheduler) release(sl *slot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active--
	s.reserved -= sl.reserve
	sl.limit, sl.reserve = 0, 0
	s.free = append(s.free, sl)
	s.dispatch()
}

// dispatch gives slots to waiting requests, oldest first, while the oldest can be placed.
// s.mu is held.
func (s *Scheduler) dispatch() {
	for len(s.waiting) > 0 {
		w := s.waiting[0]
		sl := s.place(w)
		if sl == nil {
			return
		}
		s.waiting = s.waiting[1:]
		w.ch <- sl // buffered: never blocks
	}
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
