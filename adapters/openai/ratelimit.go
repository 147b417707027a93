package openai

import (
	"math"
	"sync"
	"time"
)

// limiter keeps a request bucket and a token bucket per caller (an API key, or a client
// address when no keys are configured). A limit of 0 is no limit.
//
// A request goes through it in three steps, each before the work it guards:
//
//  1. begin, before the body is even decoded: it takes one request from the request
//     bucket, and refuses a caller whose token bucket is already empty;
//  2. reserve, once the prompt is tokenized: it takes the prompt's tokens and the most the
//     reply may generate, so no reply can spend tokens the caller does not have;
//  3. settle, when the reply is complete: the tokens reserved but not generated are given
//     back. A request the server refuses (overloaded, shutting down) gets everything back
//     with refund; one the client got wrong (a 400) keeps its request spent.
//
// So over any minute a caller uses at most its limit plus what its bucket held at the
// start: at most one limit's worth more.
type limiter struct {
	mu      sync.Mutex
	callers map[string]*buckets
	now     func() time.Time
}

// buckets are one caller's limits.
type buckets struct {
	req, tok *bucket // nil = no limit
	seen     time.Time
	held     int // grants not yet settled: the caller is not evicted while it has any
}

// bucket is a token bucket: it holds up to burst units and gains burst units a minute.
type bucket struct {
	burst float64
	level float64 // units available at time at
	at    time.Time
}

// maxCallers bounds the table of callers; idle ones are dropped beyond it.
const maxCallers = 4096

func newLimiter() *limiter {
	return &limiter{callers: make(map[string]*buckets), now: time.Now}
}

func perMinute(n int, now time.Time) *bucket {
	if n <= 0 {
		return nil
	}
	return &bucket{burst: float64(n), level: float64(n), at: now}
}

// fill adds what the bucket gained since it was last looked at.
func (b *bucket) fill(now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.level = min(b.burst, b.level+b.burst*d.Minutes())
		b.at = now
	}
}

// wait is how long until n units are there (n ≤ burst); 0 if they are now.
func (b *bucket) wait(n float64) time.Duration {
	if b.level >= n {
		return 0
	}
	return time.Duration((n - b.level) / b.burst * float64(time.Minute))
}

// available is the whole units the bucket holds now.
func (b *bucket) available() int { return int(math.Floor(b.level)) }

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
		b = &buckets{req: perMinute(rpm, now), tok: perMinute(tpm, now)}
		l.callers[id] = b
	}
	b.seen = now
	return b
}

// evict drops the callers idle for a minute with nothing in flight (their buckets are
// full again), or, if none is, the one seen longest ago. l.mu is held.
func (l *limiter) evict(now time.Time) {
	var oldest string
	var oldestSeen time.Time
	for k, v := range l.callers {
		switch {
		case v.held > 0:
		case now.Sub(v.seen) > time.Minute:
			delete(l.callers, k)
		case oldest == "" || v.seen.Before(oldestSeen):
			oldest, oldestSeen = k, v.seen
		}
	}
	if len(l.callers) >= maxCallers && oldest != "" {
		delete(l.callers, oldest)
	}
}

// grant is what one request took from its caller's buckets.
type grant struct {
	b      *buckets
	tokens float64 // reserved by reserve
	open   bool    // not yet settled or refunded
}

// refusal says why a request may not go on now: which limit ("requests" or "tokens"), its
// value, and how long until a retry can pass.
type refusal struct {
	what  string
	limit int
	wait  time.Duration
}

// begin takes one request from the caller's request bucket, if its token bucket is not
// empty; otherwise it takes nothing and says how long to wait.
func (l *limiter) begin(b *buckets) (*grant, *refusal) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if b.req != nil {
		b.req.fill(now)
		if d := b.req.wait(1); d > 0 {
			return nil, &refusal{"requests", int(b.req.burst), d}
		}
	}
	if b.tok != nil {
		b.tok.fill(now)
		if d := b.tok.wait(1); d > 0 {
			return nil, &refusal{"tokens", int(b.tok.burst), d}
		}
	}
	if b.req != nil {
		b.req.level--
	}
	b.held++
	return &grant{b: b, open: true}, nil
}

// tokenLimit is the caller's tokens per minute; 0 = no limit.
func (g *grant) tokenLimit() int {
	if g.b.tok == nil {
		return 0
	}
	return int(g.b.tok.burst)
}

// reserve takes prompt tokens and between least and most generated ones (least ≤ most)
// from the token bucket: as many as it holds now, up to most. It returns how many
// generated tokens were reserved; or, if fewer than least are there, a refusal (with
// wait 0 when the bucket could never hold prompt+least).
func (l *limiter) reserve(g *grant, prompt, least, most int) (int, *refusal) {
	tb := g.b.tok
	if tb == nil {
		return most, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	need := float64(prompt) + float64(least)
	if need > tb.burst {
		return 0, &refusal{"tokens", int(tb.burst), 0}
	}
	tb.fill(l.now())
	if d := tb.wait(need); d > 0 {
		return 0, &refusal{"tokens", int(tb.burst), d}
	}
	gen := min(most, tb.available()-prompt)
	n := float64(prompt) + float64(gen)
	tb.level -= n
	g.tokens += n
	return gen, nil
}

// settle ends a grant whose request ran: of the tokens reserved, those beyond used are
// given back.
func (l *limiter) settle(g *grant, used int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !g.end() {
		return
	}
	if tb := g.b.tok; tb != nil && g.tokens > float64(used) {
		tb.fill(l.now())
		tb.level = min(tb.burst, tb.level+g.tokens-float64(max(used, 0)))
	}
}

// refund ends a grant whose request the server refused: the request and every token
// reserved are given back.
func (l *limiter) refund(g *grant) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !g.end() {
		return
	}
	now := l.now()
	if rb := g.b.req; rb != nil {
		rb.fill(now)
		rb.level = min(rb.burst, rb.level+1)
	}
	if tb := g.b.tok; tb != nil {
		tb.fill(now)
		tb.level = min(tb.burst, tb.level+g.tokens)
	}
}

// end closes the grant, if it is open, and reports whether it was. The limiter's mu is held.
func (g *grant) end() bool {
	if !g.open {
		return false
	}
	g.open = false
	g.b.held--
	return true
}

// seconds rounds a wait up to whole seconds, for Retry-After.
func seconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// state is the caller's limits now, for the x-ratelimit-* headers.
func (l *limiter) state(b *buckets) rateState {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var st rateState
	if rb := b.req; rb != nil {
		rb.fill(now)
		st.reqLimit, st.reqLeft, st.reqReset = int(rb.burst), rb.available(), rb.wait(rb.burst)
	}
	if tb := b.tok; tb != nil {
		tb.fill(now)
		st.tokLimit, st.tokLeft, st.tokReset = int(tb.burst), tb.available(), tb.wait(tb.burst)
	}
	return st
}
