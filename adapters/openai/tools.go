package openai

import (
	"encoding/json"
	"strings"

	"github.com/deepgo/deepgo/core/chat"
)

// toolPrompt describes tools to a model whose chat template does not render them (the
// DeepSeek-V3 template ignores `tools`): it is appended to the system message, in the
// tool-call format the template uses for the assistant's calls, so the model's calls parse
// back into tool_calls.
func toolPrompt(tools []json.RawMessage) string {
	var b strings.Builder
	b.WriteString("## Tools\nYou have access to the following tools:\n")
	for _, raw := range tools {
		var t struct {
			Function struct {
				Name        string          `json:"name"`
				Description string          `json:"description"`
				Parameters  json.RawMessage `json:"parameters"`
			} `json:"function"`
		}
		if json.Unmarshal(raw, &t) != nil {
			continue
		}
		f := t.Function
		b.WriteString("\n### " + f.Name + "\n")
		if f.Description != "" {
			b.WriteString("Description: " + f.Description + "\n")
		}
		if len(f.Parameters) > 0 {
			b.WriteString("\nParameters: " + compactJSON(f.Parameters) + "\n")
		}
	}
	b.WriteString("\nIMPORTANT: ALWAYS adhere to this exact format for tool use:\n" +
		"<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>tool_call_name\n```json\ntool_call_arguments\n```<｜tool▁call▁end｜>{{additional_tool_calls}}<｜tool▁calls▁end｜>\n\n" +
		"Where:\n- `tool_call_name` must be an exact match to one of the available tools\n" +
		"- `tool_call_arguments` must be valid JSON that strictly follows the tool's Parameters Schema\n" +
		"- For multiple tool calls, chain them directly without separators or spaces\n")
	return b.String()
}

func compactJSON(raw json.RawMessage) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	var v any
	if json.Unmarshal(raw, &v) != nil || enc.Encode(v) != nil {
		return string(raw)
	}
	return strings.TrimSpace(b.String())
}

// withTools returns messages with the tool prompt appended to the first system message,
// or in a new one in front.
func withTools(messages []chat.Message, tools []json.RawMessage) []chat.Message {
	prompt := toolPrompt(tools)
	out := make([]chat.Message, 0, len(messages)+1)
	if len(messages) > 0 && messages[0].Role == "system" && messages[0].Content != nil {
		m := messages[0]
		s := *m.Content + "\n\n" + prompt
		m.Content = &s
		return append(append(out, m), messages[1:]...)
	}
	return append(append(out, chat.Message{Role: "system", Content: &prompt}), messages...)
}
