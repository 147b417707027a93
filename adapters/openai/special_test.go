package openai

import (
	"fmt"
	"strings"
	"testing"
)

// TestSpecialTokens: special tokens the model generates (steered here by logit_bias) are
// kept out of the reply's text, but counted and reported in logprobs, unless the request
// sends skip_special_tokens false; a chat keeps the markup its parser reads.
func TestSpecialTokens(t *testing.T) {
	h := newTestHandler(t, Options{})
	tok := testBackend(t).tok
	id := func(s string) int {
		i, ok := tok.ID(s)
		if !ok || !tok.IsSpecial(i) {
			t.Fatalf("%s is not a special token", s)
		}
		return i
	}
	user, hole := id("<｜User｜>"), id("<｜fim▁hole｜>")
	for _, tc := range []struct {
		name, path string
		forced     int
		skip       string // skip_special_tokens, "" = not sent
		want       string
	}{
		{"completion", RouteCompletions, user, "", ""},
		{"completion fim", RouteCompletions, hole, "true", ""},
		{"completion shown", RouteCompletions, user, "false", strings.Repeat("<｜User｜>", 3)},
		{"chat", RouteChat, user, "", ""},
		{"chat shown", RouteChat, hole, "false", strings.Repeat("<｜fim▁hole｜>", 3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			extra := fmt.Sprintf(`"max_tokens":3,"logit_bias":{"%d":100}`, tc.forced)
			if tc.skip != "" {
				extra += `,"skip_special_tokens":` + tc.skip
			}
			var text string
			var usage *Usage
			var lpTokens []string
			if tc.path == RouteChat {
				var cc ChatCompletion
				wantJSON(t, call(h, "POST", RouteChat, chatBody(extra+`,"logprobs":true`)), 200, &cc)
				text, usage = *cc.Choices[0].Message.Content, cc.Usage
				for _, lp := range cc.Choices[0].LogProbs.Content {
					lpTokens = append(lpTokens, lp.Token)
				}
			} else {
				var c Completion
				wantJSON(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"In the beginning","temperature":0,"logprobs":0,`+extra+`}`), 200, &c)
				text, usage, lpTokens = c.Choices[0].Text, c.Usage, c.Choices[0].LogProbs.Tokens
			}
			name, _ := tok.Token(tc.forced)
			if text != tc.want || usage.CompletionTokens != 3 || len(lpTokens) != 3 || lpTokens[0] != name {
				t.Errorf("text %q (want %q), %d tokens, logprobs %q", text, tc.want, usage.CompletionTokens, lpTokens)
			}
		})
	}
}
