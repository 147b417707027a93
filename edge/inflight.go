package edge

import (
	"context"
	"sync"
)

// inflight counts the requests a server is answering (streams, WebSocket replies and
// non-streamed generations), so Shutdown can wait for them. Unlike a WaitGroup, adding
// while another goroutine waits is fine.
type inflight struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed when n drops to 0; nil while n is 0
}

func (f *inflight) add() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		f.zero = make(chan struct{})
	}
	f.n++
}

func (f *inflight) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 {
		close(f.zero)
		f.zero = nil
	}
}

// wait returns nil once nothing is in flight, or ctx's error.
func (f *inflight) wait(ctx context.Context) error {
	f.mu.Lock()
	ch := f.zero
	f.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return f.wait(ctx) // more may have started
	case <-ctx.Done():
		return ctx.Err()
	}
}
