package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/deepgo/deepgo/core/chat"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The Responses API (POST /v1/responses) for text. A request is translated into a chat
// completion request and decoded by decodeChat, so the chat template, the tools prompt,
// the reply parser, the limits and the rate limits are those of the chat path; only the
// reply's shape (emit_responses.go) is the Responses API's own.

// ResponseRequest is the body of POST /v1/responses. Unlike the chat body, a member this
// server does not know is refused, naming it: the Responses API has many features a text
// model cannot serve, and ignoring one would answer a different question.
type ResponseRequest struct {
	Model           string        `json:"model"`
	Instructions    *string       `json:"instructions"`
	Input           ResponseInput `json:"input"`
	MaxOutputTokens *int          `json:"max_output_tokens"`
	Temperature     *float64      `json:"temperature"`
	TopP            *float64      `json:"top_p"`
	Stream          bool          `json:"stream"`
	StreamOptions   *struct {
		IncludeObfuscation *bool `json:"include_obfuscation"` // no effect: events are not padded
	} `json:"stream_options"`
	Tools              []ResponseTool    `json:"tools"`
	ToolChoice         jsontext.Value    `json:"tool_choice"`
	ParallelToolCalls  *bool             `json:"parallel_tool_calls"`
	Text               *ResponseText     `json:"text"`
	Store              *bool             `json:"store"`
	Metadata           map[string]string `json:"metadata"`
	User               *string           `json:"user"`
	PreviousResponseID *string           `json:"previous_response_id"`
	// Accepted when they ask for nothing this server would do differently.
	Truncation       *string            `json:"truncation"`
	Include          []string           `json:"include"`
	Reasoning        *ResponseReasoning `json:"reasoning"`
	ServiceTier      *string            `json:"service_tier"`
	Background       *bool              `json:"background"`
	PromptCacheKey   *string            `json:"prompt_cache_key"`
	SafetyIdentifier *string            `json:"safety_identifier"`
}

// ResponseReasoning is the reasoning option: the model reasons or not as it was trained,
// so effort and summary are accepted and have no effect.
type ResponseReasoning struct {
	Effort          *string `json:"effort"`
	Summary         *string `json:"summary"`
	GenerateSummary *string `json:"generate_summary"`
}

// ResponseText is the text option: its format.
type ResponseText struct {
	Format    jsontext.Value `json:"format"`
	Verbosity *string        `json:"verbosity"`
}

// ResponseTool is a tool of a Responses request: a function, in the flat form.
type ResponseTool struct {
	Type        string         `json:"type"`
	Name        string         `json:"name"`
	Description *string        `json:"description"`
	Parameters  jsontext.Value `json:"parameters"`
	Strict      *bool          `json:"strict"`
}

// ResponseInput is input: a string (one user message) or a list of items.
type ResponseInput struct {
	Text  *string
	Items []ResponseItem
	Set   bool // input was given
}

// inputKinds are the forms input may take.
const inputKinds = "a string or an array of input items"

// UnmarshalJSONFrom reads input with the decoder's options (unknown members refused).
func (in *ResponseInput) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	*in = ResponseInput{Set: true}
	return stringOrList(dec, &in.Text, &in.Items, inputKinds)
}

// stringOrList reads a JSON string into *text or an array into *list; any other kind is a
// kindError that names want.
func stringOrList[T any](dec *jsontext.Decoder, text **string, list *T, want string) error {
	switch k := dec.PeekKind(); k {
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		s := tok.String()
		*text = &s
		return nil
	case '[':
		return jsonv2.UnmarshalDecode(dec, list)
	default:
		if err := dec.SkipValue(); err != nil {
			return err
		}
		return &kindError{want: want, got: kindName(k)}
	}
}

// ResponseItem is one input item: a message, a function call, a function call's output,
// or a reasoning item. The fields of every kind are here; each kind's are checked in
// conversation.
type ResponseItem struct {
	Type             string       `json:"type"`
	ID               *string      `json:"id"`
	Status           *string      `json:"status"`
	Role             string       `json:"role"`
	Content          *ItemContent `json:"content"`
	CallID           string       `json:"call_id"`
	Name             string       `json:"name"`
	Arguments        *string      `json:"arguments"`
	Output           *ItemContent `json:"output"`
	Summary          []ItemPart   `json:"summary"`
	EncryptedContent *string      `json:"encrypted_content"`
}

// ItemContent is a message's content or a function call's output: a string or parts.
type ItemContent struct {
	Text  *string
	Parts []ItemPart
}

// UnmarshalJSONFrom reads a string or a list of parts.
func (c *ItemContent) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	*c = ItemContent{}
	return stringOrList(dec, &c.Text, &c.Parts, "a string or an array of content parts")
}

// ItemPart is one content part. Image, file and audio parts decode (their members are
// known) so that they are refused by type, not as unknown members.
type ItemPart struct {
	Type        string           `json:"type"`
	Text        *string          `json:"text"`
	Annotations []jsontext.Value `json:"annotations"`
	LogProbs    []jsontext.Value `json:"logprobs"`
	ImageURL    jsontext.Value   `json:"image_url"`
	FileID      jsontext.Value   `json:"file_id"`
	FileData    jsontext.Value   `json:"file_data"`
	FileURL     jsontext.Value   `json:"file_url"`
	Filename    jsontext.Value   `json:"filename"`
	Detail      jsontext.Value   `json:"detail"`
	InputAudio  jsontext.Value   `json:"input_audio"`
}

// Limits of a Responses request beyond the chat path's.
const (
	maxMetadata      = 16
	maxMetadataKey   = 64
	maxMetadataValue = 512
)

// serveResponses answers POST /v1/responses and, with an id, GET /v1/responses/{id}.
func (h *Handler) serveResponses(ctx context.Context, r *Request, id string) *Response {
	who, e := h.authorize(r)
	if e != nil {
		return errorResponse(e)
	}
	if id != "" {
		if r.Method != "GET" && r.Method != "HEAD" {
			return errorResponse(errMethod(r.Method, RouteResponses+"/{id}"))
		}
		kept, ok := h.responses.get(who.id, id)
		if !ok {
			return errorResponse(errNotFound("Response with id %q not found: this server keeps recent responses created with store true in memory", truncate(id, 80)))
		}
		return &Response{Status: 200, ContentType: "application/json", Body: kept.body}
	}
	if r.Method != "POST" {
		return errorResponse(errMethod(r.Method, r.Path))
	}
	j, bk, e := h.prepareWith(r, func(body []byte, d Defaults) (*generation, *Error) {
		g, e := decodeResponse(body, d, keptResponses{h.responses, who.id})
		if g != nil {
			g.resp.owner = who.id
		}
		return g, e
	}, false)
	if j != nil {
		j.id = newID("resp_")
	}
	resp := h.reply(ctx, r, j, e)
	if bk != nil {
		resp.setRateHeaders(h.limits.state(bk))
	}
	return resp
}

// responseRequest is what a Responses reply needs besides the generation: the request's
// settings to echo, and the conversation to keep for previous_response_id.
type responseRequest struct {
	instructions       *string
	maxOutputTokens    *int
	temperature, topP  float64
	tools              []json.RawMessage // as sent, flat
	toolChoice         json.RawMessage   // as sent; nil = "auto"
	parallelToolCalls  bool
	text               json.RawMessage // {"format": ...}
	store              bool
	metadata           map[string]string
	user               *string
	previousResponseID *string
	owner              string // the caller, who alone may continue the response
	// conversation is the input after the previous response's conversation, without the
	// instructions (they are not carried over to a next response).
	conversation []chat.Message
}

// decodeResponse decodes and validates a Responses request into a chat generation. kept
// holds the caller's kept responses, for previous_response_id and item references.
func decodeResponse(body []byte, d Defaults, kept keptResponses) (*generation, *Error) {
	var r ResponseRequest
	if e := decodeJSON(body, &r, jsonv2.RejectUnknownMembers(true)); e != nil {
		return nil, e
	}
	if r.Model == "" {
		return nil, badRequest("model", "missing_required_parameter", "model is required")
	}
	if e := r.checkOptions(); e != nil {
		return nil, e
	}
	rr := &responseRequest{instructions: r.Instructions, maxOutputTokens: r.MaxOutputTokens, temperature: d.Temperature, topP: d.TopP,
		parallelToolCalls: true, store: true, metadata: r.Metadata, user: r.User}
	if tc := r.ToolChoice; len(tc) > 0 && string(tc) != "null" {
		rr.toolChoice = json.RawMessage(tc)
	}
	if r.Temperature != nil {
		rr.temperature = *r.Temperature
	}
	if r.TopP != nil {
		rr.topP = *r.TopP
	}
	if r.ParallelToolCalls != nil {
		rr.parallelToolCalls = *r.ParallelToolCalls
	}
	if r.Store != nil {
		rr.store = *r.Store
	}
	if rr.metadata == nil {
		rr.metadata = map[string]string{}
	}
	var prev []chat.Message
	if id := r.PreviousResponseID; id != nil && *id != "" {
		var ok bool
		if prev, ok = kept.conversation(*id); !ok {
			return nil, &Error{Status: 400, Type: typeInvalidRequest, Param: str("previous_response_id"), Code: str("previous_response_not_found"),
				Message: fmt.Sprintf("Previous response with id %q not found: this server keeps recent responses created with store true in memory, and this one is unknown, expired or was not stored", truncate(*id, 80))}
		}
		rr.previousResponseID = id
	}
	input, e := r.Input.messages(kept)
	if e != nil {
		return nil, e
	}
	rr.conversation = append(append([]chat.Message(nil), prev...), input...)
	if len(rr.conversation) == 0 {
		return nil, badRequest("input", "missing_required_parameter", "input is required: a string or a non-empty array of input items")
	}
	tools, e := r.chatTools(rr)
	if e != nil {
		return nil, e
	}
	format, e := r.responseFormat(rr)
	if e != nil {
		return nil, e
	}
	toolChoice, e := r.chatToolChoice()
	if e != nil {
		return nil, e
	}
	messages := rr.conversation
	if r.Instructions != nil && *r.Instructions != "" {
		messages = append([]chat.Message{{Role: "system", Content: r.Instructions}}, messages...)
	}
	// The chat request this one is: decodeChat checks what both APIs share.
	cr := struct {
		Model               string          `json:"model"`
		Messages            []chat.Message  `json:"messages"`
		MaxCompletionTokens *int            `json:"max_completion_tokens,omitempty"`
		Temperature         *float64        `json:"temperature,omitempty"`
		TopP                *float64        `json:"top_p,omitempty"`
		Stream              bool            `json:"stream,omitempty"`
		Tools               []any           `json:"tools,omitempty"`
		ToolChoice          json.RawMessage `json:"tool_choice,omitempty"`
		ResponseFormat      json.RawMessage `json:"response_format,omitempty"`
	}{r.Model, messages, r.MaxOutputTokens, r.Temperature, r.TopP, r.Stream, tools, toolChoice, format}
	cb, err := json.Marshal(cr)
	if err != nil {
		return nil, errInternal(fmt.Errorf("translate a responses request: %w", err))
	}
	g, e := decodeChat(cb, d)
	if e != nil {
		return nil, responseParam(e)
	}
	g.resp = rr
	return g, nil
}

// checkOptions refuses the options that ask for what this server does not do.
func (r *ResponseRequest) checkOptions() *Error {
	if r.MaxOutputTokens != nil && (*r.MaxOutputTokens < 1 || *r.MaxOutputTokens > maxCount) {
		return badRequest("max_output_tokens", "invalid_value", "max_output_tokens must be at least 1 and at most %d, not %d", maxCount, *r.MaxOutputTokens)
	}
	if r.Background != nil && *r.Background {
		return badRequest("background", "unsupported_value", "background responses are not supported by this server: leave background false")
	}
	if t := r.Truncation; t != nil && *t != "disabled" && *t != "auto" {
		return badRequest("truncation", "invalid_value", "truncation must be \"disabled\" or \"auto\", not %q", *t)
	}
	for i, inc := range r.Include {
		switch inc {
		case "message.output_text.logprobs":
			return badRequest(fmt.Sprintf("include[%d]", i), "unsupported_value", "include %q is not supported by this server", inc)
		case "reasoning.encrypted_content":
			// Reasoning is returned in the clear; there is nothing to encrypt.
		default:
			return badRequest(fmt.Sprintf("include[%d]", i), "unsupported_value", "include %q is not supported by this server: it serves text only", truncate(inc, 80))
		}
	}
	if len(r.Metadata) > maxMetadata {
		return badRequest("metadata", "invalid_value", "metadata has %d keys: at most %d are allowed", len(r.Metadata), maxMetadata)
	}
	for k, v := range r.Metadata {
		if len(k) > maxMetadataKey || len(v) > maxMetadataValue {
			return badRequest("metadata", "invalid_value", "metadata keys are at most %d characters and values at most %d", maxMetadataKey, maxMetadataValue)
		}
	}
	return nil
}

// messages turns input into chat messages: a string is one user message; message items
// become messages, function_call items the calls of an assistant message, and
// function_call_output items tool messages. An item_reference is the kept output item it
// names.
func (in *ResponseInput) messages(kept keptResponses) ([]chat.Message, *Error) {
	if in.Text != nil {
		return []chat.Message{{Role: "user", Content: in.Text}}, nil
	}
	if in.Set && in.Items == nil {
		return nil, badRequest("input", "invalid_type", "input must be %s, not null", inputKinds)
	}
	if len(in.Items) > maxMessages {
		return nil, badRequest("input", "invalid_value", "input has %d items: at most %d are allowed", len(in.Items), maxMessages)
	}
	var out []chat.Message
	for i := range in.Items {
		it := &in.Items[i]
		param := fmt.Sprintf("input[%d]", i)
		if it.Type == "item_reference" {
			if it.ID == nil {
				return nil, badRequest(param+".id", "missing_required_parameter", "%s (item_reference) has no id", param)
			}
			ref, ok := kept.item(*it.ID)
			if !ok {
				return nil, badRequest(param+".id", "item_not_found",
					"Item with id %q not found: this server keeps the output items of recent responses created with store true in memory, and this one is unknown, expired or was not stored", truncate(*it.ID, 80))
			}
			it = &ref
		}
		typ := it.Type
		if typ == "" && it.Role != "" {
			typ = "message"
		}
		switch typ {
		case "message":
			m, e := it.message(param)
			if e != nil {
				return nil, e
			}
			out = append(out, m)
		case "function_call":
			if it.CallID == "" || it.Name == "" || it.Arguments == nil {
				return nil, badRequest(param, "missing_required_parameter", "%s (function_call) needs call_id, name and arguments", param)
			}
			var tc chat.ToolCall
			tc.ID, tc.Type, tc.Function.Name, tc.Function.Arguments = it.CallID, "function", it.Name, *it.Arguments
			// The calls of one turn are one assistant message, with its text if it came just before.
			if n := len(out); n > 0 && out[n-1].Role == "assistant" {
				out[n-1].ToolCalls = append(out[n-1].ToolCalls, tc)
			} else {
				out = append(out, chat.Message{Role: "assistant", ToolCalls: []chat.ToolCall{tc}})
			}
		case "function_call_output":
			if it.CallID == "" || it.Output == nil {
				return nil, badRequest(param, "missing_required_parameter", "%s (function_call_output) needs call_id and output", param)
			}
			s, e := it.Output.text(param + ".output")
			if e != nil {
				return nil, e
			}
			out = append(out, chat.Message{Role: "tool", ToolCallID: it.CallID, Content: &s})
		case "reasoning":
			// The model's earlier reasoning: templates drop it from past turns, as the
			// chat path's reasoning_content.
		case "":
			return nil, badRequest(param+".type", "missing_required_parameter", "%s has no type (and no role)", param)
		default:
			return nil, badRequest(param+".type", "unsupported_value",
				"%s has type %q: this server accepts message, function_call, function_call_output, reasoning and item_reference items", param, truncate(typ, 40))
		}
	}
	return out, nil
}

// message is a message item as a chat message.
func (it *ResponseItem) message(param string) (chat.Message, *Error) {
	m := chat.Message{Role: it.Role}
	switch it.Role {
	case "user", "system", "assistant":
	case "developer":
		m.Role = "system"
	case "":
		return m, badRequest(param+".role", "missing_required_parameter", "%s has no role", param)
	default:
		return m, badRequest(param+".role", "invalid_value", "%s.role %q is not one of user, assistant, system, developer", param, truncate(it.Role, 40))
	}
	if it.Content == nil {
		return m, badRequest(param+".content", "missing_required_parameter", "%s has no content", param)
	}
	s, e := it.Content.text(param + ".content")
	if e != nil {
		return m, e
	}
	m.Content = &s
	return m, nil
}

// text is the content's text: the string, or its text parts joined.
func (c *ItemContent) text(param string) (string, *Error) {
	if c.Text != nil {
		return *c.Text, nil
	}
	var b strings.Builder
	for i, p := range c.Parts {
		pp := fmt.Sprintf("%s[%d]", param, i)
		switch p.Type {
		case "input_text", "output_text", "text", "summary_text", "reasoning_text":
		case "refusal":
			continue
		case "input_image", "input_file", "input_audio":
			return "", badRequest(pp+".type", "unsupported_value", "%s is %s: this server serves a text model and accepts text parts only", pp, p.Type)
		default:
			return "", badRequest(pp+".type", "invalid_value", "%s has type %q: want input_text or output_text", pp, truncate(p.Type, 40))
		}
		if p.Text == nil {
			return "", badRequest(pp+".text", "missing_required_parameter", "%s has no text", pp)
		}
		b.WriteString(*p.Text)
	}
	return b.String(), nil
}

// chatTools turns the flat function tools into the chat form, and keeps them to echo.
func (r *ResponseRequest) chatTools(rr *responseRequest) ([]any, *Error) {
	if len(r.Tools) > maxTools {
		return nil, badRequest("tools", "invalid_value", "tools has %d entries: at most %d are allowed", len(r.Tools), maxTools)
	}
	var out []any
	for i, t := range r.Tools {
		if t.Type != "function" {
			return nil, badRequest(fmt.Sprintf("tools[%d].type", i), "unsupported_value",
				"tools[%d].type %q is not supported by this server: only function tools are", i, truncate(t.Type, 40))
		}
		if t.Name == "" {
			return nil, badRequest(fmt.Sprintf("tools[%d].name", i), "missing_required_parameter", "tools[%d] has no name", i)
		}
		f := map[string]any{"name": t.Name}
		flat := map[string]any{"type": "function", "name": t.Name, "description": t.Description, "parameters": nil, "strict": true}
		if t.Description != nil {
			f["description"] = *t.Description
		}
		if len(t.Parameters) > 0 && string(t.Parameters) != "null" {
			f["parameters"] = json.RawMessage(t.Parameters)
			flat["parameters"] = json.RawMessage(t.Parameters)
		}
		if t.Strict != nil {
			f["strict"] = *t.Strict
			flat["strict"] = *t.Strict
		}
		out = append(out, map[string]any{"type": "function", "function": f})
		b, err := json.Marshal(flat)
		if err != nil {
			return nil, badRequest(fmt.Sprintf("tools[%d]", i), "invalid_value", "tools[%d]: %v", i, err)
		}
		rr.tools = append(rr.tools, b)
	}
	return out, nil
}

// chatToolChoice is tool_choice in the chat form: "auto", "none" and "required" as they
// are, {"type":"function","name":N} as {"type":"function","function":{"name":N}}.
func (r *ResponseRequest) chatToolChoice() (json.RawMessage, *Error) {
	tc := r.ToolChoice
	if len(tc) == 0 || string(tc) == "null" {
		return nil, nil
	}
	if tc.Kind() == '"' {
		return json.RawMessage(tc), nil
	}
	var named struct {
		Type string `json:"type"`
		Name string `json:"name"`
	}
	if tc.Kind() != '{' || jsonv2.Unmarshal(tc, &named, jsonv2.RejectUnknownMembers(true)) != nil || named.Type != "function" || named.Name == "" {
		return nil, badRequest("tool_choice", "invalid_value", "tool_choice must be \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"name\":...}, not %s", truncate(string(tc), 80))
	}
	b, _ := json.Marshal(map[string]any{"type": "function", "function": map[string]string{"name": named.Name}})
	return b, nil
}

// responseFormat is text.format as the chat path's response_format: {"type":"text"},
// {"type":"json_object"}, or {"type":"json_schema","name","schema","strict"} as
// {"type":"json_schema","json_schema":{"name","schema","strict"}}. It keeps text to echo.
func (r *ResponseRequest) responseFormat(rr *responseRequest) (json.RawMessage, *Error) {
	rr.text = json.RawMessage(`{"format":{"type":"text"}}`)
	if r.Text == nil || len(r.Text.Format) == 0 || string(r.Text.Format) == "null" {
		return nil, nil
	}
	var f struct {
		Type        string         `json:"type"`
		Name        *string        `json:"name"`
		Description *string        `json:"description"`
		Schema      jsontext.Value `json:"schema"`
		Strict      *bool          `json:"strict"`
	}
	if err := jsonv2.Unmarshal(r.Text.Format, &f, jsonv2.RejectUnknownMembers(true)); err != nil {
		return nil, badRequest("text.format", "invalid_value", "text.format must be {\"type\":\"text\"}, {\"type\":\"json_object\"} or {\"type\":\"json_schema\",\"name\",\"schema\",\"strict\"}: %v", err)
	}
	echo, _ := json.Marshal(map[string]json.RawMessage{"format": json.RawMessage(r.Text.Format)})
	rr.text = echo
	switch f.Type {
	case "text":
		return nil, nil
	case "json_object":
		return json.RawMessage(`{"type":"json_object"}`), nil
	case "json_schema":
		if f.Name == nil || f.Schema == nil {
			return nil, badRequest("text.format", "missing_required_parameter", "text.format json_schema needs name and schema")
		}
		js := map[string]any{"name": *f.Name, "schema": json.RawMessage(f.Schema)}
		if f.Description != nil {
			js["description"] = *f.Description
		}
		if f.Strict != nil {
			js["strict"] = *f.Strict
		}
		b, err := json.Marshal(map[string]any{"type": "json_schema", "json_schema": js})
		if err != nil {
			return nil, badRequest("text.format.schema", "invalid_value", "text.format.schema: %v", err)
		}
		return b, nil
	}
	return nil, badRequest("text.format.type", "invalid_value", "text.format.type must be \"text\", \"json_object\" or \"json_schema\", not %q", truncate(f.Type, 40))
}

// responseParam renames the chat fields an error from decodeChat names to the Responses
// fields they came from.
func responseParam(e *Error) *Error {
	renames := []struct{ chat, resp string }{
		{"max_completion_tokens", "max_output_tokens"},
		{"response_format.json_schema", "text.format"},
		{"response_format", "text.format"},
		{".function.", "."},
	}
	for _, r := range renames {
		e.Message = strings.ReplaceAll(e.Message, r.chat, r.resp)
		if e.Param != nil {
			p := strings.ReplaceAll(*e.Param, r.chat, r.resp)
			e.Param = &p
		}
	}
	// The messages are the instructions, the previous conversation and input: their
	// indexes are not input's.
	if e.Param != nil && strings.HasPrefix(*e.Param, "messages") {
		e.Param = str("input")
	}
	return e
}
