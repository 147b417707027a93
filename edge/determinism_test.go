package edge_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// genesis is a long shared prefix (Genesis 1:1-5, King James Version).
const genesis = "In the beginning God created the heaven and the earth. And the earth was without form, " +
	"and void; and darkness was upon the face of the deep. And the Spirit of God moved upon the face " +
	"of the waters. And God said, Let there be light: and there was light. And God saw the light, that " +
	"it was good: and God divided the light from the darkness. And God called the light Day, and the " +
	"darkness he called Night. And the evening and the morning were the first day."

// determinismRequests are sixteen requests that mix long and short prompts, prompts that
// share a long prefix (so that the prefix cache serves some of them), chat and completions,
// greedy and seeded sampling at temperature 0.8.
func determinismRequests() []struct {
	path string
	body map[string]any
} {
	type req = struct {
		path string
		body map[string]any
	}
	var rs []req
	// Log-probabilities make the test sharp: they show any change of a logit, in its last
	// bits, even where it does not change the token chosen.
	chatLP := func(extra map[string]any) map[string]any {
		m := map[string]any{"logprobs": true, "top_logprobs": 2}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	textLP := func(extra map[string]any) map[string]any {
		m := map[string]any{"logprobs": 2}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	seeded := func(seed int) map[string]any { return map[string]any{"temperature": 0.8, "seed": seed} }
	questions := []string{"Who made the heaven?", "What was upon the deep?", "What did God call the light?", "What was the first day?"}
	for i, q := range questions {
		rs = append(rs, req{"/v1/chat/completions", chatBody(genesis+"\n\n"+q, 16, false, chatLP(nil))})
		rs = append(rs, req{"/v1/chat/completions", chatBody(genesis+"\n\n"+q, 16, false, chatLP(seeded(100+i)))})
	}
	for i, p := range []string{"And God said", "In the beginning", "Let there be", "the evening and the morning"} {
		rs = append(rs, req{"/v1/completions", completionBody(p, 16, false, textLP(nil))})
		rs = append(rs, req{"/v1/completions", completionBody(genesis+" "+p, 16, false, textLP(seeded(200+i)))})
	}
	return rs
}

// TestDeterminism: sixteen concurrent requests — long and short prompts, repeated prefixes,
// greedy and seeded sampling — each get exactly the reply, log-probabilities included, the same request gets alone on an
// idle server, with one thread and with two, on the trained model and on a model of random
// weights (whose near-ties flip at the slightest change of arithmetic): a reply does not
// depend on the batch it shares, the chunking of its prompt, prefix-cache hits or the thread
// count.
func TestDeterminism(t *testing.T) {
	if testing.Short() && slow > 1 {
		t.Skip("-short under the race detector: sixteen replies of sixteen tokens, three times")
	}
	rs := determinismRequests()
	for _, model := range []struct {
		name    string
		endless bool
	}{{"trained", false}, {"random", true}} {
		t.Run(model.name, func(t *testing.T) {
			var want []string
			for _, threads := range []int{1, 2} {
				ts := start(t, setup{endless: model.endless, threads: threads, slots: 4, queue: 16})
				if want == nil {
					// Alone on an idle server, one thread.
					for _, r := range rs {
						want = append(want, replyText(t, ts.doT(t, "POST", r.path, "", r.body)))
					}
				}
				got := make([]string, len(rs))
				var wg sync.WaitGroup
				for i, r := range rs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						got[i] = replyText(t, ts.doT(t, "POST", r.path, "", r.body))
					}()
				}
				wg.Wait()
				cached := ts.b.Scheduler().Stats()
				for i := range rs {
					if got[i] != want[i] {
						t.Errorf("threads %d: request %d (%s) under load:\n got %q\nwant %q (alone)", threads, i, rs[i].path, got[i], want[i])
					}
				}
				t.Logf("threads %d: scheduler %+v", threads, cached)
			}
		})
	}
}

// replyText is a reply's text and finish reason, or fails t.
func replyText(t *testing.T, r reply) string {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var v struct {
		Choices []struct {
			Text    string `json:"text"`
			Message struct {
				Content          string `json:"content"`
				ReasoningContent string `json:"reasoning_content"`
			} `json:"message"`
			FinishReason string          `json:"finish_reason"`
			LogProbs     json.RawMessage `json:"logprobs"`
		} `json:"choices"`
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(r.body, &v); err != nil || len(v.Choices) != 1 {
		t.Fatalf("reply %s: %v", r.body, err)
	}
	c := v.Choices[0]
	return strings.Join([]string{c.Text, c.Message.ReasoningContent, c.Message.Content, c.FinishReason, fmt.Sprint(v.Usage.CompletionTokens), string(c.LogProbs)}, "|")
}
