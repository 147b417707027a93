package openai

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/serving"
)

// ResponseObject is the Responses API's response: the whole reply of a non-streamed
// request, and the response of a stream's response.created, response.in_progress and
// last (response.completed or response.incomplete) events.
type ResponseObject struct {
	ID                 string             `json:"id"`
	Object             string             `json:"object"` // "response"
	CreatedAt          int64              `json:"created_at"`
	Status             string             `json:"status"` // in_progress, completed, incomplete
	Background         bool               `json:"background"`
	Error              *ResponseError     `json:"error"`
	IncompleteDetails  *IncompleteDetails `json:"incomplete_details"`
	Instructions       *string            `json:"instructions"`
	MaxOutputTokens    *int               `json:"max_output_tokens"`
	MaxToolCalls       *int               `json:"max_tool_calls"`
	Model              string             `json:"model"`
	Output             []any              `json:"output"` // OutputMessage, OutputFunctionCall, OutputReasoning
	ParallelToolCalls  bool               `json:"parallel_tool_calls"`
	PreviousResponseID *string            `json:"previous_response_id"`
	Reasoning          struct {
		Effort  *string `json:"effort"`
		Summary *string `json:"summary"`
	} `json:"reasoning"`
	ServiceTier string            `json:"service_tier"`
	Store       bool              `json:"store"`
	Temperature float64           `json:"temperature"`
	Text        json.RawMessage   `json:"text"`
	ToolChoice  json.RawMessage   `json:"tool_choice"`
	Tools       []json.RawMessage `json:"tools"`
	TopP        float64           `json:"top_p"`
	Truncation  string            `json:"truncation"`
	Usage       *ResponseUsage    `json:"usage"`
	User        *string           `json:"user"`
	Metadata    map[string]string `json:"metadata"`
}

// ResponseError is the error of a failed response.
type ResponseError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// IncompleteDetails says why a response is incomplete.
type IncompleteDetails struct {
	Reason string `json:"reason"` // "max_output_tokens"
}

// ResponseUsage counts a response's tokens.
type ResponseUsage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int `json:"total_tokens"`
}

// OutputMessage is the assistant's message item.
type OutputMessage struct {
	Type    string       `json:"type"` // "message"
	ID      string       `json:"id"`
	Status  string       `json:"status"`
	Role    string       `json:"role"` // "assistant"
	Content []OutputText `json:"content"`
}

// OutputText is a message's text part.
type OutputText struct {
	Type        string   `json:"type"` // "output_text"
	Text        string   `json:"text"`
	Annotations []string `json:"annotations"` // always empty
	LogProbs    []string `json:"logprobs"`    // always empty
}

// OutputReasoning is the model's reasoning, as an item before the message.
type OutputReasoning struct {
	Type    string          `json:"type"` // "reasoning"
	ID      string          `json:"id"`
	Status  string          `json:"status"`
	Summary []string        `json:"summary"` // always empty: the reasoning is in content
	Content []ReasoningText `json:"content"`
}

// ReasoningText is a reasoning item's text.
type ReasoningText struct {
	Type string `json:"type"` // "reasoning_text"
	Text string `json:"text"`
}

// OutputFunctionCall is a function call item.
type OutputFunctionCall struct {
	Type      string `json:"type"` // "function_call"
	ID        string `json:"id"`
	CallID    string `json:"call_id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
	Status    string `json:"status"`
}

// ResponseEvent is one server-sent event of a streamed response; the fields an event's
// type does not have are left out.
type ResponseEvent struct {
	Type           string          `json:"type"`
	SequenceNumber int             `json:"sequence_number"`
	Response       *ResponseObject `json:"response,omitempty"`
	OutputIndex    *int            `json:"output_index,omitempty"`
	ItemID         string          `json:"item_id,omitempty"`
	ContentIndex   *int            `json:"content_index,omitempty"`
	Item           any             `json:"item,omitempty"`
	Part           any             `json:"part,omitempty"`
	Delta          *string         `json:"delta,omitempty"`
	Text           *string         `json:"text,omitempty"`
	Arguments      *string         `json:"arguments,omitempty"`
	Name           string          `json:"name,omitempty"`
	LogProbs       []string        `json:"logprobs,omitempty"`
	// The error event's.
	Code    *string `json:"code,omitempty"`
	Message string  `json:"message,omitempty"`
	Param   *string `json:"param,omitempty"`
}

// responseEmitter makes a Responses API reply from the chat reply parser's reasoning,
// text and tool calls: output items, streamed as typed events or kept for the response.
type responseEmitter struct {
	j      *job
	out    sink
	stream bool
	parser *chat.ReplyParser
	items  []any // the output so far; the last may be open
	open   struct {
		kind string // "", "reasoning", "message"
		id   string
		text strings.Builder
	}
	reasoningTokens int
	finish          string          // how the generation finished (end), for complete
	reasoning, text strings.Builder // the whole reply, for the conversation kept
}

func newResponseEmitter(j *job, r *choiceRun, out sink) *responseEmitter {
	return &responseEmitter{j: j, out: out, stream: out.streaming(), parser: chat.NewReplyParser(r.prompt.text, len(j.g.tools) > 0)}
}

// ptrTo is a pointer to a copy of v.
func ptrTo[T any](v T) *T { return &v }

// response is the response object with the output so far.
func (e *responseEmitter) response(status string, usage *ResponseUsage) *ResponseObject {
	j, rr := e.j, e.j.g.resp
	r := &ResponseObject{ID: j.id, Object: "response", CreatedAt: j.created, Status: status, Model: j.h.o.ModelName,
		Instructions: rr.instructions, MaxOutputTokens: rr.maxOutputTokens, Output: append([]any{}, e.items...),
		ParallelToolCalls: rr.parallelToolCalls, PreviousResponseID: rr.previousResponseID, ServiceTier: "default",
		Store: rr.store, Temperature: rr.temperature, Text: rr.text, ToolChoice: rr.toolChoice, Tools: rr.tools,
		TopP: rr.topP, Truncation: "disabled", Usage: usage, User: rr.user, Metadata: rr.metadata}
	if r.ToolChoice == nil {
		r.ToolChoice = json.RawMessage(`"auto"`)
	}
	if r.Tools == nil {
		r.Tools = []json.RawMessage{}
	}
	if status == "incomplete" {
		r.IncompleteDetails = &IncompleteDetails{Reason: "max_output_tokens"}
	}
	return r
}

func (e *responseEmitter) begin() error {
	if !e.stream {
		return nil
	}
	if err := e.out.event(&ResponseEvent{Type: "response.created", Response: e.response("in_progress", nil)}); err != nil {
		return err
	}
	return e.out.event(&ResponseEvent{Type: "response.in_progress", Response: e.response("in_progress", nil)})
}

func (e *responseEmitter) token(c serving.Chunk, _ *TokenLogProb) error {
	r, t := e.parser.Push(c.Text)
	if c.ID >= 0 && r != "" && t == "" {
		e.reasoningTokens++
	}
	return e.add(r, t)
}

// add puts reasoning and text into the output: each into its open item, or a new one.
func (e *responseEmitter) add(reasoning, text string) error {
	for _, d := range [2]struct{ kind, s string }{{"reasoning", reasoning}, {"message", text}} {
		if d.s == "" {
			continue
		}
		if e.open.kind != d.kind {
			if err := e.openItem(d.kind); err != nil {
				return err
			}
		}
		e.open.text.WriteString(d.s)
		if d.kind == "reasoning" {
			e.reasoning.WriteString(d.s)
		} else {
			e.text.WriteString(d.s)
		}
		if !e.stream {
			continue
		}
		ev := &ResponseEvent{Type: "response.output_text.delta", OutputIndex: ptrTo(len(e.items) - 1), ItemID: e.open.id,
			ContentIndex: ptrTo(0), Delta: ptrTo(d.s), LogProbs: []string{}}
		if d.kind == "reasoning" {
			ev.Type, ev.LogProbs = "response.reasoning_text.delta", nil
		}
		if err := e.out.event(ev); err != nil {
			return err
		}
	}
	return nil
}

// item is the open item as it stands, with status.
func (e *responseEmitter) item(status string) any {
	if e.open.kind == "reasoning" {
		return OutputReasoning{Type: "reasoning", ID: e.open.id, Status: status, Summary: []string{},
			Content: []ReasoningText{{Type: "reasoning_text", Text: e.open.text.String()}}}
	}
	m := OutputMessage{Type: "message", ID: e.open.id, Status: status, Role: "assistant", Content: []OutputText{}}
	if status != "in_progress" {
		m.Content = append(m.Content, e.part())
	}
	return m
}

// part is the open message's text part.
func (e *responseEmitter) part() OutputText {
	return OutputText{Type: "output_text", Text: e.open.text.String(), Annotations: []string{}, LogProbs: []string{}}
}

// openItem closes the open item, if any, and opens one of kind.
func (e *responseEmitter) openItem(kind string) error {
	if err := e.closeItem("completed"); err != nil {
		return err
	}
	e.open.kind, e.open.text = kind, strings.Builder{}
	e.open.id = newID("msg_")
	if kind == "reasoning" {
		e.open.id = newID("rs_")
	}
	e.items = append(e.items, e.item("in_progress"))
	if !e.stream {
		return nil
	}
	idx := len(e.items) - 1
	if err := e.out.event(&ResponseEvent{Type: "response.output_item.added", OutputIndex: ptrTo(idx), Item: e.items[idx]}); err != nil {
		return err
	}
	var part any = OutputText{Type: "output_text", Annotations: []string{}, LogProbs: []string{}}
	if kind == "reasoning" {
		part = ReasoningText{Type: "reasoning_text"}
	}
	return e.out.event(&ResponseEvent{Type: "response.content_part.added", ItemID: e.open.id, OutputIndex: ptrTo(idx), ContentIndex: ptrTo(0), Part: part})
}

// closeItem finishes the open item with status, if one is open.
func (e *responseEmitter) closeItem(status string) error {
	if e.open.kind == "" {
		return nil
	}
	idx := len(e.items) - 1
	e.items[idx] = e.item(status)
	kind := e.open.kind
	e.open.kind = ""
	if !e.stream {
		return nil
	}
	text := e.open.text.String()
	done := &ResponseEvent{Type: "response.output_text.done", ItemID: e.open.id, OutputIndex: ptrTo(idx), ContentIndex: ptrTo(0), Text: &text, LogProbs: []string{}}
	var part any = e.part()
	if kind == "reasoning" {
		done.Type, done.LogProbs = "response.reasoning_text.done", nil
		part = ReasoningText{Type: "reasoning_text", Text: text}
	}
	for _, ev := range []*ResponseEvent{done,
		{Type: "response.content_part.done", ItemID: e.open.id, OutputIndex: ptrTo(idx), ContentIndex: ptrTo(0), Part: part},
		{Type: "response.output_item.done", OutputIndex: ptrTo(idx), Item: e.items[idx]},
	} {
		if err := e.out.event(ev); err != nil {
			return err
		}
	}
	return nil
}

// end notes how the generation finished: the response is completed with the usage of the
// whole request (job.finish calls complete).
func (e *responseEmitter) end(finish string) (any, error) {
	e.finish = finish
	return nil, nil
}

// complete sends the response's last items and events, or the whole response object.
func (e *responseEmitter) complete(u *Usage) *Error {
	j, finish := e.j, e.finish
	r, t, calls := e.parser.Finish()
	if !j.g.resp.parallelToolCalls && len(calls) > 1 {
		calls = calls[:1] // parallel_tool_calls false: at most one call per turn
	}
	if err := e.add(r, t); err != nil {
		return j.gone()
	}
	status := "completed"
	if finish == string(serving.FinishLength) {
		status = "incomplete"
	}
	// A reply is a message, even an empty one, unless it is only tool calls.
	if len(calls) == 0 && e.text.Len() == 0 && e.open.kind != "message" {
		if err := e.openItem("message"); err != nil {
			return j.gone()
		}
	}
	if err := e.closeItem(status); err != nil {
		return j.gone()
	}
	for i := range calls {
		c := &calls[i]
		c.ID, c.Type = newID("call_"), "function"
		fc := OutputFunctionCall{Type: "function_call", ID: newID("fc_"), CallID: c.ID, Name: c.Function.Name, Status: "in_progress"}
		e.items = append(e.items, fc)
		if !e.stream {
			e.items[len(e.items)-1] = OutputFunctionCall{Type: "function_call", ID: fc.ID, CallID: fc.CallID, Name: fc.Name,
				Arguments: c.Function.Arguments, Status: "completed"}
			continue
		}
		idx := len(e.items) - 1
		args := c.Function.Arguments
		done := fc
		done.Arguments, done.Status = args, "completed"
		e.items[idx] = done
		for _, ev := range []*ResponseEvent{
			{Type: "response.output_item.added", OutputIndex: ptrTo(idx), Item: fc},
			{Type: "response.function_call_arguments.delta", ItemID: fc.ID, OutputIndex: ptrTo(idx), Delta: &args},
			{Type: "response.function_call_arguments.done", ItemID: fc.ID, OutputIndex: ptrTo(idx), Arguments: &args, Name: fc.Name},
			{Type: "response.output_item.done", OutputIndex: ptrTo(idx), Item: done},
		} {
			if err := e.out.event(ev); err != nil {
				return j.gone()
			}
		}
	}
	usage := &ResponseUsage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
	if u.PromptTokensDetails != nil {
		usage.InputTokensDetails.CachedTokens = u.PromptTokensDetails.CachedTokens
	}
	usage.OutputTokensDetails.ReasoningTokens = e.reasoningTokens
	resp := e.response(status, usage)
	e.keep(resp, calls)
	if !e.stream {
		e.out.result(resp)
		return nil
	}
	typ := "response.completed"
	if status == "incomplete" {
		typ = "response.incomplete"
	}
	if err := e.out.event(&ResponseEvent{Type: typ, Response: resp}); err != nil {
		return j.gone()
	}
	if e.out.done() != nil {
		return j.gone()
	}
	return nil
}

// keep stores a response with store true: its conversation, for previous_response_id,
// and its JSON, for GET /v1/responses/{id}.
func (e *responseEmitter) keep(resp *ResponseObject, calls []chat.ToolCall) {
	rr := e.j.g.resp
	if !rr.store {
		return
	}
	body, err := json.Marshal(resp)
	if err != nil {
		return
	}
	m := chat.Message{Role: "assistant", ReasoningContent: e.reasoning.String(), ToolCalls: calls}
	if s := e.text.String(); s != "" || len(calls) == 0 {
		m.Content = &s
	}
	conv := append(append(make([]chat.Message, 0, len(rr.conversation)+1), rr.conversation...), m)
	e.j.h.responses.put(rr.owner, resp.ID, conv, inputItems(resp.Output), body)
}

// inputItems are output items as the input items an item_reference to them stands for.
func inputItems(output []any) map[string]ResponseItem {
	items := make(map[string]ResponseItem, len(output))
	for _, it := range output {
		switch it := it.(type) {
		case OutputMessage:
			var b strings.Builder
			for _, p := range it.Content {
				b.WriteString(p.Text)
			}
			text := b.String()
			items[it.ID] = ResponseItem{Type: "message", Role: "assistant", Content: &ItemContent{Text: &text}}
		case OutputFunctionCall:
			items[it.ID] = ResponseItem{Type: "function_call", CallID: it.CallID, Name: it.Name, Arguments: ptrTo(it.Arguments)}
		case OutputReasoning:
			items[it.ID] = ResponseItem{Type: "reasoning"}
		}
	}
	return items
}

// responseSink writes a Responses stream: server-sent events named by their type, each
// with the next sequence number; an error is an "error" event, and there is no [DONE].
type responseSink struct {
	w   StreamWriter
	seq int
}

func (s *responseSink) streaming() bool { return true }

func (s *responseSink) event(v any) error {
	ev, ok := v.(*ResponseEvent)
	if !ok {
		return fmt.Errorf("a responses stream sends *ResponseEvent, not %T", v)
	}
	ev.SequenceNumber = s.seq
	s.seq++
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode an event: %w", err)
	}
	for _, p := range [][]byte{[]byte("event: " + ev.Type + "\ndata: "), b, []byte("\n\n")} {
		if _, err := s.w.Write(p); err != nil {
			return fmt.Errorf("%w: %v", ErrClientGone, err)
		}
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("%w: %v", ErrClientGone, err)
	}
	return nil
}

func (s *responseSink) done() error { return nil }
func (s *responseSink) fail(e *Error) {
	s.event(&ResponseEvent{Type: "error", Code: e.Code, Message: e.Message, Param: e.Param})
}
func (s *responseSink) result(any) {}
