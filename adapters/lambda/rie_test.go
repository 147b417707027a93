package lambda_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deepgo/deepgo/core/fixture"
)

// These tests run the real bootstrap (targets/lambda, built with -tags lambda.norpc) under
// the AWS Lambda Runtime Interface Emulator and invoke it over loopback with
// Function-URL-shaped events. The emulator comes from
//
//	go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
//
// (make test-deps); without it they skip, unless DEEPGO_RIE=1 (as in CI) makes that a failure.

var work = filepath.Join(os.TempDir(), fmt.Sprintf("deepgo-lambda-test-%d", os.Getpid()))

func TestMain(m *testing.M) {
	code := m.Run()
	os.RemoveAll(work)
	os.Exit(code)
}

// setup builds the bootstrap and copies the trained model (models/deepseek-v3-kjv) once.
var setup = sync.OnceValues(func() (string, error) {
	if err := fixture.CopyTrained(filepath.Join(work, "model")); err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(work, "bootstrap"), "../../targets/lambda")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build bootstrap: %v\n%s", err, out)
	}
	return work, nil
})

func rieBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p
	}
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "aws-lambda-rie")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	msg := "aws-lambda-rie is not installed: run make test-deps"
	if os.Getenv("DEEPGO_RIE") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// emulator is a running aws-lambda-rie with the bootstrap.
type emulator struct {
	url string
	log *bytes.Buffer
	mu  *sync.Mutex
}

func (e emulator) logText() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.log.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func startEmulator(t *testing.T, mode string) emulator {
	t.Helper()
	rie := rieBinary(t)
	dir, err := setup()
	if err != nil {
		t.Fatal(err)
	}
	addr, api := freePort(t), freePort(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", api, filepath.Join(dir, "bootstrap"))
	cmd.Env = append(os.Environ(), "DEEPGO_MODEL="+filepath.Join(dir, "model"), "DEEPGO_MODEL_NAME=tiny",
		"DEEPGO_API_KEYS=sk-lambda-1", "DEEPGO_LAMBDA_MODE="+mode, "DEEPGO_THREADS=2")
	e := emulator{url: "http://" + addr + "/2015-03-31/functions/function/invocations", log: new(bytes.Buffer), mu: new(sync.Mutex)}
	cmd.Stdout = lockedWriter{e.mu, e.log}
	cmd.Stderr = lockedWriter{e.mu, e.log}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("emulator log:\n%s", e.logText())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("the emulator did not listen on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// event is a Function URL (payload 2.0) event.
func event(method, path, auth, body string) []byte {
	headers := map[string]string{"content-type": "application/json", "host": "abc.lambda-url.us-east-1.on.aws"}
	if auth != "" {
		headers["authorization"] = auth
	}
	ev := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
		"headers": headers,
		"requestContext": map[string]any{
			"accountId": "anonymous", "apiId": "abc", "domainName": "abc.lambda-url.us-east-1.on.aws",
			"domainPrefix": "abc", "requestId": "req-1", "routeKey": "$default", "stage": "$default",
			"time": "26/Nov/2026:00:00:00 +0000", "timeEpoch": 1795651200000,
			"http": map[string]any{"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "test"},
		},
		"body": body, "isBase64Encoded": false,
	}
	b, _ := json.Marshal(ev)
	return b
}

func (e emulator) invoke(t *testing.T, ev []byte) []byte {
	t.Helper()
	c := &http.Client{Timeout: 60 * time.Second}
	resp, err := c.Post(e.url, "application/json", bytes.NewReader(ev))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("invoke: %d %s", resp.StatusCode, b)
	}
	return b
}

// reply is an HTTP answer as the function gave it.
type reply struct {
	Status  int               `json:"statusCode"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// streamed splits a RESPONSE_STREAM answer: a JSON prelude, 8 zero bytes, then the body.
func streamed(t *testing.T, raw []byte) reply {
	t.Helper()
	i := bytes.Index(raw, make([]byte, 8))
	if i < 0 {
		t.Fatalf("no 8-byte separator after the prelude in %q", raw)
	}
	var r reply
	if err := json.Unmarshal(raw[:i], &r); err != nil {
		t.Fatalf("prelude %q: %v", raw[:i], err)
	}
	r.Body = string(raw[i+8:])
	return r
}

func buffered(t *testing.T, raw []byte) reply {
	t.Helper()
	var r reply
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("buffered reply %q: %v", raw, err)
	}
	return r
}

const (
	key     = "Bearer sk-lambda-1"
	chatReq = `{"model":"tiny","messages":[{"role":"user","content":"Hello from Lambda"}],"max_tokens":12,"temperature":0}`
)

func streamReq() string {
	return strings.Replace(chatReq, `"temperature":0`, `"temperature":0,"stream":true,"stream_options":{"include_usage":true}`, 1)
}

// sseText joins the content of a chat SSE body and checks its framing.
func sseText(t *testing.T, body string) string {
	t.Helper()
	if !strings.HasSuffix(body, "data: [DONE]\n\n") {
		t.Fatalf("stream does not end with data: [DONE]: %q", body)
	}
	var text strings.Builder
	events := strings.Split(strings.TrimSuffix(body, "\n\n"), "\n\n")
	sawUsage := false
	for _, ev := range events[:len(events)-1] {
		data, ok := strings.CutPrefix(ev, "data: ")
		if !ok {
			t.Fatalf("event without data: %q", ev)
		}
		var c struct {
			Object  string `json:"object"`
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
			Usage *struct {
				CompletionTokens int `json:"completion_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			t.Fatalf("event %q: %v", data, err)
		}
		if c.Object != "chat.completion.chunk" {
			t.Fatalf("object %q", c.Object)
		}
		if c.Usage != nil {
			sawUsage = c.Usage.CompletionTokens == 12
		}
		for _, ch := range c.Choices {
			text.WriteString(ch.Delta.Content)
		}
	}
	if !sawUsage {
		t.Errorf("no usage chunk with 12 completion tokens")
	}
	return text.String()
}

// completion decodes a chat.completion body.
func completion(t *testing.T, body string) (content string, completionTokens int) {
	t.Helper()
	var c struct {
		Object  string `json:"object"`
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil || c.Object != "chat.completion" || len(c.Choices) != 1 {
		t.Fatalf("not a chat completion: %q (%v)", body, err)
	}
	return c.Choices[0].Message.Content, c.Usage.CompletionTokens
}

func errorCode(t *testing.T, body string) (typ, code string) {
	t.Helper()
	var e struct {
		Error struct {
			Message string  `json:"message"`
			Type    string  `json:"type"`
			Code    *string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Message == "" {
		t.Fatalf("not an OpenAI error: %q (%v)", body, err)
	}
	if e.Error.Code != nil {
		code = *e.Error.Code
	}
	return e.Error.Type, code
}

func TestLambdaStreaming(t *testing.T) {
	e := startEmulator(t, "stream")
	start := time.Now()
	r := streamed(t, e.invoke(t, event("POST", "/v1/chat/completions", key, chatReq)))
	first := time.Since(start)
	if r.Status != 200 || !strings.HasPrefix(r.Headers["Content-Type"], "application/json") {
		t.Fatalf("chat: %d %v %q", r.Status, r.Headers, r.Body)
	}
	content, n := completion(t, r.Body)
	if content == "" || n != 12 {
		t.Errorf("chat: content %q, %d tokens", content, n)
	}
	if m := regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`).FindStringSubmatch(e.logText()); m != nil {
		t.Logf("cold start: init %s ms (model open), first invocation done %v after it was sent (init + 12 tokens)", m[1], first.Round(time.Millisecond))
	} else {
		t.Errorf("no INIT REPORT in the emulator's log")
	}

	// Streamed: the emulator buffers the stream, but the framing is the function's own.
	r = streamed(t, e.invoke(t, event("POST", "/v1/chat/completions", key, streamReq())))
	if r.Status != 200 || r.Headers["Content-Type"] != "text/event-stream" {
		t.Fatalf("stream: %d %v", r.Status, r.Headers)
	}
	if got := sseText(t, r.Body); got != content {
		t.Errorf("streamed text %q != non-streamed content %q", got, content)
	}

	// Errors: OpenAI-shaped, with their status.
	for _, c := range []struct {
		name, auth, path, body string
		status                 int
		typ, code              string
	}{
		{"no key", "", "/v1/chat/completions", chatReq, 401, "authentication_error", "invalid_api_key"},
		{"wrong key", "Bearer sk-nope", "/v1/chat/completions", chatReq, 401, "authentication_error", "invalid_api_key"},
		{"bad json", key, "/v1/chat/completions", `{"model":`, 400, "invalid_request_error", "invalid_json"},
		{"unknown model", key, "/v1/chat/completions", strings.Replace(chatReq, `"tiny"`, `"gpt-9"`, 1), 404, "invalid_request_error", "model_not_found"},
		{"bad field", key, "/v1/chat/completions", strings.Replace(chatReq, `"temperature":0`, `"temperature":9`, 1), 400, "invalid_request_error", "invalid_value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := streamed(t, e.invoke(t, event("POST", c.path, c.auth, c.body)))
			typ, code := errorCode(t, r.Body)
			if r.Status != c.status || typ != c.typ || code != c.code {
				t.Errorf("%s: %d %s %s, want %d %s %s", c.name, r.Status, typ, code, c.status, c.typ, c.code)
			}
		})
	}
	r = streamed(t, e.invoke(t, event("GET", "/v1/models", key, "")))
	if r.Status != 200 || !strings.Contains(r.Body, `"id":"tiny"`) {
		t.Errorf("models: %d %q", r.Status, r.Body)
	}
}

func TestLambdaBuffered(t *testing.T) {
	e := startEmulator(t, "buffered")
	r := buffered(t, e.invoke(t, event("POST", "/v1/chat/completions", key, chatReq)))
	if r.Status != 200 || r.Headers["Content-Type"] != "application/json" || !strings.HasPrefix(r.Headers["x-request-id"], "req_") {
		t.Fatalf("chat: %d %v %q", r.Status, r.Headers, r.Body)
	}
	content, n := completion(t, r.Body)
	if n != 12 {
		t.Errorf("chat: %d tokens", n)
	}
	r = buffered(t, e.invoke(t, event("POST", "/v1/chat/completions", key, streamReq())))
	if r.Status != 200 || r.Headers["Content-Type"] != "text/event-stream" {
		t.Fatalf("stream: %d %v", r.Status, r.Headers)
	}
	if got := sseText(t, r.Body); got != content {
		t.Errorf("streamed text %q != non-streamed content %q", got, content)
	}
	r = buffered(t, e.invoke(t, event("POST", "/v1/chat/completions", "", chatReq)))
	if typ, _ := errorCode(t, r.Body); r.Status != 401 || typ != "authentication_error" {
		t.Errorf("no key: %d %s", r.Status, r.Body)
	}
	r = buffered(t, e.invoke(t, event("POST", "/v1/completions", key, `{"model":"tiny","prompt":"x","n":9}`)))
	if _, code := errorCode(t, r.Body); r.Status != 400 || code != "invalid_value" {
		t.Errorf("n=9: %d %s", r.Status, r.Body)
	}
}
