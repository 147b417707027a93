package edge_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// hostileValues are the extremes every numeric field is tried with, as JSON numbers and as
// JSON strings. NaN and the infinities are not JSON numbers: as "numbers" they make the
// body malformed, which must be a 400 too.
var hostileValues = []struct{ name, json string }{
	{"0", "0"}, {"-1", "-1"}, {"2^31", "2147483648"}, {"2^53+1", "9007199254740993"},
	{"2^63-1", "9223372036854775807"}, {"2^64", "18446744073709551616"}, {"1e308", "1e308"},
	{"1e-45", "1e-45"}, {"NaN", "NaN"}, {"+Inf", "Infinity"}, {"-Inf", "-Infinity"},
}

// hostileFields are the numeric fields of each API.
var hostileFields = map[string][]string{
	"/v1/chat/completions": {"max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "min_p",
		"presence_penalty", "frequency_penalty", "repetition_penalty", "seed", "n", "top_logprobs"},
	"/v1/completions": {"max_tokens", "temperature", "top_p", "top_k", "min_p", "presence_penalty",
		"frequency_penalty", "repetition_penalty", "seed", "n", "best_of", "logprobs"},
}

// hostileBody is a small valid request of the route (with log-probabilities, so that the
// sampler's numbers reach the reply) with field set to the raw JSON value; stream adds
// "stream":true.
func hostileBody(route, field, value string, stream bool) string {
	type kv struct{ k, v string }
	var fields []kv
	if route == "/v1/chat/completions" {
		fields = []kv{{"model", `"tiny"`}, {"messages", `[{"role":"user","content":"Hi"}]`}, {"max_tokens", "2"},
			{"logprobs", "true"}, {"top_logprobs", "2"}}
	} else {
		fields = []kv{{"model", `"tiny"`}, {"prompt", `"Hi"`}, {"max_tokens", "2"}, {"logprobs", "2"}}
	}
	if stream {
		fields = append(fields, kv{"stream", "true"})
	}
	var b strings.Builder
	b.WriteString("{")
	for _, f := range fields {
		if f.k == field || field == "max_completion_tokens" && f.k == "max_tokens" {
			continue
		}
		fmt.Fprintf(&b, "%q:%s,", f.k, f.v)
	}
	fmt.Fprintf(&b, "%q:%s}", field, value)
	return b.String()
}

// outcome tallies the answers of the hostile table.
type outcome struct{ tried, ok, refused int }

// TestHostileRequests sends every numeric field of both APIs at its extremes, as numbers and
// as strings, streamed, whole and over the WebSocket (issue 14), to a server of two slots
// and a queue of four. Each must get a complete reply or an OpenAI-shaped 400 — never a
// crash, a hang, a 5xx or an empty or cut reply — and after each one the server must
// answer /health and a normal request correctly.
func TestHostileRequests(t *testing.T) {
	ts := start(t, setup{slots: 2, queue: 4, ctx: 64})
	ws, _, err := ts.dialWS("", "")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	client := newClient(30 * time.Second)
	var sum outcome
	for _, api := range []struct{ name, route string }{{"chat", "/v1/chat/completions"}, {"completions", "/v1/completions"}} {
		route := api.route
		t.Run(api.name, func(t *testing.T) {
			for _, field := range hostileFields[route] {
				for _, v := range hostileValues {
					t.Run(field+"="+v.name, func(t *testing.T) {
						for _, quoted := range []bool{false, true} {
							value := v.json
							if quoted {
								value = `"` + v.json + `"`
							}
							modes := []string{"whole", "stream"}
							if route == "/v1/chat/completions" {
								modes = append(modes, "ws")
							}
							for _, mode := range modes {
								name := fmt.Sprintf("%s %s=%s %s", route, field, value, mode)
								body := hostileBody(route, field, value, mode == "stream")
								var status int
								if mode == "ws" {
									status = hostileWS(t, ws, name, body)
								} else {
									status = hostileHTTP(t, ts, client, name, route, body, mode == "stream")
								}
								sum.tried++
								switch status {
								case 200:
									sum.ok++
								case 400:
									sum.refused++
								}
								checkHealthy(t, ts, client, name)
							}
						}
					})
				}
			}
		})
	}
	report(t, "hostile requests: %d tried, %d answered with a complete reply, %d with an OpenAI-shaped 400, %d otherwise",
		sum.tried, sum.ok, sum.refused, sum.tried-sum.ok-sum.refused)
	if sum.ok+sum.refused != sum.tried {
		t.Errorf("%d hostile requests got neither a complete reply nor a 400", sum.tried-sum.ok-sum.refused)
	}
}

// hostileHTTP sends one hostile request and checks its answer; it returns the status.
func hostileHTTP(t *testing.T, ts *testServer, c *http.Client, name, route, body string, stream bool) int {
	t.Helper()
	resp, err := c.Post(ts.base+route, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v (the server is down?)", name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("%s: reading the reply: %v", name, err)
		return 0
	}
	switch {
	case resp.StatusCode == 400:
		checkErrorBody(t, name, b, "")
	case resp.StatusCode != 200:
		t.Errorf("%s: status %d: %s", name, resp.StatusCode, b)
	case stream:
		events, err := sseEvents(bytes.NewReader(b), 0)
		if err != nil {
			t.Errorf("%s: the stream: %v", name, err)
			break
		}
		object := "chat.completion.chunk"
		if route == "/v1/completions" {
			object = "text_completion"
		}
		if s := parseStream(t, events, object); !s.done || s.errorBody != nil {
			t.Errorf("%s: the stream ended without [DONE] (error %s)", name, s.errorBody)
		}
	default:
		var v struct {
			Object  string            `json:"object"`
			Choices []json.RawMessage `json:"choices"`
		}
		if err := json.Unmarshal(b, &v); err != nil || len(v.Choices) != 1 || v.Object == "" {
			t.Errorf("%s: reply %q: %v", name, b, err)
		}
	}
	return resp.StatusCode
}

// hostileWS sends one hostile request on the WebSocket and checks its answer: chunks and
// [DONE] (200), or an error object (its status as the code says: 400).
func hostileWS(t *testing.T, c *websocket.Conn, name, body string) int {
	t.Helper()
	wsSend(t, c, body)
	msgs, done, errBody := wsReply(t, c)
	switch {
	case errBody != nil:
		checkErrorBody(t, name, errBody, "")
		var e apiError
		json.Unmarshal(errBody, &e)
		if e.Error == nil || ptr(e.Error.Type) != "invalid_request_error" {
			t.Errorf("%s: error %s", name, errBody)
			return 0
		}
		return 400
	case !done || len(msgs) == 0:
		t.Errorf("%s: %d messages, done %v", name, len(msgs), done)
		return 0
	}
	for _, m := range msgs {
		if !json.Valid([]byte(m)) {
			t.Errorf("%s: message %q is not JSON", name, m)
			return 0
		}
	}
	return 200
}

// checkHealthy asserts that the server answers /health and a normal request.
func checkHealthy(t *testing.T, ts *testServer, c *http.Client, after string) {
	t.Helper()
	resp, err := c.Get(ts.base + "/health")
	if err != nil {
		t.Fatalf("after %s: /health: %v", after, err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("after %s: /health %d", after, resp.StatusCode)
	}
	resp, err = c.Post(ts.base+"/v1/completions", "application/json",
		strings.NewReader(`{"model":"tiny","prompt":"Hello","max_tokens":1,"temperature":0}`))
	if err != nil {
		t.Fatalf("after %s: a normal request: %v", after, err)
	}
	defer resp.Body.Close()
	var v struct {
		Choices []struct{ Text string } `json:"choices"`
		Usage   struct {
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != 200 || len(v.Choices) != 1 || v.Usage.CompletionTokens != 1 {
		t.Fatalf("after %s: a normal request: %d %+v %v", after, resp.StatusCode, v, err)
	}
}
