package edge_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/synth"
	"github.com/deepgo/deepgo/edge"
)

// slow scales the time limits of tests that wait on generation: the race detector makes
// the model about twenty times slower.
var slow = func() time.Duration {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				return 20
			}
		}
	}
	return 1
}()

// modelRoot holds the copy of the trained model, made once per test binary and removed in TestMain.
var modelRoot string

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild()) // this process is a server for a test (child_test.go)
	}
	code := m.Run()
	if modelRoot != "" {
		os.RemoveAll(modelRoot)
	}
	os.Exit(code)
}

// modelDir copies the trained model (models/deepseek-v3-kjv, tools/train) once, as "tiny".
var modelDir = sync.OnceValues(func() (string, error) {
	root, err := os.MkdirTemp("", "deepgo-edge-test-")
	if err != nil {
		return "", err
	}
	modelRoot = root
	dir := root + "/tiny"
	if err := fixture.CopyTrained(dir); err != nil {
		return "", err
	}
	return dir, nil
})

// endlessModelDir writes, once, a model of random weights (the tiny shape, the full
// DeepSeek-V3 tokenizer), which practically never emits the end-of-sentence token: for the
// tests whose generation must go on until they stop it (the trained model ends a reply after
// a verse). It lives under modelRoot, so modelDir runs first.
var endlessModelDir = sync.OnceValues(func() (string, error) {
	if _, err := modelDir(); err != nil {
		return "", err
	}
	cfg, err := synth.Shape("tiny", 2)
	if err != nil {
		return "", err
	}
	dir := modelRoot + "/endless"
	if err := synth.WriteHF(dir, cfg, synth.Options{Seed: 5}); err != nil {
		return "", err
	}
	return dir, nil
})

// setup configures a test server: zero values take the defaults below.
type setup struct {
	keys            string // API keys file contents; "" = no keys
	slots, queue    int    // defaults 2 and 2
	maxTokens       int
	maxPromptTokens int
	ctx             int         // tokens per slot; default the model's, at most 4096
	edge            edge.Config // Addr and Handler are filled in
	endless         bool        // serve endlessModelDir's model instead of the trained one
	threads         int         // default 2
	dir             string      // serve this model instead (default: the trained one, or endless's)
	name            string      // the model id clients use; default "tiny"
}

// testServer is a running edge server on 127.0.0.1 with its backend.
type testServer struct {
	t    *testing.T // the test that started it, where do and doWith report failures
	srv  *edge.Server
	h    *openai.Handler
	b    *openai.Backend
	base string // http://127.0.0.1:PORT
	addr string

	mu       sync.Mutex
	shutdown bool
	served   chan error
}

// start opens the model and serves it on a free loopback port; the server is shut down and
// the backend closed when the test ends.
func start(t *testing.T, o setup) *testServer {
	t.Helper()
	models := modelDir
	if o.endless {
		models = endlessModelDir
	}
	dir, err := models()
	if err != nil {
		t.Fatalf("the model: %v", err)
	}
	if o.dir != "" {
		dir = o.dir
	}
	if o.name == "" {
		o.name = "tiny"
	}
	if o.slots == 0 {
		o.slots = 2
	}
	if o.queue == 0 {
		o.queue = 2
	}
	if o.threads == 0 {
		o.threads = 2
	}
	var keys *openai.Keys
	if o.keys != "" {
		keys, err = openai.ParseKeys(strings.NewReader(o.keys), "test")
		if err != nil {
			t.Fatal(err)
		}
	}
	h := openai.NewHandler(openai.Options{ModelName: o.name, Keys: keys, MaxTokens: o.maxTokens, MaxPromptTokens: o.maxPromptTokens})
	b, err := openai.OpenBackend(dir, openai.BackendOptions{Threads: o.threads, Slots: o.slots, Queue: o.queue, Context: o.ctx})
	if err != nil {
		t.Fatalf("open backend: %v", err)
	}
	h.SetBackend(b)
	c := o.edge
	c.Addr = "127.0.0.1:0"
	c.Handler = h
	srv := edge.New(c)
	if err := srv.Listen(); err != nil {
		b.Close()
		t.Fatal(err)
	}
	ts := &testServer{t: t, srv: srv, h: h, b: b, addr: srv.Addr(), base: "http://" + srv.Addr(), served: make(chan error, 1)}
	go func() { ts.served <- srv.Serve() }()
	t.Cleanup(func() {
		ts.mu.Lock()
		done := ts.shutdown
		ts.mu.Unlock()
		if !done {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			srv.Shutdown(ctx)
			cancel()
		}
		select {
		case <-ts.served:
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after Shutdown")
		}
		// The model's weights are unmapped by Close: no generation may still run.
		if !waitFor(10*time.Second, func() bool { st := b.Scheduler().Stats(); return st.Active == 0 && st.Queued == 0 }) {
			t.Errorf("generations still running at the end of the test: %+v", b.Scheduler().Stats())
			return // leak the backend rather than unmap weights in use
		}
		b.Close()
	})
	return ts
}

// Shutdown shuts the server down (once) and reports how long it took.
func (ts *testServer) Shutdown(d time.Duration) (time.Duration, error) {
	ts.mu.Lock()
	ts.shutdown = true
	ts.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	t0 := time.Now()
	err := ts.srv.Shutdown(ctx)
	return time.Since(t0), err
}

// waitFor polls cond until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// client is an HTTP client with a timeout and no connection reuse between tests.
func newClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
}

var defaultClient = newClient(60 * time.Second)

// reply is a whole HTTP response.
type reply struct {
	status int
	header http.Header
	body   []byte
	close  bool // the server closes the connection (Connection: close)
}

// do sends a request with an optional Authorization header and body.
func (ts *testServer) do(method, path, auth string, body any) reply {
	ts.t.Helper()
	return ts.send(ts.t, defaultClient, nil, method, path, auth, body)
}

// doT is do for a subtest of the test that started the server: a request that cannot be
// sent stops t, as FailNow must not be called on a parent test.
func (ts *testServer) doT(t *testing.T, method, path, auth string, body any) reply {
	t.Helper()
	return ts.send(t, defaultClient, nil, method, path, auth, body)
}

func (ts *testServer) doWith(c *http.Client, hdr map[string]string, method, path, auth string, body any) reply {
	ts.t.Helper()
	return ts.send(ts.t, c, hdr, method, path, auth, body)
}

// send sends a request with c and the headers hdr; failures to send it or read the
// answer stop t.
func (ts *testServer) send(t *testing.T, c *http.Client, hdr map[string]string, method, path, auth string, body any) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, ts.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b, close: resp.Close}
}

// stream starts a streamed POST; the caller reads and closes the response.
func (ts *testServer) stream(ctx context.Context, path, auth string, body any) (*http.Response, error) {
	j, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", ts.base+path, bytes.NewReader(j))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return defaultClient.Do(req)
}

// apiError is the OpenAI error object.
type apiError struct {
	Error *struct {
		Message *string `json:"message"`
		Type    *string `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

// checkError checks that r is an OpenAI-shaped JSON error with status and, if code is not
// empty, that code; it returns the error's type.
func checkError(t *testing.T, what string, r reply, status int, code string) string {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d (body %s)", what, r.status, status, r.body)
		return ""
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json (body %q)", what, ct, r.body)
	}
	return checkErrorBody(t, what, r.body, code)
}

func checkErrorBody(t *testing.T, what string, body []byte, code string) string {
	t.Helper()
	// All four keys must be present, param and code possibly null.
	var raw map[string]map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Errorf("%s: the body is not JSON: %v: %q", what, err, body)
		return ""
	}
	obj, ok := raw["error"]
	if !ok || len(raw) != 1 {
		t.Errorf("%s: want {\"error\":{...}}, got %s", what, body)
		return ""
	}
	for _, k := range []string{"message", "type", "param", "code"} {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s: the error object has no %q: %s", what, k, body)
		}
	}
	var e apiError
	json.Unmarshal(body, &e)
	if e.Error.Message == nil || *e.Error.Message == "" || e.Error.Type == nil || *e.Error.Type == "" {
		t.Errorf("%s: empty message or type: %s", what, body)
	}
	if code != "" && (e.Error.Code == nil || *e.Error.Code != code) {
		t.Errorf("%s: code %v, want %q: %s", what, ptr(e.Error.Code), code, body)
	}
	if e.Error.Type == nil {
		return ""
	}
	return *e.Error.Type
}

func ptr(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

// sseEvents reads a server-sent event stream's data lines until the body ends or n
// events were read (n <= 0: all).
func sseEvents(r io.Reader, n int) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var events []string
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			return events, fmt.Errorf("not an SSE data line: %q", line)
		}
		events = append(events, data)
		if n > 0 && len(events) == n {
			return events, nil
		}
	}
	return events, sc.Err()
}

// chunk is a streamed chunk, chat or text.
type chunk struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Model   string `json:"model"`
	Choices []struct {
		Text  *string `json:"text"`
		Delta struct {
			Role    string  `json:"role"`
			Content *string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	} `json:"usage"`
	Error json.RawMessage `json:"error"`
}

// streamed is a parsed stream.
type streamed struct {
	text      string
	finish    string
	chunks    []chunk
	usage     *chunk // the usage chunk, if any
	done      bool   // [DONE] came last
	errorBody []byte // an error event, if any
}

// parseStream checks the events of a stream: chunk objects of object want, then [DONE]
// last (or an error event last).
func parseStream(t *testing.T, events []string, want string) streamed {
	t.Helper()
	var s streamed
	var id string
	for i, ev := range events {
		if ev == "[DONE]" {
			if i != len(events)-1 {
				t.Errorf("[DONE] is event %d of %d, not the last", i, len(events))
			}
			s.done = true
			continue
		}
		var c chunk
		if err := json.Unmarshal([]byte(ev), &c); err != nil {
			t.Fatalf("event %d is not JSON: %v: %q", i, err, ev)
		}
		if c.Error != nil {
			if i != len(events)-1 {
				t.Errorf("error event %d of %d is not the last: %s", i, len(events), ev)
			}
			s.errorBody = []byte(ev)
			continue
		}
		if c.Object != want {
			t.Errorf("event %d: object %q, want %q", i, c.Object, want)
		}
		if c.Model != "tiny" {
			t.Errorf("event %d: model %q", i, c.Model)
		}
		if id == "" {
			id = c.ID
		} else if c.ID != id {
			t.Errorf("event %d: id %q, want the stream's %q", i, c.ID, id)
		}
		s.chunks = append(s.chunks, c)
		if c.Usage != nil {
			s.usage = &s.chunks[len(s.chunks)-1]
		}
		for _, ch := range c.Choices {
			if ch.Text != nil {
				s.text += *ch.Text
			}
			if ch.Delta.Content != nil {
				s.text += *ch.Delta.Content
			}
			if ch.FinishReason != nil {
				s.finish = *ch.FinishReason
			}
		}
	}
	return s
}

// goroutines waits until the goroutine count is at most base+slack, and returns it.
func goroutines(base, slack int, d time.Duration) int {
	n := runtime.NumGoroutine()
	waitFor(d, func() bool {
		defaultClient.CloseIdleConnections()
		n = runtime.NumGoroutine()
		return n <= base+slack
	})
	return n
}

// chatBody is a chat request; greedy unless temperature is set in extra.
func chatBody(content string, maxTokens int, stream bool, extra map[string]any) map[string]any {
	m := map[string]any{
		"model":       "tiny",
		"messages":    []map[string]string{{"role": "user", "content": content}},
		"max_tokens":  maxTokens,
		"temperature": 0,
		"stream":      stream,
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func completionBody(prompt string, maxTokens int, stream bool, extra map[string]any) map[string]any {
	m := map[string]any{"model": "tiny", "prompt": prompt, "max_tokens": maxTokens, "temperature": 0, "stream": stream}
	for k, v := range extra {
		m[k] = v
	}
	return m
}
