package openai

import (
	"strings"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/serving"
)

// chatEmitter makes a chat completion: the generated text goes through the reply parser
// into reasoning_content, content and tool_calls, as chat.completion.chunk events or one
// chat.completion.
type chatEmitter struct {
	j               *job
	out             sink
	stream          bool
	parser          *chat.ReplyParser
	content, reason strings.Builder // whole reply
	lps             []TokenLogProb  // whole reply
}

func (e *chatEmitter) begin() error {
	if !e.stream {
		return nil
	}
	empty := ""
	return e.out.event(e.j.chatChunk(ChatDelta{Role: "assistant", Content: &empty}, nil, nil))
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
	return e.out.event(e.j.chatChunk(delta(r, t), lps, nil))
}

func (e *chatEmitter) end(finish string, usage *Usage) *Error {
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
			if err := e.out.event(j.chatChunk(delta(r, t), nil, nil)); err != nil {
				return j.gone()
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
			if err := e.out.event(j.chatChunk(d, nil, nil)); err != nil {
				return j.gone()
			}
		}
		if err := e.out.event(j.chatChunk(ChatDelta{}, nil, &finish)); err != nil {
			return j.gone()
		}
		return j.finishStream(e.out, ChatChunk{ID: j.id, Object: "chat.completion.chunk", Created: j.created, Model: j.h.o.ModelName,
			SystemFingerprint: fingerprint, Choices: []ChatChunkChoice{}, Usage: usage})
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
	e.out.result(ChatCompletion{ID: j.id, Object: "chat.completion", Created: j.created, Model: j.h.o.ModelName,
		SystemFingerprint: fingerprint, Usage: usage,
		Choices: []ChatChoice{{Message: msg, LogProbs: lps, FinishReason: finish}}})
	return nil
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

func (j *job) chatChunk(d ChatDelta, lp *ChatLogProbs, finish *string) ChatChunk {
	return ChatChunk{ID: j.id, Object: "chat.completion.chunk", Created: j.created, Model: j.h.o.ModelName,
		SystemFingerprint: fingerprint, Choices: []ChatChunkChoice{{Delta: d, LogProbs: lp, FinishReason: finish}}}
}
