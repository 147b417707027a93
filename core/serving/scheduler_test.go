package serving_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/serving"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// schedulerModel opens a one-layer tiny model and its tokenizer.
func schedulerModel(t *testing.T) (*core.Model, *tokenizer.Tokenizer) { return tinyModel(t, 3) }

// collect generates greedily through s and returns the ids.
func collect(ctx context.Context, s *serving.Scheduler, prompt []int, n int) ([]int, serving.Generation, error) {
	var ids []int
	g, err := s.Generate(ctx, prompt, serving.GenerateOptions{MaxTokens: n, StopIDs: []int{}}, func(c serving.Chunk) error {
		if c.ID >= 0 {
			ids = append(ids, c.ID)
		}
		return nil
	})
	return ids, g, err
}

// holdSlot starts a generation of prompt on s that runs until release is called, and
// returns once its first token is out; done receives its error.
func holdSlot(s *serving.Scheduler, prompt []int) (release func(), done <-chan error) {
	hold, release := context.WithCancel(context.Background())
	started := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		first := true
		_, err := s.Generate(hold, prompt, serving.GenerateOptions{StopIDs: []int{}}, func(serving.Chunk) error {
			if first {
				close(started)
				first = false
			}
			return nil
		})
		errc <- err
	}()
	<-started
	return release, errc
}

func TestSchedulerMatchesSequence(t *testing.T) {
	for _, shape := range []string{"tiny", "tiny-qwen2"} {
		t.Run(shape, func(t *testing.T) {
			m, tok := shapeModel(t, shape, 3)
			testSchedulerMatchesSequence(t, m, tok)
		})
	}
}

func testSchedulerMatchesSequence(t *testing.T, m *core.Model, tok *tokenizer.Tokenizer) {
	prompt := append([]int{tok.BOS()}, tok.Encode("Once upon a time, in a land far away")...)
	seq, err := m.NewSequence(256)
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	if _, err := serving.Generate(context.Background(), seq, tok, prompt, serving.GenerateOptions{MaxTokens: 12, StopIDs: []int{}}, func(c serving.Chunk) error {
		if c.ID >= 0 {
			want = append(want, c.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	s := serving.NewScheduler(m, tok, serving.SchedulerOptions{Slots: 3, Context: 256})
	// Many requests at once, some sharing the prompt's prefix, all greedy: each gets the
	// tokens an unshared sequence gets.
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		wg.Go(func() {
			p := prompt
			if i%2 == 1 {
				p = prompt[:len(prompt)-2]
			}
			got, g, err := collect(context.Background(), s, p, 12)
			if err != nil {
				errs <- err
				return
			}
			if i%2 == 0 && !slices.Equal(got, want) {
				errs <- errors.New("scheduled output differs from a plain sequence's")
			}
			if g.CompletionTokens != 12 || g.PromptTokens != len(p) {
				errs <- errors.New("wrong counts")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st := s.Stats()
	if st.Active != 0 || st.Queued != 0 || st.Requests != 8 {
		t.Errorf("stats after the burst: %+v", st)
	}
	// A repeat of a prompt reuses its cached prefix and still gives the same tokens.
	got, g, err := collect(context.Background(), s, prompt, 12)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("with a reused prefix: %v, want %v", got, want)
	}
	if g.CachedTokens != len(prompt)-1 {
		t.Errorf("cached tokens %d, want %d", g.CachedTokens, len(prompt)-1)
	}
	// A prompt extending an earlier prompt and its reply (a chat's next turn) reuses both.
	next := append(append(slices.Clone(prompt), want...), tok.Encode(" and then")...)
	_, g, err = collect(context.Background(), s, next, 4)
	if err != nil {
		t.Fatal(err)
	}
	if g.CachedTokens < len(prompt)+len(want)-1 {
		t.Errorf("next turn reused %d tokens, want ≥ %d", g.CachedTokens, len(prompt)+len(want)-1)
	}
}

func TestSchedulerLimits(t *testing.T) {
	m, tok := schedulerModel(t)
	prompt := append([]int{tok.BOS()}, tok.Encode("Hello there")...)
	s := serving.NewScheduler(m, tok, serving.SchedulerOptions{Slots: 1, Queue: 1, Context: 64})

	// Context too long: the prompt alone, and with StrictMaxTokens the prompt and max tokens.
	long := make([]int, 64)
	var ce *serving.ContextError
	if _, _, err := collect(context.Background(), s, long, 1); !errors.As(err, &ce) || ce.PromptTokens != 64 || ce.Context != 64 {
		t.Errorf("64-token prompt in a 64-token context: %v", err)
	}
	strict := serving.NewScheduler(m, tok, serving.SchedulerOptions{Slots: 1, Context: 64, StrictMaxTokens: true})
	if _, _, err := collect(context.Background(), strict, prompt, 100); !errors.As(err, &ce) || ce.MaxTokens != 100 {
		t.Errorf("strict max tokens: %v", err)
	}
	// Without StrictMaxTokens a reply that fills the context ends with "length", however
	// many tokens were asked for (prompt + max tokens must not overflow).
	for _, n := range []int{1000, math.MaxInt32, math.MaxInt - 1, math.MaxInt} {
		t.Run(fmt.Sprint("max_tokens=", n), func(t *testing.T) {
			_, g, err := collect(context.Background(), s, prompt, n)
			if err != nil || g.Finish != serving.FinishLength || g.PromptTokens+g.CompletionTokens != 64 {
				t.Errorf("filling the context with max tokens %d: %+v, %v", n, g, err)
			}
			if _, _, err := collect(context.Background(), strict, prompt, n); !errors.As(err, &ce) {
				t.Errorf("strict max tokens %d: %v", n, err)
			}
			budget := serving.NewScheduler(m, tok, serving.SchedulerOptions{Slots: 1, Context: 64, KVBudget: 1 << 20})
			if _, g, err := collect(context.Background(), budget, prompt, n); err != nil || g.CompletionTokens == 0 {
				t.Errorf("under a KV budget with max tokens %d: %+v, %v", n, g, err)
			}
		})
	}

	// One slot, one queue place: hold the slot, queue a second request, refuse a third.
	release, done := holdSlot(s, prompt)
	queued, err := s.Admit(prompt, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Admit(prompt, 4); !errors.Is(err, serving.ErrOverloaded) {
		t.Errorf("third request: %v, want ErrOverloaded", err)
	}
	if st := s.Stats(); st.Active != 1 || st.Queued != 1 || st.Rejected != 1 {
		t.Errorf("stats while full: %+v", st)
	}
	// Cancelling the running request frees its slot within a step: the queued one runs.
	release()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled generation returned %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got int
	_, err = queued.Generate(ctx, serving.GenerateOptions{MaxTokens: 4, StopIDs: []int{}}, func(c serving.Chunk) error {
		if c.ID >= 0 {
			got++
		}
		return nil
	})
	if err != nil || got != 4 {
		t.Errorf("queued request after the cancel: %d tokens, %v", got, err)
	}
	if st := s.Stats(); st.Active != 0 || st.Queued != 0 {
		t.Errorf("stats after: %+v", st)
	}

	// A queued request whose context ends leaves the queue; a cancelled admission gives its slot back.
	a, err := s.Admit(prompt, 4)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Admit(prompt, 4)
	if err != nil {
		t.Fatal(err)
	}
	expired, stop := context.WithCancel(context.Background())
	stop()
	if _, err := b.Generate(expired, serving.GenerateOptions{MaxTokens: 4}, func(serving.Chunk) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("expired queued request: %v", err)
	}
	a.Cancel()
	if st := s.Stats(); st.Active != 0 || st.Queued != 0 {
		t.Errorf("stats after cancelled admissions: %+v", st)
	}
}

// TestSchedulerFIFO checks that waiting requests get slots in arrival order.
func TestSchedulerFIFO(t *testing.T) {
	m, tok := schedulerModel(t)
	prompt := append([]int{tok.BOS()}, tok.Encode("Hi")...)
	s := serving.NewScheduler(m, tok, serving.SchedulerOptions{Slots: 1, Queue: 8, Context: 64})
	first, err := s.Admit(prompt, 2)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	var adms []*serving.Admission
	for range 5 {
		a, err := s.Admit(prompt, 2)
		if err != nil {
			t.Fatal(err)
		}
		adms = append(adms, a)
	}
	for i, a := range adms {
		wg.Go(func() {
			a.Generate(context.Background(), serving.GenerateOptions{MaxTokens: 1}, func(c serving.Chunk) error {
				if c.ID >= 0 {
					mu.Lock()
					order = append(order, i)
					mu.Unlock()
				}
				return nil
			})
		})
	}
	time.Sleep(50 * time.Millisecond) // let them all wait
	first.Cancel()
	wg.Wait()
	if !slices.Equal(order, []int{0, 1, 2, 3, 4}) {
		t.Errorf("service order %v, want arrival order", order)
	}
}

// TestSchedulerKVBudget: under a KV budget a request waits until its reservation fits,
// caches never hold more than the budget, and a prompt that can never fit is refused.
func TestSchedulerKVBudget(t *testing.T) {
	m, tok := schedulerModel(t)
	prompt := append([]int{tok.BOS()}, tok.Encode("Hello there")...)
	const ctxLen = 64
	probe, err := m.NewSequence(ctxLen)
	if err != nil {
		t.Fatal(err)
	}
	if err := probe.Forward(t.Context(), prompt[:1], make([]float32, m.Config.VocabSize), false); err != nil {
		t.Fatal(err)
	}
	page := probe.CacheBytes() // a context of 64 tokens is one page
	if page <= 0 {
		t.Fatalf("a one-token sequence holds %d bytes of cache", page)
	}

	if _, err := serving.NewScheduler(m, tok, serving.SchedulerOptions{Slots: 2, Context: ctxLen, KVBudget: page - 1}).Admit(prompt, 4); !errors.As(err, new(*serving.CapacityError)) {
		t.Errorf("a budget smaller than one prompt: %v, want a CapacityError", err)
	}

	// Two slots but room for one reservation: the second request waits for the first.
	s := serving.NewScheduler(m, tok, serving.SchedulerOptions{Slots: 2, Context: ctxLen, KVBudget: page})
	release, done := holdSlot(s, prompt)
	second, err := s.Admit(prompt, 4)
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Active != 1 || st.Queued != 1 || st.KVBytes > page || st.KVReserved != page {
		t.Errorf("stats with the budget full: %+v (page %d)", st, page)
	}
	release()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("first request: %v", err)
	}
	got := 0
	g, err := second.Generate(t.Context(), serving.GenerateOptions{MaxTokens: 4, StopIDs: []int{}}, func(c serving.Chunk) error {
		if c.ID >= 0 {
			got++
		}
		if st := s.Stats(); st.KVBytes > page {
			t.Errorf("KV memory %d over the budget %d", st.KVBytes, page)
		}
		return nil
	})
	if err != nil || got != 4 || g.Finish != serving.FinishLength {
		t.Errorf("second request: %d tokens, %+v, %v", got, g, err)
	}
	if st := s.Stats(); st.Active != 0 || st.Queued != 0 || st.KVReserved != 0 || st.KVBytes > page {
		t.Errorf("stats after: %+v", st)
	}
}
