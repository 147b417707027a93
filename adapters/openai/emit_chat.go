package openai

import (
	"encoding/json"
	"strings"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/serving"
)

// chatEmitter makes one choice of a chat completion: the generated text goes through the
// reply parser into reasoning_content, content and tool_calls, as chat.completion.chunk
// events or one ChatChoice.
type chatEmitter struct {
	j               *job
	index           int // the choice's index
	out             sink
	stream          bool
	parser          *chat.ReplyParser
	content, reason strings.Builder // whole reply
	lps             []TokenLogProb  // whole reply
}

// jsonNull is the JSON null, for fields sent as null rather than left out.
var jsonNull = json.RawMessage("null")

func (e *chatEmitter) begin() error {
	if !e.stream {
		return nil
	}
	empty := ""
	return e.out.event(e.j.chatChunk(e.index, ChatDelta{Role: "assistant", Content: &empty, Refusal: jsonNull}, nil, nil))
}

func (e *chatEmitter) token(c serving.Chunk, lp *TokenLogProb) error {
	r, t := e.parser.Push(c.Text)
	if !e.stream {
		if lp != nil {
			e.lps = append(e.lps, *lp)
		}
		e.reason.WriteString(r)
		e.content.WriteString(t)
		return nil
	}
	if r == "" && t == "" && lp == nil {
		return nil
	}
	var lps *ChatLogProbs
	if lp != nil {
		lps = &ChatLogProbs{Content: []TokenLogProb{*lp}}
	}
	return e.out.event(e.j.chatChunk(e.index, delta(r, t), lps, nil))
}

func (e *chatEmitter) end(finish string) (any, error) {
	j := e.j
	r, t, calls := e.parser.Finish()
	for i := range calls {
		calls[i].ID = newID("call_")
		calls[i].Type = "function"
	}
	if len(calls) > 0 {
		finish = "tool_calls"
	}
	if e.stream {
		if r != "" || t != "" {
			if err := e.out.event(j.chatChunk(e.index, delta(r, t), nil, nil)); err != nil {
				return nil, err
			}
		}
		if len(calls) > 0 {
			d := ChatDelta{}
			for i, c := range calls {
				var td ToolCallDelta
				td.Index, td.ID, td.Type = i, c.ID, c.Type
				td.Function.Name, td.Function.Arguments = c.Function.Name, c.Function.Arguments
				d.ToolCalls = append(d.ToolCalls, td)
			}
			if err := e.out.event(j.chatChunk(e.index, d, nil, nil)); err != nil {
				return nil, err
			}
		}
		return nil, e.out.event(j.chatChunk(e.index, ChatDelta{}, nil, &finish))
	}
	e.reason.WriteString(r)
	e.content.WriteString(t)
	msg := ChatMessage{Role: "assistant"}
	if s := e.content.String(); s != "" || len(calls) == 0 {
		msg.Content = &s
	}
	if s := e.reason.String(); s != "" {
		msg.ReasoningContent = &s
	}
	msg.ToolCalls = calls
	var lps *ChatLogProbs
	if j.g.logprobs {
		lps = &ChatLogProbs{Content: e.lps}
		if lps.Content == nil {
			lps.Content = []TokenLogProb{}
		}
	}
	return ChatChoice{Index: e.index, Message: msg, LogProbs: lps, FinishReason: finish}, nil
}

func delta(reasoning, content string) ChatDelta {
	var d ChatDelta
	if reasoning != "" {
		d.ReasoningContent = &reasoning
	}
	if content != "" || reasoning == "" {
		d.Content = &content
	}
	return d
}

func (j *job) chatChunk(index int, d ChatDelta, lp *ChatLogProbs, finish *string) ChatChunk {
	return ChatChunk{ID: j.id, Object: "chat.completion.chunk", Created: j.created, Model: j.h.o.ModelName,
		SystemFingerprint: fingerprint, Choices: []ChatChunkChoice{{Index: index, Delta: d, LogProbs: lp, FinishReason: finish}}}
}
