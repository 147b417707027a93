package edge_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// soakDuration is how long TestSoak sends traffic: DEEPGO_SOAK (a Go duration; CI sets
// several minutes), else 20 s, or 5 s with -short.
func soakDuration(t *testing.T) time.Duration {
	if v := os.Getenv("DEEPGO_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("DEEPGO_SOAK=%q: %v", v, err)
		}
		return d
	}
	if testing.Short() {
		return 5 * time.Second
	}
	return 20 * time.Second
}

// soakAction is one kind of traffic: do sends one instance and says how it ended, or
// returns an error for an outcome that must not happen.
type soakAction struct {
	name   string
	weight int
	do     func(s *soaker, r *rand.Rand) (string, error)
}

// soaker sends the traffic of TestSoak to one server.
type soaker struct {
	addr, base string
	client     *http.Client

	mu     sync.Mutex
	counts map[string]map[string]int // action → outcome → count
}

func (s *soaker) count(action, outcome string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts[action] == nil {
		s.counts[action] = map[string]int{}
	}
	s.counts[action][outcome]++
}

// TestSoak sends minutes of mixed traffic — good requests of both APIs, streamed and not
// and over the WebSocket, hostile ones, clients that vanish mid-stream, mid-generation or
// in the queue, WebSocket cancels, malformed HTTP, connections that never send and bursts
// over the connection limit — to a server alone in its process, and checks that
// afterwards its goroutines, file descriptors and memory are back at their baseline
// (issue 14).
func TestSoak(t *testing.T) {
	d := soakDuration(t)
	srv := startChild(t, childConfig{Slots: 2, Queue: 4, Ctx: 128, Threads: 1, MaxConns: 24,
		FirstByteTimeout: 300 * time.Millisecond, ReadTimeout: 2 * time.Second})
	s := &soaker{addr: srv.addr, base: srv.base, client: newClient(30 * time.Second), counts: map[string]map[string]int{}}
	actions := soakActions()

	// Warm up with every action once, so that lazily made pools and caches exist, then
	// take the baseline.
	r := rand.New(rand.NewPCG(1, 2))
	for _, a := range actions {
		if _, err := a.do(s, r); err != nil {
			t.Fatalf("warm-up %s: %v", a.name, err)
		}
	}
	base := settle(t, srv, childStats{Goroutines: 1 << 30})
	s.counts = map[string]map[string]int{}

	// The traffic: workers pick actions by weight until the time is up.
	total := 0
	for _, a := range actions {
		total += a.weight
	}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var errs []string
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for time.Now().Before(deadline) {
				n := r.IntN(total)
				a := actions[0]
				for _, x := range actions {
					if n -= x.weight; n < 0 {
						a = x
						break
					}
				}
				outcome, err := a.do(s, r)
				if err != nil {
					errMu.Lock()
					errs = append(errs, a.name+": "+truncate(err.Error(), 300))
					errMu.Unlock()
					outcome = "unexpected"
				}
				s.count(a.name, outcome)
			}
		}()
	}
	wg.Wait()
	after := settle(t, srv, base)

	tried := 0
	names := make([]string, 0, len(s.counts))
	for name := range s.counts {
		names = append(names, name)
	}
	sort.Strings(names)
	var lines []string
	for _, name := range names {
		n := 0
		for _, c := range s.counts[name] {
			n += c
		}
		tried += n
		lines = append(lines, fmt.Sprintf("%s %d %v", name, n, s.counts[name]))
	}
	report(t, "soak: %v, %d inputs, %d unexpected outcomes:\n  %s", d, tried, len(errs), strings.Join(lines, "\n  "))
	report(t, "soak: goroutines %d → %d, fds %d → %d, RSS %.1f → %.1f MB (peak %.1f MB), heap in use %.1f → %.1f MB",
		base.Goroutines, after.Goroutines, base.FDs, after.FDs, float64(base.RSS)/1e6, float64(after.RSS)/1e6,
		float64(after.Peak)/1e6, float64(base.HeapInuse)/1e6, float64(after.HeapInuse)/1e6)
	for i, e := range errs {
		if i == 20 {
			t.Errorf("... and %d more", len(errs)-20)
			break
		}
		t.Error(e)
	}
	if after.Goroutines > base.Goroutines+2 {
		t.Errorf("goroutines: %d after, %d before", after.Goroutines, base.Goroutines)
	}
	if after.FDs > base.FDs+2 {
		t.Errorf("file descriptors: %d after, %d before", after.FDs, base.FDs)
	}
	// Under the race detector RSS also holds its shadow memory, which it does not give
	// back: there the heap alone is judged.
	rssGrew := slow == 1 && after.RSS > base.RSS+32<<20
	if after.HeapInuse > base.HeapInuse+16<<20 || rssGrew {
		t.Errorf("memory: heap in use %.1f → %.1f MB, RSS %.1f → %.1f MB", float64(base.HeapInuse)/1e6,
			float64(after.HeapInuse)/1e6, float64(base.RSS)/1e6, float64(after.RSS)/1e6)
	}
}

// settle waits until the server is idle — nothing generating or queued, no connection
// open — and its goroutines and file descriptors are down to base's (or 15 s pass, long
// enough for fasthttp's idle workers to stop), and returns its stats.
func settle(t *testing.T, srv *child, base childStats) childStats {
	t.Helper()
	var st childStats
	end := time.Now().Add(15 * time.Second)
	for {
		st = srv.stats()
		idle := st.Active == 0 && st.Queued == 0 && st.Conns == 0
		if idle && st.Goroutines <= base.Goroutines && st.FDs <= base.FDs || time.Now().After(end) {
			if !idle {
				t.Errorf("the server is not idle: %+v", st)
			}
			return st
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// soakActions are the kinds of traffic and how often each comes.
func soakActions() []soakAction {
	return []soakAction{
		{"chat", 6, func(s *soaker, r *rand.Rand) (string, error) {
			return s.post("/v1/chat/completions", fmt.Sprintf(`{"model":"tiny","messages":[{"role":"user","content":"Hello %d"}],"max_tokens":%d}`, r.IntN(100), 1+r.IntN(8)), false)
		}},
		{"chat stream", 6, func(s *soaker, r *rand.Rand) (string, error) {
			return s.post("/v1/chat/completions", fmt.Sprintf(`{"model":"tiny","messages":[{"role":"user","content":"Tell %d"}],"max_tokens":%d,"stream":true,"stream_options":{"include_usage":true}}`, r.IntN(100), 1+r.IntN(16)), true)
		}},
		{"completion", 4, func(s *soaker, r *rand.Rand) (string, error) {
			stream := r.IntN(2) == 0
			return s.post("/v1/completions", fmt.Sprintf(`{"model":"tiny","prompt":"Once %d","max_tokens":%d,"logprobs":2,"stream":%v}`, r.IntN(100), 1+r.IntN(8), stream), stream)
		}},
		{"hostile", 8, func(s *soaker, r *rand.Rand) (string, error) {
			routes := []string{"/v1/chat/completions", "/v1/completions"}
			route := routes[r.IntN(2)]
			fields := hostileFields[route]
			v := hostileValues[r.IntN(len(hostileValues))].json
			if r.IntN(2) == 0 {
				v = `"` + v + `"`
			}
			stream := r.IntN(2) == 0
			return s.post(route, hostileBody(route, fields[r.IntN(len(fields))], v, stream), stream)
		}},
		{"bad body", 3, func(s *soaker, r *rand.Rand) (string, error) {
			bodies := []string{``, `{`, `[]`, `{"model":"tiny","messages":[{"role":"user","content":"x"}],"max_tokens":1,"max_tokens":2}`,
				"{\"model\":\"tiny\",\"prompt\":\"\xff\"}", `{"model":"tiny","prompt":[1,2,99999999]}`, `{"MODEL":"tiny","prompt":"x"}`,
				`{"model":"tiny","messages":` + strings.Repeat("[", 2000) + `}`, `{"model":"other","prompt":"x"}`}
			return s.post("/v1/completions", bodies[r.IntN(len(bodies))], false)
		}},
		{"stream vanishes", 4, func(s *soaker, r *rand.Rand) (string, error) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "POST", s.base+"/v1/chat/completions",
				strings.NewReader(`{"model":"tiny","messages":[{"role":"user","content":"a long story"}],"max_tokens":100,"stream":true}`))
			resp, err := s.client.Do(req)
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				return s.refusal(resp)
			}
			sseEvents(resp.Body, 1+r.IntN(4))
			return "left mid-stream", nil
		}},
		{"request vanishes", 4, func(s *soaker, r *rand.Rand) (string, error) {
			// Leaves while queued or generating a non-streamed reply.
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(r.IntN(300))*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "POST", s.base+"/v1/completions",
				strings.NewReader(`{"model":"tiny","prompt":"a long story","max_tokens":100}`))
			resp, err := s.client.Do(req)
			if err != nil {
				return "left before the reply", nil
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				return s.refusal(resp)
			}
			io.Copy(io.Discard, resp.Body)
			return "200", nil
		}},
		{"websocket", 4, func(s *soaker, r *rand.Rand) (string, error) {
			d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
			c, resp, err := d.Dial((&url.URL{Scheme: "ws", Host: s.addr, Path: "/ws"}).String(), nil)
			if err != nil {
				if resp != nil && resp.StatusCode == 503 {
					return "503", nil
				}
				return "", err
			}
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			c.WriteMessage(websocket.TextMessage, []byte(`{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":40}`))
			how := r.IntN(3)
			for i := 0; ; i++ {
				_, msg, err := c.ReadMessage()
				if err != nil {
					return "", err
				}
				m := string(msg)
				switch {
				case m == "[DONE]":
					return "done", nil
				case strings.HasPrefix(m, `{"error"`):
					if strings.Contains(m, `"cancelled"`) || strings.Contains(m, `"overloaded"`) {
						return "cancelled or overloaded", nil
					}
					return "", fmt.Errorf("error %s", m)
				case i == 2 && how == 0:
					c.WriteMessage(websocket.TextMessage, []byte(`{"type":"cancel"}`))
				case i == 2 && how == 1:
					return "closed mid-stream", nil
				}
			}
		}},
		{"malformed http", 2, func(s *soaker, r *rand.Rand) (string, error) {
			heads := []string{"GARBAGE\r\n\r\n", "POST /v1/completions HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
				"GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-A: b\r\n", 2000) + "\r\n", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"}
			c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
			if err != nil {
				return "", err
			}
			defer c.Close()
			c.Write([]byte(heads[r.IntN(len(heads))]))
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			b, _ := io.ReadAll(c)
			if bytes.Contains(b, []byte("HTTP/1.1 5")) && !bytes.Contains(b, []byte("HTTP/1.1 503")) {
				return "", fmt.Errorf("answered %q", b)
			}
			return "closed", nil
		}},
		{"silent connection", 2, func(s *soaker, r *rand.Rand) (string, error) {
			c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
			if err != nil {
				return "", err
			}
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.ReadAll(c) // the server closes it after its first-byte timeout
			return "closed by the server", nil
		}},
		{"connection burst", 1, func(s *soaker, r *rand.Rand) (string, error) {
			var conns []net.Conn
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			refused := 0
			for range 30 {
				c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
				if err != nil {
					return "", err
				}
				conns = append(conns, c)
				fmt.Fprintf(c, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
			}
			for _, c := range conns {
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					continue
				}
				resp.Body.Close()
				if resp.StatusCode == 503 {
					refused++
				}
			}
			return fmt.Sprintf("%d of 30 refused", min(refused/10*10, 30)), nil
		}},
	}
}

// post sends a request and checks the answer: a complete reply (a stream ends with
// [DONE]), an OpenAI-shaped 400, or an overload or rate limit refusal.
func (s *soaker) post(path, body string, stream bool) (string, error) {
	resp, err := s.client.Post(s.base+path, "application/json", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return s.refusal(resp)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if stream || strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		events, err := sseEvents(bytes.NewReader(b), 0)
		if err != nil || len(events) == 0 || events[len(events)-1] != "[DONE]" {
			return "", fmt.Errorf("stream did not end with [DONE]: %v %q", err, tail(events, 2))
		}
		return "200 stream", nil
	}
	var v struct {
		Choices []json.RawMessage `json:"choices"`
	}
	if err := json.Unmarshal(b, &v); err != nil || len(v.Choices) != 1 {
		return "", fmt.Errorf("reply %q: %v", b, err)
	}
	return "200", nil
}

// refusal checks an answer other than 200: OpenAI-shaped, and a status a client may be given.
func (s *soaker) refusal(resp *http.Response) (string, error) {
	b, _ := io.ReadAll(resp.Body)
	var e apiError
	if err := json.Unmarshal(b, &e); err != nil || e.Error == nil || e.Error.Message == nil || e.Error.Type == nil {
		return "", fmt.Errorf("%d with a body that is not an OpenAI error: %q", resp.StatusCode, b)
	}
	switch resp.StatusCode {
	case 400, 404, 413, 429:
	case 503:
		if resp.Header.Get("Retry-After") == "" {
			return "", fmt.Errorf("503 without Retry-After: %s", b)
		}
	default:
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return fmt.Sprint(resp.StatusCode), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
