package edge_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deepgo/deepgo/edge"
)

// metricValue returns the value of a sample line "name{labels} value" of /metrics text.
func metricValue(t *testing.T, text, series string) float64 {
	t.Helper()
	for line := range strings.SplitSeq(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", series, err)
			}
			return f
		}
	}
	return -1
}

func TestRoutes(t *testing.T) {
	ts := start(t, setup{})

	r := ts.do("GET", "/health", "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"status":"ok"`) {
		t.Errorf("/health: %d %s", r.status, r.body)
	}
	r = ts.do("GET", "/ready", "", nil)
	var ready struct{ Status, Model string }
	if r.status != 200 || json.Unmarshal(r.body, &ready) != nil || ready.Status != "ready" || ready.Model != "tiny" {
		t.Errorf("/ready: %d %s", r.status, r.body)
	}

	r = ts.do("GET", "/v1/models", "", nil)
	var list struct {
		Object string
		Data   []struct{ ID, Object, OwnedBy string }
	}
	if r.status != 200 || json.Unmarshal(r.body, &list) != nil || list.Object != "list" || len(list.Data) != 1 ||
		list.Data[0].ID != "tiny" || list.Data[0].Object != "model" {
		t.Errorf("/v1/models: %d %s", r.status, r.body)
	}
	r = ts.do("GET", "/v1/models/tiny", "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"id":"tiny"`) {
		t.Errorf("/v1/models/tiny: %d %s", r.status, r.body)
	}

	r = ts.do("GET", "/", "", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(r.body), "deepgo playground") {
		t.Errorf("/: %d %q, %d bytes", r.status, r.header.Get("Content-Type"), len(r.body))
	}
	if r.header.Get("Content-Security-Policy") == "" {
		t.Errorf("/: no Content-Security-Policy")
	}
	r = ts.do("POST", "/", "", "{}")
	if r.status != 405 {
		t.Errorf("POST /: %d, want 405", r.status)
	}

	r = ts.do("GET", "/favicon.ico", "", nil)
	if r.status != 204 || len(r.body) != 0 {
		t.Errorf("/favicon.ico: %d %q", r.status, r.body)
	}

	// CORS preflight.
	r = ts.doWith(defaultClient, map[string]string{"Origin": "https://example.com",
		"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"},
		"OPTIONS", "/v1/chat/completions", "", nil)
	if r.status != 204 {
		t.Errorf("OPTIONS: status %d", r.status)
	}
	if got := r.header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("OPTIONS: Access-Control-Allow-Origin %q", got)
	}
	if got := r.header.Get("Access-Control-Allow-Methods"); !strings.Contains(got, "POST") {
		t.Errorf("OPTIONS: Access-Control-Allow-Methods %q", got)
	}
	if got := strings.ToLower(r.header.Get("Access-Control-Allow-Headers")); !strings.Contains(got, "authorization") || !strings.Contains(got, "content-type") {
		t.Errorf("OPTIONS: Access-Control-Allow-Headers %q", got)
	}
	// A browser SDK's own headers are allowed (the openai package's x-stainless-*); a list
	// that is not header names is not echoed.
	for _, c := range []struct{ requested, want, notWant string }{
		{"authorization, content-type, x-stainless-arch, x-stainless-lang, x-stainless-os, x-stainless-package-version, x-stainless-retry-count, x-stainless-runtime, x-stainless-runtime-version, x-stainless-timeout",
			"x-stainless-retry-count", ""},
		{"x-a (set-cookie)", "authorization", "set-cookie"},
	} {
		r = ts.doWith(defaultClient, map[string]string{"Origin": "https://example.com",
			"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": c.requested},
			"OPTIONS", "/v1/responses", "", nil)
		got := strings.ToLower(r.header.Get("Access-Control-Allow-Headers"))
		if r.status != 204 || !strings.Contains(got, c.want) || c.notWant != "" && strings.Contains(got, c.notWant) {
			t.Errorf("OPTIONS asking for %q: %d, Access-Control-Allow-Headers %q", c.requested, r.status, got)
		}
		if got := strings.ToLower(r.header.Get("Access-Control-Expose-Headers")); !strings.Contains(got, "x-request-id") || !strings.Contains(got, "x-ratelimit-remaining-tokens") {
			t.Errorf("OPTIONS: Access-Control-Expose-Headers %q", got)
		}
	}
	// A request with an Origin gets the header too; one without does not.
	r = ts.doWith(defaultClient, map[string]string{"Origin": "https://example.com"}, "GET", "/v1/models", "", nil)
	if r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET with Origin: no Access-Control-Allow-Origin")
	}
	r = ts.do("GET", "/v1/models", "", nil)
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET without Origin: Access-Control-Allow-Origin %q", r.header.Get("Access-Control-Allow-Origin"))
	}

	// Metrics count this test's requests: 2 model-list GETs with status 200 since the first.
	r = ts.do("GET", "/metrics", "", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %q", r.status, r.header.Get("Content-Type"))
	}
	text := string(r.body)
	for _, want := range []string{"# TYPE deepgo_requests_total counter", "# HELP deepgo_requests_total", "deepgo_model_loaded 1", "deepgo_slots 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	checks := map[string]float64{
		`deepgo_requests_total{route="/health",code="200"}`:    1,
		`deepgo_requests_total{route="/ready",code="200"}`:     1,
		`deepgo_requests_total{route="/v1/models",code="200"}`: 4,
	}
	for series, want := range checks {
		if got := metricValue(t, text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	// Every sample line is "name{labels} value" or "name value".
	sample := regexp.MustCompile(`^[a-z_]+(\{[^}]*\})? [-+0-9.eInf]+$`)
	for line := range strings.SplitSeq(strings.TrimSpace(text), "\n") {
		if !strings.HasPrefix(line, "#") && !sample.MatchString(line) {
			t.Errorf("/metrics: bad sample line %q", line)
		}
	}
	// A generation shows in the counters.
	r = ts.do("POST", "/v1/completions", "", completionBody("hello", 3, false, nil))
	if r.status != 200 {
		t.Fatalf("completion: %d %s", r.status, r.body)
	}
	text = string(ts.do("GET", "/metrics", "", nil).body)
	if got := metricValue(t, text, `deepgo_requests_total{route="/v1/completions",code="200"}`); got != 1 {
		t.Errorf("completions counted %v times, want 1", got)
	}
	if got := metricValue(t, text, `deepgo_completion_tokens_total`); got < 1 || got > 3 {
		t.Errorf("deepgo_completion_tokens_total %v, want 1..3", got)
	}
	if got := metricValue(t, text, `deepgo_requests_total{route="/metrics",code="200"}`); got != 1 {
		t.Errorf("/metrics counted %v times before this one, want 1", got)
	}
}

func TestGenerate(t *testing.T) {
	ts := start(t, setup{})
	const prompt = "Tell me a story."

	// Chat, not streamed.
	r := ts.do("POST", "/v1/chat/completions", "", chatBody(prompt, 24, false, nil))
	if r.status != 200 {
		t.Fatalf("chat: %d %s", r.status, r.body)
	}
	var cc struct {
		ID, Object, Model string
		Choices           []struct {
			Message      struct{ Role, Content string }
			FinishReason string `json:"finish_reason"`
		}
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
			TotalTokens      int `json:"total_tokens"`
		}
	}
	if err := json.Unmarshal(r.body, &cc); err != nil {
		t.Fatalf("chat: %v: %s", err, r.body)
	}
	if cc.Object != "chat.completion" || cc.Model != "tiny" || !strings.HasPrefix(cc.ID, "chatcmpl-") || len(cc.Choices) != 1 ||
		cc.Choices[0].Message.Role != "assistant" {
		t.Errorf("chat: %s", r.body)
	}
	fr := cc.Choices[0].FinishReason
	if fr != "stop" && fr != "length" {
		t.Errorf("chat finish_reason %q", fr)
	}
	if cc.Usage.PromptTokens < 5 || cc.Usage.CompletionTokens < 1 || cc.Usage.CompletionTokens > 24 ||
		cc.Usage.TotalTokens != cc.Usage.PromptTokens+cc.Usage.CompletionTokens {
		t.Errorf("chat usage %+v", cc.Usage)
	}
	if fr == "length" && cc.Usage.CompletionTokens != 24 {
		t.Errorf("finish_reason length after %d tokens, want 24", cc.Usage.CompletionTokens)
	}
	want := cc.Choices[0].Message.Content

	// The same greedy request again gives the same text.
	r2 := ts.do("POST", "/v1/chat/completions", "", chatBody(prompt, 24, false, nil))
	var cc2 = cc
	json.Unmarshal(r2.body, &cc2)
	if cc2.Choices[0].Message.Content != want {
		t.Errorf("greedy chat is not deterministic: %q then %q", want, cc2.Choices[0].Message.Content)
	}

	// Chat, streamed, with usage.
	resp, err := ts.stream(context.Background(), "/v1/chat/completions", "", chatBody(prompt, 24, true,
		map[string]any{"stream_options": map[string]any{"include_usage": true}}))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Errorf("chat stream: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("chat stream: Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	events, err := sseEvents(resp.Body, 0)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	s := parseStream(t, events, "chat.completion.chunk")
	if !s.done {
		t.Errorf("chat stream: no [DONE] at the end: %q", events)
	}
	if s.text != want {
		t.Errorf("chat stream text %q, want the non-streamed %q", s.text, want)
	}
	if s.finish != fr {
		t.Errorf("chat stream finish_reason %q, want %q", s.finish, fr)
	}
	if len(s.chunks) == 0 || s.chunks[0].Choices[0].Delta.Role != "assistant" {
		t.Errorf("chat stream: the first chunk has no assistant role")
	}
	if s.usage == nil {
		t.Errorf("chat stream: no usage chunk")
	} else {
		if s.usage != &s.chunks[len(s.chunks)-1] || len(s.usage.Choices) != 0 {
			t.Errorf("chat stream: the usage chunk is not the last chunk with no choices")
		}
		if s.usage.Usage.CompletionTokens != cc.Usage.CompletionTokens || s.usage.Usage.PromptTokens != cc.Usage.PromptTokens {
			t.Errorf("chat stream usage %+v, want %+v", *s.usage.Usage, cc.Usage)
		}
	}
	// Without include_usage no chunk carries usage.
	resp, err = ts.stream(context.Background(), "/v1/chat/completions", "", chatBody(prompt, 4, true, nil))
	if err != nil {
		t.Fatal(err)
	}
	events, _ = sseEvents(resp.Body, 0)
	resp.Body.Close()
	if s := parseStream(t, events, "chat.completion.chunk"); s.usage != nil || !s.done {
		t.Errorf("stream without include_usage: usage %v, done %v", s.usage != nil, s.done)
	}

	// Completions, both ways.
	r = ts.do("POST", "/v1/completions", "", completionBody("Once upon a time", 16, false, nil))
	var tc struct {
		Object  string
		Choices []struct {
			Text         string
			FinishReason string `json:"finish_reason"`
		}
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		}
	}
	if r.status != 200 || json.Unmarshal(r.body, &tc) != nil || tc.Object != "text_completion" || len(tc.Choices) != 1 {
		t.Fatalf("completion: %d %s", r.status, r.body)
	}
	if tc.Usage.CompletionTokens < 1 || tc.Usage.CompletionTokens > 16 {
		t.Errorf("completion usage: %s", r.body)
	}
	resp, err = ts.stream(context.Background(), "/v1/completions", "", completionBody("Once upon a time", 16, true,
		map[string]any{"stream_options": map[string]any{"include_usage": true}}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Errorf("completion stream: Content-Type %q", resp.Header.Get("Content-Type"))
	}
	events, err = sseEvents(resp.Body, 0)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	s = parseStream(t, events, "text_completion")
	if !s.done || s.text != tc.Choices[0].Text || s.finish != tc.Choices[0].FinishReason {
		t.Errorf("completion stream: done %v text %q finish %q; want text %q finish %q", s.done, s.text, s.finish, tc.Choices[0].Text, tc.Choices[0].FinishReason)
	}
	if s.usage == nil || s.usage.Usage.CompletionTokens != tc.Usage.CompletionTokens {
		t.Errorf("completion stream: usage chunk %+v, want %d completion tokens", s.usage, tc.Usage.CompletionTokens)
	}
}

func TestErrors(t *testing.T) {
	ts := start(t, setup{keys: "sk-a rpm=2\nsk-b\n", maxPromptTokens: 5, edge: edge.Config{MaxBody: 4096}})
	const good = "Bearer sk-b"
	chat := chatBody("hi", 2, false, nil)
	tokens := completionBody("", 1, false, map[string]any{"prompt": []int{1, 2, 3}})

	t.Run("401", func(t *testing.T) {
		for _, path := range []string{"/v1/chat/completions", "/v1/completions", "/v1/models"} {
			method, body := "POST", any(chat)
			if path == "/v1/models" {
				method, body = "GET", nil
			}
			t.Run(method+" "+path, func(t *testing.T) {
				for _, auth := range []string{"", "Bearer sk-wrong", "sk-b", "Basic c2stYjo=", "Bearer"} {
					t.Run(strconv.Quote(auth), func(t *testing.T) {
						r := ts.doT(t, method, path, auth, body)
						if typ := checkError(t, path+" auth "+strconv.Quote(auth), r, 401, "invalid_api_key"); typ != "" && typ != "authentication_error" {
							t.Errorf("%s: type %q", path, typ)
						}
					})
				}
			})
		}
		// Lowercase "bearer" is accepted.
		if r := ts.doT(t, "GET", "/v1/models", "bearer sk-b", nil); r.status != 200 {
			t.Errorf("bearer (lower case): %d %s", r.status, r.body)
		}
		// Health and readiness need no key.
		if r := ts.doT(t, "GET", "/health", "", nil); r.status != 200 {
			t.Errorf("/health with keys: %d", r.status)
		}
	})

	t.Run("400", func(t *testing.T) {
		for _, body := range []string{`{"model":"tiny","messages":[`, `not json`, `[]`, ``} {
			t.Run(strconv.Quote(body), func(t *testing.T) {
				r := ts.doT(t, "POST", "/v1/chat/completions", good, body)
				checkError(t, "chat body "+strconv.Quote(body), r, 400, "")
			})
		}
		r := ts.doT(t, "POST", "/v1/completions", good, `{"model":"tiny","prompt":`)
		checkError(t, "completion bad JSON", r, 400, "")
		// The prompt is longer than MaxPromptTokens.
		r = ts.doT(t, "POST", "/v1/chat/completions", good, chatBody("a long prompt of many words", 2, false, nil))
		checkError(t, "chat context", r, 400, "context_length_exceeded")
		r = ts.doT(t, "POST", "/v1/completions", good, completionBody("", 1, false, map[string]any{"prompt": []int{1, 2, 3, 4, 5, 6, 7}}))
		checkError(t, "completion context", r, 400, "context_length_exceeded")
		// A short prompt of tokens passes.
		if r := ts.doT(t, "POST", "/v1/completions", good, tokens); r.status != 200 {
			t.Errorf("short token prompt: %d %s", r.status, r.body)
		}
	})

	t.Run("404", func(t *testing.T) {
		b := chatBody("hi", 2, false, map[string]any{"model": "gpt-4"})
		r := ts.doT(t, "POST", "/v1/chat/completions", good, b)
		checkError(t, "unknown model", r, 404, "model_not_found")
		r = ts.doT(t, "POST", "/v1/completions", good, completionBody("", 1, false, map[string]any{"model": "nope", "prompt": []int{1}}))
		checkError(t, "unknown model (completions)", r, 404, "model_not_found")
		r = ts.doT(t, "GET", "/v1/models/gpt-4", good, nil)
		checkError(t, "unknown model (models)", r, 404, "model_not_found")
		r = ts.doT(t, "GET", "/v1/nothing", good, nil)
		checkError(t, "unknown route", r, 404, "")
		r = ts.doT(t, "POST", "/v2/chat/completions", "", chat)
		checkError(t, "unknown route (no key)", r, 404, "")
	})

	t.Run("405", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{
			{"GET", "/v1/chat/completions"}, {"GET", "/v1/completions"}, {"PUT", "/v1/chat/completions"},
			{"DELETE", "/v1/models"}, {"POST", "/metrics"},
		} {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				r := ts.doT(t, c.method, c.path, good, nil)
				checkError(t, c.method+" "+c.path, r, 405, "method_not_allowed")
			})
		}
	})

	t.Run("413", func(t *testing.T) {
		big := `{"model":"tiny","messages":[{"role":"user","content":"` + strings.Repeat("x", 10<<10) + `"}]}`
		for _, path := range []string{"/v1/chat/completions", "/v1/completions"} {
			t.Run("POST "+path, func(t *testing.T) {
				r := ts.doT(t, "POST", path, good, big)
				checkError(t, path+" 10 KB body", r, 413, "request_too_large")
			})
		}
		// Just under the limit is read (and refused for its length, not its size).
		r := ts.doT(t, "POST", "/v1/chat/completions", good, big[:4000]+`"}]}`)
		if r.status == 413 {
			t.Errorf("a body under MaxBody got 413")
		}
		// The server still answers.
		if r := ts.doT(t, "GET", "/health", "", nil); r.status != 200 {
			t.Errorf("after 413: /health %d", r.status)
		}
	})

	t.Run("429", func(t *testing.T) {
		for i := range 2 {
			if r := ts.doT(t, "POST", "/v1/completions", "Bearer sk-a", tokens); r.status != 200 {
				t.Fatalf("request %d with sk-a: %d %s", i+1, r.status, r.body)
			}
		}
		r := ts.doT(t, "POST", "/v1/completions", "Bearer sk-a", tokens)
		checkError(t, "third request with rpm=2", r, 429, "rate_limit_exceeded")
		if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
			t.Errorf("429: Retry-After %q", r.header.Get("Retry-After"))
		}
		r = ts.doT(t, "POST", "/v1/chat/completions", "Bearer sk-a", chatBody("hi", 1, true, nil))
		checkError(t, "streamed request with rpm=2", r, 429, "rate_limit_exceeded")
		// Another key is not limited.
		if r := ts.doT(t, "POST", "/v1/completions", good, tokens); r.status != 200 {
			t.Errorf("sk-b after sk-a was limited: %d %s", r.status, r.body)
		}
		text := string(ts.doT(t, "GET", "/metrics", "", nil).body)
		if got := metricValue(t, text, "deepgo_rate_limited_total"); got != 2 {
			t.Errorf("deepgo_rate_limited_total %v, want 2", got)
		}
	})
}

func TestOverloaded(t *testing.T) {
	// The endless model: the trained one may end a reply (a verse) before the test is done.
	ts := start(t, setup{slots: 1, queue: 1, endless: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := ts.stream(ctx, "/v1/chat/completions", "", chatBody("long story "+strconv.Itoa(i), 3000, true, nil))
			if err != nil {
				return
			}
			defer resp.Body.Close()
			io.Copy(io.Discard, resp.Body)
		}()
	}
	if !waitFor(10*time.Second, func() bool { st := ts.b.Scheduler().Stats(); return st.Active == 1 && st.Queued == 1 }) {
		t.Fatalf("the two streams did not take the slot and the queue: %+v", ts.b.Scheduler().Stats())
	}
	for _, stream := range []bool{true, false} {
		t.Run(fmt.Sprint("stream=", stream), func(t *testing.T) {
			r := ts.doT(t, "POST", "/v1/chat/completions", "", chatBody("one more", 5, stream, nil))
			checkError(t, "third request", r, 503, "overloaded")
			if r.header.Get("Retry-After") != "1" {
				t.Errorf("503: Retry-After %q, want 1", r.header.Get("Retry-After"))
			}
		})
	}
	if st := ts.b.Scheduler().Stats(); st.Rejected != 2 {
		t.Errorf("Rejected %d, want 2", st.Rejected)
	}
	cancel()
	wg.Wait()
	if !waitFor(5*time.Second, func() bool { st := ts.b.Scheduler().Stats(); return st.Active == 0 && st.Queued == 0 }) {
		t.Fatalf("the cancelled streams still run: %+v", ts.b.Scheduler().Stats())
	}
	if r := ts.do("POST", "/v1/chat/completions", "", chatBody("after", 3, false, nil)); r.status != 200 {
		t.Errorf("after the overload: %d %s", r.status, r.body)
	}
}

func TestClientDisconnect(t *testing.T) {
	ts := start(t, setup{slots: 1, queue: 1, endless: true})
	// Warm up: a request each way, so pools and lazily started goroutines exist.
	ts.do("POST", "/v1/chat/completions", "", chatBody("warm", 2, false, nil))
	defaultClient.CloseIdleConnections()
	time.Sleep(100 * time.Millisecond)
	base := runtime.NumGoroutine()

	for _, how := range []string{"cancel", "close"} {
		t.Run(how, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			resp, err := ts.stream(ctx, "/v1/chat/completions", "", chatBody("a long story", 2000, true, nil))
			if err != nil {
				cancel()
				t.Fatal(err)
			}
			events, err := sseEvents(resp.Body, 4)
			if err != nil || len(events) != 4 {
				t.Fatalf("%s: read %d events: %v", how, len(events), err)
			}
			if st := ts.b.Scheduler().Stats(); st.Active != 1 {
				t.Errorf("%s: Active %d while streaming", how, st.Active)
			}
			t0 := time.Now()
			if how == "cancel" {
				cancel()
			} else {
				resp.Body.Close()
			}
			if !waitFor(2*time.Second*slow, func() bool { return ts.b.Scheduler().Stats().Active == 0 }) {
				t.Fatalf("%s: the generation still runs %v after the client left: %+v", how, 2*time.Second*slow, ts.b.Scheduler().Stats())
			}
			t.Logf("%s: slot free %v after the client left", how, time.Since(t0).Round(time.Millisecond))
			resp.Body.Close()
			cancel()
			// The one slot serves the next request.
			if r := ts.doT(t, "POST", "/v1/chat/completions", "", chatBody("next", 3, false, nil)); r.status != 200 {
				t.Errorf("%s: next request: %d %s", how, r.status, r.body)
			}
		})
	}
	text := string(ts.do("GET", "/metrics", "", nil).body)
	if got := metricValue(t, text, "deepgo_client_disconnects_total"); got != 2 {
		t.Errorf("deepgo_client_disconnects_total %v, want 2", got)
	}
	if n := goroutines(base, 3, 3*time.Second); n > base+3 {
		t.Errorf("goroutines: %d, %d before the streams", n, base)
	}
}

func TestShutdownGraceful(t *testing.T) {
	// The endless model: the trained one is fast enough to finish before Shutdown is checked.
	ts := start(t, setup{endless: true})
	n := 60
	if slow > 1 {
		n = 6 // the race detector's pace
	}
	resp, err := ts.stream(context.Background(), "/v1/chat/completions", "", chatBody("a story", n, true, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first, err := sseEvents(resp.Body, 2)
	if err != nil || len(first) != 2 {
		t.Fatalf("first events: %q %v", first, err)
	}
	type result struct {
		d   time.Duration
		err error
	}
	shut := make(chan result, 1)
	go func() {
		d, err := ts.Shutdown(20 * time.Second)
		shut <- result{d, err}
	}()
	// Readiness turns off while the stream goes on; new requests are answered 503
	// shutting_down (with Connection: close), not refused at the socket; /health still
	// answers.
	if !waitFor(2*time.Second, func() bool { return !ts.h.Ready() }) {
		t.Errorf("the handler is still ready during Shutdown")
	}
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprint("stream=", stream), func(t *testing.T) {
			r := ts.doT(t, "POST", "/v1/chat/completions", "", chatBody("during shutdown", 3, stream, nil))
			checkError(t, "request during Shutdown", r, 503, "shutting_down")
			if r.header.Get("Retry-After") == "" || !r.close {
				t.Errorf("503 during Shutdown: Retry-After %q, connection closed %v", r.header.Get("Retry-After"), r.close)
			}
		})
	}
	if r := ts.do("GET", "/health", "", nil); r.status != 200 {
		t.Errorf("/health during Shutdown: %d", r.status)
	}
	if r := ts.do("GET", "/ready", "", nil); r.status != 503 {
		t.Errorf("/ready during Shutdown: %d", r.status)
	}
	rest, err := sseEvents(resp.Body, 0)
	if err != nil {
		t.Errorf("reading the stream: %v", err)
	}
	s := parseStream(t, append(first, rest...), "chat.completion.chunk")
	if !s.done || s.errorBody != nil || (s.finish != "stop" && s.finish != "length") {
		t.Errorf("the stream did not complete: done %v, finish %q, error %s", s.done, s.finish, s.errorBody)
	}
	select {
	case r := <-shut:
		if r.err != nil {
			t.Errorf("Shutdown: %v", r.err)
		}
		t.Logf("Shutdown took %v", r.d.Round(time.Millisecond))
	case <-time.After(15 * time.Second):
		t.Fatalf("Shutdown did not return after the stream ended")
	}
	if _, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		t.Errorf("a connection was accepted after Shutdown")
	}
	if st := ts.b.Scheduler().Stats(); st.Active != 0 {
		t.Errorf("Active %d after Shutdown", st.Active)
	}
}

func TestShutdownDeadline(t *testing.T) {
	ts := start(t, setup{endless: true})
	resp, err := ts.stream(context.Background(), "/v1/chat/completions", "", chatBody("a very long story", 3000, true, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first, err := sseEvents(resp.Body, 3)
	if err != nil || len(first) != 3 {
		t.Fatalf("first events: %q %v", first, err)
	}
	// A non-streamed generation runs too.
	plain := make(chan reply, 1)
	go func() {
		// Not ts.do: its t.Fatal may not run on this goroutine.
		b, _ := json.Marshal(chatBody("another long story", 3000, false, nil))
		resp, err := defaultClient.Post(ts.base+"/v1/chat/completions", "application/json", bytes.NewReader(b))
		if err != nil {
			plain <- reply{body: []byte(err.Error())}
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		plain <- reply{status: resp.StatusCode, header: resp.Header, body: body}
	}()
	if !waitFor(5*time.Second, func() bool { return ts.b.Scheduler().Stats().Active == 2 }) {
		t.Fatalf("the second generation did not start: %+v", ts.b.Scheduler().Stats())
	}
	d, err := ts.Shutdown(200 * time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown: %v, want the deadline error", err)
	}
	if d > 6*time.Second {
		t.Errorf("Shutdown took %v", d)
	}
	t.Logf("Shutdown took %v", d.Round(time.Millisecond))
	// Shutdown returns once the stopped streams are gone.
	if st := ts.b.Scheduler().Stats(); st.Active > 1 {
		t.Errorf("Active %d when Shutdown returned", st.Active)
	}
	select {
	case r := <-plain:
		checkError(t, "non-streamed request stopped by Shutdown", r, 503, "shutting_down")
	case <-time.After(6 * time.Second):
		t.Errorf("the non-streamed request did not end after Shutdown")
	}
	// The stream ends soon, with an error event rather than [DONE].
	type result struct {
		events []string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		ev, err := sseEvents(resp.Body, 0)
		got <- result{ev, err}
	}()
	select {
	case r := <-got:
		s := parseStream(t, append(first, r.events...), "chat.completion.chunk")
		if s.done {
			t.Errorf("a stopped stream ended with [DONE]")
		}
		if s.errorBody == nil {
			t.Errorf("no error event at the end of the stopped stream (read error %v); last events %q", r.err, tail(r.events, 2))
		} else {
			checkErrorBody(t, "stopped stream", s.errorBody, "shutting_down")
		}
	case <-time.After(6 * time.Second):
		resp.Body.Close()
		t.Fatalf("the stream did not end after Shutdown")
	}
	if !waitFor(3*time.Second, func() bool { return ts.b.Scheduler().Stats().Active == 0 }) {
		t.Errorf("generation still running after Shutdown: %+v", ts.b.Scheduler().Stats())
	}
}

func tail(s []string, n int) []string {
	return s[max(0, len(s)-n):]
}

func TestReadTimeout(t *testing.T) {
	ts := start(t, setup{edge: edge.Config{ReadTimeout: 500 * time.Millisecond}})
	for _, tc := range []struct{ name, half string }{
		{"body cut short", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":"},
		{"header cut short", "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Slow:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.DialTimeout("tcp", ts.addr, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.WriteString(c, tc.half); err != nil {
				t.Fatal(err)
			}
			t0 := time.Now()
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			got, err := io.ReadAll(c) // until the server closes the connection
			d := time.Since(t0)
			c.Close()
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the server kept a stalled connection open for 5 s (ReadTimeout 500 ms)")
			}
			if d < 300*time.Millisecond || d > 3*time.Second {
				t.Errorf("closed after %v, want about 500 ms", d)
			}
			t.Logf("stalled request closed after %v with %d bytes", d.Round(time.Millisecond), len(got))
			// If the server answers, it answers 408 in the OpenAI shape.
			if len(got) > 0 {
				resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(got)), nil)
				if err != nil {
					t.Errorf("unreadable answer %q: %v", got, err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				checkError(t, "stalled request", reply{status: resp.StatusCode, header: resp.Header, body: body}, 408, "timeout")
			}
		})
	}
	// The server is fine.
	if r := ts.do("GET", "/health", "", nil); r.status != 200 {
		t.Errorf("/health after timeouts: %d", r.status)
	}
}
