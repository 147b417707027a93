package core

import (
	"sync/atomic"
	"testing"
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
