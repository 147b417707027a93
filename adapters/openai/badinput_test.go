package openai

import (
	"strings"
	"testing"
)

// TestMaxTokensBeyondContext: a max_tokens (or max_completion_tokens) the context has no
// room for is refused with a 400 that names the context and the prompt, not cut short.
func TestMaxTokensBeyondContext(t *testing.T) {
	h := newTestHandler(t, Options{}) // context 512
	for _, tc := range []struct{ name, path, body, param string }{
		{"chat max_tokens", RouteChat, chatBody(`"max_tokens":600`), "max_tokens"},
		{"chat max_completion_tokens", RouteChat, chatBody(`"max_completion_tokens":512`), "max_completion_tokens"},
		{"completion", RouteCompletions, `{"model":"tiny","prompt":"Hi","max_tokens":100000}`, "max_tokens"},
		{"streamed", RouteCompletions, `{"model":"tiny","prompt":"Hi","max_tokens":100000,"stream":true}`, "max_tokens"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := wantError(t, call(h, "POST", tc.path, tc.body), 400, "invalid_request_error", "context_length_exceeded")
			msg, _ := e["message"].(string)
			if e["param"] != tc.param || !strings.Contains(msg, "context holds 512 tokens") || !strings.Contains(msg, "the prompt has ") ||
				!strings.Contains(msg, "lower "+tc.param+" to at most") {
				t.Errorf("error %v", e)
			}
		})
	}
	// What does fit is served; the server is still up.
	var c Completion
	wantJSON(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"Hi","temperature":0,"max_tokens":3}`), 200, &c)
	if len(c.Choices) != 1 || c.Usage.CompletionTokens > 3 {
		t.Errorf("after the refusals: %+v", c)
	}
}

// TestNotUTF8: a body that is not valid UTF-8 JSON is a 400 on both generation routes,
// and the server goes on.
func TestNotUTF8(t *testing.T) {
	h := newTestHandler(t, Options{})
	for _, tc := range []struct{ name, path, body string }{
		{"chat content", RouteChat, `{"model":"tiny","messages":[{"role":"user","content":"caf` + "\xe9" + `"}]}`},
		{"completion prompt", RouteCompletions, `{"model":"tiny","prompt":"` + "\xff\xfe" + `"}`},
		{"member name", RouteCompletions, `{"model":"tiny","prompt":"Hi","` + "\xc3\x28" + `":1}`},
		{"truncated rune", RouteChat, `{"model":"tiny","messages":[{"role":"user","content":"` + "\xe2\x82" + `"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := wantError(t, call(h, "POST", tc.path, tc.body), 400, "invalid_request_error", "invalid_json")
			if msg, _ := e["message"].(string); !strings.Contains(msg, "UTF-8") {
				t.Errorf("error %v", e)
			}
		})
	}
	var cc ChatCompletion
	wantJSON(t, call(h, "POST", RouteChat, chatBody(`"max_tokens":2`)), 200, &cc)
}
