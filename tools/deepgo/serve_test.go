package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
)

// syncBuffer is a bytes.Buffer safe for the server's log and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServe runs `deepgo serve` with API keys from a file, talks to it over loopback, and
// stops it as SIGTERM would (by cancelling its context).
func TestServe(t *testing.T) {
	dir, err := tinyModel()
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(keys, []byte("# team keys\nsk-one rpm=100\nsk-two\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var log syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, []string{"--model", dir, "--addr", "127.0.0.1:0", "--api-keys", keys, "--name", "tiny", "-t", "2", "--expert-budget", "64M"}, io.Discard, &log)
	}()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30 s of its context ending")
		}
		if !strings.Contains(log.String(), "shutting down") {
			t.Errorf("no shutdown in the log:\n%s", log.String())
		}
	}()

	// The address is in the first log line; the model is ready when /ready says so.
	var base string
	addrRE := regexp.MustCompile(`addr=(http://\S+)`)
	client := &http.Client{Timeout: 20 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if base == "" {
			if m := addrRE.FindStringSubmatch(log.String()); m != nil {
				base = m[1]
			}
		}
		if base != "" {
			if resp, err := client.Get(base + "/ready"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if base == "" {
		t.Fatalf("no address in the log:\n%s", log.String())
	}

	post := func(key, body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", base+"/v1/chat/completions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatalf("status %d: body is not JSON: %v", resp.StatusCode, err)
		}
		return resp.StatusCode, v
	}
	const req = `{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":3,"temperature":0}`
	if code, v := post("", req); code != 401 || v["error"] == nil {
		t.Errorf("without a key: %d %v", code, v)
	}
	for _, key := range []string{"sk-one", "sk-two"} {
		code, v := post(key, req)
		if code != 200 {
			t.Fatalf("with %s: %d %v", key, code, v)
		}
		usage := v["usage"].(map[string]any)
		if usage["completion_tokens"].(float64) != 3 {
			t.Errorf("usage %v", usage)
		}
	}
}

func TestServeFlags(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.gguf")
	os.WriteFile(bad, []byte("GGUF this is not a model"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no model", []string{}, "--model is required"},
		{"missing model", []string{"--model", "/nonexistent/model.gguf"}, "no such file"},
		{"missing API keys", []string{"--model", ".", "--api-keys", "/nonexistent/keys"}, "--api-keys"},
		{"bad model", []string{"--model", bad, "--addr", "127.0.0.1:0"}, "bad.gguf"},
		{"bad expert budget", []string{"--model", ".", "--expert-budget", "lots"}, "usage"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := runServe(context.Background(), c.args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: %v, want an error with %q", c.args, err, c.want)
			}
		})
	}
	t.Setenv("DEEPGO_EXPERT_BUDGET", "lots")
	if err := runServe(context.Background(), []string{"--model", "."}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "DEEPGO_EXPERT_BUDGET") {
		t.Errorf("DEEPGO_EXPERT_BUDGET=lots: %v, want an error naming it", err)
	}
}

// TestServeSettingsDocumented checks that the README names every environment variable and
// every flag of deepgo serve: they are registered in one place (openai.Config,
// edge.Config, serveConfig), and the README must keep up with it.
func TestServeSettingsDocumented(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var c serveConfig
	var s openai.Settings
	c.register(&s)
	for env := range s.Env() {
		if !strings.Contains(string(readme), "`"+env+"`") {
			t.Errorf("README.md does not name %s", env)
		}
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	s.Flags(fs)
	fs.VisitAll(func(f *flag.Flag) {
		dashes := "--"
		if len(f.Name) == 1 {
			dashes = "-"
		}
		if !strings.Contains(string(readme), dashes+f.Name) {
			t.Errorf("README.md does not name serve's flag %s%s", dashes, f.Name)
		}
	})
}
