package openai

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/tokenizer"
)

// TestChatN: n choices of one chat request, indexed 0..n-1; usage counts the prompt once
// and every choice's tokens; copy c samples with copySeed(seed, c), so a seeded request is
// reproducible and its copy c is the n = 1 reply of that seed.
func TestChatN(t *testing.T) {
	h := newTestHandler(t, Options{})
	const seed = 42
	body := func(n int, seed uint64) string {
		return chatBody(fmt.Sprintf(`"temperature":1,"max_tokens":8,"n":%d,"seed":%d`, n, int64(seed)))
	}
	var three ChatCompletion
	wantJSON(t, call(h, "POST", RouteChat, body(3, seed)), 200, &three)
	if len(three.Choices) != 3 {
		t.Fatalf("%d choices", len(three.Choices))
	}
	completion := 0
	for i, c := range three.Choices {
		if c.Index != i || c.Message.Content == nil || c.FinishReason == "" || c.Message.Refusal != nil {
			t.Errorf("choice %d: %+v", i, c)
		}
		// Each copy alone, with its seed, gives the same reply.
		var one ChatCompletion
		wantJSON(t, call(h, "POST", RouteChat, body(1, copySeed(seed, i))), 200, &one)
		if got, want := *c.Message.Content, *one.Choices[0].Message.Content; got != want {
			t.Errorf("choice %d %q; the n=1 reply of its seed %q", i, got, want)
		}
		if i == 0 && one.Usage.PromptTokens != three.Usage.PromptTokens {
			t.Errorf("prompt tokens %d with n=3, %d with n=1: the prompt counts once", three.Usage.PromptTokens, one.Usage.PromptTokens)
		}
		completion += one.Usage.CompletionTokens
	}
	if u := three.Usage; u.CompletionTokens != completion || u.TotalTokens != u.PromptTokens+completion {
		t.Errorf("usage %+v; the choices generated %d tokens", u, completion)
	}
	// The whole request again: the same replies.
	var again ChatCompletion
	wantJSON(t, call(h, "POST", RouteChat, body(3, seed)), 200, &again)
	for i := range three.Choices {
		if *again.Choices[i].Message.Content != *three.Choices[i].Message.Content {
			t.Errorf("choice %d not reproducible: %q then %q", i, *three.Choices[i].Message.Content, *again.Choices[i].Message.Content)
		}
	}
	// "refusal": null is in the message, as OpenAI's.
	if raw := string(call(h, "POST", RouteChat, chatBody(`"max_tokens":2`)).Body); !strings.Contains(raw, `"refusal":null`) {
		t.Errorf("no refusal null in %s", raw)
	}
}

// streamedChoices reads a stream's events into each choice's text, by index, checking
// that each choice begins with its role (chat) and ends with one finish_reason, and
// returns the usage of the usage chunk.
func streamedChoices(t *testing.T, events []string, isChat bool) (map[int]string, *Usage) {
	t.Helper()
	texts := map[int]string{}
	finished := map[int]bool{}
	var usage *Usage
	for i, ev := range events {
		var c struct {
			Choices []struct {
				Index int     `json:"index"`
				Text  *string `json:"text"`
				Delta *struct {
					Role    string          `json:"role"`
					Content *string         `json:"content"`
					Refusal json.RawMessage `json:"refusal"`
				} `json:"delta"`
				FinishReason *string `json:"finish_reason"`
			} `json:"choices"`
			Usage *Usage `json:"usage"`
		}
		if err := json.Unmarshal([]byte(ev), &c); err != nil {
			t.Fatalf("event %d %s: %v", i, ev, err)
		}
		if c.Usage != nil {
			if usage != nil || len(c.Choices) != 0 {
				t.Errorf("event %d: a second usage chunk, or one with choices: %s", i, ev)
			}
			usage = c.Usage
			continue
		}
		if len(c.Choices) != 1 {
			t.Fatalf("event %d has %d choices: %s", i, len(c.Choices), ev)
		}
		ch := c.Choices[0]
		if finished[ch.Index] {
			t.Errorf("event %d: choice %d after its finish_reason: %s", i, ch.Index, ev)
		}
		_, seen := texts[ch.Index]
		if isChat {
			if first := !seen; first != (ch.Delta.Role == "assistant") || first != (string(ch.Delta.Refusal) == "null") {
				t.Errorf("event %d: choice %d's first chunk must have the role and refusal null, only it: %s", i, ch.Index, ev)
			}
			if ch.Delta.Content != nil {
				texts[ch.Index] += *ch.Delta.Content
			}
		} else if ch.Text != nil {
			texts[ch.Index] += *ch.Text
		}
		if !seen {
			texts[ch.Index] += ""
		}
		if ch.FinishReason != nil {
			finished[ch.Index] = true
		}
	}
	for i := range texts {
		if !finished[i] {
			t.Errorf("choice %d has no finish_reason", i)
		}
	}
	return texts, usage
}

func TestChatNStreamed(t *testing.T) {
	h := newTestHandler(t, Options{})
	const extra = `"temperature":1,"seed":7,"max_tokens":8,"n":3`
	var whole ChatCompletion
	wantJSON(t, call(h, "POST", RouteChat, chatBody(extra)), 200, &whole)
	texts, usage := streamedChoices(t, stream(t, call(h, "POST", RouteChat, chatBody(extra+`,"stream":true,"stream_options":{"include_usage":true}`))), true)
	if len(texts) != 3 {
		t.Fatalf("%d choices streamed", len(texts))
	}
	for i, c := range whole.Choices {
		if texts[i] != *c.Message.Content {
			t.Errorf("choice %d streamed %q, not streamed %q", i, texts[i], *c.Message.Content)
		}
	}
	if usage == nil || *usage.PromptTokensDetails != *whole.Usage.PromptTokensDetails && usage.PromptTokens != whole.Usage.PromptTokens ||
		usage.CompletionTokens != whole.Usage.CompletionTokens {
		t.Errorf("streamed usage %+v, not streamed %+v", usage, whole.Usage)
	}
}

// TestCompletionPrompts: a list of prompts, as text or token ids, with n copies each: choice
// p·n + c is prompt p's copy c, each as that prompt alone gives it; usage counts each
// prompt once.
func TestCompletionPrompts(t *testing.T) {
	h := newTestHandler(t, Options{})
	tok := testBackend(t).tok
	prompts := []string{"In the beginning", "And God said", "Jesus wept"}
	alone := make([]Completion, len(prompts))
	promptTokens := 0
	for i, p := range prompts {
		wantJSON(t, call(h, "POST", RouteCompletions, fmt.Sprintf(`{"model":"tiny","prompt":%q,"temperature":0,"max_tokens":6}`, p)), 200, &alone[i])
		promptTokens += alone[i].Usage.PromptTokens
	}
	var idLists []string
	for _, p := range prompts {
		ids := tok.Encode(p)
		if tok.AddBOS() {
			ids = append([]int{tok.BOS()}, ids...)
		}
		js, _ := json.Marshal(ids)
		idLists = append(idLists, string(js))
	}
	textList, _ := json.Marshal(prompts)
	for _, tc := range []struct{ name, prompt string }{
		{"texts", string(textList)},
		{"token ids", "[" + strings.Join(idLists, ",") + "]"},
	} {
		for _, streamed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s streamed %v", tc.name, streamed), func(t *testing.T) {
				body := `{"model":"tiny","temperature":0,"max_tokens":6,"n":2,"prompt":` + tc.prompt
				var texts map[int]string
				var usage *Usage
				if streamed {
					texts, usage = streamedChoices(t, stream(t, call(h, "POST", RouteCompletions, body+`,"stream":true,"stream_options":{"include_usage":true}}`)), false)
				} else {
					var c Completion
					wantJSON(t, call(h, "POST", RouteCompletions, body+`}`), 200, &c)
					texts, usage = map[int]string{}, c.Usage
					for i, ch := range c.Choices {
						if ch.Index != i {
							t.Errorf("choice %d has index %d", i, ch.Index)
						}
						texts[ch.Index] = ch.Text
					}
				}
				if len(texts) != 2*len(prompts) {
					t.Fatalf("%d choices; want %d", len(texts), 2*len(prompts))
				}
				completion := 0
				for p := range prompts {
					for c := range 2 {
						if got, want := texts[p*2+c], alone[p].Choices[0].Text; got != want {
							t.Errorf("choice %d (prompt %d copy %d) %q; the prompt alone %q", p*2+c, p, c, got, want)
						}
					}
					completion += 2 * alone[p].Usage.CompletionTokens
				}
				if usage == nil || usage.PromptTokens != promptTokens || usage.CompletionTokens != completion {
					t.Errorf("usage %+v; want %d prompt and %d completion tokens", usage, promptTokens, completion)
				}
			})
		}
	}
}

// TestChoicesBounded: more choices than the server runs or queues at once is a 400
// naming n, and the slots are all free after it.
func TestChoicesBounded(t *testing.T) {
	testBackend(t) // the model's files
	b, err := OpenBackend(modelDir, BackendOptions{Threads: 1, Slots: 2, Queue: 3, Context: 128})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	h := NewHandler(Options{ModelName: testModel})
	h.SetBackend(b)
	e := wantError(t, call(h, "POST", RouteCompletions, `{"model":"tiny","max_tokens":2,"n":3,"prompt":["a","b"]}`), 400, "invalid_request_error", "invalid_value")
	if e["param"] != "n" || !strings.Contains(e["message"].(string), "6 choices, more than the 5") {
		t.Errorf("error %v", e)
	}
	var c Completion
	wantJSON(t, call(h, "POST", RouteCompletions, `{"model":"tiny","max_tokens":2,"n":5,"prompt":"a"}`), 200, &c)
	if len(c.Choices) != 5 {
		t.Errorf("%d choices", len(c.Choices))
	}
	if st := b.Scheduler().Stats(); st.Active != 0 || st.Queued != 0 {
		t.Errorf("scheduler after: %+v", st)
	}
}

// TestEcho: echo puts the prompt's text before each choice's, streamed or not, for text
// and token-id prompts.
func TestEcho(t *testing.T) {
	h := newTestHandler(t, Options{})
	var plain Completion
	wantJSON(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"In the beginning","temperature":0,"max_tokens":5}`), 200, &plain)
	want := "In the beginning" + plain.Choices[0].Text
	var echoed Completion
	wantJSON(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"In the beginning","temperature":0,"max_tokens":5,"echo":true}`), 200, &echoed)
	if echoed.Choices[0].Text != want || echoed.Usage.CompletionTokens != plain.Usage.CompletionTokens {
		t.Errorf("echo: %q (%+v); want %q", echoed.Choices[0].Text, echoed.Usage, want)
	}
	texts, _ := streamedChoices(t, stream(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"In the beginning","temperature":0,"max_tokens":5,"echo":true,"stream":true}`)), false)
	if texts[0] != want {
		t.Errorf("streamed echo %q; want %q", texts[0], want)
	}
	tok := testBackend(t).tok
	ids, _ := json.Marshal(tok.Encode("In the beginning"))
	wantJSON(t, call(h, "POST", RouteCompletions, `{"model":"tiny","temperature":0,"max_tokens":2,"echo":true,"prompt":`+string(ids)+`}`), 200, &echoed)
	if !strings.HasPrefix(echoed.Choices[0].Text, "In the beginning") {
		t.Errorf("echo of token ids: %q", echoed.Choices[0].Text)
	}
}

// TestSuffix: with suffix the prompt is DeepSeek's fill-in-the-middle arrangement, for a
// tokenizer with the FIM tokens; a model without them refuses suffix.
func TestSuffix(t *testing.T) {
	h := newTestHandler(t, Options{})
	b := testBackend(t)
	f, ok := b.fim()
	if !ok {
		t.Fatal("the trained model's tokenizer has no FIM tokens")
	}
	var c Completion
	wantJSON(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"In the beginning","suffix":"and the earth.","temperature":0,"max_tokens":4}`), 200, &c)
	want := len(f.encode(b.tok, nil, "In the beginning", "and the earth."))
	if b.tok.AddBOS() {
		want++
	}
	if c.Usage.PromptTokens != want {
		t.Errorf("prompt tokens %d; the FIM prompt has %d", c.Usage.PromptTokens, want)
	}
	ids := f.encodeIDs(b.tok, []int{b.tok.BOS(), 5, 6}, "x")
	if ids[0] != b.tok.BOS() || ids[1] != f.begin || ids[4] != f.hole || ids[len(ids)-1] != f.end {
		t.Errorf("FIM of ids %v", ids)
	}

	// The same model with the FIM tokens renamed: suffix is refused, a plain prompt served.
	v := b.tok.Vocab()
	for i, s := range v.Tokens {
		if s == fimBegin || s == fimHole || s == fimEnd {
			v.Tokens[i] = fmt.Sprintf("<｜renamed%d｜>", i)
		}
	}
	tok, err := tokenizerFromVocab(v)
	if err != nil {
		t.Fatal(err)
	}
	nofim := *b
	nofim.tok = tok
	h2 := NewHandler(Options{ModelName: testModel})
	h2.SetBackend(&nofim)
	e := wantError(t, call(h2, "POST", RouteCompletions, `{"model":"tiny","prompt":"x","suffix":"y","max_tokens":2}`), 400, "invalid_request_error", "unsupported_value")
	if e["param"] != "suffix" || !strings.Contains(e["message"].(string), "fill in the middle") {
		t.Errorf("error %v", e)
	}
	wantJSON(t, call(h2, "POST", RouteCompletions, `{"model":"tiny","prompt":"x","suffix":"","max_tokens":2}`), 200, &c)
}

func tokenizerFromVocab(v tokenizer.Vocab) (*tokenizer.Tokenizer, error) {
	return tokenizer.FromVocab(v)
}

// TestClientGoneChoices: a client that goes away from a stream of several choices stops
// them all, frees every slot, and counts as one disconnect.
func TestClientGoneChoices(t *testing.T) {
	h := newEndlessHandler(t, Options{})
	sched := h.backend.Load().Scheduler()
	before := checkPrometheus(t, string(call(h, "GET", "/metrics", "").Body))
	resp := call(h, "POST", RouteChat, chatBody(`"max_tokens":400,"n":2,"stream":true`))
	if resp.Stream == nil {
		t.Fatalf("not a stream: %d %s", resp.Status, resp.Body)
	}
	w := streamUntilGone(t, resp, 4)
	if st := sched.Stats(); st.Active != 0 || st.Queued != 0 {
		t.Errorf("after the stream: %+v; want the slots free", st)
	}
	if w.failed < 1 || w.failed > 2 {
		t.Errorf("%d writes failed; want one per choice at most", w.failed)
	}
	after := checkPrometheus(t, string(call(h, "GET", "/metrics", "").Body))
	if d := after["deepgo_client_disconnects_total"] - before["deepgo_client_disconnects_total"]; d != 1 {
		t.Errorf("disconnects went up by %v; want 1", d)
	}
}
