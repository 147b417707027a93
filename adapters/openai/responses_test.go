package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/serving"
)

// noPrevious is a response store that keeps no response.
var noPrevious = keptResponses{newResponseStore(-1, 0), "test"}

func TestDecodeResponseErrors(t *testing.T) {
	tests := []struct {
		name, body, param, code string
	}{
		{"not an object", `[1]`, "", "invalid_json"},
		{"no model", `{"input":"hi"}`, "model", "missing_required_parameter"},
		{"unknown member", `{"model":"m","input":"hi","frequency_penalty":1}`, "frequency_penalty", "unknown_parameter"},
		{"unknown member of an item", `{"model":"m","input":[{"role":"user","content":"hi","colour":1}]}`, "input[0].colour", "unknown_parameter"},
		{"no input", `{"model":"m"}`, "input", "missing_required_parameter"},
		{"empty input", `{"model":"m","input":[]}`, "input", "missing_required_parameter"},
		{"input a number", `{"model":"m","input":3}`, "input", "invalid_type"},
		{"input null", `{"model":"m","input":null}`, "input", "invalid_type"},
		{"item without role or type", `{"model":"m","input":[{"content":"hi"}]}`, "input[0].type", "missing_required_parameter"},
		{"unknown item type", `{"model":"m","input":[{"type":"web_search_call","id":"x"}]}`, "input[0].type", "unsupported_value"},
		{"bad role", `{"model":"m","input":[{"role":"robot","content":"hi"}]}`, "input[0].role", "invalid_value"},
		{"message without content", `{"model":"m","input":[{"role":"user"}]}`, "input[0].content", "missing_required_parameter"},
		{"image part", `{"model":"m","input":[{"role":"user","content":[{"type":"input_image","image_url":"http://x/y.png"}]}]}`, "input[0].content[0].type", "unsupported_value"},
		{"part without text", `{"model":"m","input":[{"role":"user","content":[{"type":"input_text"}]}]}`, "input[0].content[0].text", "missing_required_parameter"},
		{"function call without call_id", `{"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]}`, "input[0]", "missing_required_parameter"},
		{"function output without output", `{"model":"m","input":[{"type":"function_call_output","call_id":"c"}]}`, "input[0]", "missing_required_parameter"},
		{"max_output_tokens 0", `{"model":"m","input":"hi","max_output_tokens":0}`, "max_output_tokens", "invalid_value"},
		{"temperature 3", `{"model":"m","input":"hi","temperature":3}`, "temperature", "invalid_value"},
		{"top_p a string", `{"model":"m","input":"hi","top_p":"1"}`, "top_p", "invalid_type"},
		{"background", `{"model":"m","input":"hi","background":true}`, "background", "unsupported_value"},
		{"truncation", `{"model":"m","input":"hi","truncation":"middle"}`, "truncation", "invalid_value"},
		{"include logprobs", `{"model":"m","input":"hi","include":["message.output_text.logprobs"]}`, "include[0]", "unsupported_value"},
		{"metadata too big", `{"model":"m","input":"hi","metadata":{` + metadataKeys(17) + `}}`, "metadata", "invalid_value"},
		{"web search tool", `{"model":"m","input":"hi","tools":[{"type":"web_search"}]}`, "tools[0].type", "unsupported_value"},
		{"tool without name", `{"model":"m","input":"hi","tools":[{"type":"function"}]}`, "tools[0].name", "missing_required_parameter"},
		{"chat-shaped tool", `{"model":"m","input":"hi","tools":[{"type":"function","function":{"name":"f"}}]}`, "tools[0].function", "unknown_parameter"},
		{"tool_choice a number", `{"model":"m","input":"hi","tool_choice":1}`, "tool_choice", "invalid_value"},
		{"tool_choice unknown string", `{"model":"m","input":"hi","tool_choice":"sometimes"}`, "tool_choice", "invalid_value"},
		{"text.format unknown type", `{"model":"m","input":"hi","text":{"format":{"type":"yaml"}}}`, "text.format.type", "invalid_value"},
		{"text.format json_schema without schema", `{"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"x"}}}`, "text.format", "missing_required_parameter"},
		{"unknown previous response", `{"model":"m","input":"hi","previous_response_id":"resp_x"}`, "previous_response_id", "previous_response_not_found"},
		{"unknown item reference", `{"model":"m","input":[{"type":"item_reference","id":"msg_x"}]}`, "input[0].id", "item_not_found"},
		{"item reference without id", `{"model":"m","input":[{"type":"item_reference"}]}`, "input[0].id", "missing_required_parameter"},
		{"instructions a number", `{"model":"m","input":"hi","instructions":1}`, "instructions", "invalid_type"},
		{"name given twice", `{"model":"m","input":"hi","input":"ho"}`, "input", "invalid_json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, e := decodeResponse([]byte(tc.body), testDefaults, noPrevious)
			if e == nil {
				t.Fatalf("decoded: %+v", g)
			}
			checkDecoded(t, "chat", []byte(tc.body), nil, e)
			if got := deref(e.Param); got != tc.param || deref(e.Code) != tc.code {
				t.Errorf("param %q code %q; want %q %q: %s", got, deref(e.Code), tc.param, tc.code, e.Message)
			}
		})
	}
}

func metadataKeys(n int) string {
	var parts []string
	for i := range n {
		parts = append(parts, fmt.Sprintf(`"k%d":"v"`, i))
	}
	return strings.Join(parts, ",")
}

// TestResponseFormatsAsChat: text.format and tool_choice go through the chat path's
// checks: a Responses request is refused, or accepted, exactly when the chat request it
// translates to is, and a refusal names the Responses field.
func TestResponseFormatsAsChat(t *testing.T) {
	schema := `{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}`
	tools := `"tools":[{"type":"function","name":"f","parameters":{"type":"object"}}]`
	chatTools := `"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]`
	tests := []struct {
		name, resp, chat, param string
	}{
		{"text", `"text":{"format":{"type":"text"}}`, `"response_format":{"type":"text"}`, ""},
		{"json_object", `"text":{"format":{"type":"json_object"}}`, `"response_format":{"type":"json_object"}`, "text.format"},
		{"json_schema", `"text":{"format":{"type":"json_schema","name":"x","strict":true,"schema":` + schema + `}}`,
			`"response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":` + schema + `}}`, "text.format"},
		{"tool_choice auto", tools + `,"tool_choice":"auto"`, chatTools + `,"tool_choice":"auto"`, ""},
		{"tool_choice none", tools + `,"tool_choice":"none"`, chatTools + `,"tool_choice":"none"`, ""},
		{"tool_choice required", tools + `,"tool_choice":"required"`, chatTools + `,"tool_choice":"required"`, "tool_choice"},
		{"tool_choice named", tools + `,"tool_choice":{"type":"function","name":"f"}`,
			chatTools + `,"tool_choice":{"type":"function","function":{"name":"f"}}`, "tool_choice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ce := decodeChat([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],`+tc.chat+`}`), testDefaults)
			g, re := decodeResponse([]byte(`{"model":"m","input":"hi",`+tc.resp+`}`), testDefaults, noPrevious)
			if (ce == nil) != (re == nil) {
				t.Fatalf("chat error %v, responses error %v", ce, re)
			}
			if re == nil {
				if len(g.tools) == 0 && strings.Contains(tc.resp, "tools") && !strings.Contains(tc.resp, `"none"`) {
					t.Errorf("tools lost: %+v", g)
				}
				return
			}
			if ce.Status != re.Status || deref(ce.Code) != deref(re.Code) {
				t.Errorf("chat %d %s, responses %d %s", ce.Status, deref(ce.Code), re.Status, deref(re.Code))
			}
			if p := deref(re.Param); !strings.HasPrefix(p, tc.param) || strings.Contains(re.Message, "response_format") {
				t.Errorf("responses error names %q: %s", p, re.Message)
			}
		})
	}
}

func TestDecodeResponseTranslation(t *testing.T) {
	prev := []chat.Message{{Role: "user", Content: ptrTo("first")}, {Role: "assistant", Content: ptrTo("reply")}}
	previous := keptResponses{newResponseStore(0, 0), "test"}
	previous.store.put("test", "resp_prev", prev, inputItems([]any{
		OutputMessage{Type: "message", ID: "msg_1", Role: "assistant", Content: []OutputText{{Type: "output_text", Text: "reply"}}},
		OutputFunctionCall{Type: "function_call", ID: "fc_1", CallID: "call_9", Name: "w", Arguments: "{}"},
	}), nil)
	type msg struct{ role, content, calls, callID string }
	tests := []struct {
		name, body string
		messages   []msg
		maxTokens  int
		stream     bool
		store      bool
		tools      int
	}{
		{name: "a string", body: `{"model":"m","input":"hi"}`, messages: []msg{{"user", "hi", "", ""}}, store: true},
		{name: "instructions first", body: `{"model":"m","instructions":"Be brief.","input":"hi","max_output_tokens":5,"stream":true,"store":false}`,
			messages: []msg{{"system", "Be brief.", "", ""}, {"user", "hi", "", ""}}, maxTokens: 5, stream: true},
		{name: "items and parts", store: true,
			body: `{"model":"m","input":[{"role":"developer","content":"rules"},{"type":"message","role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]},
				{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"c","annotations":[]}]}]}`,
			messages: []msg{{"system", "rules", "", ""}, {"user", "ab", "", ""}, {"assistant", "c", "", ""}}},
		{name: "a tool round trip", store: true, tools: 1,
			body: `{"model":"m","tools":[{"type":"function","name":"w","parameters":{"type":"object"},"strict":true}],"input":[{"role":"user","content":"weather?"},
				{"type":"reasoning","id":"rs_1","summary":[]},
				{"type":"function_call","id":"fc_1","call_id":"call_1","name":"w","arguments":"{}","status":"completed"},
				{"type":"function_call","call_id":"call_2","name":"w","arguments":"{\"x\":1}"},
				{"type":"function_call_output","call_id":"call_1","output":"sunny"},
				{"type":"function_call_output","call_id":"call_2","output":[{"type":"input_text","text":"rain"}]}]}`,
			messages: []msg{{"user", "weather?", "", ""}, {"assistant", "", "w{} w{\"x\":1}", ""}, {"tool", "sunny", "", "call_1"}, {"tool", "rain", "", "call_2"}}},
		{name: "item references", store: true,
			body: `{"model":"m","input":[{"role":"user","content":"first"},{"type":"item_reference","id":"msg_1"},{"type":"item_reference","id":"fc_1"},
				{"type":"function_call_output","call_id":"call_9","output":"ok"}]}`,
			messages: []msg{{"user", "first", "", ""}, {"assistant", "reply", "w{}", ""}, {"tool", "ok", "", "call_9"}}},
		{name: "previous response, instructions not carried", store: true,
			body:     `{"model":"m","instructions":"new","previous_response_id":"resp_prev","input":"second"}`,
			messages: []msg{{"system", "new", "", ""}, {"user", "first", "", ""}, {"assistant", "reply", "", ""}, {"user", "second", "", ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, e := decodeResponse([]byte(tc.body), testDefaults, previous)
			if e != nil {
				t.Fatal(e.Message)
			}
			checkDecoded(t, "chat", []byte(tc.body), g, nil)
			var got []msg
			for _, m := range g.messages {
				var calls []string
				for _, c := range m.ToolCalls {
					calls = append(calls, c.Function.Name+c.Function.Arguments)
				}
				got = append(got, msg{m.Role, deref(m.Content), strings.Join(calls, " "), m.ToolCallID})
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.messages) {
				t.Errorf("messages %q; want %q", got, tc.messages)
			}
			if g.maxTokens != tc.maxTokens || g.stream != tc.stream || g.resp.store != tc.store || len(g.tools) != tc.tools || len(g.resp.tools) != tc.tools {
				t.Errorf("max tokens %d stream %v store %v tools %d/%d", g.maxTokens, g.stream, g.resp.store, len(g.tools), len(g.resp.tools))
			}
			if n := len(g.resp.conversation); n != len(g.messages) && n != len(g.messages)-1 {
				t.Errorf("conversation kept: %d messages of %d", n, len(g.messages))
			}
		})
	}
}

// emitterJob is a job whose reply the test pushes through a responseEmitter by hand.
func emitterJob(tools bool) *job {
	h := NewHandler(Options{ModelName: "tiny"})
	g := &generation{chat: true, resp: &responseRequest{store: true, metadata: map[string]string{}, parallelToolCalls: true,
		text: json.RawMessage(`{"format":{"type":"text"}}`), owner: "test"}}
	if tools {
		g.tools = []json.RawMessage{json.RawMessage(`{"type":"function","function":{"name":"get_weather"}}`)}
	}
	return &job{h: h, g: g, id: "resp_test", created: 1}
}

// twoCalls is the markup of two calls in one turn.
const twoCalls = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>a\n```json\n{}\n```<｜tool▁call▁end｜>" +
	"<｜tool▁call▁begin｜>function<｜tool▁sep｜>b\n```json\n{\"x\":1}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>"

const toolCallMarkup = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\":\"Paris\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>"

func TestResponseEmitter(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		tools  bool
		serial bool // parallel_tool_calls false
		finish serving.Finish
		events []string // the streamed event types, after response.created and response.in_progress
		items  []string // the output items' types
		status string
	}{
		{name: "text", chunks: []string{"Hel", "lo"}, finish: serving.FinishStop, status: "completed",
			events: []string{"output_item.added", "content_part.added", "output_text.delta", "output_text.delta",
				"output_text.done", "content_part.done", "output_item.done", "completed"},
			items: []string{"message"}},
		{name: "cut at max_output_tokens", chunks: []string{"Hel"}, finish: serving.FinishLength, status: "incomplete",
			events: []string{"output_item.added", "content_part.added", "output_text.delta",
				"output_text.done", "content_part.done", "output_item.done", "incomplete"},
			items: []string{"message"}},
		{name: "empty", chunks: nil, finish: serving.FinishStop, status: "completed",
			events: []string{"output_item.added", "content_part.added", "output_text.done", "content_part.done", "output_item.done", "completed"},
			items:  []string{"message"}},
		{name: "reasoning then text", chunks: []string{"<think>", "hmm", "</think>\n\n", "Yes"}, finish: serving.FinishStop, status: "completed",
			events: []string{"output_item.added", "content_part.added", "reasoning_text.delta", "reasoning_text.done", "content_part.done", "output_item.done",
				"output_item.added", "content_part.added", "output_text.delta", "output_text.done", "content_part.done", "output_item.done", "completed"},
			items: []string{"reasoning", "message"}},
		{name: "tool call only", chunks: []string{toolCallMarkup[:20], toolCallMarkup[20:]}, tools: true, finish: serving.FinishStop, status: "completed",
			events: []string{"output_item.added", "function_call_arguments.delta", "function_call_arguments.done", "output_item.done", "completed"},
			items:  []string{"function_call"}},
		{name: "two tool calls, parallel_tool_calls false", chunks: []string{twoCalls}, tools: true, serial: true, finish: serving.FinishStop, status: "completed",
			events: []string{"output_item.added", "function_call_arguments.delta", "function_call_arguments.done", "output_item.done", "completed"},
			items:  []string{"function_call"}},
		{name: "two tool calls", chunks: []string{twoCalls}, tools: true, finish: serving.FinishStop, status: "completed",
			events: []string{"output_item.added", "function_call_arguments.delta", "function_call_arguments.done", "output_item.done",
				"output_item.added", "function_call_arguments.delta", "function_call_arguments.done", "output_item.done", "completed"},
			items: []string{"function_call", "function_call"}},
		{name: "text and a tool call", chunks: []string{"Let me look.", toolCallMarkup}, tools: true, finish: serving.FinishStop, status: "completed",
			events: []string{"output_item.added", "content_part.added", "output_text.delta", "output_text.done", "content_part.done", "output_item.done",
				"output_item.added", "function_call_arguments.delta", "function_call_arguments.done", "output_item.done", "completed"},
			items: []string{"message", "function_call"}},
	}
	usage := &Usage{PromptTokens: 5, CompletionTokens: 3, TotalTokens: 8}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := func(out sink) *job {
				j := emitterJob(tc.tools)
				j.g.resp.parallelToolCalls = !tc.serial
				em := newResponseEmitter(j, &choiceRun{prompt: &prompt{}}, out)
				if err := em.begin(); err != nil {
					t.Fatal(err)
				}
				for i, c := range tc.chunks {
					if err := em.token(serving.Chunk{ID: i, Text: c}, nil); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := em.end(string(tc.finish)); err != nil {
					t.Fatal(err)
				}
				if e := em.complete(usage); e != nil {
					t.Fatal(e)
				}
				return j
			}
			var whole collectSink
			j := run(&whole)
			var resp ResponseObject
			if err := json.Unmarshal(whole.body, &resp); err != nil {
				t.Fatal(err)
			}
			var items []string
			for _, it := range resp.Output {
				items = append(items, it.(map[string]any)["type"].(string))
			}
			if fmt.Sprint(items) != fmt.Sprint(tc.items) || resp.Status != tc.status || resp.Usage.TotalTokens != 8 {
				t.Errorf("output %v status %s usage %+v; want %v %s", items, resp.Status, resp.Usage, tc.items, tc.status)
			}
			kept := keptResponses{j.h.responses, "test"}
			if _, ok := kept.conversation("resp_test"); !ok {
				t.Errorf("the response was not kept")
			}
			for _, it := range resp.Output {
				id := it.(map[string]any)["id"].(string)
				if ref, ok := kept.item(id); !ok || ref.Type != it.(map[string]any)["type"] {
					t.Errorf("output item %s kept as %+v, %v", id, ref, ok)
				}
			}

			var rec recorder
			run(&responseSink{w: &rec})
			var types []string
			var last ResponseEvent
			for i, ev := range rec.events {
				name, data, ok := strings.Cut(strings.TrimPrefix(ev, "event: "), "\ndata: ")
				if !ok || !strings.HasSuffix(data, "\n\n") {
					t.Fatalf("event %d is not \"event: TYPE\\ndata: JSON\\n\\n\": %q", i, ev)
				}
				last = ResponseEvent{}
				if err := json.Unmarshal([]byte(data), &last); err != nil || last.Type != name || last.SequenceNumber != i {
					t.Fatalf("event %d %q: %+v %v", i, ev, last, err)
				}
				types = append(types, strings.TrimPrefix(name, "response."))
			}
			if len(types) < 2 || types[0] != "created" || types[1] != "in_progress" || fmt.Sprint(types[2:]) != fmt.Sprint(tc.events) {
				t.Errorf("events %v; want created in_progress %v", types, tc.events)
			}
			// The last event's response is the non-streamed response, but for the ids.
			final, _ := json.Marshal(last.Response)
			ids := func(b []byte) string {
				var v any
				json.Unmarshal(b, &v)
				b, _ = json.Marshal(v) // members in one order
				return randomIDs.ReplaceAllString(string(b), `"X"`)
			}
			if ids(final) != ids(whole.body) {
				t.Errorf("streamed response\n%s\nnon-streamed\n%s", final, whole.body)
			}
		})
	}
}

// randomIDs are the random ids of output items.
var randomIDs = regexp.MustCompile(`"(msg|rs|fc|call)_[A-Za-z0-9]{24}"`)

func TestResponseSinkError(t *testing.T) {
	var rec recorder
	s := &responseSink{w: &rec}
	s.event(&ResponseEvent{Type: "response.created"})
	s.fail(errCancelled())
	if len(rec.events) != 2 || rec.events[1] != "event: error\ndata: "+
		`{"type":"error","sequence_number":1,"code":"cancelled","message":"the reply was cancelled by the client"}`+"\n\n" {
		t.Errorf("events %q", rec.events)
	}
}

func TestResponseStore(t *testing.T) {
	conv := func(s string) []chat.Message { return []chat.Message{{Role: "user", Content: &s}} }
	t.Run("count", func(t *testing.T) {
		s := newResponseStore(2, 0)
		s.put("a", "1", conv("x"), nil, nil)
		s.put("a", "2", conv("x"), nil, nil)
		s.get("a", "1") // 1 is now the most recently used
		s.put("a", "3", conv("x"), nil, nil)
		for id, want := range map[string]bool{"1": true, "2": false, "3": true} {
			if _, ok := s.get("a", id); ok != want {
				t.Errorf("%s kept %v", id, ok)
			}
		}
	})
	t.Run("bytes", func(t *testing.T) {
		s := newResponseStore(100, 1000)
		s.put("a", "big", conv(strings.Repeat("x", 2000)), nil, nil)
		if _, ok := s.get("a", "big"); ok {
			t.Errorf("a response larger than the store was kept")
		}
		for i := range 10 {
			s.put("a", fmt.Sprint(i), conv(strings.Repeat("x", 200)), map[string]ResponseItem{fmt.Sprint("msg_", i): {Type: "message"}}, nil)
		}
		if s.bytes > 1000 || s.order.Len() >= 10 || len(s.byID) != s.order.Len() || len(s.byItem) != s.order.Len() {
			t.Errorf("%d bytes, %d responses (%d by id)", s.bytes, s.order.Len(), len(s.byID))
		}
		if _, ok := s.get("a", "9"); !ok {
			t.Errorf("the newest was evicted")
		}
		if _, ok := (keptResponses{s, "a"}).item("msg_0"); ok {
			t.Errorf("an evicted response's item is still found")
		}
		if _, ok := (keptResponses{s, "a"}).item("msg_9"); !ok {
			t.Errorf("the newest response's item is not found")
		}
	})
	t.Run("owner", func(t *testing.T) {
		s := newResponseStore(0, 0)
		s.put("a", "1", conv("x"), map[string]ResponseItem{"msg_1": {Type: "message"}}, []byte("{}"))
		if _, ok := s.get("b", "1"); ok {
			t.Errorf("another caller read a's response")
		}
		if _, ok := (keptResponses{s, "b"}).item("msg_1"); ok {
			t.Errorf("another caller read a's item")
		}
	})
	t.Run("none", func(t *testing.T) {
		s := newResponseStore(-1, 0)
		s.put("a", "1", conv("x"), nil, nil)
		if _, ok := s.get("a", "1"); ok {
			t.Errorf("kept with a negative count")
		}
	})
}

// TestResponsesAPI runs the Responses API on the trained model through the handler.
func TestResponsesAPI(t *testing.T) {
	h := newTestHandler(t, Options{})
	body := `{"model":"tiny","instructions":"You are terse.","input":"Say hello.","temperature":0,"max_output_tokens":12}`
	var whole ResponseObject
	wantJSON(t, call(h, "POST", RouteResponses, body), 200, &whole)
	if whole.Object != "response" || !strings.HasPrefix(whole.ID, "resp_") || whole.Model != "tiny" || whole.Usage == nil ||
		whole.Usage.InputTokens < 5 || whole.Usage.OutputTokens < 1 || whole.Usage.OutputTokens > 12 ||
		deref(whole.Instructions) != "You are terse." || len(whole.Output) != 1 || !whole.Store {
		t.Fatalf("response %+v", whole)
	}
	text := whole.Output[0].(map[string]any)["content"].([]any)[0].(map[string]any)["text"].(string)

	t.Run("streamed agrees", func(t *testing.T) {
		resp := call(h, "POST", RouteResponses, strings.Replace(body, `"temperature"`, `"stream":true,"temperature"`, 1))
		if resp.Status != 200 || resp.Stream == nil || resp.ContentType != "text/event-stream" {
			t.Fatalf("%d %s", resp.Status, resp.Body)
		}
		var rec recorder
		resp.Stream(&rec)
		var deltas strings.Builder
		var last ResponseEvent
		for _, ev := range rec.events {
			_, data, _ := strings.Cut(ev, "data: ")
			last = ResponseEvent{}
			json.Unmarshal([]byte(data), &last)
			if last.Type == "response.output_text.delta" {
				deltas.WriteString(*last.Delta)
			}
		}
		if deltas.String() != text || last.Response == nil || last.Response.Status != whole.Status || last.Response.Usage.OutputTokens != whole.Usage.OutputTokens {
			t.Errorf("streamed %q, last %+v; non-streamed %q", deltas.String(), last, text)
		}
	})
	t.Run("previous_response_id and GET", func(t *testing.T) {
		var next ResponseObject
		wantJSON(t, call(h, "POST", RouteResponses, `{"model":"tiny","previous_response_id":"`+whole.ID+`","input":"Again.","max_output_tokens":2,"store":false}`), 200, &next)
		if deref(next.PreviousResponseID) != whole.ID || next.Usage.InputTokens <= whole.Usage.OutputTokens+3 || next.Instructions != nil {
			t.Errorf("next %+v usage %+v", next, next.Usage)
		}
		var got ResponseObject
		wantJSON(t, call(h, "GET", RouteResponses+"/"+whole.ID, ""), 200, &got)
		if got.ID != whole.ID {
			t.Errorf("GET: %+v", got)
		}
		// store false: not kept.
		e := wantError(t, call(h, "POST", RouteResponses, `{"model":"tiny","previous_response_id":"`+next.ID+`","input":"x"}`), 400, typeInvalidRequest, "previous_response_not_found")
		if e["param"] != "previous_response_id" {
			t.Errorf("error %v", e)
		}
		wantError(t, call(h, "GET", RouteResponses+"/"+next.ID, ""), 404, typeNotFound, "not_found")
		// Another caller cannot read or continue it.
		other := h.Handle(context.Background(), &Request{Method: "GET", Path: RouteResponses + "/" + whole.ID, Client: "10.9.9.9"})
		wantError(t, other, 404, typeNotFound, "not_found")
	})
	t.Run("errors", func(t *testing.T) {
		wantError(t, call(h, "GET", RouteResponses, ""), 405, typeInvalidRequest, "method_not_allowed")
		wantError(t, call(h, "POST", RouteResponses+"/"+whole.ID, ""), 405, typeInvalidRequest, "method_not_allowed")
		wantError(t, call(h, "POST", RouteResponses, `{"model":"gpt-4o","input":"x"}`), 404, typeInvalidRequest, "model_not_found")
		e := wantError(t, call(h, "POST", RouteResponses, `{"model":"tiny","input":"`+strings.Repeat("word ", 2000)+`"}`), 400, typeInvalidRequest, "context_length_exceeded")
		if e["param"] != "input" {
			t.Errorf("error %v", e)
		}
	})
	t.Run("cancelled stream ends with an error event", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		resp := h.Handle(ctx, &Request{Method: "POST", Path: RouteResponses, Body: []byte(`{"model":"tiny","input":"x","stream":true,"max_output_tokens":400}`)})
		cancel(ErrCancelled)
		var rec recorder
		resp.Stream(&rec)
		if n := len(rec.events); n < 2 || !strings.HasPrefix(rec.events[n-1], "event: error\n") || !strings.Contains(rec.events[n-1], `"code":"cancelled"`) {
			t.Errorf("events %q", rec.events)
		}
	})
}

// BenchmarkDecodeResponse measures what the translation into a chat request costs: the
// same conversation decoded as a Responses request and as a chat request.
func BenchmarkDecodeResponse(b *testing.B) {
	var items, msgs []string
	for i := range 16 {
		text := strings.Repeat("And God said, Let there be light: and there was light. ", 8)
		items = append(items, fmt.Sprintf(`{"role":%q,"content":[{"type":"input_text","text":%q}]}`, []string{"user", "assistant"}[i%2], text))
		msgs = append(msgs, fmt.Sprintf(`{"role":%q,"content":%q}`, []string{"user", "assistant"}[i%2], text))
	}
	tool := `{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`
	resp := []byte(`{"model":"m","instructions":"Be brief.","max_output_tokens":64,"tools":[{"type":"function","name":"w","parameters":` + tool + `}],"input":[` + strings.Join(items, ",") + `]}`)
	chatReq := []byte(`{"model":"m","max_completion_tokens":64,"tools":[{"type":"function","function":{"name":"w","parameters":` + tool + `}}],"messages":[{"role":"system","content":"Be brief."},` + strings.Join(msgs, ",") + `]}`)
	b.Run("responses", func(b *testing.B) {
		b.SetBytes(int64(len(resp)))
		for b.Loop() {
			if _, e := decodeResponse(resp, testDefaults, noPrevious); e != nil {
				b.Fatal(e)
			}
		}
	})
	b.Run("chat", func(b *testing.B) {
		b.SetBytes(int64(len(chatReq)))
		for b.Loop() {
			if _, e := decodeChat(chatReq, testDefaults); e != nil {
				b.Fatal(e)
			}
		}
	})
}
