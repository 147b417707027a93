package core

import (
	"runtime"
	"sync/atomic"
	"time"

	"github.com/deepgo/deepgo/quant"
)

// A task is work over an index range that a pool splits among its workers.
// Run gets the range [lo, hi) and the index (0 ≤ worker < Threads()) of the thread
// running it, so a job can keep per-thread scratch space. Implementations are
// long-lived structs reused every call, so running one allocates nothing.
type task interface {
	Run(worker, lo, hi int)
}

// pool is a fixed set of worker goroutines that run tasks in parallel.
// The caller's goroutine takes a share too, so a pool of n threads has n-1 workers.
// A pool runs one task at a time; Run must not be called concurrently.
//
// A decoding step runs a few hundred short tasks one after another, each a fraction of a
// millisecond, so how a worker learns of the next one matters: parked on a channel, it
// takes the operating system tens of microseconds to wake it, every task. So Run publishes
// a task by bumping gen, which a worker that finished the last one watches for up to
// spinFor before it parks; only a parked worker is woken through its channel (state says
// which), and the caller waits for the workers the same way, by watching pending.
type pool struct {
	threads int
	workers []poolWorker // worker i runs chunk i+1
	job     task
	n       int          // the current job's range
	piece   int          // rows per take
	next    atomic.Int64 // the next unclaimed row
	// gen is the current task's sequence number (Run's seq) over 16 bits holding how many
	// workers it uses (the first ones), read in one load so that a worker not needed for
	// one task never mistakes the next for its own.
	gen     atomic.Uint64
	seq     uint64
	pending atomic.Int32 // workers not yet done with the current job
	closed  atomic.Bool

	floatActivations bool          // matmul: no 8-bit activations (Options.FloatActivations)
	kernels          quant.Kernels // what every product and vector operation runs (Options.Kernels)
}

// poolWorker is how Run reaches worker goroutine: wake carries a task to it once it has
// parked (state workerParked).
type poolWorker struct {
	wake  chan struct{}
	state atomic.Int32
	_     [48]byte // apart from its neighbours' cache lines
}

// helperMask takes the number of workers a task uses from gen.
const helperMask = 1<<16 - 1

const (
	workerAwake  = 0 // running a task or watching gen for the next
	workerParked = 1 // blocked on wake
)

// spinFor is how long a worker watches for the next task before it parks: longer than the
// gaps between the tasks of a decoding step (norms, rotations, a token's sampling), short
// enough that an idle server's workers are soon asleep.
const spinFor = 200 * time.Microsecond

// newPool starts a pool of n threads; n <= 0 means one per CPU, and n is at most MaxThreads.
func newPool(n int) *pool {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	n = min(n, MaxThreads)
	p := &pool{threads: n, workers: make([]poolWorker, n-1), kernels: quant.CPUKernels()}
	for i := range p.workers {
		p.workers[i].wake = make(chan struct{}, 1)
		go p.worker(i)
	}
	return p
}

// worker runs chunk i+1 of every task that has it, until Close.
func (p *pool) worker(i int) {
	var seen uint64
	for {
		g, ok := p.await(&p.workers[i], seen)
		if !ok {
			return
		}
		seen = g
		if i < int(g&helperMask) {
			p.take(i + 1)
			p.pending.Add(-1)
		}
	}
}

// await returns the generation of the next task after seen: it watches gen for spinFor,
// then parks until Run wakes it. ok is false once the pool is closed.
func (p *pool) await(w *poolWorker, seen uint64) (g uint64, ok bool) {
	for {
		start := time.Now()
		for i := 1; ; i++ {
			if g := p.gen.Load(); g != seen {
				return g, true
			}
			if p.closed.Load() {
				return 0, false
			}
			if i%64 == 0 {
				if time.Since(start) > spinFor {
					break
				}
				runtime.Gosched()
			}
		}
		// Park: announce it, then look again, as Run and Close change gen or closed before
		// they look at state. Whoever moves state back from workerParked wakes the worker:
		// itself here, or Run by a send, or Close by closing wake.
		w.state.Store(workerParked)
		g, closed := p.gen.Load(), p.closed.Load()
		if (g != seen || closed) && w.state.CompareAndSwap(workerParked, workerAwake) {
			return g, !closed
		}
		if _, ok := <-w.wake; !ok {
			return 0, false
		}
		// A Run that published a task and was then held up past spinFor can find the
		// worker parked again after it has done that task, and wake it for nothing: such
		// a wake (gen still seen) sends it back to waiting, never into a task twice.
		if g := p.gen.Load(); g != seen {
			return g, true
		}
	}
}

// Threads is the number of threads that share each task.
func (p *pool) Threads() int { return p.threads }

// Run calls job.Run over [0, n) and waits for all of it. The range is cut into pieces of
// whole grains, about four per thread, which the caller and the workers take in turn from
// a shared counter: a thread the OS delays (a busy or virtual machine) leaves its share to
// the others instead of holding everyone up. A worker's calls never overlap.
func (p *pool) Run(job task, n, grain int) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	grains := (n + grain - 1) / grain
	t := min(p.threads, grains)
	if t <= 1 || p.closed.Load() {
		job.Run(0, 0, n)
		return
	}
	piece := max(1, grains/(4*t)) * grain
	p.job, p.n, p.piece = job, n, piece
	p.next.Store(0)
	p.pending.Store(int32(t - 1))
	p.seq++
	p.gen.Store(p.seq<<16 | uint64(t-1)) // publishes the fields above to the workers that see it
	for i := range t - 1 {
		if w := &p.workers[i]; w.state.CompareAndSwap(workerParked, workerAwake) {
			w.wake <- struct{}{}
		}
	}
	p.take(0)
	p.awaitHelpers()
	p.job = nil
}

// awaitHelpers returns once the workers of the current task are done with it: it watches
// pending, and past spinFor (a worker the operating system has descheduled) it sleeps
// between looks instead of spinning.
func (p *pool) awaitHelpers() {
	start := time.Now()
	for i := 1; p.pending.Load() > 0; i++ {
		if i%64 == 0 {
			if time.Since(start) > spinFor {
				time.Sleep(20 * time.Microsecond)
			} else {
				runtime.Gosched()
			}
		}
	}
}

// take runs pieces of the current job until none is left.
func (p *pool) take(worker int) {
	for {
		hi := int(p.next.Add(int64(p.piece)))
		lo := hi - p.piece
		if lo >= p.n {
			return
		}
		p.job.Run(worker, lo, min(hi, p.n))
	}
}

// Close stops the workers. Run keeps working afterwards, on the caller's goroutine only.
func (p *pool) Close() {
	if p.closed.Swap(true) {
		return
	}
	for i := range p.workers {
		if w := &p.workers[i]; w.state.CompareAndSwap(workerParked, workerAwake) {
			close(w.wake)
		}
	}
}
