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
