package openai

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseKeys(t *testing.T) {
	type key struct {
		key      string
		rpm, tpm int
	}
	tests := []struct {
		name, in string
		want     []key
		err      string // a substring of the error; "" = no error
	}{
		{name: "one", in: "sk-one\n", want: []key{{"sk-one", 0, 0}}},
		{name: "no trailing newline", in: "sk-one", want: []key{{"sk-one", 0, 0}}},
		{name: "comments and blanks", in: "# the keys\n\n   \nsk-a rpm=10\n  # indented comment\nsk-b tpm=2000 rpm=5\n\t\n",
			want: []key{{"sk-a", 10, 0}, {"sk-b", 5, 2000}}},
		{name: "comment with a comma", in: "# old key, revoked\nsk-live\n", want: []key{{"sk-live", 0, 0}}},
		{name: "comment with comma and options", in: "# keys for A, B rpm=1\nsk-live\n", want: []key{{"sk-live", 0, 0}}},
		{name: "env form", in: "k1 rpm=10,k2, k3 tpm=7 ,", want: []key{{"k1", 10, 0}, {"k2", 0, 0}, {"k3", 0, 7}}},
		{name: "crlf", in: "k1 rpm=3\r\nk2\r\n", want: []key{{"k1", 3, 0}, {"k2", 0, 0}}},
		{name: "zero limits", in: "k rpm=0 tpm=0", want: []key{{"k", 0, 0}}},
		{name: "empty", in: "", err: "test.keys: no API keys"},
		{name: "only comments", in: "# a\n#b\n\n", err: "no API keys"},
		{name: "bad option", in: "k1\nk2 rpm10\n", err: `test.keys:2: "rpm10"`},
		{name: "unknown option", in: "k1\n\nk3 burst=5", err: `test.keys:3: "burst=5"`},
		{name: "negative", in: "k rpm=-1", err: `test.keys:1: "rpm=-1"`},
		{name: "not a number", in: "k tpm=lots", err: "want rpm=N or tpm=N"},
		{name: "trailing comment", in: "k # mine", err: `test.keys:1: "#"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := ParseKeys(strings.NewReader(tc.in), "test.keys")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v; want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ks.Len() != len(tc.want) {
				t.Fatalf("%d keys; want %d", ks.Len(), len(tc.want))
			}
			for i, w := range tc.want {
				k, ok := ks.lookup(w.key)
				if !ok {
					t.Fatalf("key %q not found", w.key)
				}
				if k != &ks.keys[i] || k.RPM != w.rpm || k.TPM != w.tpm {
					t.Errorf("key %q: %+v; want rpm %d tpm %d at %d", w.key, *k, w.rpm, w.tpm, i)
				}
				if strings.Contains(k.Name, w.key) && len(w.key) > 6 {
					t.Errorf("key name %q shows the whole key", k.Name)
				}
			}
		})
	}
}

func TestKeysLookup(t *testing.T) {
	ks, err := ParseKeys(strings.NewReader("sk-abcdefgh rpm=1\nsk-other\n"), "k")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "sk-abcdefg", "sk-abcdefghi", "SK-ABCDEFGH", " sk-abcdefgh", "rpm=1"} {
		if _, ok := ks.lookup(bad); ok {
			t.Errorf("lookup(%q) found a key", bad)
		}
	}
	k, ok := ks.lookup("sk-abcdefgh")
	if !ok || k.RPM != 1 || k.Name != "sk-abc…" {
		t.Errorf("lookup: %+v %v", k, ok)
	}
	if keyName("short") != "…" {
		t.Errorf("keyName(short) = %q", keyName("short"))
	}
}

func TestBearer(t *testing.T) {
	tests := []struct {
		h, tok string
		ok     bool
	}{
		{"Bearer sk-1", "sk-1", true},
		{"bearer sk-1", "sk-1", true},
		{"BEARER sk-1", "sk-1", true},
		{"BeArEr   sk-1  ", "sk-1", true},
		{"Bearer ", "", true},
		{"Bearer", "", false},
		{"Basic dXNlcjpwYXNz", "", false},
		{"sk-1", "", false},
		{"", "", false},
		{"Bearersk-1", "", false},
	}
	for _, tc := range tests {
		tok, ok := bearer(tc.h)
		if tok != tc.tok || ok != tc.ok {
			t.Errorf("bearer(%q) = %q, %v; want %q, %v", tc.h, tok, ok, tc.tok, tc.ok)
		}
	}
}

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

func TestLimiterRequests(t *testing.T) {
	l, clock := newTestLimiter()
	b := l.get("a", 2, 0)
	for i := range 2 {
		if wait, what, tooBig, _ := l.admit(b, 100); wait != 0 || what != "" || tooBig {
			t.Fatalf("request %d: wait %v %q %v", i, wait, what, tooBig)
		}
	}
	wait, what, tooBig, _ := l.admit(b, 100)
	if wait <= 0 || what != "requests" || tooBig {
		t.Fatalf("third request: wait %v %q %v; want a wait for requests", wait, what, tooBig)
	}
	// 2 per minute: the next one comes in 30 s.
	if wait != 30*time.Second {
		t.Errorf("wait %v; want 30s", wait)
	}
	if s := seconds(wait); s != 30 {
		t.Errorf("Retry-After %d; want 30", s)
	}
	// A refused request takes nothing: the wait does not grow.
	if w2, _, _, _ := l.admit(b, 100); w2 != wait {
		t.Errorf("second refusal waits %v; want %v", w2, wait)
	}
	clock.advance(wait)
	if wait, _, _, _ := l.admit(b, 100); wait != 0 {
		t.Errorf("after the wait: wait %v", wait)
	}
	// Another caller has its own bucket; the same caller gets the same one.
	if l.get("b", 2, 0) == b || l.get("a", 99, 99) != b {
		t.Errorf("buckets not per caller")
	}
	if w, _, _, _ := l.admit(l.get("b", 2, 0), 1); w != 0 {
		t.Errorf("caller b waits %v", w)
	}
}

func TestLimiterTokens(t *testing.T) {
	l, clock := newTestLimiter()
	b := l.get("a", 10, 600) // 10 tokens a second
	if wait, what, tooBig, _ := l.admit(b, 601); wait != 0 || what != "tokens" || !tooBig {
		t.Fatalf("prompt over the bucket: wait %v %q tooBig %v", wait, what, tooBig)
	}
	// The refused prompt took no request either.
	for i := range 10 {
		if wait, _, _, _ := l.admit(b, 0); wait != 0 {
			t.Fatalf("request %d after tooBig waits %v", i, wait)
		}
	}
	clock.advance(time.Minute)
	if wait, _, _, _ := l.admit(b, 500); wait != 0 {
		t.Fatalf("500 tokens: wait %v", wait)
	}
	wait, what, tooBig, _ := l.admit(b, 200)
	if what != "tokens" || tooBig || wait != 10*time.Second {
		t.Fatalf("200 more tokens: wait %v %q %v; want 10s for tokens", wait, what, tooBig)
	}
	// The refusal for tokens gave back the request: 9 requests are left in the minute.
	clock.advance(10 * time.Second)
	if wait, _, _, _ := l.admit(b, 200); wait != 0 {
		t.Fatalf("after 10 s: wait %v", wait)
	}
}

func TestLimiterCharge(t *testing.T) {
	l, clock := newTestLimiter()
	b := l.get("a", 0, 60) // one token a second
	if wait, _, _, _ := l.admit(b, 10); wait != 0 {
		t.Fatal(wait)
	}
	l.charge(b, 50) // the bucket now holds 0 tokens
	wait, what, _, _ := l.admit(b, 5)
	if what != "tokens" || wait != 5*time.Second {
		t.Fatalf("after charge: wait %v %q; want 5s", wait, what)
	}
	// Charging more than the bucket holds puts it in debt (at most one bucket's worth).
	l.charge(b, 1000)
	wait, _, _, _ = l.admit(b, 1)
	if wait != 61*time.Second {
		t.Fatalf("in debt: wait %v; want 61s", wait)
	}
	if seconds(wait) != 61 {
		t.Errorf("Retry-After %d", seconds(wait))
	}
	clock.advance(61 * time.Second)
	if wait, _, _, _ := l.admit(b, 1); wait != 0 {
		t.Fatalf("after paying the debt: wait %v", wait)
	}
	// No token limit, or nothing generated: charge is a no-op.
	nb := l.get("b", 5, 0)
	l.charge(nb, 100)
	l.charge(b, 0)
	l.charge(b, -3)
}

func TestLimiterNoLimits(t *testing.T) {
	l, _ := newTestLimiter()
	b := l.get("x", 0, 0)
	for range 1000 {
		if wait, what, tooBig, _ := l.admit(b, 1<<20); wait != 0 || what != "" || tooBig {
			t.Fatalf("unlimited caller limited: %v %q %v", wait, what, tooBig)
		}
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
	clock.advance(2 * time.Minute)
	l.get("new", 1, 0)
	if len(l.callers) != 1 {
		t.Errorf("idle callers not dropped: %d left", len(l.callers))
	}
}

func TestSeconds(t *testing.T) {
	for d, want := range map[time.Duration]int{0: 1, time.Millisecond: 1, time.Second: 1, 1001 * time.Millisecond: 2, 90 * time.Second: 90} {
		if got := seconds(d); got != want {
			t.Errorf("seconds(%v) = %d; want %d", d, got, want)
		}
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
	if w, _, _, _ := l.admit(b, 0); w != 0 {
		t.Fatal(w)
	}
	if w, _, _, _ := l.admit(l.get("new", 1, 0), 0); w == 0 {
		t.Error("a new caller in a full table is not limited")
	}
}

// undo gives back the request and the tokens a refused request took.
func TestLimiterUndo(t *testing.T) {
	l, _ := newTestLimiter()
	b := l.get("u", 1, 100)
	_, _, _, undo := l.admit(b, 80)
	undo()
	if w, what, _, _ := l.admit(b, 80); w != 0 {
		t.Errorf("after undo: wait %v for %s", w, what)
	}
}
