package chat

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func toolCall(typ, name, args string) ToolCall {
	var tc ToolCall
	tc.Type = typ
	tc.Function.Name = name
	tc.Function.Arguments = args
	return tc
}

func TestParseToolCalls(t *testing.T) {
	weather := toolCall("function", "get_weather", `{"city": "Paris"}`)
	timeCall := toolCall("function", "get_time", "{\n  \"tz\": \"UTC\"\n}")
	v3call := func(c ToolCall) string {
		return toolCallBegin + c.Type + toolSep + c.Function.Name + "\n```json\n" + c.Function.Arguments + "\n```" + toolCallEnd
	}
	tests := []struct {
		name, in, content string
		calls             []ToolCall
		ok                bool
	}{
		{"none", "Hello there.", "Hello there.", nil, false},
		{"one", toolCallsBegin + v3call(weather) + toolCallsEnd, "", []ToolCall{weather}, true},
		{"one with eos", toolCallsBegin + v3call(weather) + toolCallsEnd + "<｜end▁of▁sentence｜>", "<｜end▁of▁sentence｜>", []ToolCall{weather}, true},
		{"two separated by newline", toolCallsBegin + v3call(weather) + "\n" + v3call(timeCall) + toolCallsEnd, "", []ToolCall{weather, timeCall}, true},
		{"content before", "Let me check.\n\n" + toolCallsBegin + v3call(weather) + toolCallsEnd, "Let me check.\n\n", []ToolCall{weather}, true},
		{"no calls end", toolCallsBegin + v3call(weather), "", []ToolCall{weather}, true},
		{"v3.1 form", toolCallsBegin + toolCallBegin + "get_weather" + toolSep + `{"city": "Paris"}` + toolCallEnd + toolCallsEnd,
			"", []ToolCall{weather}, true},
		{"v3.1 multi-line args", toolCallsBegin + toolCallBegin + "get_time" + toolSep + "{\n  \"tz\": \"UTC\"\n}" + toolCallEnd + toolCallsEnd,
			"", []ToolCall{timeCall}, true},
		{"truncated call", toolCallsBegin + toolCallBegin + "function" + toolSep + "get_weather\n```json\n{\"ci", toolCallsBegin + toolCallBegin + "function" + toolSep + "get_weather\n```json\n{\"ci", nil, false},
		{"unfenced v3 args", toolCallsBegin + toolCallBegin + "function" + toolSep + "get_weather\n{}" + toolCallEnd, toolCallsBegin + toolCallBegin + "function" + toolSep + "get_weather\n{}" + toolCallEnd, nil, false},
		{"no sep", toolCallsBegin + toolCallBegin + "x" + toolCallEnd, toolCallsBegin + toolCallBegin + "x" + toolCallEnd, nil, false},
		{"junk between calls", toolCallsBegin + v3call(weather) + "junk" + v3call(timeCall), toolCallsBegin + v3call(weather) + "junk" + v3call(timeCall), nil, false},
		{"begin only", toolCallsBegin, toolCallsBegin, nil, false},
		{"empty block", toolCallsBegin + toolCallsEnd, toolCallsBegin + toolCallsEnd, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content, calls, ok := ParseToolCalls(tt.in)
			if content != tt.content || ok != tt.ok || !reflect.DeepEqual(calls, tt.calls) {
				t.Errorf("ParseToolCalls(%q)\n = %q, %+v, %v\nwant %q, %+v, %v", tt.in, content, calls, ok, tt.content, tt.calls, tt.ok)
			}
		})
	}
}

// TestToolCallsRoundTrip: the calls the V3 and R1 templates render for an assistant
// message parse back into the same calls.
func TestToolCallsRoundTrip(t *testing.T) {
	r1, err := os.ReadFile(filepath.Join("testdata", "deepseek-r1.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	calls := []ToolCall{
		toolCall("function", "get_weather", `{"city": "Paris"}`),
		toolCall("function", "get_time", "{\n  \"tz\": \"UTC\"\n}"),
	}
	q := "q"
	for name, src := range map[string]string{"v3": DeepSeekV3, "r1": string(r1)} {
		t.Run(name, func(t *testing.T) {
			for n := 1; n <= len(calls); n++ {
				tp, err := Parse(src)
				if err != nil {
					t.Fatal(err)
				}
				text, err := tp.Render([]Message{{Role: "user", Content: &q}, {Role: "assistant", ToolCalls: calls[:n]}}, Options{})
				if err != nil {
					t.Fatal(err)
				}
				_, generated, _ := strings.Cut(text, "<｜Assistant｜>")
				content, got, ok := ParseToolCalls(generated)
				if !ok || !reflect.DeepEqual(got, calls[:n]) || content != "<｜end▁of▁sentence｜>" && content != "" {
					t.Errorf("%s, %d calls: ParseToolCalls(%q) = %q, %+v, %v", name, n, generated, content, got, ok)
				}
			}
		})
	}
}
