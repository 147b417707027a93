package core

import (
	"runtime"
	"sync"
	"sync/atomic"

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
type pool struct {
	threads int
	work    []chan span // one per worker; worker i runs chunk i+1
	wg      sync.WaitGroup
	job     task
	n       int          // the current job's range
	piece   int          // rows per take
	next    atomic.Int64 // the next unclaimed row
	closed  bool

	floatActivations bool          // matmul: no 8-bit activations (Options.FloatActivations)
	kernels          quant.Kernels // what every product and vector operation runs (Options.Kernels)
}

type span struct{ worker int }

// newPool starts a pool of n threads; n <= 0 means one per CPU.
func newPool(n int) *pool {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	p := &pool{threads: n, work: make([]chan span, n-1), kernels: quant.CPUKernels()}
	for i := range p.work {
		ch := make(chan span, 1)
		p.work[i] = ch
		go p.worker(ch)
	}
	return p
}

func (p *pool) worker(ch chan span) {
	for s := range ch {
		p.take(s.worker)
		p.wg.Done()
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
	if t <= 1 || p.closed {
		job.Run(0, 0, n)
		return
	}
	piece := max(1, grains/(4*t)) * grain
	p.job, p.n, p.piece = job, n, piece
	p.next.Store(0)
	p.wg.Add(t - 1)
	for i := 1; i < t; i++ {
		p.work[i-1] <- span{worker: i}
	}
	p.take(0)
	p.wg.Wait()
	p.job = nil
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
	if p.closed {
		return
	}
	p.closed = true
	for _, ch := range p.work {
		close(ch)
	}
}
