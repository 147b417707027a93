package gcf_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deepgo/deepgo/core/fixture"
)

// These tests run the function through the Functions Framework, as `make gcf-local` and a
// Cloud Functions instance do: the targets/gcf/cmd binary, serving on 127.0.0.1.

var work = filepath.Join(os.TempDir(), fmt.Sprintf("deepgo-gcf-test-%d", os.Getpid()))

func TestMain(m *testing.M) {
	code := m.Run()
	os.RemoveAll(work)
	os.Exit(code)
}

var setup = sync.OnceValues(func() (string, error) {
	if err := fixture.CopyTrained(filepath.Join(work, "model")); err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(work, "deepgo-gcf"), "../../targets/gcf/cmd")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build: %v\n%s", err, out)
	}
	return work, nil
})

// start runs the function on a free loopback port with env and returns its URL.
func start(t *testing.T, env ...string) string {
	t.Helper()
	dir, err := setup()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(filepath.Join(dir, "deepgo-gcf"))
	cmd.Env = append(os.Environ(), append([]string{"PORT=" + port, "HOST=127.0.0.1", "DEEPGO_THREADS=2"}, env...)...)
	var log strings.Builder
	var mu sync.Mutex
	cmd.Stdout, cmd.Stderr = &syncWriter{&mu, &log}, &syncWriter{&mu, &log}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			mu.Lock()
			t.Logf("function log:\n%s", log.String())
			mu.Unlock()
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("the function did not listen on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type syncWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func post(t *testing.T, url, key, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestFunction(t *testing.T) {
	dir, err := setup()
	if err != nil {
		t.Fatal(err)
	}
	base := start(t, "DEEPGO_MODEL="+filepath.Join(dir, "model"), "DEEPGO_MODEL_NAME=tiny", "DEEPGO_API_KEYS=sk-gcf")

	// Non-streaming.
	resp := post(t, base+"/v1/chat/completions", "sk-gcf",
		`{"model":"tiny","messages":[{"role":"user","content":"Hello from GCF"}],"max_tokens":10,"temperature":0}`)
	var c struct {
		Object  string `json:"object"`
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != 200 || c.Object != "chat.completion" || c.Usage.CompletionTokens != 10 {
		t.Fatalf("chat: %d %+v %v", resp.StatusCode, c, err)
	}
	resp.Body.Close()
	content := c.Choices[0].Message.Content

	// Streaming: the first chunks arrive while later tokens are still being generated.
	start := time.Now()
	resp = post(t, base+"/v1/chat/completions", "sk-gcf",
		`{"model":"tiny","messages":[{"role":"user","content":"Hello from GCF"}],"max_tokens":120,"temperature":0,"stream":true}`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %v", resp.StatusCode, resp.Header)
	}
	sc := bufio.NewScanner(resp.Body)
	var arrivals []time.Time
	var text strings.Builder
	done := false
	for sc.Scan() {
		line := sc.Text()
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		arrivals = append(arrivals, time.Now())
		if data == "[DONE]" {
			done = true
			break
		}
		var ch struct {
			Choices []struct {
				Delta struct{ Content string } `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &ch); err != nil {
			t.Fatalf("chunk %q: %v", data, err)
		}
		for _, x := range ch.Choices {
			text.WriteString(x.Delta.Content)
		}
	}
	resp.Body.Close()
	if !done || len(arrivals) < 10 {
		t.Fatalf("stream: done %v after %d events", done, len(arrivals))
	}
	// Flushed, the events spread over the generation, most of the request's time; buffered,
	// they all arrive at its end, within a millisecond or so. (Relative, as the speed of the
	// machine and of the model vary.)
	spread, total := arrivals[len(arrivals)-1].Sub(arrivals[1]), arrivals[len(arrivals)-1].Sub(start)
	if 4*spread < total {
		t.Errorf("the %d events arrived within %v of a %v request: the stream was buffered, not flushed", len(arrivals), spread, total)
	}
	if !strings.HasPrefix(text.String(), content) {
		t.Errorf("streamed text %q does not start with the non-streamed %q", text.String(), content)
	}

	// Errors are OpenAI-shaped.
	resp = post(t, base+"/v1/chat/completions", "", `{"model":"tiny","messages":[]}`)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(body), `"type":"authentication_error"`) {
		t.Errorf("no key: %d %s", resp.StatusCode, body)
	}
}

func TestFunctionWithoutModel(t *testing.T) {
	base := start(t, "DEEPGO_MODEL=/nonexistent/model.gguf")
	resp := post(t, base+"/v1/chat/completions", "", `{}`)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(body), "model_unavailable") || !strings.Contains(string(body), "nonexistent") {
		t.Errorf("missing model: %d %s", resp.StatusCode, body)
	}
}
