package openai

import (
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/deepgo/deepgo/core/chat"
)

// fuzzSeeds are request bodies of both endpoints, valid and not; they are also under
// testdata/fuzz/FuzzDecodeRequest.
var fuzzSeeds = []string{
	``,
	`{}`,
	`[]`,
	`{"model":"m","messages":[{"role":"user","content":"hi"}]}`,
	`{"model":"m","messages":[{"role":"developer","content":"be brief"},{"role":"user","content":[{"type":"text","text":"a"}]}],"temperature":0,"max_tokens":5,"stop":["\n"]}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true},"logprobs":true,"top_logprobs":20}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],"tool_choice":"none"}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"function"}}`,
	`{"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot","top_p":-1,"n":2}`,
	`{"model":"m","messages":[{"role":"user"}],"response_format":{"type":"json_object"}}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"n","strict":true,"schema":{"type":"object","properties":{"a":{"anyOf":[{"type":"string"},{"$ref":"#/$defs/b"}]}},"$defs":{"b":{"enum":[1,null]}},"required":["a"]}}}}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"n":{"type":"integer"}}}}}],"tool_choice":"required"}`,
	`{"model":"m","prompt":"x","grammar":"root ::= [a-z]+ (\" \" [a-z]+)*"}`,
	`{"model":"m","prompt":"Once upon a time","max_tokens":16,"logprobs":2}`,
	`{"model":"m","prompt":[[1,2,3]],"echo":true,"best_of":2}`,
	`{"model":"m","prompt":["a","b"],"suffix":"z"}`,
	`{"model":"m","prompt":[1,"a"],"stop":5}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"stop":null,"seed":-1,"max_completion_tokens":1e3}`,
	`{"model":"m","messages":[{"role":"tool","content":null}],"logit_bias":{"1":1},"repetition_penalty":0}`,
	`{"model":"m","prompt":"x","temperature":1e400}`,
	`{"model":"m","prompt":["In the","And"],"n":3,"best_of":3,"echo":true,"max_tokens":4,"logit_bias":{"5":-100,"7":2.5},"skip_special_tokens":false}`,
	`{"model":"m","prompt":[[1,2],[3,4,5]],"suffix":"end","n":2,"stream":true,"stream_options":{"include_usage":true}}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"n":8,"seed":3,"logit_bias":{"0":100,"x":1}}`,
	" \t{\"model\":\"\xff\",\"messages\":[1]}",
}

func FuzzDecodeRequest(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		g, e := decodeChat(body, testDefaults)
		checkDecoded(t, "chat", body, g, e)
		g, e = decodeCompletion(body, testDefaults)
		checkDecoded(t, "completion", body, g, e)
	})
}

// FuzzDecodeResponse runs Responses API bodies through decodeResponse (with one kept
// response, "resp_1", and its item "fc_1"): a chat generation or an OpenAI-shaped 400,
// never a panic.
func FuzzDecodeResponse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		`{"model":"m","input":"hi","instructions":"be brief","max_output_tokens":3,"stream":true,"store":false}`,
		`{"model":"m","previous_response_id":"resp_1","input":[{"role":"user","content":[{"type":"input_text","text":"a"}]}]}`,
		`{"model":"m","input":[{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":"x"}],"tools":[{"type":"function","name":"f","parameters":{}}],"tool_choice":{"type":"function","name":"f"}}`,
		`{"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"n","schema":{"type":"object"},"strict":true}},"metadata":{"a":"b"}}`,
		`{"model":"m","input":[{"type":"item_reference","id":"fc_1"},{"type":"function_call_output","call_id":"call_1","output":"x"}]}`,
	} {
		f.Add([]byte(s))
	}
	previous := keptResponses{newResponseStore(0, 0), "fuzz"}
	previous.store.put("fuzz", "resp_1", []chat.Message{{Role: "user", Content: ptrTo("before")}},
		inputItems([]any{OutputFunctionCall{Type: "function_call", ID: "fc_1", CallID: "call_1", Name: "f", Arguments: "{}"}}), nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		g, e := decodeResponse(body, testDefaults, previous)
		checkDecoded(t, "chat", body, g, e)
		if g != nil && (g.resp == nil || len(g.resp.conversation) == 0 || len(g.resp.conversation) > len(g.messages)) {
			t.Fatalf("%q: generation %+v", body, g)
		}
	})
}

// checkDecoded asserts the outcome of a decode: a valid generation, or a 400 with a
// message and an OpenAI-shaped JSON body.
func checkDecoded(t *testing.T, what string, body []byte, g *generation, e *Error) {
	t.Helper()
	if (g == nil) == (e == nil) {
		t.Fatalf("%s %q: generation %v and error %v", what, body, g, e)
	}
	if e != nil {
		if e.Status != 400 || e.Type != typeInvalidRequest || e.Message == "" || e.Code == nil || e.RetryAfter != 0 {
			t.Fatalf("%s %q: error %+v", what, body, e)
		}
		b := e.Body()
		if !utf8.Valid(b) {
			t.Fatalf("%s %q: error body not UTF-8: %q", what, body, b)
		}
		var v struct {
			Error *struct {
				Message *string `json:"message"`
				Type    *string `json:"type"`
				Param   *string `json:"param"`
				Code    *string `json:"code"`
			} `json:"error"`
		}
		if err := json.Unmarshal(b, &v); err != nil || v.Error == nil || v.Error.Message == nil || *v.Error.Message != e.Message ||
			v.Error.Type == nil || *v.Error.Type != e.Type || v.Error.Code == nil {
			t.Fatalf("%s %q: error body %s: %v", what, body, b, err)
		}
		var raw map[string]map[string]json.RawMessage
		if json.Unmarshal(b, &raw) != nil || len(raw) != 1 || len(raw["error"]) != 4 {
			t.Fatalf("%s %q: error body %s is not {\"error\":{message,type,param,code}}", what, body, b)
		}
		return
	}
	if g.model == "" || g.chat != (what == "chat") {
		t.Fatalf("%s %q: generation %+v", what, body, g)
	}
	if err := g.sampling.Validate(); err != nil {
		t.Fatalf("%s %q: sampling %+v: %v", what, body, g.sampling, err)
	}
	if g.maxTokens < 0 || (!g.chat && g.maxTokens < 1) || len(g.stops) > maxStops || g.topLogprobs < 0 || g.topLogprobs > maxTopLogProb ||
		(g.topLogprobs > 0 && !g.logprobs) || (g.includeUsage && !g.stream) {
		t.Fatalf("%s %q: generation %+v", what, body, g)
	}
	for _, s := range g.stops {
		if s == "" || len(s) > maxStopLen {
			t.Fatalf("%s %q: stop %q", what, body, s)
		}
	}
	if g.chat {
		if len(g.messages) == 0 || len(g.messages) > maxMessages || len(g.tools) > maxTools {
			t.Fatalf("%s %q: %d messages %d tools", what, body, len(g.messages), len(g.tools))
		}
		for _, m := range g.messages {
			switch m.Role {
			case "system", "user":
				if m.Content == nil {
					t.Fatalf("%s %q: %s message without content", what, body, m.Role)
				}
			case "assistant", "tool":
			default:
				t.Fatalf("%s %q: role %q", what, body, m.Role)
			}
		}
		for _, raw := range g.tools {
			if !json.Valid(raw) {
				t.Fatalf("%s %q: tool %q", what, body, raw)
			}
		}
		return
	}
	if n := g.prompt.Count(); n < 1 || n > maxChoices || (g.prompt.Texts == nil) == (g.prompt.Tokens == nil) || n*g.n > maxChoices {
		t.Fatalf("%s %q: prompt %+v", what, body, g.prompt)
	}
}

// FuzzAdmit runs request bodies through the whole path before generation — rate limits,
// decoding, the chat template, tokenizing, the token budget and the scheduler's admission
// — on a clock that moves only as the input says, three times each. Every outcome must be
// a job within the context and the token budget, or an OpenAI-shaped error of a status the
// path may give; a job given up costs nothing; the scheduler and the buckets end as they
// began.
func FuzzAdmit(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), i%2 == 0, uint8(i), uint16(i*37), uint16(i*1000))
	}
	f.Add([]byte(`{"model":"tiny","prompt":"Hello","max_tokens":9223372036854775807}`), false, uint8(0), uint16(0), uint16(0))
	f.Add([]byte(`{"model":"tiny","prompt":"Hello","max_tokens":300}`), false, uint8(2), uint16(200), uint16(30000))
	f.Add([]byte(`{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"MAX_TOKENS":5}`), true, uint8(1), uint16(50), uint16(100))
	f.Add([]byte(`{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"temperature":1e-45,"logprobs":true,"top_logprobs":20}`), true, uint8(0), uint16(600), uint16(1))
	f.Fuzz(func(t *testing.T, body []byte, isChat bool, rpm uint8, tpm uint16, step uint16) {
		b := testBackend(t)
		h := NewHandler(Options{ModelName: testModel, RPM: int(rpm % 8), TPM: int(tpm)})
		h.SetBackend(b)
		clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		h.limits.now = clock.now
		path := RouteCompletions
		if isChat {
			path = RouteChat
		}
		ctx := b.Scheduler().Context()
		for range 3 {
			j, _, e := h.prepare(&Request{Method: "POST", Path: path, Body: body, Client: "fuzz"}, isChat, false)
			if (j == nil) == (e == nil) {
				t.Fatalf("%q: job %v and error %v", body, j, e)
			}
			if e != nil {
				checkAdmitError(t, body, e)
			} else {
				if len(j.runs) != j.choices() || len(j.runs) < 1 {
					t.Fatalf("%q: %d choices run of %d", body, len(j.runs), j.choices())
				}
				all := 0 // the prompts' tokens and every choice's most
				for _, p := range j.prompts {
					all += len(p.ids)
				}
				for _, r := range j.runs {
					n, gen := len(r.prompt.ids), r.opts.MaxTokens
					if n < 1 || n >= ctx || gen < 1 || gen > ctx-n {
						t.Fatalf("%q: a prompt of %d tokens may generate %d (context %d)", body, n, gen, ctx)
					}
					all += gen
				}
				if tpm > 0 && all > int(tpm) {
					t.Fatalf("%q: the request may use %d tokens (tpm %d)", body, all, tpm)
				}
				j.cancel()
			}
			clock.advance(time.Duration(step) * time.Millisecond)
		}
		if st := b.Scheduler().Stats(); st.Active != 0 || st.Queued != 0 || st.KVReserved != 0 {
			t.Fatalf("%q: scheduler after: %+v", body, st)
		}
		h.limits.mu.Lock()
		defer h.limits.mu.Unlock()
		for id, c := range h.limits.callers {
			for _, bk := range []*bucket{c.req, c.tok} {
				if bk != nil && (bk.level < 0 || bk.level > bk.burst) {
					t.Fatalf("%q: caller %s: bucket at %g of %g", body, id, bk.level, bk.burst)
				}
			}
			if c.held != 0 {
				t.Fatalf("%q: caller %s holds %d grants", body, id, c.held)
			}
		}
	})
}

// checkAdmitError asserts an error of the admission path: a status it may give, the
// OpenAI shape, and Retry-After exactly where a retry can pass.
func checkAdmitError(t *testing.T, body []byte, e *Error) {
	t.Helper()
	switch e.Status {
	case 400, 404:
		if e.RetryAfter != 0 {
			t.Fatalf("%q: %d with Retry-After: %+v", body, e.Status, e)
		}
	case 429, 503:
		if e.RetryAfter < 1 || e.RetryAfter > 60 {
			t.Fatalf("%q: %d with Retry-After %d: %+v", body, e.Status, e.RetryAfter, e)
		}
	default:
		t.Fatalf("%q: status %d: %+v", body, e.Status, e)
	}
	var v struct {
		Error *struct {
			Message string  `json:"message"`
			Type    string  `json:"type"`
			Param   *string `json:"param"`
			Code    *string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(e.Body(), &v); err != nil || v.Error == nil || v.Error.Message == "" || v.Error.Type == "" || v.Error.Code == nil {
		t.Fatalf("%q: error body %s: %v", body, e.Body(), err)
	}
}
