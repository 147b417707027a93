package openai

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/grammar"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// orderSchema is the structured-output tests' schema: nested objects, an array, an enum,
// a nullable field and a $ref.
const orderSchema = `{"$defs":{"item":{"type":"object","properties":{"sku":{"type":"string","maxLength":12},"qty":{"type":"integer"}},"required":["sku","qty"],"additionalProperties":false}},
	"type":"object","properties":{"customer":{"type":"object","properties":{"name":{"type":"string","maxLength":20},"vip":{"type":"boolean"}},"required":["name","vip"],"additionalProperties":false},
	"items":{"type":"array","items":{"$ref":"#/$defs/item"},"minItems":1,"maxItems":2},
	"status":{"type":"string","enum":["open","paid"]},"note":{"type":["string","null"],"maxLength":10}},
	"required":["customer","items","status","note"],"additionalProperties":false}`

// weatherParams are a tool's parameters.
const weatherParams = `{"type":"object","properties":{"city":{"type":"string","maxLength":16},"unit":{"enum":["C","F"]}},"required":["city","unit"],"additionalProperties":false}`

// validate checks text against schema with an independent JSON Schema implementation.
func validate(t *testing.T, schema, text string) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatalf("%q is not JSON: %v", text, err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("%q does not follow the schema: %v", text, err)
	}
}

// structuredHandlers are the models the structured-output tests run on: the trained one
// and one of random weights, opened again from the shared backends' files with a
// context of 2048 tokens (the tools' description alone takes most of 512).
var structuredHandlers = []struct {
	name string
	new  func(t *testing.T, o Options) *Handler
}{
	{"trained", func(t *testing.T, o Options) *Handler { return wideHandler(t, sharedBackend, modelDir, o) }},
	{"random", func(t *testing.T, o Options) *Handler { return wideHandler(t, endlessBackend, endlessDir, o) }},
}

// wideHandler serves the model that shared writes in dir, opened anew with a context of
// 2048 tokens and closed when the test ends.
func wideHandler(t *testing.T, shared func() (*Backend, error), dir string, o Options) *Handler {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the model (a full run)")
	}
	if _, err := shared(); err != nil {
		t.Fatal(err)
	}
	b, err := OpenBackend(dir, BackendOptions{Threads: 2, Slots: 1, Context: 2048})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	o.ModelName = testModel
	h := NewHandler(o)
	h.SetBackend(b)
	return h
}

func TestResponseFormat(t *testing.T) {
	for _, m := range structuredHandlers {
		t.Run(m.name, func(t *testing.T) {
			h := m.new(t, Options{})
			cases := []struct {
				name, extra, schema string
				random              bool // the random model finishes it within max_tokens
			}{
				{"json_schema greedy", `"response_format":{"type":"json_schema","json_schema":{"name":"order","strict":true,"schema":` + orderSchema + `}}`, orderSchema, true},
				{"json_schema sampled", `"temperature":1,"seed":7,"response_format":{"type":"json_schema","json_schema":{"name":"order","strict":true,"schema":` + orderSchema + `}}`, orderSchema, true},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					if m.name == "random" && !c.random {
						t.Skip("a random model does not finish it within max_tokens")
					}
					extra := c.extra
					if !strings.Contains(extra, "max_tokens") {
						extra = `"max_tokens":400,` + extra
					}
					body := chatBody(extra)
					var cc ChatCompletion
					wantJSON(t, call(h, "POST", RouteChat, body), 200, &cc)
					ch := cc.Choices[0]
					if ch.FinishReason != "stop" || ch.Message.Content == nil {
						t.Fatalf("finish %q, message %q, usage %+v", ch.FinishReason, *ch.Message.Content, cc.Usage)
					}
					validate(t, c.schema, *ch.Message.Content)
					// Streamed, the same request gives the same text.
					resp := call(h, "POST", RouteChat, chatBody(`"stream":true,`+extra))
					var text strings.Builder
					for _, ev := range stream(t, resp) {
						var chunk ChatChunk
						if ev == "[DONE]" || json.Unmarshal([]byte(ev), &chunk) != nil || len(chunk.Choices) == 0 {
							continue
						}
						if d := chunk.Choices[0].Delta.Content; d != nil {
							text.WriteString(*d)
						}
					}
					if text.String() != *ch.Message.Content {
						t.Errorf("streamed %q, not streamed %q", text.String(), *ch.Message.Content)
					}
				})
			}
		})
	}
}

// TestJSONObjectPrefix: neither model closes the free-text keys of an unconstrained
// object in a bounded reply, so the reply is cut by max_tokens: what it wrote must be the
// start of a JSON object.
func TestJSONObjectPrefix(t *testing.T) {
	h := newTestHandler(t, Options{})
	var cc ChatCompletion
	wantJSON(t, call(h, "POST", RouteChat, chatBody(`"max_tokens":60,"temperature":0.8,"seed":3,"response_format":{"type":"json_object"}`)), 200, &cc)
	text := *cc.Choices[0].Message.Content
	v, err := grammar.NewVocab(256, func(id int) []byte { return []byte{byte(id)} }, func(int) bool { return false }, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := grammar.NewMatcher(grammar.JSONObject(), v)
	for i := 0; i < len(text); i++ {
		if err := m.Accept(int(text[i])); err != nil {
			t.Fatalf("%q is not the start of a JSON object: at byte %d, %v", text, i, err)
		}
	}
	if len(text) == 0 || (cc.Choices[0].FinishReason == "stop") != m.Complete() {
		t.Errorf("%q finished %q", text, cc.Choices[0].FinishReason)
	}
}

func TestToolChoiceForced(t *testing.T) {
	tools := `"tools":[{"type":"function","function":{"name":"get_weather","parameters":` + weatherParams + `}},
		{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string","maxLength":8}},"required":["zone"],"additionalProperties":false}}},
		{"type":"function","function":{"name":"ping"}}]`
	for _, m := range structuredHandlers {
		t.Run(m.name, func(t *testing.T) {
			h := m.new(t, Options{})
			cases := []struct {
				name, choice, only string // only: the function called, "one" any, "" one or more of any
			}{
				{"required", `"required"`, ""},
				{"required sampled", `"required","temperature":1,"seed":11`, ""},
				{"required, one call", `"required","parallel_tool_calls":false,"temperature":1,"seed":11`, "one"},
				{"named", `{"type":"function","function":{"name":"get_weather"}}`, "get_weather"},
				{"named without parameters", `{"type":"function","function":{"name":"ping"}}`, "ping"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					var cc ChatCompletion
					wantJSON(t, call(h, "POST", RouteChat, chatBody(`"max_tokens":500,`+tools+`,"tool_choice":`+c.choice)), 200, &cc)
					ch := cc.Choices[0]
					if ch.FinishReason != "tool_calls" || len(ch.Message.ToolCalls) == 0 {
						t.Fatalf("finish %q, message %q, usage %+v", ch.FinishReason, *ch.Message.Content, cc.Usage)
					}
					if c.only != "" && len(ch.Message.ToolCalls) != 1 {
						t.Errorf("%d calls, want 1", len(ch.Message.ToolCalls))
					}
					for _, tc := range ch.Message.ToolCalls {
						f := tc.Function
						switch {
						case c.only != "" && c.only != "one" && f.Name != c.only:
							t.Errorf("call of %q, want %q", f.Name, c.only)
						case f.Name == "get_weather":
							validate(t, weatherParams, f.Arguments)
						case f.Name == "get_time":
							validate(t, `{"type":"object","properties":{"zone":{"type":"string","maxLength":8}},"required":["zone"],"additionalProperties":false}`, f.Arguments)
						case f.Name == "ping":
							validate(t, `{"type":"object","additionalProperties":false}`, f.Arguments)
						default:
							t.Errorf("call of unknown function %q", f.Name)
						}
					}
				})
			}
		})
	}
}

// TestToolChoiceStreamed: a forced tool call streams as tool_calls deltas, with
// finish_reason tool_calls, and its arguments follow the function's parameters.
func TestToolChoiceStreamed(t *testing.T) {
	h := wideHandler(t, endlessBackend, endlessDir, Options{})
	body := chatBody(`"stream":true,"max_tokens":400,"tools":[{"type":"function","function":{"name":"get_weather","parameters":` + weatherParams + `}}],"tool_choice":{"type":"function","function":{"name":"get_weather"}}`)
	var calls []ToolCallDelta
	finish := ""
	for _, ev := range stream(t, call(h, "POST", RouteChat, body)) {
		var chunk ChatChunk
		if ev == "[DONE]" || json.Unmarshal([]byte(ev), &chunk) != nil || len(chunk.Choices) == 0 {
			continue
		}
		c := chunk.Choices[0]
		calls = append(calls, c.Delta.ToolCalls...)
		if c.FinishReason != nil {
			finish = *c.FinishReason
		}
	}
	if finish != "tool_calls" || len(calls) != 1 || calls[0].Function.Name != "get_weather" {
		t.Fatalf("finish %q, calls %+v", finish, calls)
	}
	validate(t, weatherParams, calls[0].Function.Arguments)
}

func TestGrammarField(t *testing.T) {
	h := newEndlessHandler(t, Options{})
	var c Completion
	wantJSON(t, call(h, "POST", RouteCompletions, `{"model":"tiny","prompt":"The date:","max_tokens":50,"temperature":1,"seed":2,
		"grammar":"root ::= year \"-\" month \"-\" day\nyear ::= [12] [0-9]{3}\nmonth ::= \"0\" [1-9] | \"1\" [0-2]\nday ::= [0-2] [0-9] | \"3\" [01]"}`), 200, &c)
	if ok, _ := regexp.MatchString(`^[12][0-9]{3}-(0[1-9]|1[0-2])-([0-2][0-9]|3[01])$`, c.Choices[0].Text); !ok || *c.Choices[0].FinishReason != "stop" {
		t.Errorf("text %q finish %q", c.Choices[0].Text, *c.Choices[0].FinishReason)
	}
	var cc ChatCompletion
	wantJSON(t, call(h, "POST", RouteChat, chatBody(`"max_tokens":20,"grammar":"root ::= (\"yes\" | \"no\") \".\""`)), 200, &cc)
	if got := *cc.Choices[0].Message.Content; got != "yes." && got != "no." {
		t.Errorf("chat reply %q", got)
	}
}

func TestStructuredRefusals(t *testing.T) {
	h := newEndlessHandler(t, Options{})
	e := wantError(t, call(h, "POST", RouteChat, chatBody(`"response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":{"type":"object","properties":{"a":{"type":"string","format":"email"}}}}}`)),
		400, "invalid_request_error", "unsupported_value")
	if e["param"] != "response_format" || !strings.Contains(e["message"].(string), `"format"`) {
		t.Errorf("error %v", e)
	}
}

// TestResponsesJSONSchema: the Responses API's text.format json_schema constrains the reply
// as response_format does on the chat path: the output_text follows the schema, on both
// models.
func TestResponsesJSONSchema(t *testing.T) {
	for _, m := range structuredHandlers {
		t.Run(m.name, func(t *testing.T) {
			h := m.new(t, Options{})
			body := `{"model":"` + testModel + `","input":"Write an order as JSON.","max_output_tokens":400,"temperature":0,` +
				`"text":{"format":{"type":"json_schema","name":"order","strict":true,"schema":` + orderSchema + `}}}`
			var resp struct {
				Status string `json:"status"`
				Output []struct {
					Type    string `json:"type"`
					Content []struct {
						Type string `json:"type"`
						Text string `json:"text"`
					} `json:"content"`
				} `json:"output"`
			}
			wantJSON(t, call(h, "POST", RouteResponses, body), 200, &resp)
			var text string
			for _, it := range resp.Output {
				if it.Type == "message" && len(it.Content) == 1 && it.Content[0].Type == "output_text" {
					text = it.Content[0].Text
				}
			}
			if resp.Status != "completed" || text == "" {
				t.Fatalf("status %q, output %+v", resp.Status, resp.Output)
			}
			validate(t, orderSchema, text)
		})
	}
}
