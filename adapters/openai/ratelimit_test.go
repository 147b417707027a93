package openai

import (
	"fmt"
	"testing"
	"time"
)

// fakeClock is a limiter clock that moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestLimiter() (*limiter, *fakeClock) {
	c := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter()
	l.now = c.now
	return l, c
}

// mustBegin begins a request that the limits must let through.
func mustBegin(t *testing.T, l *limiter, b *buckets) *grant {
	t.Helper()
	g, r := l.begin(b)
	if r != nil {
		t.Fatalf("begin refused: %+v", r)
	}
	return g
}

func TestLimiterRequests(t *testing.T) {
	l, clock := newTestLimiter()
	b := l.get("a", 2, 0)
	for range 2 {
		l.settle(mustBegin(t, l, b), 0)
	}
	_, r := l.begin(b)
	if r == nil || r.what != "requests" || r.limit != 2 {
		t.Fatalf("third request: %+v; want a wait for requests", r)
	}
	// 2 per minute: the next one comes in 30 s.
	if r.wait != 30*time.Second || seconds(r.wait) != 30 {
		t.Errorf("wait %v; want 30s", r.wait)
	}
	// A refused request takes nothing: the wait does not grow.
	if _, r2 := l.begin(b); r2 == nil || r2.wait != r.wait {
		t.Errorf("second refusal: %+v; want a wait of %v", r2, r.wait)
	}
	clock.advance(r.wait)
	mustBegin(t, l, b)
	// Another caller has its own bucket; the same caller gets the same one.
	if l.get("b", 2, 0) == b || l.get("a", 99, 99) != b {
		t.Errorf("buckets not per caller")
	}
	mustBegin(t, l, l.get("b", 2, 0))
}

func TestLimiterReserve(t *testing.T) {
	l, clock := newTestLimiter()
	b := l.get("a", 0, 600) // 10 tokens a second
	tests := []struct {
		name                string
		prompt, least, most int
		advance             time.Duration
		gen                 int           // generated tokens reserved
		wait                time.Duration // -1: never fits
		used                int           // tokens the request then used (settle)
	}{
		{"prompt over the bucket", 601, 1, 10, 0, 0, -1, 0},
		{"prompt and max_tokens over the bucket", 500, 101, 101, 0, 0, -1, 0},
		{"whole reservation", 100, 50, 50, 0, 50, 0, 150},              // 450 left
		{"default length: what is left", 100, 1, 1000, 0, 350, 0, 110}, // 450-450+340 refunded = 340 left
		{"too many now", 300, 50, 50, 0, 0, 1 * time.Second, 0},        // needs 350, has 340: 1 s
		{"after the wait", 300, 50, 50, time.Second, 50, 0, 350},       // 350-350 = 0 left
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock.advance(tc.advance)
			g := mustBegin(t, l, b)
			gen, r := l.reserve(g, tc.prompt, tc.least, tc.most)
			switch {
			case tc.wait == -1:
				if r == nil || r.wait != 0 || r.what != "tokens" || r.limit != 600 {
					t.Fatalf("refusal %+v; want never (wait 0)", r)
				}
				l.refund(g)
				return
			case tc.wait > 0:
				if r == nil || r.wait != tc.wait {
					t.Fatalf("refusal %+v; want a wait of %v", r, tc.wait)
				}
				l.refund(g)
				return
			case r != nil:
				t.Fatalf("refused: %+v", r)
			}
			if gen != tc.gen {
				t.Errorf("reserved %d generated tokens; want %d", gen, tc.gen)
			}
			l.settle(g, tc.used)
			l.settle(g, 0) // a second settle does nothing
		})
	}
}

// TestLimiterHolds checks the promise of the token limit: whatever a caller asks for,
// over a minute it gets at most its limit plus what its bucket held at the start.
func TestLimiterHolds(t *testing.T) {
	for _, maxTokens := range []int{0, 1, 50, 199, 200, 3000} {
		t.Run(fmt.Sprint("max_tokens=", maxTokens), func(t *testing.T) {
			l, clock := newTestLimiter()
			const tpm, prompt = 200, 10
			b := l.get("k", 0, tpm)
			used := 0
			for step := 0; step < 600; step++ { // a minute in 100 ms steps
				g, r := l.begin(b)
				if r == nil {
					least, most := 1, 4096
					if maxTokens > 0 {
						least, most = maxTokens, maxTokens
					}
					gen, r := l.reserve(g, prompt, least, most)
					if r != nil {
						l.refund(g)
					} else {
						used += prompt + gen // the whole reservation is generated
						l.settle(g, prompt+gen)
					}
				}
				clock.advance(100 * time.Millisecond)
			}
			if used > 2*tpm {
				t.Errorf("%d tokens in a minute with tpm %d", used, tpm)
			}
			if maxTokens+prompt <= tpm && used < tpm {
				t.Errorf("only %d tokens in a minute with tpm %d", used, tpm)
			}
		})
	}
}

// A request the server refuses gets everything back; one the client got wrong keeps its
// request spent.
func TestLimiterRefund(t *testing.T) {
	l, _ := newTestLimiter()
	b := l.get("u", 1, 100)
	g := mustBegin(t, l, b)
	if _, r := l.reserve(g, 80, 1, 20); r != nil {
		t.Fatal(r)
	}
	l.refund(g)
	l.refund(g) // a second refund does nothing
	g = mustBegin(t, l, b)
	if gen, r := l.reserve(g, 80, 20, 20); r != nil || gen != 20 {
		t.Fatalf("after refund: %d, %+v", gen, r)
	}
	l.settle(g, 0)
	if _, r := l.begin(b); r == nil || r.what != "requests" {
		t.Errorf("after a settled request: %+v; want the request spent", r)
	}
}

// A caller whose token bucket is empty is refused before its body is read.
func TestLimiterEmptyBucket(t *testing.T) {
	l, clock := newTestLimiter()
	b := l.get("e", 0, 60)
	g := mustBegin(t, l, b)
	if _, r := l.reserve(g, 30, 30, 30); r != nil {
		t.Fatal(r)
	}
	_, r := l.begin(b)
	if r == nil || r.what != "tokens" || r.wait != time.Second {
		t.Fatalf("empty bucket: %+v; want a wait of 1 s for tokens", r)
	}
	l.settle(g, 30) // 30 unused come back
	clock.advance(0)
	mustBegin(t, l, b)
}

func TestLimiterNoLimits(t *testing.T) {
	l, _ := newTestLimiter()
	b := l.get("x", 0, 0)
	for range 1000 {
		g := mustBegin(t, l, b)
		if gen, r := l.reserve(g, 1<<20, 5, 7); r != nil || gen != 7 {
			t.Fatalf("unlimited caller limited: %d %+v", gen, r)
		}
		l.settle(g, 1<<20)
	}
}

func TestLimiterCallerTable(t *testing.T) {
	l, clock := newTestLimiter()
	for i := range maxCallers {
		l.get(string(rune(i)), 1, 0)
	}
	if len(l.callers) != maxCallers {
		t.Fatalf("%d callers", len(l.callers))
	}
	busy := mustBegin(t, l, l.get(string(rune(7)), 1, 0))
	clock.advance(2 * time.Minute)
	l.get("new", 1, 0)
	if len(l.callers) != 2 || l.callers[string(rune(7))] == nil {
		t.Errorf("idle callers not dropped, or a busy one dropped: %d left", len(l.callers))
	}
	l.settle(busy, 0)
}

func TestSeconds(t *testing.T) {
	for d, want := range map[time.Duration]int{0: 1, time.Millisecond: 1, time.Second: 1, 1001 * time.Millisecond: 2, 90 * time.Second: 90} {
		t.Run(d.String(), func(t *testing.T) {
			if got := seconds(d); got != want {
				t.Errorf("seconds(%v) = %d; want %d", d, got, want)
			}
		})
	}
}

// A full table of active callers evicts the one seen longest ago: a new caller's bucket is
// kept, so it is limited like any other.
func TestLimiterFullTable(t *testing.T) {
	l, clock := newTestLimiter()
	for i := range maxCallers {
		l.get(fmt.Sprint("c", i), 1, 0)
		clock.advance(time.Millisecond)
	}
	b := l.get("new", 1, 0)
	if len(l.callers) != maxCallers || l.callers["new"] != b || l.callers["c0"] != nil {
		t.Fatalf("table of %d; new kept %v; oldest dropped %v", len(l.callers), l.callers["new"] == b, l.callers["c0"] == nil)
	}
	mustBegin(t, l, b)
	if _, r := l.begin(l.get("new", 1, 0)); r == nil {
		t.Error("a new caller in a full table is not limited")
	}
}
