package core

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

type countJob struct {
	hits    []atomic.Int32
	workers []atomic.Int32
}

func (j *countJob) Run(w, lo, hi int) {
	j.workers[w].Add(1)
	for i := lo; i < hi; i++ {
		j.hits[i].Add(1)
	}
}

func TestPoolCoversRange(t *testing.T) {
	for _, threads := range []int{1, 2, 3, 8} {
		p := newPool(threads)
		for _, c := range []struct{ n, grain int }{{1, 1}, {7, 1}, {100, 8}, {5, 8}, {1000, 3}} {
			j := &countJob{hits: make([]atomic.Int32, c.n), workers: make([]atomic.Int32, threads)}
			for range 3 {
				p.Run(j, c.n, c.grain)
			}
			for i := range j.hits {
				if got := j.hits[i].Load(); got != 3 {
					t.Fatalf("threads %d n %d grain %d: index %d run %d times, want 3", threads, c.n, c.grain, i, got)
				}
			}
		}
		p.Close()
		j := &countJob{hits: make([]atomic.Int32, 10), workers: make([]atomic.Int32, threads)}
		p.Run(j, 10, 1) // after Close: runs on the caller
		if j.hits[9].Load() != 1 {
			t.Fatal("Run after Close did not run")
		}
	}
}

// slowJob takes long enough per piece that every thread gets a share.
type slowJob struct{ countJob }

func (j *slowJob) Run(w, lo, hi int) {
	time.Sleep(time.Millisecond)
	j.countJob.Run(w, lo, hi)
}

// TestPoolWakesParked: tasks that come after the workers have parked (gaps longer than
// spinFor), right after the last (while they spin), and small ones that use only some of
// the workers, each run every index once, and every worker takes part in the big ones
// (at least once in five, as a loaded machine may wake one late).
func TestPoolWakesParked(t *testing.T) {
	const threads = 4
	p := newPool(threads)
	defer p.Close()
	for _, c := range []struct {
		name string
		gap  time.Duration
		n    int
	}{{"parked", 3 * spinFor, 64}, {"spinning", 0, 64}, {"fewer than the threads", 0, 2}, {"parked again", 3 * spinFor, 64}, {"after a small one", 0, 64}} {
		t.Run(c.name, func(t *testing.T) {
			took := make([]int32, threads)
			for range 5 {
				time.Sleep(c.gap)
				j := &slowJob{countJob{hits: make([]atomic.Int32, c.n), workers: make([]atomic.Int32, threads)}}
				p.Run(j, c.n, 1)
				for i := range j.hits {
					if got := j.hits[i].Load(); got != 1 {
						t.Fatalf("index %d run %d times, want 1", i, got)
					}
				}
				for w := range j.workers {
					took[w] += j.workers[w].Load()
				}
			}
			for w, n := range took {
				if c.n >= 64 && n == 0 {
					t.Errorf("worker %d took no piece of five tasks of %d", w, c.n)
				}
			}
		})
	}
}

// TestPoolStaleWake: a wake for a task the worker has already done (a Run held up between
// publishing a task and waking the workers finds the worker parked again) sends it back to
// waiting; it returns only for the next task.
func TestPoolStaleWake(t *testing.T) {
	p := &pool{threads: 2, workers: make([]poolWorker, 1)}
	w := &p.workers[0]
	w.wake = make(chan struct{}, 1)
	const seen = 1<<16 | 1
	p.gen.Store(seen)
	w.wake <- struct{}{} // the stale wake, already sent
	got := make(chan uint64, 1)
	go func() {
		g, ok := p.await(w, seen)
		if !ok {
			g = 0
		}
		got <- g
	}()
	time.Sleep(10 * spinFor)
	select {
	case g := <-got:
		t.Fatalf("await returned %#x on a stale wake, want it to wait for a new task", g)
	default:
	}
	const next = 2<<16 | 1
	p.gen.Store(next)
	if w.state.CompareAndSwap(workerParked, workerAwake) {
		w.wake <- struct{}{}
	}
	select {
	case g := <-got:
		if g != next {
			t.Errorf("await returned %#x, want %#x", g, next)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("await did not return for the new task")
	}
}

// TestPoolCloseEndsWorkers: Close ends every worker, parked or still watching for work.
func TestPoolCloseEndsWorkers(t *testing.T) {
	for _, gap := range []time.Duration{0, 3 * spinFor} {
		before := runtime.NumGoroutine()
		p := newPool(8)
		p.Run(&countJob{hits: make([]atomic.Int32, 64), workers: make([]atomic.Int32, 8)}, 64, 1)
		time.Sleep(gap)
		p.Close()
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Errorf("gap %v: %d goroutines after Close, %d before the pool", gap, n, before)
		}
	}
}

type nopJob struct{}

func (nopJob) Run(_, _, _ int) {}

func TestPoolRunAllocs(t *testing.T) {
	p := newPool(4)
	defer p.Close()
	var j nopJob
	if a := testing.AllocsPerRun(100, func() { p.Run(j, 64, 1) }); a != 0 {
		t.Errorf("Run allocates %v times", a)
	}
}

func BenchmarkPoolRun(b *testing.B) {
	p := newPool(0)
	defer p.Close()
	var j nopJob
	b.ReportAllocs()
	for b.Loop() {
		p.Run(j, 1024, 1)
	}
}
