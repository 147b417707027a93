package chat

import (
	"bytes"
	"fmt"
	"strings"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
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
// are concatenated; parts of other types are an error. Member names match exactly, as in
// OpenAI's API (encoding/json/v2 semantics: "ROLE" is not role).
func (m *Message) UnmarshalJSON(data []byte) error {
	return m.UnmarshalJSONFrom(jsontext.NewDecoder(bytes.NewReader(data)))
}

// UnmarshalJSONFrom decodes a message from an encoding/json/v2 decoder, as UnmarshalJSON
// does, reading it once: a request's messages may be megabytes long.
func (m *Message) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var aux struct {
		Role             string     `json:"role"`
		Content          content    `json:"content"`
		ReasoningContent string     `json:"reasoning_content"`
		ToolCalls        []ToolCall `json:"tool_calls"`
		ToolCallID       string     `json:"tool_call_id"`
		Name             string     `json:"name"`
	}
	if err := json.UnmarshalDecode(dec, &aux); err != nil {
		return err
	}
	*m = Message{Role: aux.Role, Content: aux.Content.text, ReasoningContent: aux.ReasoningContent,
		ToolCalls: aux.ToolCalls, ToolCallID: aux.ToolCallID, Name: aux.Name}
	return nil
}

// content is a message's content as it is decoded: a string, null, or text parts.
type content struct{ text *string }

func (c *content) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	c.text = nil
	switch k := dec.PeekKind(); k {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		s := tok.String()
		c.text = &s
		return nil
	case '[':
		var parts []struct {
			Type string  `json:"type"`
			Text *string `json:"text"`
		}
		if err := json.UnmarshalDecode(dec, &parts); err != nil {
			return fmt.Errorf("chat: message content must be a string or an array of text parts {\"type\":\"text\",\"text\":...}")
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
		c.text = &s
		return nil
	default:
		if err := dec.SkipValue(); err != nil {
			return err
		}
		return fmt.Errorf("chat: message content must be a string, null or an array of text parts, not a JSON %s", jsonKind(byte(k)))
	}
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
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
