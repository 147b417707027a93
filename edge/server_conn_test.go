package edge_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deepgo/deepgo/edge"
)

// rawRequest sends raw bytes on a new connection and returns what the server answers
// until it closes the connection (or limit passes).
func rawRequest(t *testing.T, addr, raw string, limit time.Duration) (string, time.Duration) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if raw != "" {
		if _, err := io.WriteString(c, raw); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Now()
	c.SetReadDeadline(time.Now().Add(limit))
	got, _ := io.ReadAll(c)
	return string(got), time.Since(t0)
}

// TestConnectionLimit checks that a connection over --max-conns gets an OpenAI-shaped 503
// with Retry-After (issue 14: fasthttp's plain-text 503 had none), and that closing one
// makes room again.
func TestConnectionLimit(t *testing.T) {
	ts := start(t, setup{edge: edge.Config{MaxConns: 3}})
	var held []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n") // keep-alive: stays open
		held = append(held, c)
	}
	for _, c := range held {
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("held connection: %v %v", resp, err)
		}
	}
	for range 2 {
		r := ts.doWith(newClient(5*time.Second), nil, "POST", "/v1/chat/completions", "", chatBody("hi", 2, false, nil))
		checkError(t, "over the connection limit", r, 503, "overloaded")
		if r.header.Get("Retry-After") != "1" || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("over the limit: headers %v", r.header)
		}
	}
	text := string(metricsText(t, held[0]))
	if got := metricValue(t, text, "deepgo_connections_refused_total"); got != 2 {
		t.Errorf("deepgo_connections_refused_total %v, want 2", got)
	}
	if got := metricValue(t, text, "deepgo_connections_open"); got != 3 {
		t.Errorf("deepgo_connections_open %v, want 3", got)
	}
	held[0].Close()
	if !waitFor(2*time.Second, func() bool {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			return false
		}
		defer c.Close()
		io.WriteString(c, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		return err == nil && resp.StatusCode == 200
	}) {
		t.Errorf("no room after a connection closed")
	}
	for _, c := range held[1:] {
		c.Close()
	}
}

// metricsText asks for /metrics on an open keep-alive connection.
func metricsText(t *testing.T, c net.Conn) []byte {
	t.Helper()
	io.WriteString(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

// TestFirstByteTimeout checks that a connection that never sends is closed after
// FirstByteTimeout, while one that sends keeps ReadTimeout for its request.
func TestFirstByteTimeout(t *testing.T) {
	ts := start(t, setup{edge: edge.Config{FirstByteTimeout: 300 * time.Millisecond, ReadTimeout: 3 * time.Second}})
	got, d := rawRequest(t, ts.addr, "", 5*time.Second)
	if d < 200*time.Millisecond || d > 2*time.Second {
		t.Errorf("a silent connection was closed after %v (answer %q); want about 300 ms", d, got)
	}
	// A request whose head arrives slowly after its first byte is not cut at 300 ms.
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /hea")
	time.Sleep(600 * time.Millisecond)
	io.WriteString(c, "lth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("a slow but live request: %v %v", resp, err)
	}
}

// TestMalformedRequestNoEcho checks that the 400 for an unreadable request does not echo
// the request head, whose Authorization is a secret (issue 14).
func TestMalformedRequestNoEcho(t *testing.T) {
	ts := start(t, setup{})
	const secret = "sk-very-secret-key-1234"
	for _, tc := range []struct{ name, raw string }{
		{"bad Content-Length", "POST /v1/chat/completions HTTP/1.1\r\nAuthorization: Bearer " + secret + "\r\nContent-Length: x\r\n\r\n"},
		{"header without a colon", "GET /v1/models HTTP/1.1\r\nAuthorization: Bearer " + secret + "\r\nHost x\r\n\r\n"},
		{"NUL in the method", "GET\x00 /v1/models HTTP/1.1\r\nAuthorization: Bearer " + secret + "\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := rawRequest(t, ts.addr, tc.raw, 5*time.Second)
			if strings.Contains(got, secret) || strings.Contains(got, "Authorization") {
				t.Errorf("the answer echoes the request head: %q", got)
			}
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(got)), nil)
			if err != nil {
				t.Errorf("unreadable answer %q: %v", got, err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			checkError(t, "malformed request", reply{status: resp.StatusCode, header: resp.Header, body: body}, resp.StatusCode, "")
			if resp.StatusCode != 400 {
				t.Errorf("status %d, want 400", resp.StatusCode)
			}
		})
	}
}

// TestNonStreamedDisconnect checks that a non-streamed generation stops when its client
// goes away, and that a queued client that goes away gives up its place (issue 14).
func TestNonStreamedDisconnect(t *testing.T) {
	// The endless model: the first generation must still run when its client leaves.
	ts := start(t, setup{slots: 1, queue: 1, endless: true})
	post := func(ctx context.Context, content string) error {
		req, err := http.NewRequestWithContext(ctx, "POST", ts.base+"/v1/chat/completions",
			strings.NewReader(`{"model":"tiny","messages":[{"role":"user","content":"`+content+`"}],"max_tokens":3000}`))
		if err != nil {
			return err
		}
		resp, err := newClient(time.Minute).Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	running, stopRunning := context.WithCancel(context.Background())
	queued, stopQueued := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stopRunning()
	defer stopQueued()
	wg.Add(2)
	go func() { defer wg.Done(); post(running, "a long story") }()
	if !waitFor(10*time.Second, func() bool { return ts.b.Scheduler().Stats().Active == 1 }) {
		t.Fatalf("the first request did not start: %+v", ts.b.Scheduler().Stats())
	}
	go func() { defer wg.Done(); post(queued, "another") }()
	if !waitFor(10*time.Second, func() bool { return ts.b.Scheduler().Stats().Queued == 1 }) {
		t.Fatalf("the second request did not queue: %+v", ts.b.Scheduler().Stats())
	}
	// The queued client leaves: its place is free for another (no 503).
	stopQueued()
	if !waitFor(2*time.Second*slow, func() bool { return ts.b.Scheduler().Stats().Queued == 0 }) {
		t.Fatalf("a queued client that left keeps its place: %+v", ts.b.Scheduler().Stats())
	}
	// The running client leaves: its generation stops within a few tokens.
	t0 := time.Now()
	stopRunning()
	if !waitFor(2*time.Second*slow, func() bool { return ts.b.Scheduler().Stats().Active == 0 }) {
		t.Fatalf("the generation still runs %v after its client left: %+v", 2*time.Second*slow, ts.b.Scheduler().Stats())
	}
	t.Logf("slot free %v after the client left", time.Since(t0).Round(time.Millisecond))
	wg.Wait()
	text := string(ts.do("GET", "/metrics", "", nil).body)
	if got := metricValue(t, text, "deepgo_client_disconnects_total"); got != 2 {
		t.Errorf("deepgo_client_disconnects_total %v, want 2", got)
	}
	if r := ts.do("POST", "/v1/chat/completions", "", chatBody("next", 3, false, nil)); r.status != 200 {
		t.Errorf("next request: %d %s", r.status, r.body)
	}
}
