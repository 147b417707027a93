package openai

import (
	"encoding/json"
	"strings"
	"testing"
)

var testDefaults = Defaults{Temperature: 1, TopP: 1}

// checkBadRequest asserts that e is a 400 invalid_request_error about param with code,
// whose message contains every one of want.
func checkBadRequest(t *testing.T, e *Error, param, code string, want ...string) {
	t.Helper()
	if e == nil {
		t.Fatalf("no error; want 400 param=%q code=%q", param, code)
	}
	if e.Status != 400 || e.Type != "invalid_request_error" {
		t.Errorf("status %d type %q; want 400 invalid_request_error (%s)", e.Status, e.Type, e.Message)
	}
	if got := deref(e.Param); got != param {
		t.Errorf("param %q; want %q (%s)", got, param, e.Message)
	}
	if got := deref(e.Code); got != code {
		t.Errorf("code %q; want %q (%s)", got, code, e.Message)
	}
	if e.Message == "" {
		t.Errorf("empty message")
	}
	for _, w := range want {
		if !strings.Contains(e.Message, w) {
			t.Errorf("message %q does not contain %q", e.Message, w)
		}
	}
	checkErrorBody(t, e)
}

// checkErrorBody asserts e.Body() is {"error":{"message","type","param","code"}}.
func checkErrorBody(t *testing.T, e *Error) {
	t.Helper()
	checkErrorJSON(t, e.Body(), e.Type, deref(e.Code))
}

// checkErrorJSON asserts body is an OpenAI error object with typ and code.
func checkErrorJSON(t *testing.T, body []byte, typ, code string) {
	t.Helper()
	var v map[string]map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("error body %q is not JSON: %v", body, err)
	}
	if len(v) != 1 || v["error"] == nil {
		t.Fatalf("error body %s: want exactly {\"error\": {...}}", body)
	}
	eo := v["error"]
	for _, k := range []string{"message", "type", "param", "code"} {
		if _, ok := eo[k]; !ok {
			t.Errorf("error body %s lacks %q", body, k)
		}
	}
	if len(eo) != 4 {
		t.Errorf("error body %s: want exactly message, type, param, code", body)
	}
	if m, _ := eo["message"].(string); m == "" {
		t.Errorf("error body %s: empty message", body)
	}
	if eo["type"] != typ {
		t.Errorf("error body %s: type %v, want %q", body, eo["type"], typ)
	}
	if code != "" && eo["code"] != code {
		t.Errorf("error body %s: code %v, want %q", body, eo["code"], code)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

const chatMsgs = `"model":"m","messages":[{"role":"user","content":"hi"}]`

func TestDecodeChatRejects(t *testing.T) {
	tests := []struct {
		name, body, param, code string
		want                    []string
	}{
		{"empty body", ``, "", "invalid_json", []string{"empty"}},
		{"blank body", " \n\t", "", "invalid_json", []string{"empty"}},
		{"array body", `[{"model":"m"}]`, "", "invalid_json", []string{"JSON object"}},
		{"string body", `"hello"`, "", "invalid_json", []string{"JSON object"}},
		{"null body", `null`, "", "invalid_json", []string{"JSON object"}},
		{"syntax error", `{"model":"m",}`, "", "invalid_json", []string{"not valid JSON", "at byte"}},
		{"truncated", `{"model":"m"`, "", "invalid_json", []string{"not valid JSON"}},
		{"trailing garbage", `{"model":"m"} x`, "", "invalid_json", []string{"not valid JSON"}},
		{"temperature string", `{` + chatMsgs + `,"temperature":"hot"}`, "temperature", "invalid_type", []string{"temperature", "number", "string"}},
		{"model number", `{"model":5,"messages":[]}`, "model", "invalid_type", []string{"model", "a string", "number"}},
		{"messages object", `{"model":"m","messages":{}}`, "messages", "invalid_type", []string{"messages", "array"}},
		{"max_tokens float", `{` + chatMsgs + `,"max_tokens":1.5}`, "max_tokens", "invalid_type", []string{"max_tokens", "integer"}},
		{"stream string", `{` + chatMsgs + `,"stream":"yes"}`, "stream", "invalid_type", []string{"stream", "boolean"}},
		{"stop number", `{` + chatMsgs + `,"stop":5}`, "stop", "invalid_type", []string{"stop must be a string or an array of strings, not a JSON number"}},
		{"nested include_usage", `{` + chatMsgs + `,"stream":true,"stream_options":{"include_usage":1}}`, "stream_options.include_usage", "invalid_type", []string{"include_usage", "boolean"}},
		{"missing model", `{"messages":[{"role":"user","content":"hi"}]}`, "model", "missing_required_parameter", []string{"model is required"}},
		{"missing messages", `{"model":"m"}`, "messages", "missing_required_parameter", []string{"messages"}},
		{"empty messages", `{"model":"m","messages":[]}`, "messages", "missing_required_parameter", []string{"non-empty"}},
		{"no role", `{"model":"m","messages":[{"content":"hi"}]}`, "messages[0].role", "missing_required_parameter", []string{"messages[0]", "no role"}},
		{"bad role", `{"model":"m","messages":[{"role":"user","content":"a"},{"role":"robot","content":"hi"}]}`, "messages[1].role", "invalid_value", []string{"robot", "messages[1]"}},
		{"user without content", `{"model":"m","messages":[{"role":"user"}]}`, "messages[0].content", "missing_required_parameter", []string{"no content", "user"}},
		{"system null content", `{"model":"m","messages":[{"role":"system","content":null},{"role":"user","content":"x"}]}`, "messages[0].content", "missing_required_parameter", []string{"system"}},
		{"developer without content", `{"model":"m","messages":[{"role":"developer"}]}`, "messages[0].content", "missing_required_parameter", []string{"system"}},
		{"image part", `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"http://x"}}]}]}`, "messages[0].content", "invalid_value", []string{"image_url", "only text"}},
		{"text part without text", `{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}`, "messages[0].content", "invalid_value", []string{"no text"}},
		{"content number", `{"model":"m","messages":[{"role":"user","content":5}]}`, "messages[0].content", "invalid_value", []string{"content"}},
		{"message not object", `{"model":"m","messages":[1]}`, "messages[0]", "invalid_type", []string{"messages"}},
		{"max_tokens 0", `{` + chatMsgs + `,"max_tokens":0}`, "max_tokens", "invalid_value", []string{"max_tokens", "at least 1"}},
		{"max_tokens negative", `{` + chatMsgs + `,"max_tokens":-5}`, "max_tokens", "invalid_value", []string{"-5"}},
		{"max_tokens 2^63-1", `{` + chatMsgs + `,"max_tokens":9223372036854775807}`, "max_tokens", "invalid_value", []string{"at most 2147483647"}},
		{"max_tokens 2^31", `{` + chatMsgs + `,"max_tokens":2147483648}`, "max_tokens", "invalid_value", []string{"at most 2147483647"}},
		{"max_tokens 2^64", `{` + chatMsgs + `,"max_tokens":18446744073709551616}`, "max_tokens", "invalid_value", []string{"out of range"}},
		{"max_completion_tokens 2^63-1", `{` + chatMsgs + `,"max_completion_tokens":9223372036854775807}`, "max_completion_tokens", "invalid_value", []string{"at most"}},
		{"max_tokens 1e3", `{` + chatMsgs + `,"max_tokens":1e3}`, "max_tokens", "invalid_type", []string{"integer", "1e3"}},
		{"top_k 2^63-1", `{` + chatMsgs + `,"top_k":9223372036854775807}`, "top_k", "invalid_value", []string{"at most"}},
		{"seed 2^64", `{` + chatMsgs + `,"seed":18446744073709551616}`, "seed", "invalid_value", []string{"out of range"}},
		{"temperature 1e400", `{` + chatMsgs + `,"temperature":1e400}`, "temperature", "invalid_value", []string{"out of range"}},
		{"temperature NaN", `{` + chatMsgs + `,"temperature":NaN}`, "", "invalid_json", []string{"not valid JSON"}},
		{"temperature Infinity", `{` + chatMsgs + `,"temperature":Infinity}`, "", "invalid_json", []string{"not valid JSON"}},
		{"temperature string NaN", `{` + chatMsgs + `,"temperature":"NaN"}`, "temperature", "invalid_type", []string{"a number", "string"}},
		{"duplicate name", `{` + chatMsgs + `,"max_tokens":1,"max_tokens":99}`, "max_tokens", "invalid_json", []string{`"max_tokens" is given twice`}},
		{"invalid UTF-8", "{" + chatMsgs + ",\"user\":\"\xff\"}", "", "invalid_json", []string{"UTF-8"}},
		{"lone surrogate", `{` + chatMsgs + `,"user":"\ud800"}`, "", "invalid_json", []string{"surrogate"}},
		{"tool call type", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"type":5}]}]}`, "messages[0].tool_calls[0].type", "invalid_type", []string{"a string", "number"}},
		{"tool call arguments", `{"model":"m","messages":[{"role":"assistant","tool_calls":{}}]}`, "messages[0].tool_calls", "invalid_type", []string{"an array", "object"}},
		{"max_completion_tokens 0", `{` + chatMsgs + `,"max_completion_tokens":0}`, "max_completion_tokens", "invalid_value", []string{"max_completion_tokens"}},
		{"n 9", `{` + chatMsgs + `,"n":9}`, "n", "invalid_value", []string{"n must be between 1 and 8", "9"}},
		{"n 0", `{` + chatMsgs + `,"n":0}`, "n", "invalid_value", []string{"n must be between 1 and 8", "0"}},
		{"n negative", `{` + chatMsgs + `,"n":-1}`, "n", "invalid_value", []string{"-1"}},
		{"temperature 3", `{` + chatMsgs + `,"temperature":3}`, "temperature", "invalid_value", []string{"temperature", "between 0 and 2", "3"}},
		{"temperature negative", `{` + chatMsgs + `,"temperature":-0.1}`, "temperature", "invalid_value", []string{"temperature"}},
		{"top_p -1", `{` + chatMsgs + `,"top_p":-1}`, "top_p", "invalid_value", []string{"top_p", "between 0 and 1"}},
		{"top_p 1.5", `{` + chatMsgs + `,"top_p":1.5}`, "top_p", "invalid_value", []string{"top_p"}},
		{"min_p 2", `{` + chatMsgs + `,"min_p":2}`, "min_p", "invalid_value", []string{"min_p"}},
		{"presence 3", `{` + chatMsgs + `,"presence_penalty":3}`, "presence_penalty", "invalid_value", []string{"presence_penalty", "between -2 and 2"}},
		{"frequency -3", `{` + chatMsgs + `,"frequency_penalty":-3}`, "frequency_penalty", "invalid_value", []string{"frequency_penalty"}},
		{"repetition 0", `{` + chatMsgs + `,"repetition_penalty":0}`, "repetition_penalty", "invalid_value", []string{"positive"}},
		{"repetition 11", `{` + chatMsgs + `,"repetition_penalty":11}`, "repetition_penalty", "invalid_value", []string{"between 0 and 10"}},
		{"top_k negative", `{` + chatMsgs + `,"top_k":-1}`, "top_k", "invalid_value", []string{"top_k"}},
		{"top_logprobs without logprobs", `{` + chatMsgs + `,"top_logprobs":3}`, "top_logprobs", "invalid_value", []string{"logprobs: true"}},
		{"top_logprobs with logprobs false", `{` + chatMsgs + `,"logprobs":false,"top_logprobs":3}`, "top_logprobs", "invalid_value", []string{"logprobs"}},
		{"top_logprobs 21", `{` + chatMsgs + `,"logprobs":true,"top_logprobs":21}`, "top_logprobs", "invalid_value", []string{"between 0 and 20", "21"}},
		{"top_logprobs -1", `{` + chatMsgs + `,"logprobs":true,"top_logprobs":-1}`, "top_logprobs", "invalid_value", []string{"-1"}},
		{"json_schema without schema", `{` + chatMsgs + `,"response_format":{"type":"json_schema","json_schema":{}}}`, "response_format", "missing_required_parameter", []string{"json_schema.schema"}},
		{"json_schema unsupported keyword", `{` + chatMsgs + `,"response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":{"type":"object","properties":{"a":{"type":"string","pattern":"^x"}}}}}}`, "response_format", "unsupported_value", []string{`"pattern"`, "/properties/a"}},
		{"json_schema patternProperties", `{` + chatMsgs + `,"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","patternProperties":{"^a":{}}}}}}`, "response_format", "unsupported_value", []string{`"patternProperties"`}},
		{"json_schema malformed", `{` + chatMsgs + `,"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"thing"}}}}`, "response_format", "invalid_value", []string{`"thing"`}},
		{"json_schema recurring ref", `{` + chatMsgs + `,"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"anyOf":[{"$ref":"#"},{"type":"null"}]}}}}`, "response_format", "invalid_value", []string{"cannot be enforced", "left recursion"}},
		{"tool parameters recurring ref", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f","parameters":{"$defs":{"a":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}}}],"tool_choice":"required"}`, "tools", "invalid_value", []string{"cannot be enforced"}},
		{"response_format unknown", `{` + chatMsgs + `,"response_format":{"type":"yaml"}}`, "response_format", "invalid_value", []string{`"yaml"`}},
		{"grammar bad", `{` + chatMsgs + `,"grammar":"root ::= \"a"}`, "grammar", "invalid_value", []string{"unterminated literal", "line 1"}},
		{"grammar and response_format", `{` + chatMsgs + `,"grammar":"root ::= \"a\"","response_format":{"type":"json_object"}}`, "grammar", "invalid_value", []string{"together"}},
		{"tool without function name", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"parameters":{}}}]}`, "tools[0].function.name", "missing_required_parameter", []string{"tools[0]", "no function name"}},
		{"tool without function", `{` + chatMsgs + `,"tools":[{"type":"function"}]}`, "tools[0].function.name", "missing_required_parameter", []string{"function name"}},
		{"tool bad type", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f"}},{"type":"retrieval"}]}`, "tools[1].type", "invalid_value", []string{"retrieval", "function"}},
		{"tool null", `{` + chatMsgs + `,"tools":[null]}`, "tools[0].type", "invalid_value", []string{"tools[0]"}},
		{"tool_choice required without tools", `{` + chatMsgs + `,"tool_choice":"required"}`, "tool_choice", "invalid_value", []string{"needs tools"}},
		{"tool_choice unknown function", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}}}`, "tool_choice", "invalid_value", []string{`"g"`, "not among the tools"}},
		{"tool_choice object without name", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function"}}`, "tool_choice", "invalid_value", []string{"naming a function"}},
		{"tool parameters unsupported", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"n":{"type":"number","multipleOf":2}}}}}],"tool_choice":"required"}`, "tools[0].function.parameters", "unsupported_value", []string{`"multipleOf"`}},
		{"tool_choice bogus", `{` + chatMsgs + `,"tool_choice":"sometimes"}`, "tool_choice", "invalid_value", []string{"sometimes"}},
		{"tool_choice number", `{` + chatMsgs + `,"tool_choice":7}`, "tool_choice", "invalid_value", []string{"7"}},
		{"stream_options without stream", `{` + chatMsgs + `,"stream_options":{"include_usage":true}}`, "stream_options", "invalid_value", []string{"stream is true"}},
		{"logit_bias over 100", `{` + chatMsgs + `,"logit_bias":{"50256":-100.5}}`, "logit_bias", "invalid_value", []string{`logit_bias["50256"]`, "between -100 and 100"}},
		{"logit_bias key not an id", `{` + chatMsgs + `,"logit_bias":{"hello":1}}`, "logit_bias", "invalid_value", []string{`"hello"`, "not a token id"}},
		{"logit_bias negative key", `{` + chatMsgs + `,"logit_bias":{"-1":1}}`, "logit_bias", "invalid_value", []string{"not a token id"}},
		{"logit_bias padded key", `{` + chatMsgs + `,"logit_bias":{"007":1}}`, "logit_bias", "invalid_value", []string{"not a token id"}},
		{"logit_bias huge key", `{` + chatMsgs + `,"logit_bias":{"99999999999999999999":1}}`, "logit_bias", "invalid_value", []string{"not a token id"}},
		{"logit_bias string value", `{` + chatMsgs + `,"logit_bias":{"1":"5"}}`, "logit_bias", "invalid_value", []string{"a number"}},
		{"logit_bias null value", `{` + chatMsgs + `,"logit_bias":{"1":null}}`, "logit_bias", "invalid_value", []string{"a number"}},
		{"logit_bias array", `{` + chatMsgs + `,"logit_bias":[1]}`, "logit_bias", "invalid_type", []string{"logit_bias"}},
		{"too many stops", `{` + chatMsgs + `,"stop":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"]}`, "stop", "invalid_value", []string{"17", "at most 16"}},
		{"stop too long", `{` + chatMsgs + `,"stop":"` + strings.Repeat("x", 513) + `"}`, "stop", "invalid_value", []string{"stop[0]", "513"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, e := decodeChat([]byte(tc.body), testDefaults)
			if g != nil {
				t.Fatalf("accepted %s: %+v", tc.body, g)
			}
			checkBadRequest(t, e, tc.param, tc.code, tc.want...)
		})
	}
}

func TestDecodeChatAccepts(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(t *testing.T, g *generation)
	}{
		{"defaults", `{` + chatMsgs + `}`, func(t *testing.T, g *generation) {
			if !g.chat || g.model != "m" || g.maxTokens != 0 || g.stream || g.includeUsage || g.logprobs || g.topLogprobs != 0 {
				t.Errorf("defaults: %+v", g)
			}
			sp := g.sampling
			if sp.Temperature != 1 || sp.TopP != 1 || sp.RepetitionPenalty != 1 || sp.TopK != 0 || sp.MinP != 0 {
				t.Errorf("sampling defaults: %+v", sp)
			}
			if len(g.stops) != 0 || len(g.tools) != 0 {
				t.Errorf("stops %q tools %d", g.stops, len(g.tools))
			}
			if len(g.messages) != 1 || g.messages[0].Role != "user" || *g.messages[0].Content != "hi" {
				t.Errorf("messages: %+v", g.messages)
			}
		}},
		{"sampling mapped", `{` + chatMsgs + `,"temperature":0.5,"top_p":0.9,"top_k":40,"min_p":0.05,"presence_penalty":0.5,"frequency_penalty":-0.5,"repetition_penalty":1.1,"seed":42,"max_tokens":7}`, func(t *testing.T, g *generation) {
			sp := g.sampling
			if sp.Temperature != 0.5 || sp.TopP != 0.9 || sp.TopK != 40 || sp.MinP != 0.05 || sp.PresencePenalty != 0.5 ||
				sp.FrequencyPenalty != -0.5 || sp.RepetitionPenalty != float32(1.1) || sp.Seed != 42 {
				t.Errorf("sampling: %+v", sp)
			}
			if g.maxTokens != 7 {
				t.Errorf("maxTokens %d", g.maxTokens)
			}
		}},
		{"negative seed", `{` + chatMsgs + `,"seed":-1}`, func(t *testing.T, g *generation) {
			if g.sampling.Seed != ^uint64(0) {
				t.Errorf("seed %d", g.sampling.Seed)
			}
		}},
		{"top_p 0 is greedy", `{` + chatMsgs + `,"top_p":0,"temperature":0.7}`, func(t *testing.T, g *generation) {
			if g.sampling.Temperature != 0 || g.sampling.TopP != 1 {
				t.Errorf("sampling: %+v", g.sampling)
			}
		}},
		{"max_completion_tokens wins", `{` + chatMsgs + `,"max_tokens":5,"max_completion_tokens":9}`, func(t *testing.T, g *generation) {
			if g.maxTokens != 9 {
				t.Errorf("maxTokens %d", g.maxTokens)
			}
		}},
		{"stop string", `{` + chatMsgs + `,"stop":"END"}`, func(t *testing.T, g *generation) {
			if len(g.stops) != 1 || g.stops[0] != "END" {
				t.Errorf("stops %q", g.stops)
			}
		}},
		{"stop list drops empty", `{` + chatMsgs + `,"stop":["a","","b"]}`, func(t *testing.T, g *generation) {
			if strings.Join(g.stops, "|") != "a|b" {
				t.Errorf("stops %q", g.stops)
			}
		}},
		{"stop null", `{` + chatMsgs + `,"stop":null}`, func(t *testing.T, g *generation) {
			if len(g.stops) != 0 {
				t.Errorf("stops %q", g.stops)
			}
		}},
		{"sixteen stops", `{` + chatMsgs + `,"stop":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p"]}`, func(t *testing.T, g *generation) {
			if len(g.stops) != 16 {
				t.Errorf("stops %q", g.stops)
			}
		}},
		{"stream with usage", `{` + chatMsgs + `,"stream":true,"stream_options":{"include_usage":true}}`, func(t *testing.T, g *generation) {
			if !g.stream || !g.includeUsage {
				t.Errorf("stream %v includeUsage %v", g.stream, g.includeUsage)
			}
		}},
		{"logprobs", `{` + chatMsgs + `,"logprobs":true,"top_logprobs":20}`, func(t *testing.T, g *generation) {
			if !g.logprobs || g.topLogprobs != 20 {
				t.Errorf("logprobs %v top %d", g.logprobs, g.topLogprobs)
			}
		}},
		{"n 1 and empty logit_bias", `{` + chatMsgs + `,"n":1,"logit_bias":{}}`, nil},
		{"response_format text", `{` + chatMsgs + `,"response_format":{"type":"text"}}`, func(t *testing.T, g *generation) {
			if g.constraint != nil {
				t.Error("a constraint for text")
			}
		}},
		{"response_format json_object", `{` + chatMsgs + `,"response_format":{"type":"json_object"}}`, wantConstraint("json_object")},
		{"response_format json_schema", `{` + chatMsgs + `,"response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}}}}`, wantConstraint("json_schema:")},
		{"tool_choice required", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"required"}`, wantConstraint("tools::")},
		{"tool_choice required, one call", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"required","parallel_tool_calls":false}`, wantConstraint("tools::1:")},
		{"tool_choice required, parallel", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"required","parallel_tool_calls":true}`, wantConstraint("tools::8:")},
		{"tool_choice names a function", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"f"}}}`, wantConstraint("tools:f:")},
		{"grammar", `{` + chatMsgs + `,"grammar":"root ::= \"yes\" | \"no\""}`, wantConstraint("gbnf:")},
		{"json_schema or tool calls", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f"}}],"response_format":{"type":"json_object"}}`, func(t *testing.T, g *generation) {
			wantConstraint("json_object\x00tools:")(t, g)
			if len(g.tools) != 1 {
				t.Errorf("tools %q", g.tools)
			}
		}},
		{"developer is system", `{"model":"m","messages":[{"role":"developer","content":"be brief"},{"role":"user","content":"hi"}]}`, func(t *testing.T, g *generation) {
			if g.messages[0].Role != "system" || *g.messages[0].Content != "be brief" {
				t.Errorf("messages[0]: %+v", g.messages[0])
			}
		}},
		{"text parts concatenated", `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}`, func(t *testing.T, g *generation) {
			if *g.messages[0].Content != "ab" {
				t.Errorf("content %q", *g.messages[0].Content)
			}
		}},
		{"assistant and tool without content", `{"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"1"}]}`, func(t *testing.T, g *generation) {
			if len(g.messages) != 3 || g.messages[1].Content != nil || len(g.messages[1].ToolCalls) != 1 {
				t.Errorf("messages: %+v", g.messages)
			}
		}},
		{"tools kept raw", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}`, func(t *testing.T, g *generation) {
			if len(g.tools) != 1 || !strings.Contains(string(g.tools[0]), `"get_weather"`) || !strings.Contains(string(g.tools[0]), `"parameters"`) {
				t.Errorf("tools %q", g.tools)
			}
		}},
		{"tool_choice auto", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"auto"}`, func(t *testing.T, g *generation) {
			if len(g.tools) != 1 {
				t.Errorf("tools %q", g.tools)
			}
		}},
		{"tool_choice null", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":null}`, func(t *testing.T, g *generation) {
			if len(g.tools) != 1 {
				t.Errorf("tools %q", g.tools)
			}
		}},
		{"tool_choice none drops tools", `{` + chatMsgs + `,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"none"}`, func(t *testing.T, g *generation) {
			if len(g.tools) != 0 {
				t.Errorf("tools %q", g.tools)
			}
		}},
		{"unknown fields ignored", `{` + chatMsgs + `,"user":"u","parallel_tool_calls":true,"whatever":[1,2]}`, nil},
		{"leading whitespace", "\n  {" + chatMsgs + "}  \n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, e := decodeChat([]byte(tc.body), testDefaults)
			if e != nil {
				t.Fatalf("refused %s: %d %s", tc.body, e.Status, e.Body())
			}
			if tc.check != nil {
				tc.check(t, g)
			}
		})
	}
}

func TestDecodeChatDefaults(t *testing.T) {
	g, e := decodeChat([]byte(`{`+chatMsgs+`}`), Defaults{Temperature: 0.3, TopP: 0.8})
	if e != nil {
		t.Fatal(e)
	}
	if g.sampling.Temperature != 0.3 || g.sampling.TopP != 0.8 {
		t.Errorf("sampling %+v; want the server defaults", g.sampling)
	}
	// A random seed each time when none is sent.
	g2, _ := decodeChat([]byte(`{`+chatMsgs+`}`), testDefaults)
	if g.sampling.Seed == g2.sampling.Seed {
		t.Errorf("two requests without seed got the same seed %d", g.sampling.Seed)
	}
}

const complModel = `"model":"m"`

func TestDecodeCompletionRejects(t *testing.T) {
	tests := []struct {
		name, body, param, code string
		want                    []string
	}{
		{"empty body", ``, "", "invalid_json", []string{"empty"}},
		{"array body", `[]`, "", "invalid_json", []string{"JSON object"}},
		{"syntax", `{"model":`, "", "invalid_json", []string{"not valid JSON"}},
		{"missing model", `{"prompt":"x"}`, "model", "missing_required_parameter", []string{"model"}},
		{"missing prompt", `{` + complModel + `}`, "prompt", "missing_required_parameter", []string{"prompt is required"}},
		{"null prompt", `{` + complModel + `,"prompt":null}`, "prompt", "missing_required_parameter", []string{"prompt"}},
		{"empty prompt list", `{` + complModel + `,"prompt":[]}`, "prompt", "missing_required_parameter", []string{"prompt"}},
		{"65 prompts", `{` + complModel + `,"prompt":["a"` + strings.Repeat(`,"a"`, 64) + `]}`, "prompt", "invalid_value", []string{"65 prompts", "at most 64"}},
		{"choices over the bound", `{` + complModel + `,"prompt":["a"` + strings.Repeat(`,"a"`, 8) + `],"n":8}`, "n", "invalid_value", []string{"9 prompts with n 8 make 72 choices", "at most 64"}},
		{"an empty id prompt of two", `{` + complModel + `,"prompt":[[1,2],[]]}`, "prompt", "invalid_value", []string{"prompt[1] has no tokens"}},
		{"empty id prompt", `{` + complModel + `,"prompt":[[]]}`, "prompt", "invalid_value", []string{"no tokens"}},
		{"prompt number", `{` + complModel + `,"prompt":5}`, "prompt", "invalid_type", []string{"prompt must be a string, an array of strings, an array of token ids or an array of arrays of token ids, not a JSON number"}},
		{"prompt mixed", `{` + complModel + `,"prompt":[1,"a"]}`, "prompt", "invalid_type", []string{"not a JSON array"}},
		{"prompt object", `{` + complModel + `,"prompt":{"text":"a"}}`, "prompt", "invalid_type", []string{"not a JSON object"}},
		{"echo with logprobs", `{` + complModel + `,"prompt":"x","echo":true,"logprobs":1}`, "echo", "unsupported_value", []string{"echo with logprobs", "prompt's log-probabilities"}},
		{"echo with suffix", `{` + complModel + `,"prompt":"x","echo":true,"suffix":"y"}`, "suffix", "unsupported_value", []string{"echo"}},
		{"best_of 2", `{` + complModel + `,"prompt":"x","best_of":2}`, "best_of", "unsupported_value", []string{"best_of must equal n (1)", "got 2"}},
		{"best_of 3 n 2", `{` + complModel + `,"prompt":"x","best_of":3,"n":2}`, "best_of", "unsupported_value", []string{"best_of must equal n (2)"}},
		{"max_tokens 0", `{` + complModel + `,"prompt":"x","max_tokens":0}`, "max_tokens", "invalid_value", []string{"at least 1"}},
		{"n 9", `{` + complModel + `,"prompt":"x","n":9}`, "n", "invalid_value", []string{"9"}},
		{"temperature 2.5", `{` + complModel + `,"prompt":"x","temperature":2.5}`, "temperature", "invalid_value", []string{"2.5"}},
		{"temperature hot", `{` + complModel + `,"prompt":"x","temperature":"hot"}`, "temperature", "invalid_type", []string{"number"}},
		{"logprobs 21", `{` + complModel + `,"prompt":"x","logprobs":21}`, "logprobs", "invalid_value", []string{"between 0 and 20"}},
		{"logprobs bool", `{` + complModel + `,"prompt":"x","logprobs":true}`, "logprobs", "invalid_type", []string{"integer"}},
		{"stream_options without stream", `{` + complModel + `,"prompt":"x","stream_options":{}}`, "stream_options", "invalid_value", nil},
		{"logit_bias", `{` + complModel + `,"prompt":"x","logit_bias":{"1":101}}`, "logit_bias", "invalid_value", []string{"between -100 and 100"}},
		{"grammar left recursion", `{` + complModel + `,"prompt":"x","grammar":"root ::= root \"a\" | \"b\""}`, "grammar", "invalid_value", []string{"left recursion"}},
		{"grammar undefined rule", `{` + complModel + `,"prompt":"x","grammar":"root ::= digits"}`, "grammar", "invalid_value", []string{`"digits"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, e := decodeCompletion([]byte(tc.body), testDefaults)
			if g != nil {
				t.Fatalf("accepted %s: %+v", tc.body, g)
			}
			checkBadRequest(t, e, tc.param, tc.code, tc.want...)
		})
	}
}

func TestDecodeCompletionAccepts(t *testing.T) {
	text := func(want string) func(*testing.T, *generation) {
		return func(t *testing.T, g *generation) {
			if len(g.prompt.Texts) != 1 || g.prompt.Texts[0] != want || g.prompt.Tokens != nil {
				t.Errorf("prompt %+v; want text %q", g.prompt, want)
			}
		}
	}
	ids := func(want ...int) func(*testing.T, *generation) {
		return func(t *testing.T, g *generation) {
			if g.prompt.Texts != nil || len(g.prompt.Tokens) != 1 || len(g.prompt.Tokens[0]) != len(want) {
				t.Fatalf("prompt %+v; want ids %v", g.prompt, want)
			}
			for i := range want {
				if g.prompt.Tokens[0][i] != want[i] {
					t.Errorf("prompt %v; want ids %v", g.prompt.Tokens, want)
				}
			}
		}
	}
	tests := []struct {
		name, body string
		check      func(t *testing.T, g *generation)
	}{
		{"string", `{` + complModel + `,"prompt":"Once upon"}`, text("Once upon")},
		{"grammar", `{` + complModel + `,"prompt":"x","grammar":"root ::= [0-9]+"}`, wantConstraint("gbnf:root ::= [0-9]+")},
		{"empty string", `{` + complModel + `,"prompt":""}`, text("")},
		{"one string list", `{` + complModel + `,"prompt":["Once upon"]}`, text("Once upon")},
		{"ids", `{` + complModel + `,"prompt":[1,2,3]}`, ids(1, 2, 3)},
		{"one ids list", `{` + complModel + `,"prompt":[[4,5]]}`, ids(4, 5)},
		{"prompt list, n, echo, best_of n", `{` + complModel + `,"prompt":["a","b","c"],"n":2,"best_of":2,"echo":true}`, func(t *testing.T, g *generation) {
			if len(g.prompt.Texts) != 3 || g.prompt.Texts[2] != "c" || g.n != 2 || !g.echo {
				t.Errorf("generation %+v", g)
			}
		}},
		{"ids lists, suffix", `{` + complModel + `,"prompt":[[1],[2,3]],"suffix":"end"}`, func(t *testing.T, g *generation) {
			if len(g.prompt.Tokens) != 2 || len(g.prompt.Tokens[1]) != 2 || g.suffix == nil || *g.suffix != "end" || g.n != 1 {
				t.Errorf("generation %+v", g)
			}
		}},
		{"default max_tokens 16", `{` + complModel + `,"prompt":"x"}`, func(t *testing.T, g *generation) {
			if g.maxTokens != 16 {
				t.Errorf("maxTokens %d; want 16", g.maxTokens)
			}
			if g.chat || g.stream || g.logprobs {
				t.Errorf("generation %+v", g)
			}
		}},
		{"max_tokens", `{` + complModel + `,"prompt":"x","max_tokens":100}`, func(t *testing.T, g *generation) {
			if g.maxTokens != 100 {
				t.Errorf("maxTokens %d", g.maxTokens)
			}
		}},
		{"best_of 1 echo false empty suffix", `{` + complModel + `,"prompt":"x","best_of":1,"echo":false,"suffix":""}`, nil},
		{"logprobs 0", `{` + complModel + `,"prompt":"x","logprobs":0}`, func(t *testing.T, g *generation) {
			if !g.logprobs || g.topLogprobs != 0 {
				t.Errorf("logprobs %v top %d", g.logprobs, g.topLogprobs)
			}
		}},
		{"logprobs 5", `{` + complModel + `,"prompt":"x","logprobs":5}`, func(t *testing.T, g *generation) {
			if !g.logprobs || g.topLogprobs != 5 {
				t.Errorf("logprobs %v top %d", g.logprobs, g.topLogprobs)
			}
		}},
		{"sampling and stops", `{` + complModel + `,"prompt":"x","temperature":0,"top_k":3,"stop":["\n"],"seed":7,"stream":true,"stream_options":{"include_usage":true}}`, func(t *testing.T, g *generation) {
			if g.sampling.Temperature != 0 || g.sampling.TopK != 3 || g.sampling.Seed != 7 {
				t.Errorf("sampling %+v", g.sampling)
			}
			if len(g.stops) != 1 || g.stops[0] != "\n" || !g.stream || !g.includeUsage {
				t.Errorf("generation %+v", g)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, e := decodeCompletion([]byte(tc.body), testDefaults)
			if e != nil {
				t.Fatalf("refused %s: %s", tc.body, e.Body())
			}
			if tc.check != nil {
				tc.check(t, g)
			}
		})
	}
}

// TestDecodeExactNames checks that member names match as OpenAI's API matches them:
// exactly. encoding/json (v1) would take "MAX_TOKENS" for max_tokens.
func TestDecodeExactNames(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(*testing.T, *generation)
	}{
		{"MAX_TOKENS is unknown", `{` + chatMsgs + `,"MAX_TOKENS":9223372036854775807}`, func(t *testing.T, g *generation) {
			if g.maxTokens != 0 || g.maxTokensBy != "" {
				t.Errorf("maxTokens %d from %q: an unknown member was read", g.maxTokens, g.maxTokensBy)
			}
		}},
		{"Temperature is unknown", `{` + chatMsgs + `,"Temperature":0}`, func(t *testing.T, g *generation) {
			if g.sampling.Temperature != 1 {
				t.Errorf("temperature %g: an unknown member was read", g.sampling.Temperature)
			}
		}},
		{"Stream is unknown", `{` + chatMsgs + `,"Stream":true}`, func(t *testing.T, g *generation) {
			if g.stream {
				t.Errorf("streamed: an unknown member was read")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, e := decodeChat([]byte(tc.body), testDefaults)
			if e != nil {
				t.Fatalf("refused: %s", e.Body())
			}
			tc.check(t, g)
		})
	}
	t.Run("ROLE is unknown", func(t *testing.T) {
		_, e := decodeChat([]byte(`{"model":"m","messages":[{"ROLE":"user","content":"x"}]}`), testDefaults)
		checkBadRequest(t, e, "messages[0].role", "missing_required_parameter", "no role")
	})
	t.Run("MODEL is unknown", func(t *testing.T) {
		_, e := decodeCompletion([]byte(`{"MODEL":"m","prompt":"x"}`), testDefaults)
		checkBadRequest(t, e, "model", "missing_required_parameter", "model is required")
	})
}

func TestTypeName(t *testing.T) {
	for in, want := range map[string]string{
		"string": "a string", "*string": "a string", "bool": "a boolean", "int": "an integer", "*int64": "an integer",
		"uint8": "an integer", "float64": "a number", "*float64": "a number", "[]chat.Message": "an array",
		"map[string]interface {}": "an object", "openai.StreamOptions": "an object", "struct { Type string }": "an object",
	} {
		t.Run(in, func(t *testing.T) {
			if got := typeName(in); got != want {
				t.Errorf("typeName(%q) = %q; want %q", in, got, want)
			}
		})
	}
}

// TestDecodeMaxTokensSource checks which field max_tokens came from, for the server's
// limit: a default may be lowered, a value the client sent may not.
func TestDecodeMaxTokensSource(t *testing.T) {
	tests := []struct {
		name      string
		chat      bool
		body, by  string
		maxTokens int
	}{
		{"chat default", true, `{` + chatMsgs + `}`, "", 0},
		{"chat max_tokens", true, `{` + chatMsgs + `,"max_tokens":7}`, "max_tokens", 7},
		{"chat max_completion_tokens", true, `{` + chatMsgs + `,"max_completion_tokens":8}`, "max_completion_tokens", 8},
		{"chat both", true, `{` + chatMsgs + `,"max_tokens":7,"max_completion_tokens":8}`, "max_completion_tokens", 8},
		{"completion default", false, `{"model":"m","prompt":"x"}`, "", 16},
		{"completion max_tokens", false, `{"model":"m","prompt":"x","max_tokens":16}`, "max_tokens", 16},
		{"completion max_tokens null", false, `{"model":"m","prompt":"x","max_tokens":null}`, "", 16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var g *generation
			var e *Error
			if tc.chat {
				g, e = decodeChat([]byte(tc.body), testDefaults)
			} else {
				g, e = decodeCompletion([]byte(tc.body), testDefaults)
			}
			if e != nil {
				t.Fatalf("%s: %v", tc.body, e)
			}
			if g.maxTokens != tc.maxTokens || g.maxTokensBy != tc.by {
				t.Errorf("%s: maxTokens %d from %q; want %d from %q", tc.body, g.maxTokens, g.maxTokensBy, tc.maxTokens, tc.by)
			}
		})
	}
}

// wantConstraint checks that a request is constrained, by a grammar whose key starts with
// prefix.
func wantConstraint(prefix string) func(t *testing.T, g *generation) {
	return func(t *testing.T, g *generation) {
		t.Helper()
		if g.constraint == nil || !strings.HasPrefix(g.constraint.key, prefix) {
			t.Errorf("constraint %+v, want one keyed %q...", g.constraint, prefix)
		}
	}
}
