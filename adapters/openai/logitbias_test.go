package openai

import (
	"fmt"
	"strings"
	"testing"
)

// TestLogitBias: logit_bias reaches the sampler — +100 on one token makes a greedy reply
// that token over and over, −100 keeps the greedy reply's first token out of it — and ids
// outside the vocabulary are a 400 naming logit_bias.
func TestLogitBias(t *testing.T) {
	h := newTestHandler(t, Options{})
	tok := testBackend(t).tok
	const prompt = `"model":"tiny","prompt":"In the beginning","temperature":0,"max_tokens":4`
	var plain Completion
	wantJSON(t, call(h, "POST", RouteCompletions, `{`+prompt+`,"logprobs":0}`), 200, &plain)
	first := tok.Encode(plain.Choices[0].LogProbs.Tokens[0])
	if len(first) != 1 {
		t.Fatalf("the first token %q encodes as %v", plain.Choices[0].LogProbs.Tokens[0], first)
	}

	forced := tok.Encode(" Amen")[0]
	for _, route := range []string{RouteCompletions, RouteChat} {
		t.Run("force "+route, func(t *testing.T) {
			body := `{` + prompt + fmt.Sprintf(`,"logit_bias":{"%d":100}}`, forced)
			if route == RouteChat {
				body = chatBody(fmt.Sprintf(`"max_tokens":4,"logit_bias":{"%d":100}`, forced))
			}
			want := strings.Repeat(tok.Decode([]int{forced}), 4)
			resp := call(h, "POST", route, body)
			var text string
			if route == RouteChat {
				var cc ChatCompletion
				wantJSON(t, resp, 200, &cc)
				text = *cc.Choices[0].Message.Content
			} else {
				var c Completion
				wantJSON(t, resp, 200, &c)
				text = c.Choices[0].Text
			}
			if strings.TrimSpace(text) != strings.TrimSpace(want) {
				t.Errorf("text %q, want %q", text, want)
			}
		})
	}
	t.Run("ban", func(t *testing.T) {
		var c Completion
		wantJSON(t, call(h, "POST", RouteCompletions, `{`+prompt+fmt.Sprintf(`,"logprobs":0,"logit_bias":{"%d":-100}}`, first[0])), 200, &c)
		if got := c.Choices[0].LogProbs.Tokens[0]; got == plain.Choices[0].LogProbs.Tokens[0] {
			t.Errorf("the banned token %q came first", got)
		}
	})
	vocab := testBackend(t).sched.Model().Config.VocabSize
	e := wantError(t, call(h, "POST", RouteCompletions, `{`+prompt+fmt.Sprintf(`,"logit_bias":{"%d":1}}`, vocab)), 400, "invalid_request_error", "invalid_value")
	if e["param"] != "logit_bias" || !strings.Contains(e["message"].(string), "not in the vocabulary") {
		t.Errorf("error %v", e)
	}
}
