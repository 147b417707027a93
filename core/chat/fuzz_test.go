package chat

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParse parses arbitrary template source and renders what parses with a
// conversation that has every kind of message. Neither may panic or run away: every
// failure is an *Error, and the limits of render.go end any render quickly. The seed
// corpus is in testdata/fuzz/FuzzParse (the DeepSeek templates among others).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		DeepSeekV3,
		"{% for m in messages %}{{ m.role ~ ': ' ~ m.content | trim }}{% if not loop.last %}\n{% endif %}{% endfor %}",
		"{%- set ns = namespace(x=0) -%}{% for i in range(3) if i is odd %}{% set ns.x = ns.x + i %}{% endfor %}{{ ns.x }}",
		"{{ tools | tojson(indent=2) }}{{ messages[1:][::-1] | map(attribute='role') | join(',') }}",
		"{% macro m(a, b='x') %}{{ a ~ b }}{% endmacro %}{{ m(1) }}{{ 'a b'.split()[0].upper() }}",
		"{# c #}\n  {% if x is defined %}{{ x }}{% elif 1 < 2 %}{{ 'y' if true else 'z' }}{% else %}{% endif %}",
	} {
		f.Add(s)
	}
	hi, out := "Hello {{ there }}", `{"t": 1}`
	var call ToolCall
	call.Type, call.Function.Name, call.Function.Arguments = "function", "f", `{"a": 1}`
	msgs := []Message{
		{Role: "system", Content: &hi},
		{Role: "user", Content: &hi},
		{Role: "assistant", ToolCalls: []ToolCall{call, call}},
		{Role: "tool", Content: &out, ToolCallID: "c1"},
		{Role: "assistant", Content: &hi, ReasoningContent: "r"},
	}
	opts := Options{
		AddGenerationPrompt: true,
		BOSToken:            "<s>",
		EOSToken:            "</s>",
		Tools:               []json.RawMessage{json.RawMessage(`{"type":"function","function":{"name":"f","parameters":{}}}`)},
		Extra:               map[string]any{"enable_thinking": true},
	}
	f.Fuzz(func(t *testing.T, src string) {
		tp, err := Parse(src)
		var te *Error
		if err != nil {
			if !errors.As(err, &te) || !strings.HasPrefix(err.Error(), "chat: template") {
				t.Fatalf("Parse error %v is not an *Error", err)
			}
			return
		}
		start := time.Now()
		s, err := tp.Render(msgs, opts)
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("Render took %v", d)
		}
		if err != nil {
			if !errors.As(err, &te) {
				t.Fatalf("Render error %v (%T) is not an *Error", err, err)
			}
			return
		}
		if len(s) > maxBytes {
			t.Fatalf("Render returned %d bytes, more than the limit", len(s))
		}
	})
}

// FuzzReplyParser checks that how generated text is split into pushes never changes
// what the parser makes of it.
func FuzzReplyParser(f *testing.F) {
	f.Add("", "<think>r</think>\n\nanswer", uint8(3), uint8(9), true)
	f.Add("x<think>\n", "reasoning</think> content", uint8(1), uint8(12), false)
	f.Add("", "Let me check.\n\n"+weatherCall, uint8(14), uint8(30), true)
	f.Add("", "<thinking> not a tag", uint8(2), uint8(4), false)
	f.Add("", " \n<think>\n</think>\n"+weatherCall+" after", uint8(5), uint8(40), true)
	f.Fuzz(func(t *testing.T, prompt, text string, a, b uint8, tools bool) {
		i, j := int(a), int(b)
		if len(text) > 0 {
			i, j = i%(len(text)+1), j%(len(text)+1)
		} else {
			i, j = 0, 0
		}
		if i > j {
			i, j = j, i
		}
		whole := parseAll(prompt, tools, text)
		if got := parseAll(prompt, tools, text[:i], text[i:j], text[j:]); !sameParsed(got, whole) {
			t.Fatalf("prompt %q text %q split at %d, %d: %+v; in one push %+v", prompt, text, i, j, got, whole)
		}
		if whole.calls == nil && !strings.Contains(text, whole.content) {
			t.Fatalf("content %q is not part of %q", whole.content, text)
		}
	})
}
