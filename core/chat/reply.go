package chat

import "strings"

// The reasoning markers of DeepSeek-R1 output (the tool-call ones are in toolcalls.go).
const (
	thinkOpen  = "<think>"
	thinkClose = "</think>"
)

// ReplyParser splits a model's reply, as it streams, into reasoning (R1-style, between
// <think> and </think>; the opening tag optional when the prompt ended with it), content,
// and DeepSeek tool-call markup, which is held until the end and parsed into tool calls
// (ParseToolCalls). Text that may be the start of a marker is held back until it is
// certain. Whitespace at the start of the reasoning and of the content after </think> (R1
// writes "</think>\n\n") is dropped. How the text is cut into pushes never changes the
// result.
type ReplyParser struct {
	thinking  bool // inside <think>
	started   bool // some content has been seen: a <think> can no longer open
	trimLead  bool // drop whitespace before the content (after </think>) or the reasoning
	tools     bool // parse tool calls
	inTools   bool // tool-call markup has begun
	pending   string
	toolsText strings.Builder
}

// NewReplyParser returns a parser for the reply to prompt (the rendered text the model
// continues); with tools, tool-call markup is parsed.
func NewReplyParser(prompt string, tools bool) *ReplyParser {
	p := &ReplyParser{tools: tools}
	trimmed := strings.TrimRight(prompt, " \t\r\n")
	if strings.HasSuffix(trimmed, thinkOpen) {
		p.thinking, p.started, p.trimLead = true, true, true
	}
	return p
}

// Push adds generated text and returns the reasoning and content now certain.
func (p *ReplyParser) Push(text string) (reasoning, content string) {
	var rb, cb strings.Builder
	s := p.pending + text
	p.pending = ""
	for s != "" {
		if p.inTools {
			p.toolsText.WriteString(s)
			break
		}
		if p.trimLead {
			s = strings.TrimLeft(s, " \t\r\n")
			if s == "" {
				break
			}
			p.trimLead = false
		}
		if p.thinking {
			if i := strings.Index(s, thinkClose); i >= 0 {
				rb.WriteString(s[:i])
				s = s[i+len(thinkClose):]
				p.thinking, p.trimLead = false, true
				continue
			}
			k := heldBack(s, thinkClose)
			rb.WriteString(s[:k])
			p.pending = s[k:]
			break
		}
		if !p.started {
			t := strings.TrimLeft(s, " \t\r\n")
			if strings.HasPrefix(t, thinkOpen) {
				s = t[len(thinkOpen):]
				p.thinking, p.started, p.trimLead = true, true, true
				continue
			}
			if strings.HasPrefix(thinkOpen, t) { // could still become <think>
				p.pending = s
				break
			}
			p.started = true
		}
		if p.tools {
			if i := strings.Index(s, toolCallsBegin); i >= 0 {
				cb.WriteString(s[:i])
				p.inTools = true
				s = s[i:]
				continue
			}
			k := heldBack(s, toolCallsBegin)
			cb.WriteString(s[:k])
			p.pending = s[k:]
			break
		}
		cb.WriteString(s)
		break
	}
	return rb.String(), cb.String()
}

// Finish returns what was held back and the tool calls, if the markup parsed; markup that
// does not parse is returned as content.
func (p *ReplyParser) Finish() (reasoning, content string, calls []ToolCall) {
	rest := p.pending
	p.pending = ""
	if p.thinking {
		reasoning = rest
	} else if !p.inTools {
		content = rest
	}
	if p.inTools {
		text := p.toolsText.String() + rest
		parsed, cs, ok := ParseToolCalls(text)
		if !ok {
			return reasoning, text, nil
		}
		return reasoning, strings.TrimSpace(parsed), cs
	}
	return reasoning, content, nil
}

// SplitReply splits a whole reply to prompt as a ReplyParser does while it streams.
func SplitReply(prompt, text string, tools bool) (reasoning, content string, calls []ToolCall) {
	p := NewReplyParser(prompt, tools)
	r, c := p.Push(text)
	r2, c2, calls := p.Finish()
	return r + r2, c + c2, calls
}

// heldBack returns the length of s's prefix that cannot be the start of marker: the rest
// of s is a proper prefix of marker.
func heldBack(s, marker string) int {
	for k := max(0, len(s)-len(marker)+1); k < len(s); k++ {
		if strings.HasPrefix(marker, s[k:]) {
			return k
		}
	}
	return len(s)
}
