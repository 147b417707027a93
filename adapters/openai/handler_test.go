package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/serving"
	"github.com/deepgo/deepgo/core/synth"
)

// modelDir is where the tiny model is written; TestMain removes it.
var modelDir = filepath.Join(os.TempDir(), fmt.Sprintf("deepgo-openai-test-%d", os.Getpid()))

// endlessDir is where the random-weight model of endlessBackend is written; TestMain removes it.
var endlessDir = modelDir + "-endless"

func TestMain(m *testing.M) {
	code := m.Run()
	if backendOpened.Load() {
		if b, err := sharedBackend(); err == nil {
			b.Close()
		}
	}
	if endlessOpened.Load() {
		if b, err := endlessBackend(); err == nil {
			b.Close()
		}
	}
	os.RemoveAll(modelDir)
	os.RemoveAll(endlessDir)
	os.Exit(code)
}

// sharedBackend is the trained model (models/deepseek-v3-kjv, tools/train), copied as "tiny"
// and opened once per test binary.
var sharedBackend = sync.OnceValues(func() (*Backend, error) {
	backendOpened.Store(true)
	if err := fixture.CopyTrained(modelDir); err != nil {
		return nil, err
	}
	return OpenBackend(modelDir, BackendOptions{Threads: 2, Slots: 2, Context: 512})
})

// backendOpened says whether sharedBackend ran, for TestMain to close it.
var backendOpened atomic.Bool

// endlessBackend is a model of random weights (the tiny shape, the full DeepSeek-V3
// tokenizer), which practically never emits the end-of-sentence token, for the tests whose
// replies must run to their limit: the trained model ends a reply after a verse.
var endlessBackend = sync.OnceValues(func() (*Backend, error) {
	endlessOpened.Store(true)
	cfg, err := synth.Shape("tiny", 2)
	if err != nil {
		return nil, err
	}
	if err := synth.WriteHF(endlessDir, cfg, synth.Options{Seed: 5}); err != nil {
		return nil, err
	}
	return OpenBackend(endlessDir, BackendOptions{Threads: 2, Slots: 2, Context: 512})
})

// endlessOpened says whether endlessBackend ran, for TestMain to close it.
var endlessOpened atomic.Bool

const testModel = "tiny"

func testBackend(t *testing.T) *Backend {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the model (a full run)")
	}
	b, err := sharedBackend()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newTestHandler returns a handler serving the trained model under the name "tiny".
func newTestHandler(t *testing.T, o Options) *Handler {
	t.Helper()
	b := testBackend(t)
	o.ModelName = testModel
	h := NewHandler(o)
	h.SetBackend(b)
	return h
}

// newEndlessHandler returns a handler serving endlessBackend's model under the name "tiny".
func newEndlessHandler(t *testing.T, o Options) *Handler {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the model (a full run)")
	}
	b, err := endlessBackend()
	if err != nil {
		t.Fatal(err)
	}
	o.ModelName = testModel
	h := NewHandler(o)
	h.SetBackend(b)
	return h
}

func call(h *Handler, method, path, body string) *Response {
	return h.Handle(context.Background(), &Request{Method: method, Path: path, Body: []byte(body), Client: "10.0.0.1"})
}

func callAuth(h *Handler, method, path, auth, body string) *Response {
	return h.Handle(context.Background(), &Request{Method: method, Path: path, Authorization: auth, Body: []byte(body), Client: "10.0.0.1"})
}

// wantError asserts resp is an OpenAI error with status, type and code.
func wantError(t *testing.T, resp *Response, status int, typ, code string) map[string]any {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d; want %d: %s", resp.Status, status, resp.Body)
	}
	if resp.Stream != nil || resp.ContentType != "application/json" {
		t.Errorf("error response: stream %v content type %q", resp.Stream != nil, resp.ContentType)
	}
	checkErrorJSON(t, resp.Body, typ, code)
	var v struct{ Error map[string]any }
	json.Unmarshal(resp.Body, &v)
	return v.Error
}

func wantJSON(t *testing.T, resp *Response, status int, v any) {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d; want %d: %s", resp.Status, status, resp.Body)
	}
	if resp.ContentType != "application/json" {
		t.Errorf("content type %q", resp.ContentType)
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		t.Fatalf("body %q: %v", resp.Body, err)
	}
}

func TestHealthReadyWithoutModel(t *testing.T) {
	h := NewHandler(Options{ModelName: testModel})
	var health map[string]string
	wantJSON(t, call(h, "GET", "/health", ""), 200, &health)
	if health["status"] != "ok" {
		t.Errorf("health %v", health)
	}
	for _, p := range []string{"/ready", "/readyz", "/ready/"} {
		t.Run("GET "+p, func(t *testing.T) {
			resp := call(h, "GET", p, "")
			wantError(t, resp, 503, "server_error", "model_loading")
			if resp.RetryAfter < 1 {
				t.Errorf("%s: Retry-After %d", p, resp.RetryAfter)
			}
		})
	}
	// The generation routes answer 503 too, before looking at the body.
	wantError(t, call(h, "POST", RouteChat, "not json"), 503, "server_error", "model_loading")
	wantError(t, call(h, "POST", RouteCompletions, ""), 503, "server_error", "model_loading")
	// Metrics work without a model and say it is not loaded.
	m := call(h, "GET", "/metrics", "")
	if m.Status != 200 || !strings.Contains(string(m.Body), "\ndeepgo_model_loaded 0\n") {
		t.Errorf("metrics without model: %d\n%s", m.Status, m.Body)
	}
	checkPrometheus(t, string(m.Body))

	h.SetBackend(testBackend(t))
	var ready map[string]string
	wantJSON(t, call(h, "GET", "/ready", ""), 200, &ready)
	if ready["status"] != "ready" || ready["model"] != testModel {
		t.Errorf("ready %v", ready)
	}
	h.Shutdown()
	wantError(t, call(h, "GET", "/ready", ""), 503, "server_error", "shutting_down")
	wantError(t, call(h, "POST", RouteChat, chatBody(`"max_tokens":1`)), 503, "server_error", "shutting_down")
}

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? (\S+)$`)
	helpLine   = regexp.MustCompile(`^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$`)
	typeLine   = regexp.MustCompile(`^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$`)
)

// checkPrometheus parses the text format strictly and returns each sample's value by
// name{labels}.
func checkPrometheus(t *testing.T, text string) map[string]float64 {
	t.Helper()
	if !strings.HasSuffix(text, "\n") {
		t.Errorf("metrics do not end with a newline")
	}
	help, typ := map[string]bool{}, map[string]string{}
	samples := map[string]float64{}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "# HELP "):
			m := helpLine.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("line %d: bad HELP %q", i+1, line)
				continue
			}
			if help[m[1]] {
				t.Errorf("line %d: second HELP for %s", i+1, m[1])
			}
			help[m[1]] = true
		case strings.HasPrefix(line, "# TYPE "):
			m := typeLine.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("line %d: bad TYPE %q", i+1, line)
				continue
			}
			if typ[m[1]] != "" {
				t.Errorf("line %d: second TYPE for %s", i+1, m[1])
			}
			typ[m[1]] = m[2]
		case strings.HasPrefix(line, "#"):
		default:
			m := sampleLine.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("line %d: not `name{labels} value`: %q", i+1, line)
				continue
			}
			v, err := strconv.ParseFloat(m[4], 64)
			if err != nil {
				t.Errorf("line %d: value %q: %v", i+1, m[4], err)
			}
			family := m[1]
			if typ[family] == "" {
				for _, suf := range []string{"_bucket", "_sum", "_count"} {
					if base, ok := strings.CutSuffix(family, suf); ok && typ[base] == "histogram" {
						family = base
					}
				}
			}
			if !help[family] || typ[family] == "" {
				t.Errorf("line %d: %s has no HELP or TYPE before it", i+1, m[1])
			}
			if typ[family] == "counter" && v < 0 {
				t.Errorf("line %d: negative counter", i+1)
			}
			key := m[1] + m[2]
			if _, dup := samples[key]; dup {
				t.Errorf("line %d: duplicate sample %s", i+1, key)
			}
			samples[key] = v
		}
	}
	// Histogram buckets are cumulative and end with +Inf equal to _count.
	for name, ty := range typ {
		if ty != "histogram" {
			continue
		}
		inf, ok := samples[name+`_bucket{le="+Inf"}`]
		if !ok || inf != samples[name+"_count"] {
			t.Errorf("histogram %s: +Inf bucket %v, count %v", name, inf, samples[name+"_count"])
		}
	}
	return samples
}

func TestMetrics(t *testing.T) {
	h := newTestHandler(t, Options{})
	m0 := checkPrometheus(t, string(call(h, "GET", "/metrics", "").Body))
	if m0["deepgo_model_loaded"] != 1 || m0["deepgo_slots"] != 2 {
		t.Errorf("model_loaded %v slots %v", m0["deepgo_model_loaded"], m0["deepgo_slots"])
	}
	resp := call(h, "POST", RouteChat, chatBody(`"max_tokens":3`))
	if resp.Status != 200 {
		t.Fatalf("chat: %d %s", resp.Status, resp.Body)
	}
	call(h, "GET", "/nowhere", "")
	call(h, "GET", RouteChat, "")
	mresp := call(h, "GET", "/metrics", "")
	if !strings.HasPrefix(mresp.ContentType, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", mresp.ContentType)
	}
	m1 := checkPrometheus(t, string(mresp.Body))
	for _, c := range []struct {
		key string
		min float64
	}{
		{`deepgo_requests_total{route="/v1/chat/completions",code="200"}`, 1},
		{`deepgo_requests_total{route="/v1/chat/completions",code="405"}`, 1},
		{`deepgo_requests_total{route="other",code="404"}`, 1},
		{`deepgo_requests_total{route="/metrics",code="200"}`, 1},
		{"deepgo_prompt_tokens_total", 2},
		{"deepgo_completion_tokens_total", 1},
		{"deepgo_forward_tokens_total", 1},
		{"deepgo_time_to_first_token_seconds_count", 1},
		{"deepgo_generation_seconds_total", 1e-9},
	} {
		if d := m1[c.key] - m0[c.key]; d < c.min {
			t.Errorf("%s went from %v to %v; want an increase of at least %v", c.key, m0[c.key], m1[c.key], c.min)
		}
	}
	for _, name := range []string{"deepgo_experts_resident", "deepgo_expert_bytes_resident", "deepgo_expert_hits_total",
		"deepgo_expert_misses_total", "deepgo_expert_bytes_paged_in_total", "deepgo_expert_releases_total",
		"deepgo_expert_stall_seconds_total"} {
		if _, ok := m1[name]; !ok {
			t.Errorf("metric %s missing", name)
		}
	}
	if m1["deepgo_experts_resident"] < 0 || m1["deepgo_expert_misses_total"] < m1["deepgo_experts_resident"] {
		t.Errorf("experts resident %v, misses %v: every resident expert was a miss once",
			m1["deepgo_experts_resident"], m1["deepgo_expert_misses_total"])
	}
	if m1["deepgo_active_generations"] != 0 || m1["deepgo_queue_depth"] != 0 {
		t.Errorf("active %v queued %v after the request", m1["deepgo_active_generations"], m1["deepgo_queue_depth"])
	}
	if r := call(h, "HEAD", "/metrics", ""); r.Status != 200 {
		t.Errorf("HEAD /metrics: %d", r.Status)
	}
	wantError(t, call(h, "POST", "/metrics", ""), 405, "invalid_request_error", "method_not_allowed")
}

func TestModels(t *testing.T) {
	h := newTestHandler(t, Options{})
	var list ModelList
	wantJSON(t, call(h, "GET", "/v1/models", ""), 200, &list)
	if list.Object != "list" || len(list.Data) != 1 || list.Data[0].ID != testModel || list.Data[0].Object != "model" ||
		list.Data[0].OwnedBy == "" || list.Data[0].Created == 0 {
		t.Errorf("models: %+v", list)
	}
	var m Model
	wantJSON(t, call(h, "GET", "/v1/models/"+testModel, ""), 200, &m)
	if m != list.Data[0] {
		t.Errorf("model %+v; want %+v", m, list.Data[0])
	}
	wantJSON(t, call(h, "GET", "/v1/models/", ""), 200, &list) // a trailing slash is the list
	e := wantError(t, call(h, "GET", "/v1/models/gpt-4", ""), 404, "invalid_request_error", "model_not_found")
	if e["param"] != "model" || !strings.Contains(e["message"].(string), "gpt-4") {
		t.Errorf("error %v", e)
	}
	wantError(t, call(h, "DELETE", "/v1/models/"+testModel, ""), 405, "invalid_request_error", "method_not_allowed")
	wantError(t, call(h, "GET", "/v1/modelsx", ""), 404, "not_found_error", "not_found")
}

func TestRoutes(t *testing.T) {
	h := newTestHandler(t, Options{})
	tests := []struct {
		method, path string
		status       int
		typ, code    string
	}{
		{"GET", "/", 404, "not_found_error", "not_found"},
		{"POST", "/v1/chat", 404, "not_found_error", "not_found"},
		{"GET", "/v1/engines", 404, "not_found_error", "not_found"},
		{"GET", RouteChat, 405, "invalid_request_error", "method_not_allowed"},
		{"PUT", RouteCompletions, 405, "invalid_request_error", "method_not_allowed"},
		{"POST", "/v1/models", 405, "invalid_request_error", "method_not_allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			e := wantError(t, call(h, tc.method, tc.path, ""), tc.status, tc.typ, tc.code)
			if msg, _ := e["message"].(string); !strings.Contains(msg, tc.method) {
				t.Errorf("%s %s: message %q does not name the method", tc.method, tc.path, msg)
			}
		})
	}
	for _, p := range []string{"/health", "/healthz", "/livez", "/health/"} {
		t.Run("GET "+p, func(t *testing.T) {
			if r := call(h, "GET", p, ""); r.Status != 200 {
				t.Errorf("GET %s: %d", p, r.Status)
			}
		})
	}
	// A request for another model.
	e := wantError(t, call(h, "POST", RouteChat, `{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}`), 404, "invalid_request_error", "model_not_found")
	if e["param"] != "model" {
		t.Errorf("param %v", e["param"])
	}
	// Validation errors come through Handle unchanged.
	e = wantError(t, call(h, "POST", RouteChat, chatBody(`"temperature":"hot"`)), 400, "invalid_request_error", "invalid_type")
	if e["param"] != "temperature" {
		t.Errorf("param %v", e["param"])
	}
	e = wantError(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":[5,999999999]}`), 400, "invalid_request_error", "invalid_value")
	if e["param"] != "prompt" || !strings.Contains(e["message"].(string), "vocabulary") {
		t.Errorf("error %v", e)
	}
}

func TestAuth(t *testing.T) {
	keys, err := ParseKeys(strings.NewReader("sk-test-1234\nsk-other rpm=100\n"), "keys")
	if err != nil {
		t.Fatal(err)
	}
	h := newTestHandler(t, Options{Keys: keys})
	for _, auth := range []string{"", "sk-test-1234", "Bearer sk-wrong", "Basic c2s6", "Bearer sk-test-12345", "Bearer "} {
		t.Run(fmt.Sprintf("refused %q", auth), func(t *testing.T) {
			for _, r := range []struct{ method, path, body string }{
				{"GET", "/v1/models", ""},
				{"GET", "/v1/models/" + testModel, ""},
				{"POST", RouteChat, chatBody(`"max_tokens":1`)},
				{"POST", RouteCompletions, `{"model":"tiny","prompt":"x","max_tokens":1}`},
			} {
				t.Run(r.method+" "+r.path, func(t *testing.T) {
					resp := callAuth(h, r.method, r.path, auth, r.body)
					e := wantError(t, resp, 401, "authentication_error", "invalid_api_key")
					if msg, _ := e["message"].(string); msg == "" {
						t.Errorf("auth %q: empty message", auth)
					}
				})
			}
		})
	}
	for _, auth := range []string{"Bearer sk-test-1234", "bearer sk-test-1234", "Bearer sk-other"} {
		t.Run(fmt.Sprintf("accepted %q", auth), func(t *testing.T) {
			if r := callAuth(h, "GET", "/v1/models", auth, ""); r.Status != 200 {
				t.Errorf("auth %q: %d %s", auth, r.Status, r.Body)
			}
		})
	}
	if r := callAuth(h, "POST", RouteChat, "Bearer sk-test-1234", chatBody(`"max_tokens":1`)); r.Status != 200 {
		t.Errorf("chat with key: %d %s", r.Status, r.Body)
	}
	// Health, readiness and metrics need no key.
	for _, p := range []string{"/health", "/ready", "/metrics"} {
		t.Run("GET "+p, func(t *testing.T) {
			if r := call(h, "GET", p, ""); r.Status != 200 {
				t.Errorf("GET %s without key: %d", p, r.Status)
			}
		})
	}
	if e := h.Authorize("Bearer sk-other", "c"); e != nil {
		t.Errorf("Authorize: %v", e)
	}
	if e := h.Authorize("Bearer nope", "c"); e == nil || e.Status != 401 {
		t.Errorf("Authorize wrong key: %v", e)
	}
}

// chatBody is a greedy chat request with extra fields.
func chatBody(extra string) string {
	b := `{"model":"tiny","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello."}]`
	if !strings.Contains(extra, `"temperature"`) { // a name given twice is refused
		b += `,"temperature":0`
	}
	if extra != "" {
		b += "," + extra
	}
	return b + "}"
}

// recorder is a StreamWriter that keeps what is flushed, one event per Flush. With
// failAfter > 0, every Write after that many flushes fails.
type recorder struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	events    []string
	failAfter int
	failed    int
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failAfter > 0 && len(r.events) >= r.failAfter {
		r.failed++
		return 0, errors.New("write: broken pipe")
	}
	return r.buf.Write(p)
}

func (r *recorder) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, r.buf.String())
	r.buf.Reset()
	return nil
}

// stream runs a streamed response and returns the JSON of each event but the last,
// checking the framing: every event is "data: JSON\n\n" and the last "data: [DONE]\n\n".
func stream(t *testing.T, resp *Response) []string {
	t.Helper()
	if resp.Status != 200 || resp.Stream == nil || resp.Body != nil {
		t.Fatalf("not a stream: %d %s", resp.Status, resp.Body)
	}
	if resp.ContentType != "text/event-stream" {
		t.Errorf("content type %q", resp.ContentType)
	}
	var r recorder
	resp.Stream(&r)
	if r.buf.Len() != 0 {
		t.Errorf("written but not flushed: %q", r.buf.String())
	}
	if len(r.events) < 2 {
		t.Fatalf("%d events: %q", len(r.events), r.events)
	}
	if last := r.events[len(r.events)-1]; last != "data: [DONE]\n\n" {
		t.Fatalf("last event %q", last)
	}
	var out []string
	for i, ev := range r.events[:len(r.events)-1] {
		data, ok := strings.CutPrefix(ev, "data: ")
		data, ok2 := strings.CutSuffix(data, "\n\n")
		if !ok || !ok2 || strings.Contains(data, "\n") {
			t.Fatalf("event %d is not \"data: JSON\\n\\n\": %q", i, ev)
		}
		if !json.Valid([]byte(data)) {
			t.Fatalf("event %d: invalid JSON %q", i, data)
		}
		out = append(out, data)
	}
	return out
}

func TestChatStreamMatchesNonStreamed(t *testing.T) {
	h := newTestHandler(t, Options{})
	const body = `"max_tokens":12`
	var whole ChatCompletion
	wantJSON(t, call(h, "POST", RouteChat, chatBody(body)), 200, &whole)
	if whole.Object != "chat.completion" || !strings.HasPrefix(whole.ID, "chatcmpl-") || whole.Model != testModel ||
		whole.SystemFingerprint == "" || whole.Created == 0 || len(whole.Choices) != 1 {
		t.Fatalf("completion %+v", whole)
	}
	ch := whole.Choices[0]
	if ch.Message.Role != "assistant" || ch.Message.Content == nil || ch.LogProbs != nil {
		t.Fatalf("choice %+v", ch)
	}
	u := whole.Usage
	if u == nil || u.PromptTokens < 5 || u.CompletionTokens < 1 || u.CompletionTokens > 12 || u.TotalTokens != u.PromptTokens+u.CompletionTokens {
		t.Fatalf("usage %+v", u)
	}
	if (ch.FinishReason == "length") != (u.CompletionTokens == 12) || (ch.FinishReason != "length" && ch.FinishReason != "stop") {
		t.Errorf("finish %q after %d tokens", ch.FinishReason, u.CompletionTokens)
	}
	t.Logf("greedy reply: %q (%s, %d tokens)", *ch.Message.Content, ch.FinishReason, u.CompletionTokens)

	// The same request streamed, twice: without and with usage.
	for _, includeUsage := range []bool{false, true} {
		t.Run(fmt.Sprint("include_usage=", includeUsage), func(t *testing.T) {
			extra := body + `,"stream":true`
			if includeUsage {
				extra += `,"stream_options":{"include_usage":true}`
			}
			events := stream(t, call(h, "POST", RouteChat, chatBody(extra)))
			var content, reasoning strings.Builder
			var finish *string
			var usage *Usage
			id := ""
			for i, data := range events {
				var c ChatChunk
				if err := json.Unmarshal([]byte(data), &c); err != nil {
					t.Fatal(err)
				}
				if c.Object != "chat.completion.chunk" || c.Model != testModel || !strings.HasPrefix(c.ID, "chatcmpl-") {
					t.Fatalf("event %d: %s", i, data)
				}
				if id == "" {
					id = c.ID
				} else if c.ID != id {
					t.Errorf("event %d: id %q, first was %q", i, c.ID, id)
				}
				if i == 0 {
					if len(c.Choices) != 1 || c.Choices[0].Delta.Role != "assistant" {
						t.Errorf("first event has no role: %s", data)
					}
				} else if len(c.Choices) == 1 && c.Choices[0].Delta.Role != "" {
					t.Errorf("event %d repeats the role: %s", i, data)
				}
				if c.Usage != nil {
					if !includeUsage || i != len(events)-1 || !strings.Contains(data, `"choices":[]`) {
						t.Errorf("usage in event %d of %d: %s", i, len(events), data)
					}
					usage = c.Usage
					continue
				}
				if strings.Contains(data, `"usage"`) {
					t.Errorf("event %d has a usage field: %s", i, data)
				}
				if len(c.Choices) != 1 {
					t.Fatalf("event %d: %d choices", i, len(c.Choices))
				}
				if finish != nil {
					t.Errorf("event %d after the finish: %s", i, data)
				}
				d := c.Choices[0].Delta
				if d.Content != nil {
					content.WriteString(*d.Content)
				}
				if d.ReasoningContent != nil {
					reasoning.WriteString(*d.ReasoningContent)
				}
				if f := c.Choices[0].FinishReason; f != nil {
					finish = f
					if d.Content != nil || d.Role != "" {
						t.Errorf("finish event carries a delta: %s", data)
					}
				} else if !strings.Contains(data, `"finish_reason":null`) {
					t.Errorf("event %d: finish_reason not null: %s", i, data)
				}
			}
			if got := content.String(); got != *ch.Message.Content {
				t.Errorf("streamed content %q; non-streamed %q", got, *ch.Message.Content)
			}
			if got, want := reasoning.String(), deref(ch.Message.ReasoningContent); got != want {
				t.Errorf("streamed reasoning %q; non-streamed %q", got, want)
			}
			if finish == nil || *finish != ch.FinishReason {
				t.Errorf("streamed finish %v; non-streamed %q", finish, ch.FinishReason)
			}
			if includeUsage {
				if usage == nil || usage.PromptTokens != u.PromptTokens || usage.CompletionTokens != u.CompletionTokens || usage.TotalTokens != u.TotalTokens {
					t.Errorf("streamed usage %+v; non-streamed %+v", usage, u)
				}
			} else if usage != nil {
				t.Errorf("usage without include_usage: %+v", usage)
			}
		})
	}
}

func TestCompletionStreamMatchesNonStreamed(t *testing.T) {
	h := newTestHandler(t, Options{})
	const body = `{"model":"tiny","prompt":"Once upon a time","temperature":0,"max_tokens":10`
	var whole Completion
	wantJSON(t, call(h, "POST", RouteCompletions, body+`}`), 200, &whole)
	if whole.Object != "text_completion" || !strings.HasPrefix(whole.ID, "cmpl-") || len(whole.Choices) != 1 || whole.Usage == nil {
		t.Fatalf("completion %s", call(h, "POST", RouteCompletions, body+`}`).Body)
	}
	ch, u := whole.Choices[0], whole.Usage
	if ch.FinishReason == nil || ch.LogProbs != nil || u.CompletionTokens < 1 || u.CompletionTokens > 10 ||
		u.TotalTokens != u.PromptTokens+u.CompletionTokens || u.PromptTokens < 4 {
		t.Fatalf("choice %+v usage %+v", ch, u)
	}
	t.Logf("greedy completion: %q (%s, %d tokens)", ch.Text, *ch.FinishReason, u.CompletionTokens)

	events := stream(t, call(h, "POST", RouteCompletions, body+`,"stream":true,"stream_options":{"include_usage":true}}`))
	var text strings.Builder
	var finish *string
	var usage *Usage
	for i, data := range events {
		var c Completion
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			t.Fatal(err)
		}
		if c.Object != "text_completion" || c.Model != testModel {
			t.Fatalf("event %d: %s", i, data)
		}
		if c.Usage != nil {
			if i != len(events)-1 || !strings.Contains(data, `"choices":[]`) {
				t.Errorf("usage event %d of %d: %s", i, len(events), data)
			}
			usage = c.Usage
			continue
		}
		if len(c.Choices) != 1 || finish != nil {
			t.Fatalf("event %d: %s", i, data)
		}
		text.WriteString(c.Choices[0].Text)
		finish = c.Choices[0].FinishReason
	}
	if text.String() != ch.Text {
		t.Errorf("streamed text %q; non-streamed %q", text.String(), ch.Text)
	}
	if finish == nil || *finish != *ch.FinishReason {
		t.Errorf("streamed finish %v; want %q", finish, *ch.FinishReason)
	}
	if usage == nil || usage.CompletionTokens != u.CompletionTokens || usage.PromptTokens != u.PromptTokens {
		t.Errorf("streamed usage %+v; want %+v", usage, u)
	}

	// The prompt as token ids gives the same completion as the text it encodes.
	tok := testBackend(t).tok
	ids := tok.Encode("Once upon a time")
	if tok.AddBOS() {
		ids = append([]int{tok.BOS()}, ids...)
	}
	js, _ := json.Marshal(ids)
	var byIDs Completion
	wantJSON(t, call(h, "POST", RouteCompletions, `{"model":"tiny","temperature":0,"max_tokens":10,"prompt":[`+string(js)+`]}`), 200, &byIDs)
	if byIDs.Choices[0].Text != ch.Text || byIDs.Usage.PromptTokens != u.PromptTokens {
		t.Errorf("prompt as ids: %q (%d prompt tokens); as text: %q (%d)", byIDs.Choices[0].Text, byIDs.Usage.PromptTokens, ch.Text, u.PromptTokens)
	}
}

func TestStopStrings(t *testing.T) {
	h := newTestHandler(t, Options{})
	var whole Completion
	wantJSON(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"Hello","temperature":0,"max_tokens":16}`), 200, &whole)
	text := whole.Choices[0].Text
	if len(text) < 4 {
		t.Skipf("reply %q too short to cut", text)
	}
	// Stop at a piece of the greedy reply: the reply ends before it.
	stop := text[len(text)/2 : len(text)/2+2]
	cut := text[:strings.Index(text, stop)]
	js, _ := json.Marshal(stop)
	var stopped Completion
	wantJSON(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"Hello","temperature":0,"max_tokens":16,"stop":`+string(js)+`}`), 200, &stopped)
	if stopped.Choices[0].Text != cut || *stopped.Choices[0].FinishReason != "stop" {
		t.Errorf("stop %q: %q (%s); want %q", stop, stopped.Choices[0].Text, *stopped.Choices[0].FinishReason, cut)
	}
}

func TestLogProbs(t *testing.T) {
	h := newTestHandler(t, Options{})
	checkTop := func(t *testing.T, e TokenLogProb, n int) {
		t.Helper()
		if e.LogProb > 0 || len(e.TopLogProbs) != n {
			t.Errorf("token %+v: want logprob <= 0 and %d alternatives", e, n)
		}
		if string(intsToBytes(e.Bytes)) != e.Token && strings.ToValidUTF8(string(intsToBytes(e.Bytes)), "\uFFFD") != e.Token {
			t.Errorf("token %q has bytes %v", e.Token, e.Bytes)
		}
		for i, a := range e.TopLogProbs {
			if a.LogProb > 0 || (i > 0 && a.LogProb > e.TopLogProbs[i-1].LogProb) {
				t.Errorf("alternatives not in order: %+v", e.TopLogProbs)
			}
		}
		// Greedy: the chosen token is the most likely.
		if n > 0 && e.TopLogProbs[0].LogProb != e.LogProb {
			t.Errorf("greedy token %q logprob %v, best alternative %+v", e.Token, e.LogProb, e.TopLogProbs[0])
		}
	}

	// Chat, not streamed: one entry per generated token.
	var whole ChatCompletion
	wantJSON(t, call(h, "POST", RouteChat, chatBody(`"max_tokens":6,"logprobs":true,"top_logprobs":3`)), 200, &whole)
	lp := whole.Choices[0].LogProbs
	if lp == nil || len(lp.Content) != whole.Usage.CompletionTokens {
		t.Fatalf("logprobs %+v for %d tokens", lp, whole.Usage.CompletionTokens)
	}
	var all []byte
	for _, e := range lp.Content {
		checkTop(t, e, 3)
		all = append(all, intsToBytes(e.Bytes)...)
	}
	if got := deref(whole.Choices[0].Message.ReasoningContent) + deref(whole.Choices[0].Message.Content); string(all) != got {
		t.Errorf("token bytes %q; reply %q", all, got)
	}
	// logprobs without top_logprobs: no alternatives, but an empty list.
	raw := call(h, "POST", RouteChat, chatBody(`"max_tokens":2,"logprobs":true`))
	wantJSON(t, raw, 200, &whole)
	for _, e := range whole.Choices[0].LogProbs.Content {
		checkTop(t, e, 0)
	}
	if !bytes.Contains(raw.Body, []byte(`"top_logprobs":[]`)) {
		t.Errorf("top_logprobs not an empty list: %s", raw.Body)
	}

	// Chat, streamed: each token's chunk carries its own entry.
	events := stream(t, call(h, "POST", RouteChat, chatBody(`"max_tokens":6,"logprobs":true,"top_logprobs":2,"stream":true,"stream_options":{"include_usage":true}`)))
	n, generated := 0, -1
	for _, data := range events {
		var c ChatChunk
		json.Unmarshal([]byte(data), &c)
		if c.Usage != nil {
			generated = c.Usage.CompletionTokens
		}
		if len(c.Choices) == 1 && c.Choices[0].LogProbs != nil {
			if len(c.Choices[0].LogProbs.Content) != 1 {
				t.Errorf("chunk with %d logprobs: %s", len(c.Choices[0].LogProbs.Content), data)
			}
			for _, e := range c.Choices[0].LogProbs.Content {
				checkTop(t, e, 2)
				n++
			}
		}
	}
	if n != generated {
		t.Errorf("streamed %d logprobs for %d tokens", n, generated)
	}

	// Completions: the legacy shape.
	var c Completion
	raw = call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"Hello","temperature":0,"max_tokens":5,"logprobs":2}`)
	wantJSON(t, raw, 200, &c)
	l := c.Choices[0].LogProbs
	k := c.Usage.CompletionTokens
	if l == nil || len(l.Tokens) != k || len(l.TokenLogProbs) != k || len(l.TopLogProbs) != k || len(l.TextOffset) != k {
		t.Fatalf("logprobs %s for %d tokens", raw.Body, k)
	}
	for i := range k {
		if l.TokenLogProbs[i] > 0 || len(l.TopLogProbs[i]) < 1 || len(l.TopLogProbs[i]) > 2 {
			t.Errorf("token %d: %q %v %v", i, l.Tokens[i], l.TokenLogProbs[i], l.TopLogProbs[i])
		}
		if (i == 0 && l.TextOffset[0] != 0) || (i > 0 && l.TextOffset[i] < l.TextOffset[i-1]) || l.TextOffset[i] > len(c.Choices[0].Text) {
			t.Errorf("text offsets %v for %q", l.TextOffset, c.Choices[0].Text)
		}
	}
	// Streamed completions: each event's logprobs hold its own tokens.
	events = stream(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"Hello","temperature":0,"max_tokens":5,"logprobs":1,"stream":true}`))
	var toks []string
	for _, data := range events {
		var ev Completion
		json.Unmarshal([]byte(data), &ev)
		if len(ev.Choices) == 1 && ev.Choices[0].LogProbs != nil {
			el := ev.Choices[0].LogProbs
			if len(el.Tokens) != len(el.TokenLogProbs) || len(el.Tokens) != len(el.TextOffset) || len(el.Tokens) != len(el.TopLogProbs) {
				t.Errorf("event logprobs %s", data)
			}
			toks = append(toks, el.Tokens...)
		}
	}
	if strings.Join(toks, "") != strings.Join(l.Tokens, "") || len(toks) != k {
		t.Errorf("streamed tokens %q; non-streamed %q", toks, l.Tokens)
	}
}

func intsToBytes(v []int) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}

func TestLimits(t *testing.T) {
	h := newTestHandler(t, Options{MaxPromptTokens: 8, MaxTokens: 4})
	e := wantError(t, call(h, "POST", RouteChat, chatBody(`"max_tokens":2`)), 400, "invalid_request_error", "context_length_exceeded")
	if e["param"] != "messages" || !strings.Contains(e["message"].(string), "8") {
		t.Errorf("error %v", e)
	}
	e = wantError(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"`+strings.Repeat("hello ", 20)+`"}`), 400, "invalid_request_error", "context_length_exceeded")
	if e["param"] != "prompt" {
		t.Errorf("error %v", e)
	}
	e = wantError(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"Hi","max_tokens":5}`), 400, "invalid_request_error", "invalid_value")
	if e["param"] != "max_tokens" || !strings.Contains(e["message"].(string), "limit of 4") {
		t.Errorf("error %v", e)
	}
	h2 := newTestHandler(t, Options{MaxTokens: 4})
	e = wantError(t, call(h2, "POST", RouteChat, chatBody(`"max_completion_tokens":5`)), 400, "invalid_request_error", "invalid_value")
	if e["param"] != "max_completion_tokens" {
		t.Errorf("error %v", e)
	}
	// A request that sends no max_tokens gets the server's limit, not an error: chat...
	var cc ChatCompletion
	wantJSON(t, call(h2, "POST", RouteChat, chatBody("")), 200, &cc)
	if cc.Usage.CompletionTokens > 4 {
		t.Errorf("chat without max_tokens generated %d tokens; limit 4", cc.Usage.CompletionTokens)
	}
	// ...and completions, whose default of 16 is over the limit.
	var c Completion
	wantJSON(t, call(h2, "POST", RouteCompletions, `{"model":"tiny","prompt":"Hi","temperature":0}`), 200, &c)
	if c.Usage.CompletionTokens > 4 {
		t.Errorf("completion without max_tokens generated %d tokens; limit 4", c.Usage.CompletionTokens)
	}
	// A prompt that does not fit the context at all.
	h3 := newTestHandler(t, Options{})
	e = wantError(t, call(h3, "POST", RouteCompletions, `{"model":"tiny","prompt":"`+strings.Repeat("word ", 600)+`"}`), 400, "invalid_request_error", "context_length_exceeded")
	if !strings.Contains(e["message"].(string), "512") {
		t.Errorf("error %v", e)
	}
	// A prompt certainly too long by its length in bytes is refused before it is
	// tokenized, whichever form it comes in.
	big := strings.Repeat("word ", 1<<18) // 1.3 MB
	ids := strings.Repeat("1,", 600) + "1"
	for _, tc := range []struct{ name, path, body, param string }{
		{"text prompt", RouteCompletions, `{"model":"tiny","prompt":"` + big + `"}`, "prompt"},
		{"token prompt", RouteCompletions, `{"model":"tiny","prompt":[` + ids + `]}`, "prompt"},
		{"chat message", RouteChat, `{"model":"tiny","messages":[{"role":"user","content":"` + big + `"}]}`, "messages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := wantError(t, call(h3, "POST", tc.path, tc.body), 400, "invalid_request_error", "context_length_exceeded")
			if e["param"] != tc.param || !strings.Contains(e["message"].(string), "tokens, more than the 511") {
				t.Errorf("%s: error %v", tc.path, e)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	h := newTestHandler(t, Options{RPM: 1})
	if r := call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"Hi","max_tokens":1}`); r.Status != 200 {
		t.Fatalf("first request: %d %s", r.Status, r.Body)
	}
	resp := call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"Hi","max_tokens":1}`)
	e := wantError(t, resp, 429, "rate_limit_error", "rate_limit_exceeded")
	if resp.RetryAfter < 1 || resp.RetryAfter > 60 {
		t.Errorf("Retry-After %d", resp.RetryAfter)
	}
	if msg := e["message"].(string); !strings.Contains(msg, "1 requests per minute") {
		t.Errorf("message %q", msg)
	}
	// Another client has its own limit.
	r := h.Handle(context.Background(), &Request{Method: "POST", Path: RouteCompletions, Client: "10.0.0.2",
		Body: []byte(`{"model":"tiny","prompt":"Hi","max_tokens":1}`)})
	if r.Status != 200 {
		t.Errorf("other client: %d %s", r.Status, r.Body)
	}
	m := checkPrometheus(t, string(call(h, "GET", "/metrics", "").Body))
	if m["deepgo_rate_limited_total"] != 1 || m[`deepgo_requests_total{route="/v1/completions",code="429"}`] != 1 {
		t.Errorf("metrics: rate limited %v, 429s %v", m["deepgo_rate_limited_total"], m[`deepgo_requests_total{route="/v1/completions",code="429"}`])
	}

	// A caller over its limit is refused before its body is read: even a malformed one
	// gets the 429, not a 400.
	if r := call(h, "POST", RouteCompletions, `{"model":`); r.Status != 429 {
		t.Errorf("limited caller's malformed body: %d %s; want 429", r.Status, r.Body)
	}

	// A prompt larger than the whole token bucket can never pass: a 400, no Retry-After.
	h = newTestHandler(t, Options{TPM: 3})
	resp = call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"one two three four five six","max_tokens":1}`)
	e = wantError(t, resp, 400, "invalid_request_error", "request_too_large")
	if resp.RetryAfter != 0 || e["param"] != "prompt" || !strings.Contains(e["message"].(string), "3 tokens per minute") {
		t.Errorf("Retry-After %d, %v", resp.RetryAfter, e)
	}
}

// TestTokenLimitReserved checks that the tokens a reply may generate are reserved when it
// is admitted (issue 14: a key with tpm=200 got 6,008 tokens a minute asking max_tokens 3000).
func TestTokenLimitReserved(t *testing.T) {
	h := newTestHandler(t, Options{TPM: 200})
	// max_tokens that can never fit the limit: a 400 that says how far to lower it.
	resp := call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"Hi","max_tokens":400}`)
	e := wantError(t, resp, 400, "invalid_request_error", "request_too_large")
	if e["param"] != "max_tokens" || resp.RetryAfter != 0 || !strings.Contains(e["message"].(string), "lower max_tokens to at most") {
		t.Errorf("Retry-After %d, %v", resp.RetryAfter, e)
	}
	// A chat request without max_tokens may generate what the key has left, no more (a
	// reply that does not end by itself: the endless model).
	h = newEndlessHandler(t, Options{TPM: 200})
	var c ChatCompletion
	wantJSON(t, call(h, "POST", RouteChat, chatBody(`"logprobs":false`)), 200, &c)
	if used := c.Usage.TotalTokens; used > 200 || c.Choices[0].FinishReason != "length" {
		t.Errorf("%d tokens, finish %q; want at most 200, length", used, c.Choices[0].FinishReason)
	}
	// The bucket is now (nearly) empty: the next request waits, and says for how long.
	resp = call(h, "POST", RouteChat, chatBody(`"max_tokens":50`))
	wantError(t, resp, 429, "rate_limit_error", "rate_limit_exceeded")
	if resp.RetryAfter < 1 || resp.RetryAfter > 60 {
		t.Errorf("Retry-After %d", resp.RetryAfter)
	}
}

func TestClientGone(t *testing.T) {
	h := newTestHandler(t, Options{})
	sched := testBackend(t).Scheduler()
	for _, tc := range []struct{ name, path, body string }{
		{"chat", RouteChat, chatBody(`"max_tokens":400,"stream":true`)},
		{"completion", RouteCompletions, `{"model":"tiny","prompt":"Hi","temperature":0,"max_tokens":400,"stream":true}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := checkPrometheus(t, string(call(h, "GET", "/metrics", "").Body))
			resp := call(h, "POST", tc.path, tc.body)
			if resp.Stream == nil {
				t.Fatalf("%s: not a stream: %d %s", tc.path, resp.Status, resp.Body)
			}
			if st := sched.Stats(); st.Active != 1 {
				t.Errorf("%s: %d active after admission; want 1 (the slot is held for the stream)", tc.path, st.Active)
			}
			w := streamUntilGone(t, resp, 2)
			if st := sched.Stats(); st.Active != 0 || st.Queued != 0 {
				t.Errorf("%s: after the stream: %+v; want the slot free", tc.path, st)
			}
			if w.failed != 1 {
				t.Errorf("%s: %d writes after the first failure; want 1 (no more writes)", tc.path, w.failed)
			}
			after := checkPrometheus(t, string(call(h, "GET", "/metrics", "").Body))
			if d := after["deepgo_client_disconnects_total"] - before["deepgo_client_disconnects_total"]; d != 1 {
				t.Errorf("%s: disconnects went up by %v; want 1", tc.path, d)
			}
			if d := after["deepgo_completion_tokens_total"] - before["deepgo_completion_tokens_total"]; d > 3 {
				t.Errorf("%s: %v tokens generated after the client left", tc.path, d)
			}
		})
	}
}

// streamUntilGone streams resp into a recorder whose writes fail after failAfter of them,
// as a client that goes away, and returns it once the stream has returned (or fails t if
// it does not within 20 s).
func streamUntilGone(t *testing.T, resp *Response, failAfter int) *recorder {
	t.Helper()
	w := &recorder{failAfter: failAfter}
	done := make(chan struct{})
	go func() {
		resp.Stream(w)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the stream did not return after the client went away")
	}
	return w
}

func TestContextCancel(t *testing.T) {
	h := newTestHandler(t, Options{})
	sched := testBackend(t).Scheduler()
	ctx, cancel := context.WithCancelCause(context.Background())
	resp := h.Handle(ctx, &Request{Method: "POST", Path: RouteChat, Body: []byte(chatBody(`"max_tokens":400,"stream":true`))})
	cancel(ErrCancelled)
	var w recorder
	resp.Stream(&w)
	if n := len(w.events); n < 2 || !strings.Contains(w.events[n-1], `"code":"cancelled"`) {
		t.Errorf("events after cancel: %q", w.events)
	}
	if st := sched.Stats(); st.Active != 0 {
		t.Errorf("slot not freed: %+v", st)
	}
}

func TestHTTPHandler(t *testing.T) {
	keys, _ := ParseKeys(strings.NewReader("sk-http-key"), "k")
	h := newTestHandler(t, Options{Keys: keys})
	srv := httptest.NewServer(h.HTTPHandler(4096))
	defer srv.Close()
	post := func(body, auth string) *http.Response {
		req, _ := http.NewRequest("POST", srv.URL+RouteChat, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	readAll := func(r *http.Response) []byte {
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// Over the body limit.
	resp := post(`{"model":"tiny","messages":[{"role":"user","content":"`+strings.Repeat("x", 5000)+`"}]}`, "Bearer sk-http-key")
	body := readAll(resp)
	if resp.StatusCode != 413 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("big body: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	checkErrorJSON(t, body, "invalid_request_error", "request_too_large")

	// No key.
	resp = post(chatBody(`"max_tokens":2`), "")
	checkErrorJSON(t, readAll(resp), "authentication_error", "invalid_api_key")
	if resp.StatusCode != 401 {
		t.Errorf("no key: %d", resp.StatusCode)
	}

	// One chat request end to end.
	resp = post(chatBody(`"max_tokens":5`), "Bearer sk-http-key")
	body = readAll(resp)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
		t.Fatalf("chat: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	var cc ChatCompletion
	if err := json.Unmarshal(body, &cc); err != nil || len(cc.Choices) != 1 || cc.Choices[0].Message.Content == nil {
		t.Fatalf("chat body %s: %v", body, err)
	}
	// And streamed, through the real transport.
	resp = post(chatBody(`"max_tokens":5,"stream":true`), "Bearer sk-http-key")
	body = readAll(resp)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("stream: %d %v", resp.StatusCode, resp.Header)
	}
	evs := strings.SplitAfter(string(body), "\n\n")
	if evs[len(evs)-1] != "" || evs[len(evs)-2] != "data: [DONE]\n\n" {
		t.Fatalf("stream body %q", body)
	}
	var content strings.Builder
	for _, ev := range evs[:len(evs)-2] {
		var c ChatChunk
		if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimPrefix(ev, "data: "), "\n\n")), &c); err != nil {
			t.Fatalf("event %q: %v", ev, err)
		}
		if len(c.Choices) == 1 && c.Choices[0].Delta.Content != nil {
			content.WriteString(*c.Choices[0].Delta.Content)
		}
	}
	if content.String() != *cc.Choices[0].Message.Content {
		t.Errorf("streamed over HTTP %q; not streamed %q", content.String(), *cc.Choices[0].Message.Content)
	}

	// A 503 carries Retry-After.
	h2 := NewHandler(Options{ModelName: testModel})
	srv2 := httptest.NewServer(h2.HTTPHandler(0))
	defer srv2.Close()
	r2, err := http.Get(srv2.URL + "/ready")
	if err != nil {
		t.Fatal(err)
	}
	readAll(r2)
	if r2.StatusCode != 503 || r2.Header.Get("Retry-After") != "1" {
		t.Errorf("ready without model: %d Retry-After %q", r2.StatusCode, r2.Header.Get("Retry-After"))
	}
}

func TestToolsRequest(t *testing.T) {
	h := newTestHandler(t, Options{})
	body := `{"model":"tiny","temperature":0,"max_tokens":4,"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather of a city","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
		"messages":[{"role":"user","content":"Weather in Paris?"},
			{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
			{"role":"tool","tool_call_id":"call_1","content":"18C"}]}`
	var cc ChatCompletion
	wantJSON(t, call(h, "POST", RouteChat, body), 200, &cc)
	if len(cc.Choices) != 1 || cc.Usage.PromptTokens < 20 {
		t.Errorf("reply %+v usage %+v", cc.Choices, cc.Usage)
	}
	// The DeepSeek-V3 template does not render tool definitions, so the handler describes
	// them in the system message; tool_choice none leaves them out.
	var plain ChatCompletion
	wantJSON(t, call(h, "POST", RouteChat, strings.Replace(body, `"tools"`, `"tool_choice":"none","tools"`, 1)), 200, &plain)
	if cc.Usage.PromptTokens < plain.Usage.PromptTokens+50 {
		t.Errorf("prompt with tools %d tokens, with tool_choice none %d: the tools were not described", cc.Usage.PromptTokens, plain.Usage.PromptTokens)
	}
}

func TestWithTools(t *testing.T) {
	tools := []json.RawMessage{json.RawMessage(`{"type":"function","function":{"name":"get_weather","description":"Weather of a city","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}`)}
	sys, user := "Be brief.", "Weather in Paris?"
	for _, c := range []struct {
		name string
		msgs []chat.Message
	}{
		{"user only", []chat.Message{{Role: "user", Content: &user}}},
		{"system and user", []chat.Message{{Role: "system", Content: &sys}, {Role: "user", Content: &user}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			msgs := c.msgs
			out := withTools(msgs, tools)
			if len(out) != 2 || out[0].Role != "system" || out[1].Content != &user {
				t.Fatalf("messages %+v", out)
			}
			got := *out[0].Content
			for _, want := range []string{"### get_weather", "Description: Weather of a city", `Parameters: {"properties":{"city":{"type":"string"}},"type":"object"}`, "<｜tool▁call▁begin｜>function<｜tool▁sep｜>"} {
				if !strings.Contains(got, want) {
					t.Errorf("system message lacks %q:\n%s", want, got)
				}
			}
			if len(msgs) == 2 && !strings.HasPrefix(got, sys+"\n\n") || *msgs[0].Content != sys && len(msgs) == 2 {
				t.Errorf("the system message was not kept first: %q", got)
			}
		})
	}
}

func TestPrepareStream(t *testing.T) {
	h := newTestHandler(t, Options{})
	run, e := h.PrepareStream(&Request{Method: "POST", Path: RouteChat, Body: []byte(chatBody(`"max_tokens":3`))})
	if e != nil {
		t.Fatal(e)
	}
	var got []string
	if e := run(context.Background(), func(b []byte) error { got = append(got, string(b)); return nil }); e != nil {
		t.Fatal(e)
	}
	if len(got) < 3 || got[len(got)-1] != "[DONE]" || !strings.Contains(got[0], `"role":"assistant"`) {
		t.Errorf("chunks %q", got)
	}
	if _, e := h.PrepareStream(&Request{Body: []byte(`{}`)}); e == nil || e.Status != 400 {
		t.Errorf("bad request: %v", e)
	}
	m := checkPrometheus(t, string(call(h, "GET", "/metrics", "").Body))
	if m[`deepgo_requests_total{route="/ws",code="200"}`] != 1 || m[`deepgo_requests_total{route="/ws",code="400"}`] != 1 {
		t.Errorf("ws metrics %v", m)
	}
}

// TestClientGoneAtTheEnd fails the stream at each of its last events: every failure is a
// disconnect, and the slot is freed.
func TestClientGoneAtTheEnd(t *testing.T) {
	h := newTestHandler(t, Options{})
	sched := testBackend(t).Scheduler()
	for _, tc := range []struct{ name, path, body string }{
		{"chat", RouteChat, chatBody(`"max_tokens":3,"stream":true,"stream_options":{"include_usage":true}`)},
		{"completion", RouteCompletions, `{"model":"tiny","prompt":"Hi","temperature":0,"max_tokens":3,"stream":true,"stream_options":{"include_usage":true}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var full recorder
			call(h, "POST", tc.path, tc.body).Stream(&full)
			n := len(full.events)
			for failAfter := n - 3; failAfter < n; failAfter++ {
				before := checkPrometheus(t, string(call(h, "GET", "/metrics", "").Body))
				w := &recorder{failAfter: failAfter}
				call(h, "POST", tc.path, tc.body).Stream(w)
				if len(w.events) != failAfter || w.failed != 1 {
					t.Errorf("%s, failing after %d of %d events: %d events, %d failed writes", tc.path, failAfter, n, len(w.events), w.failed)
				}
				after := checkPrometheus(t, string(call(h, "GET", "/metrics", "").Body))
				if d := after["deepgo_client_disconnects_total"] - before["deepgo_client_disconnects_total"]; d != 1 {
					t.Errorf("%s, failing after %d of %d events (%q): disconnects went up by %v; want 1", tc.path, failAfter, n, full.events[failAfter], d)
				}
				if st := sched.Stats(); st.Active != 0 {
					t.Errorf("slot not freed: %+v", st)
				}
			}
		})
	}
}

// TestKVBudget: a prompt whose KV cache can never fit the server's budget gets a 400 that
// says so; one that fits is served.
func TestKVBudget(t *testing.T) {
	shared := testBackend(t)
	m, tok := shared.sched.Model(), shared.sched.Tokenizer()
	for _, c := range []struct {
		budget int64
		status int
	}{{1, 400}, {64 << 20, 200}} {
		t.Run(fmt.Sprintf("budget %d bytes", c.budget), func(t *testing.T) {
			b, err := NewBackend(serving.NewScheduler(m, tok, serving.SchedulerOptions{Slots: 1, Context: 512, KVBudget: c.budget}))
			if err != nil {
				t.Fatal(err)
			}
			h := NewHandler(Options{ModelName: testModel})
			h.SetBackend(b)
			resp := call(h, "POST", RouteChat, chatBody(`"max_tokens":2`))
			if c.status == 400 {
				e := wantError(t, resp, 400, "invalid_request_error", "context_length_exceeded")
				if !strings.Contains(e["message"].(string), "no capacity") {
					t.Errorf("budget of %d bytes: error %v", c.budget, e)
				}
				return
			}
			var cc ChatCompletion
			wantJSON(t, resp, 200, &cc)
		})
	}
}

// TestTinyTemperatureLogProbs checks that log-probabilities stay finite JSON at
// temperatures so close to 0 that the sampler's probabilities underflow (issue 14: a 200
// with an empty body, or a stream that just stopped).
func TestTinyTemperatureLogProbs(t *testing.T) {
	h := newTestHandler(t, Options{})
	for _, temp := range []string{"1e-45", "1e-40", "1e-38", "1e-30", "0.000001"} {
		t.Run(temp, func(t *testing.T) {
			checkLP := func(what string, v float64) {
				if math.IsNaN(v) || v < minLogProb || v > 0 {
					t.Errorf("%s: log-probability %g", what, v)
				}
			}
			var c ChatCompletion
			wantJSON(t, call(h, "POST", RouteChat, chatBody(`"temperature":`+temp+`,"max_tokens":4,"logprobs":true,"top_logprobs":20`)), 200, &c)
			if c.Choices[0].LogProbs == nil || len(c.Choices[0].LogProbs.Content) == 0 {
				t.Fatalf("no log-probabilities: %+v", c)
			}
			for _, lp := range c.Choices[0].LogProbs.Content {
				checkLP("chat", float64(lp.LogProb))
				for _, top := range lp.TopLogProbs {
					checkLP("chat top", float64(top.LogProb))
				}
			}
			events := stream(t, call(h, "POST", RouteChat, chatBody(`"temperature":`+temp+`,"max_tokens":4,"logprobs":true,"top_logprobs":20,"stream":true`)))
			if len(events) < 3 {
				t.Errorf("chat stream: %d events", len(events))
			}
			var tc Completion
			wantJSON(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"Hello","max_tokens":4,"logprobs":20,"temperature":`+temp+`}`), 200, &tc)
			lps := tc.Choices[0].LogProbs
			if lps == nil || len(lps.TokenLogProbs) == 0 {
				t.Fatalf("no log-probabilities: %+v", tc)
			}
			for i, v := range lps.TokenLogProbs {
				checkLP("text", float64(v))
				for _, top := range lps.TopLogProbs[i] {
					checkLP("text top", float64(top))
				}
			}
			stream(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"Hello","max_tokens":4,"logprobs":20,"stream":true,"temperature":`+temp+`}`))
		})
	}
}

func TestFloorLogProb(t *testing.T) {
	for _, tc := range []struct{ in, want float32 }{
		{float32(math.Inf(-1)), minLogProb}, {float32(math.NaN()), minLogProb}, {-1e30, minLogProb},
		{float32(math.Inf(1)), 0}, {-9999, -9999}, {-1.5, -1.5}, {0, 0},
	} {
		t.Run(fmt.Sprint(tc.in), func(t *testing.T) {
			if got := floorLogProb(tc.in); got != tc.want {
				t.Errorf("floorLogProb(%g) = %g; want %g", tc.in, got, tc.want)
			}
		})
	}
}

// TestMetricsSpeculation: a backend that drafts with the MTP module reports its checking
// passes, the drafts accepted per pass and the acceptance by position in /metrics; a bad
// speculation setting is refused when the backend opens.
func TestMetricsSpeculation(t *testing.T) {
	testBackend(t) // the trained model's copy in modelDir
	b, err := OpenBackend(modelDir, BackendOptions{Threads: 2, Slots: 1, Context: 512,
		Speculation: serving.Speculation{Mode: serving.SpecMTP, Draft: 2, Fixed: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	h := NewHandler(Options{ModelName: testModel})
	h.SetBackend(b)
	resp := call(h, "POST", RouteChat, chatBody(`"max_tokens":24,"temperature":0`))
	if resp.Status != 200 {
		t.Fatalf("chat: %d %s", resp.Status, resp.Body)
	}
	m := checkPrometheus(t, string(call(h, "GET", "/metrics", "").Body))
	if m["deepgo_spec_passes_total"] < 1 || m["deepgo_spec_drafted_tokens_total"] < 2*m["deepgo_spec_passes_total"] {
		t.Errorf("spec passes %v, drafted %v", m["deepgo_spec_passes_total"], m["deepgo_spec_drafted_tokens_total"])
	}
	want := m["deepgo_spec_accepted_tokens_total"] / m["deepgo_spec_passes_total"]
	if got := m["deepgo_spec_accepted_per_pass"]; math.Abs(got-want) > 1e-9 {
		t.Errorf("deepgo_spec_accepted_per_pass %v, want %v", got, want)
	}
	if r, ok := m[`deepgo_spec_accept_by_pos{pos="1"}`]; !ok || r < 0 || r > 1 {
		t.Errorf(`deepgo_spec_accept_by_pos{pos="1"} = %v (present %v)`, r, ok)
	}
	for _, bad := range []serving.Speculation{{Mode: "eagle"}, {Mode: serving.SpecReplay}, {Mode: serving.SpecNgram, Draft: 9}} {
		if b, err := OpenBackend(modelDir, BackendOptions{Threads: 2, Slots: 1, Context: 512, Speculation: bad}); err == nil {
			b.Close()
			t.Errorf("speculation %+v: no error", bad)
		}
	}
}
