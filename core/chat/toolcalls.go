package chat

import "strings"

// The special tokens of DeepSeek tool calls.
const (
	toolCallsBegin = "<｜tool▁calls▁begin｜>"
	toolCallsEnd   = "<｜tool▁calls▁end｜>"
	toolCallBegin  = "<｜tool▁call▁begin｜>"
	toolCallEnd    = "<｜tool▁call▁end｜>"
	toolSep        = "<｜tool▁sep｜>"
)

// ParseToolCalls extracts DeepSeek tool calls from generated text:
//
//	<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME
//	```json
//	ARGS
//	```<｜tool▁call▁end｜>...<｜tool▁calls▁end｜>
//
// Calls may be separated by whitespace (the V3 template puts "\n" between them),
// and the closing <｜tool▁calls▁end｜> may be missing, as it is in what the V3
// template renders for a single call. The V3.1 form of a call,
// <｜tool▁call▁begin｜>NAME<｜tool▁sep｜>ARGS<｜tool▁call▁end｜>, is accepted too
// (its Type is "function").
//
// content is the text before <｜tool▁calls▁begin｜> and any after
// <｜tool▁calls▁end｜>, unchanged. ok reports whether the text had at least one call
// and all were well formed; when it is false, content is the whole text and calls is
// nil. IDs are left empty for the caller to assign.
func ParseToolCalls(text string) (content string, calls []ToolCall, ok bool) {
	start := strings.Index(text, toolCallsBegin)
	if start < 0 {
		return text, nil, false
	}
	rest := text[start+len(toolCallsBegin):]
	for {
		rest = strings.TrimLeft(rest, " \t\r\n")
		if rest == "" {
			break
		}
		if strings.HasPrefix(rest, toolCallsEnd) {
			rest = rest[len(toolCallsEnd):]
			break
		}
		if !strings.HasPrefix(rest, toolCallBegin) {
			return text, nil, false
		}
		body, after, found := strings.Cut(rest[len(toolCallBegin):], toolCallEnd)
		if !found {
			return text, nil, false
		}
		call, good := parseToolCall(body)
		if !good {
			return text, nil, false
		}
		calls = append(calls, call)
		rest = after
	}
	if len(calls) == 0 {
		return text, nil, false
	}
	return text[:start] + rest, calls, true
}

// parseToolCall parses what is between <｜tool▁call▁begin｜> and <｜tool▁call▁end｜>.
func parseToolCall(body string) (ToolCall, bool) {
	var tc ToolCall
	head, tail, found := strings.Cut(body, toolSep)
	if !found {
		return tc, false
	}
	name, fenced, isV3 := strings.Cut(tail, "\n")
	if isV3 {
		// V3: TYPE<｜tool▁sep｜>NAME\n```json\nARGS\n```
		args, good := strings.CutPrefix(fenced, "```json\n")
		if !good {
			args, good = strings.CutPrefix(fenced, "```\n")
		}
		if good {
			args, good = strings.CutSuffix(strings.TrimRight(args, " \t\r\n"), "```")
		}
		if good && strings.TrimSpace(head) != "" && strings.TrimSpace(name) != "" {
			tc.Type = strings.TrimSpace(head)
			tc.Function.Name = strings.TrimSpace(name)
			tc.Function.Arguments = strings.TrimSuffix(args, "\n")
			return tc, true
		}
		if strings.TrimSpace(head) == "function" {
			return tc, false // a V3 call with its arguments not fenced
		}
	}
	// V3.1: NAME<｜tool▁sep｜>ARGS
	if strings.TrimSpace(head) == "" {
		return tc, false
	}
	tc.Type = "function"
	tc.Function.Name = strings.TrimSpace(head)
	tc.Function.Arguments = tail
	return tc, true
}

// ToolCallMarkup is the markup of DeepSeek tool calls that ParseToolCalls reads, for
// those that must write it (a grammar that forces a tool call).
type ToolCallMarkup struct {
	CallsBegin, CallsEnd, CallBegin, CallEnd, Sep string
}

// ToolCallMarkers returns the markup ParseToolCalls reads.
func ToolCallMarkers() ToolCallMarkup {
	return ToolCallMarkup{CallsBegin: toolCallsBegin, CallsEnd: toolCallsEnd, CallBegin: toolCallBegin, CallEnd: toolCallEnd, Sep: toolSep}
}
