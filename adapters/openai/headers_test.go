package openai

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRequestID(t *testing.T) {
	long := strings.Repeat("a", maxRequestID)
	for _, tc := range []struct {
		name, in string
		kept     bool
	}{
		{"uuid", "3f1e0a2c-6b7d-4c1e-9a55-0d3c1b2a4e6f", true},
		{"openai style", "req_0123456789abcdef", true},
		{"longest", long, true},
		{"empty", "", false},
		{"too long", long + "a", false},
		{"space", "a b", false},
		{"control", "a\x00b", false},
		{"newline", "a\r\nSet-Cookie: x", false},
		{"non-ASCII", "café", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RequestID(tc.in)
			if tc.kept && got != tc.in {
				t.Errorf("RequestID(%q) = %q; want it kept", tc.in, got)
			}
			if !tc.kept && (!strings.HasPrefix(got, "req_") || len(got) != 28 || !validRequestID(got)) {
				t.Errorf("RequestID(%q) = %q; want a new req_ id", tc.in, got)
			}
		})
	}
	if RequestID("") == RequestID("") {
		t.Errorf("two new ids are equal")
	}
}

// TestResponseHeaders: every response carries x-request-id, the client's when valid, errors
// and routes without a model included; the x-ratelimit-* headers come where limits apply.
func TestResponseHeaders(t *testing.T) {
	bare := NewHandler(Options{ModelName: testModel})
	for _, tc := range []struct{ name, method, path, body string }{
		{"health", "GET", "/health", ""},
		{"not found", "GET", "/nope", ""},
		{"not ready", "POST", RouteChat, "{}"},
		{"metrics", "GET", "/metrics", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := bare.Handle(context.Background(), &Request{Method: tc.method, Path: tc.path, Body: []byte(tc.body), RequestID: "mine-1"})
			if got := resp.Header[HeaderRequestID]; got != "mine-1" {
				t.Errorf("x-request-id %q", got)
			}
			resp = bare.Handle(context.Background(), &Request{Method: tc.method, Path: tc.path, Body: []byte(tc.body), RequestID: "bad id"})
			if got := resp.Header[HeaderRequestID]; !strings.HasPrefix(got, "req_") {
				t.Errorf("x-request-id %q for an invalid one", got)
			}
			if _, ok := resp.Header["x-ratelimit-limit-requests"]; ok {
				t.Errorf("rate-limit headers without limits: %v", resp.Header)
			}
		})
	}

	h := newTestHandler(t, Options{RPM: 10, TPM: 1000})
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	h.limits.now = clock.now
	post := func(body string) *Response {
		return h.Handle(context.Background(), &Request{Method: "POST", Path: RouteChat, Body: []byte(body), Client: "10.0.0.9"})
	}
	num := func(resp *Response, name string) int {
		t.Helper()
		n, err := strconv.Atoi(resp.Header[name])
		if err != nil {
			t.Fatalf("%s: %q (%v)", name, resp.Header[name], err)
		}
		return n
	}
	resp := post(chatBody(`"max_tokens":3`))
	if resp.Status != 200 {
		t.Fatalf("%d %s", resp.Status, resp.Body)
	}
	var cc ChatCompletion
	wantJSON(t, resp, 200, &cc)
	if num(resp, "x-ratelimit-limit-requests") != 10 || num(resp, "x-ratelimit-remaining-requests") != 9 ||
		resp.Header["x-ratelimit-reset-requests"] != "6s" {
		t.Errorf("request headers %v", resp.Header)
	}
	used := cc.Usage.TotalTokens
	if num(resp, "x-ratelimit-limit-tokens") != 1000 || num(resp, "x-ratelimit-remaining-tokens") != 1000-used {
		t.Errorf("token headers %v; %d tokens used", resp.Header, used)
	}
	if d, err := time.ParseDuration(resp.Header["x-ratelimit-reset-tokens"]); err != nil || d != time.Duration(used)*time.Minute/1000 {
		t.Errorf("x-ratelimit-reset-tokens %q; %d tokens used", resp.Header["x-ratelimit-reset-tokens"], used)
	}
	// A 400 counts its request and says so.
	resp = post(`{"model":"tiny"}`)
	wantError(t, resp, 400, "invalid_request_error", "missing_required_parameter")
	if num(resp, "x-ratelimit-remaining-requests") != 8 {
		t.Errorf("after a 400: %v", resp.Header)
	}
	// A 429 too.
	for range 8 {
		post(`{"model":"tiny"}`)
	}
	resp = post(chatBody(`"max_tokens":3`))
	wantError(t, resp, 429, "rate_limit_error", "rate_limit_exceeded")
	if num(resp, "x-ratelimit-remaining-requests") != 0 || resp.Header[HeaderRequestID] == "" {
		t.Errorf("429 headers %v", resp.Header)
	}
}

// TestHTTPHeaders: the net/http transport (Lambda, Cloud Functions) sends the headers too,
// on its own errors as well.
func TestHTTPHeaders(t *testing.T) {
	h := newTestHandler(t, Options{RPM: 5})
	srv := httptest.NewServer(h.HTTPHandler(100))
	defer srv.Close()
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"reply", `{"model":"tiny","prompt":"Hi","max_tokens":2}`, 200},
		{"too large", strings.Repeat("x", 200), 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+RouteCompletions, strings.NewReader(tc.body))
			req.Header.Set("X-Request-Id", "trace-42")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Header.Get("X-Request-Id") != "trace-42" {
				t.Errorf("%d, x-request-id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
			}
			if tc.status == 200 && resp.Header.Get("X-Ratelimit-Limit-Requests") != "5" {
				t.Errorf("headers %v", resp.Header)
			}
		})
	}
}
