package edge_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHeaders: through the real server every response carries x-request-id (the client's
// when it is valid, else a new one): replies, streams, errors of the handler and of the
// transport; the x-ratelimit-* headers come with generations when limits are set.
func TestHeaders(t *testing.T) {
	ts := start(t, setup{keys: "sk-h rpm=50 tpm=5000\n"})
	const auth = "Bearer sk-h"
	for _, tc := range []struct {
		name, method, path, auth string
		body                     any
		status                   int
		limits                   bool
	}{
		{"chat", "POST", "/v1/chat/completions", auth, chatBody("Hi", 2, false, nil), 200, true},
		{"stream", "POST", "/v1/completions", auth, completionBody("In the beginning", 2, true, nil), 200, true},
		{"bad request", "POST", "/v1/completions", auth, `{"model":"tiny"}`, 400, true},
		{"no key", "POST", "/v1/chat/completions", "", chatBody("Hi", 2, false, nil), 401, false},
		{"not found", "GET", "/v2/nothing", "", nil, 404, false},
		{"health", "GET", "/health", "", nil, 200, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.send(t, defaultClient, map[string]string{"X-Request-Id": "client-" + tc.name[:2]}, tc.method, tc.path, tc.auth, tc.body)
			if r.status != tc.status || r.header.Get("X-Request-Id") != "client-"+tc.name[:2] {
				t.Errorf("%d, x-request-id %q: %s", r.status, r.header.Get("X-Request-Id"), r.body)
			}
			if got := r.header.Get("X-Ratelimit-Limit-Requests") == "50" && r.header.Get("X-Ratelimit-Limit-Tokens") == "5000" &&
				r.header.Get("X-Ratelimit-Remaining-Tokens") != "" && r.header.Get("X-Ratelimit-Reset-Requests") != ""; got != tc.limits {
				t.Errorf("rate-limit headers %v; want them: %v", r.header, tc.limits)
			}
			// An id the server will not echo is replaced by one of its own.
			r = ts.send(t, defaultClient, map[string]string{"X-Request-Id": strings.Repeat("z", 200)}, tc.method, tc.path, tc.auth, tc.body)
			if id := r.header.Get("X-Request-Id"); !strings.HasPrefix(id, "req_") {
				t.Errorf("x-request-id %q for a 200-byte one", id)
			}
		})
	}
	// A request fasthttp refuses (a body over --max-body) is answered by the transport,
	// with the client's id too.
	c, err := net.DialTimeout("tcp", ts.addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "POST /v1/completions HTTP/1.1\r\nHost: x\r\nX-Request-Id: raw-1\r\nContent-Length: 999999999\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 || resp.Header.Get("X-Request-Id") != "raw-1" {
		t.Errorf("body too large: %d, x-request-id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
	// The WebSocket's refusal too.
	_, wr, err := ts.dialWS("Bearer wrong", "")
	if err == nil || wr == nil || wr.StatusCode != 401 || !strings.HasPrefix(wr.Header.Get("X-Request-Id"), "req_") {
		t.Errorf("WebSocket refusal: %v %+v", err, wr)
	}
}
