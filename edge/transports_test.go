package edge_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/deepgo/deepgo/adapters/gcf"
	"github.com/deepgo/deepgo/adapters/lambda"
	"github.com/deepgo/deepgo/adapters/openai"
	"github.com/deepgo/deepgo/core/synth"
	"github.com/deepgo/deepgo/edge"
)

// TestSameAnswerEverywhere sends the same requests to the edge server, the Lambda handler
// and the Cloud Function: every transport goes through the one protocol layer, so the
// answers are the same bytes but for ids and timestamps.
func TestSameAnswerEverywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("opens the model twice")
	}
	dir := filepath.Join(t.TempDir(), "model")
	cfg, err := synth.Shape("tiny", 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteHF(dir, cfg, synth.Options{Seed: 11}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DEEPGO_MODEL": dir, "DEEPGO_MODEL_NAME": "tiny", "DEEPGO_API_KEYS": "sk-same", "DEEPGO_THREADS": "2"}
	var ec openai.Config
	var settings openai.Settings
	ec.Register(&settings)
	if err := settings.ApplyEnv(nil, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	h, b, err := ec.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	srv := edge.New(edge.Config{Addr: "127.0.0.1:0", Handler: h})
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	fn := httptest.NewServer(gcf.New(func(k string) string { return env[k] }))
	defer fn.Close()
	// Each transport has its own backend with the same history, so prompt-prefix reuse
	// (which may change the last digits of a log-probability) is the same in each.
	lh, lb, err := ec.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Close()
	buffered := lambda.Buffered(lh, 0)

	type answer struct {
		status int
		body   string
	}
	viaHTTP := func(t *testing.T, base, method, path, auth, body string) answer {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, string(b)}
	}
	viaLambda := func(t *testing.T, method, path, auth, body string) answer {
		ev := events.APIGatewayV2HTTPRequest{RawPath: path, Body: body, Headers: map[string]string{"authorization": auth}}
		ev.RequestContext.HTTP.Method = method
		ev.RequestContext.HTTP.SourceIP = "127.0.0.1"
		resp, err := buffered(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		return answer{resp.StatusCode, resp.Body}
	}
	volatile := regexp.MustCompile(`"(id|created)":("[^"]*"|[0-9]+)`)
	normal := func(s string) string { return volatile.ReplaceAllString(s, `"$1":_`) }

	const key = "Bearer sk-same"
	chat := `{"model":"tiny","messages":[{"role":"user","content":"Same everywhere?"}],"max_tokens":9,"temperature":0,"logprobs":true,"top_logprobs":2}`
	for _, c := range []struct{ name, method, path, auth, body string }{
		{"chat", "POST", "/v1/chat/completions", key, chat},
		{"chat stream", "POST", "/v1/chat/completions", key, strings.Replace(chat, `"temperature":0`, `"temperature":0,"stream":true,"stream_options":{"include_usage":true}`, 1)},
		{"completion", "POST", "/v1/completions", key, `{"model":"tiny","prompt":"Once upon","max_tokens":6,"temperature":0}`},
		{"models", "GET", "/v1/models", key, ""},
		{"no key", "POST", "/v1/chat/completions", "", chat},
		{"bad json", "POST", "/v1/chat/completions", key, `{"model":"tiny",`},
		{"unknown model", "POST", "/v1/chat/completions", key, strings.Replace(chat, `"tiny"`, `"other"`, 1)},
		{"n", "POST", "/v1/chat/completions", key, strings.Replace(chat, `"max_tokens":9`, `"max_tokens":9,"n":2`, 1)},
		{"n too large", "POST", "/v1/chat/completions", key, strings.Replace(chat, `"max_tokens":9`, `"n":9`, 1)},
		{"unknown route", "GET", "/v1/nothing", key, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := viaHTTP(t, "http://"+srv.Addr(), c.method, c.path, c.auth, c.body)
			g := viaHTTP(t, fn.URL, c.method, c.path, c.auth, c.body)
			l := viaLambda(t, c.method, c.path, c.auth, c.body)
			if e.status != g.status || e.status != l.status {
				t.Errorf("%s: status edge %d, gcf %d, lambda %d", c.name, e.status, g.status, l.status)
			}
			if normal(e.body) != normal(g.body) || normal(e.body) != normal(l.body) {
				t.Errorf("%s: answers differ\nedge:   %s\ngcf:    %s\nlambda: %s", c.name, e.body, g.body, l.body)
			}
			if e.status == 200 && c.method == "POST" && !json.Valid([]byte(e.body)) && !strings.HasPrefix(e.body, "data: ") {
				t.Errorf("%s: body is neither JSON nor SSE: %q", c.name, e.body)
			}
		})
	}
}
