package openai

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter keeps a request bucket and a token bucket per caller (an API key, or a client
// address when no keys are configured). A limit of 0 is no limit.
type limiter struct {
	mu      sync.Mutex
	callers map[string]*buckets
	now     func() time.Time
}

type buckets struct {
	req, tok *rate.Limiter
	seen     time.Time
}

// maxCallers bounds the table of anonymous callers; idle ones are dropped beyond it.
const maxCallers = 4096

func newLimiter() *limiter {
	return &limiter{callers: make(map[string]*buckets), now: time.Now}
}

func perMinute(n int) *rate.Limiter {
	if n <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(float64(n)/60), n)
}

// get returns the caller's buckets, made with rpm and tpm on first use.
func (l *limiter) get(id string, rpm, tpm int) *buckets {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.callers[id]
	if b == nil {
		if len(l.callers) >= maxCallers {
			l.evict(now)
		}
		b = &buckets{req: perMinute(rpm), tok: perMinute(tpm)}
		l.callers[id] = b
	}
	b.seen = now
	return b
}

// evict drops the callers idle for a minute (their buckets are full again), or, if none
// is, the one seen longest ago. l.mu is held.
func (l *limiter) evict(now time.Time) {
	var oldest string
	var oldestSeen time.Time
	for k, v := range l.callers {
		if now.Sub(v.seen) > time.Minute {
			delete(l.callers, k)
		} else if oldest == "" || v.seen.Before(oldestSeen) {
			oldest, oldestSeen = k, v.seen
		}
	}
	if len(l.callers) >= maxCallers {
		delete(l.callers, oldest)
	}
}

// admit takes one request and prompt tokens from the caller's buckets, or says how long to
// wait. tooBig reports a prompt larger than the whole token bucket. undo gives back what was
// taken, for a request refused later.
func (l *limiter) admit(b *buckets, prompt int) (wait time.Duration, what string, tooBig bool, undo func()) {
	now := l.now()
	var rr, tr *rate.Reservation
	undo = func() {
		at := l.now()
		if rr != nil {
			rr.CancelAt(at)
		}
		if tr != nil {
			tr.CancelAt(at)
		}
	}
	if b.req != nil {
		rr = b.req.ReserveN(now, 1)
		if d := rr.DelayFrom(now); d > 0 {
			undo()
			return d, "requests", false, nil
		}
	}
	if b.tok != nil {
		if prompt > b.tok.Burst() {
			undo()
			return 0, "tokens", true, nil
		}
		tr = b.tok.ReserveN(now, prompt)
		if d := tr.DelayFrom(now); d > 0 {
			undo()
			return d, "tokens", false, nil
		}
	}
	return 0, "", false, undo
}

// charge takes generated tokens from the caller's token bucket after the fact: the debt
// delays the caller's next requests.
func (l *limiter) charge(b *buckets, n int) {
	if b.tok == nil || n <= 0 {
		return
	}
	b.tok.ReserveN(l.now(), min(n, b.tok.Burst()))
}

// seconds rounds a wait up to whole seconds, for Retry-After.
func seconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
