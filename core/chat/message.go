package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Message is one message of a conversation, in the OpenAI chat format.
type Message struct {
	Role             string     `json:"role"`    // system, user, assistant, tool
	Content          *string    `json:"content"` // nil = JSON null/absent (tool-call messages)
	ReasoningContent string     `json:"reasoning_content,omitempty"`
	ToolCalls        []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID       string     `json:"tool_call_id,omitempty"`
	Name             string     `json:"name,omitempty"`
}

// ToolCall is a function call an assistant message makes.
type ToolCall struct {
	ID       string `json:"id,omitempty"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// UnmarshalJSON decodes a message. content may be a string, null or absent (nil), or
// an array of OpenAI text content parts [{"type":"text","text":"..."}], whose texts
// are concatenated; parts of other types are an error.
func (m *Message) UnmarshalJSON(data []byte) error {
	type plain Message // Message without this method
	var aux struct {
		plain
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	*m = Message(aux.plain)
	m.Content = nil
	raw := bytes.TrimSpace(aux.Content)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		m.Content = &s
		return nil
	case raw[0] == '[':
		var parts []struct {
			Type string  `json:"type"`
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(raw, &parts); err != nil {
			return fmt.Errorf("chat: message content: %v", err)
		}
		var b strings.Builder
		for i, p := range parts {
			if p.Type != "text" {
				return fmt.Errorf("chat: message content part %d has type %q: only text parts are supported", i, p.Type)
			}
			if p.Text == nil {
				return fmt.Errorf("chat: message content part %d has no text", i)
			}
			b.WriteString(*p.Text)
		}
		s := b.String()
		m.Content = &s
		return nil
	}
	return fmt.Errorf("chat: message content must be a string, null or an array of text parts, not %s", raw)
}

// value is the message as the template sees it: a dict with role and content (none
// when Content is nil) and the other fields where they are set, as in the JSON form.
func (m *Message) value() *dict {
	d := newDict(6)
	d.set("role", m.Role)
	if m.Content != nil {
		d.set("content", *m.Content)
	} else {
		d.set("content", nil)
	}
	if m.ReasoningContent != "" {
		d.set("reasoning_content", m.ReasoningContent)
	}
	if len(m.ToolCalls) > 0 {
		calls := make([]value, len(m.ToolCalls))
		for i, tc := range m.ToolCalls {
			c := newDict(3)
			if tc.ID != "" {
				c.set("id", tc.ID)
			}
			c.set("type", tc.Type)
			fn := newDict(2)
			fn.set("name", tc.Function.Name)
			fn.set("arguments", tc.Function.Arguments)
			c.set("function", fn)
			calls[i] = c
		}
		d.set("tool_calls", calls)
	}
	if m.ToolCallID != "" {
		d.set("tool_call_id", m.ToolCallID)
	}
	if m.Name != "" {
		d.set("name", m.Name)
	}
	return d
}
