package chat

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMessageUnmarshalJSON(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		name, in string
		content  *string
		err      string
	}{
		{"string", `{"role":"user","content":"hi"}`, str("hi"), ""},
		{"empty string", `{"role":"user","content":""}`, str(""), ""},
		{"null", `{"role":"assistant","content":null}`, nil, ""},
		{"absent", `{"role":"assistant"}`, nil, ""},
		{"text parts", `{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}`, str("ab"), ""},
		{"no parts", `{"role":"user","content":[]}`, str(""), ""},
		{"image part", `{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"x"}}]}`, nil, `part 1 has type "image_url"`},
		{"part without text", `{"role":"user","content":[{"type":"text"}]}`, nil, "part 0 has no text"},
		{"number", `{"role":"user","content":1}`, nil, "must be a string, null or an array of text parts"},
		{"bad role", `{"role":1}`, nil, "unmarshal JSON number into Go string"}, // go-json-experiment says "cannot" or "unable to", chosen at random per process
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			err := json.Unmarshal([]byte(tt.in), &m)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (m.Content == nil) != (tt.content == nil) || m.Content != nil && *m.Content != *tt.content {
				t.Errorf("Content = %v, want %v", m.Content, tt.content)
			}
		})
	}
	var m Message
	in := `{"role":"assistant","content":null,"reasoning_content":"r","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}],"tool_call_id":"t","name":"n"}`
	if err := json.Unmarshal([]byte(in), &m); err != nil {
		t.Fatal(err)
	}
	if m.Role != "assistant" || m.ReasoningContent != "r" || len(m.ToolCalls) != 1 || m.ToolCalls[0].ID != "c1" ||
		m.ToolCalls[0].Function.Name != "f" || m.ToolCalls[0].Function.Arguments != "{}" || m.ToolCallID != "t" || m.Name != "n" {
		t.Errorf("decoded %+v", m)
	}
	out, err := json.Marshal(m)
	if err != nil || string(out) != in {
		t.Errorf("Marshal = %s, %v; want %s", out, err, in)
	}
}

// TestMessageAsTemplateSees: the dict a template gets has role and content always and
// the other fields only where set, in the order of the JSON form.
func TestMessageAsTemplateSees(t *testing.T) {
	hi := "hi"
	tests := []struct {
		name string
		m    Message
		want string
	}{
		{"content", Message{Role: "user", Content: &hi}, `{"role": "user", "content": "hi"}`},
		{"no content", Message{Role: "assistant"}, `{"role": "assistant", "content": null}`},
		{"every field", Message{Role: "assistant", ReasoningContent: "r", ToolCalls: []ToolCall{{Type: "function"}}, ToolCallID: "i", Name: "n"},
			`{"role": "assistant", "content": null, "reasoning_content": "r", "tool_calls": [{"type": "function", "function": {"name": "", "arguments": ""}}], "tool_call_id": "i", "name": "n"}`},
	}
	tp, err := Parse("{{ messages[0] | tojson }}")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tp.Render([]Message{tt.m}, Options{})
			if err != nil || got != tt.want {
				t.Errorf("Render = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestRenderOptions(t *testing.T) {
	tests := []struct {
		name, src string
		opts      Options
		want, err string
	}{
		{"defaults", "[{{ add_generation_prompt }}|{{ bos_token }}|{{ eos_token }}|{{ tools is none }}|{{ messages | length }}]", Options{}, "[False|||True|0]", ""},
		{"set", "{{ add_generation_prompt }}{{ bos_token }}{{ eos_token }}", Options{AddGenerationPrompt: true, BOSToken: "<s>", EOSToken: "</s>"}, "True<s></s>", ""},
		{"tools", "{{ tools | length }} {{ tools[1].function.name }} {{ tools | tojson }}",
			Options{Tools: []json.RawMessage{json.RawMessage(`{"type":"function","function":{"name":"a"}}`), json.RawMessage(` {"type": "function", "function": {"name": "b", "n": 1.50, "i": 2}} `)}},
			`2 b [{"type": "function", "function": {"name": "a"}}, {"type": "function", "function": {"name": "b", "n": 1.5, "i": 2}}]`, ""},
		{"bad tools", "", Options{Tools: []json.RawMessage{json.RawMessage(`{"a":`)}}, "", "Options.Tools[0]"},
		{"extra", "{{ enable_thinking }} {{ n }} {{ f }} {{ l }} {{ m | tojson }} {{ s.a }} {{ raw.k }}",
			Options{Extra: map[string]any{"enable_thinking": true, "n": 3, "f": 0.5, "l": []any{"x", 1}, "m": map[string]any{"b": 1, "a": nil},
				"s": struct {
					A int `json:"a"`
				}{7}, "raw": json.RawMessage(`{"k":"v"}`)}},
			`True 3 0.5 ['x', 1] {"a": null, "b": 1} 7 v`, ""},
		{"extra reserved", "", Options{Extra: map[string]any{"messages": 1}}, "", `cannot set "messages"`},
		{"extra func", "", Options{Extra: map[string]any{"f": func() {}}}, "", "cannot use a func()"},
		{"extra shadows global", "{{ range }}", Options{Extra: map[string]any{"range": "r"}}, "r", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := Parse(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tp.Render(nil, tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Render = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestRenderConcurrent: a Template is safe for concurrent use (run with -race).
func TestRenderConcurrent(t *testing.T) {
	tp, err := Parse(DeepSeekV3)
	if err != nil {
		t.Fatal(err)
	}
	q, a := "question", "answer"
	msgs := []Message{{Role: "user", Content: &q}, {Role: "assistant", Content: &a}, {Role: "user", Content: &q}}
	want, err := tp.Render(msgs, Options{AddGenerationPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if got, err := tp.Render(msgs, Options{AddGenerationPrompt: true}); err != nil || got != want {
					t.Errorf("Render = %q, %v", got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestGenerationTag: transformers' {% generation %} only groups its body.
func TestGenerationTag(t *testing.T) {
	got, err := renderString(t, "a{% generation %}b{{ 1 }}{% endgeneration %}c")
	if err != nil || got != "ab1c" {
		t.Fatalf("Render = %q, %v", got, err)
	}
}

func TestStrftime(t *testing.T) {
	at := time.Date(2024, time.July, 6, 15, 4, 5, 0, time.UTC)
	got, err := strftime(Pos{}, at, "%Y-%m-%d %H:%M:%S %I%p %a %A %b %B %y %j %e %Z %z %%")
	want := "2024-07-06 15:04:05 03PM Sat Saturday Jul July 24 188  6 UTC +0000 %"
	if err != nil || got != want {
		t.Errorf("strftime = %q, %v; want %q", got, err, want)
	}
	if _, err := strftime(Pos{}, at, "%Q"); err == nil || !strings.Contains(err.Error(), "unsupported directive %Q") {
		t.Errorf("strftime %%Q: err = %v", err)
	}
	out, err := renderString(t, "{{ strftime_now('%d %b %Y') }}")
	if err != nil || len(out) != len("06 Jul 2024") {
		t.Errorf("strftime_now = %q, %v", out, err)
	}
}
