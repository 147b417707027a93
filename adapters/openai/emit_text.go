package openai

import (
	"strings"

	"github.com/deepgo/deepgo/core/serving"
)

// textEmitter makes a legacy text completion: the generated text as it comes, as
// text_completion events or one text_completion, with the legacy log-probabilities.
type textEmitter struct {
	j       *job
	out     sink
	stream  bool
	content strings.Builder    // whole reply
	lp      CompletionLogProbs // whole reply; in a stream, the current chunk's
	n       int                // bytes of text so far: the next token's text_offset
}

func (e *textEmitter) begin() error { return nil }

func (e *textEmitter) token(c serving.Chunk, lp *TokenLogProb) error {
	if lp != nil {
		e.lp.add(*lp, e.n)
	}
	e.n += len(c.Text)
	if !e.stream {
		e.content.WriteString(c.Text)
		return nil
	}
	if c.Text == "" && lp == nil {
		return nil
	}
	ch := e.j.textChunk(c.Text, nil)
	if lp != nil {
		ch.Choices[0].LogProbs = &e.lp
	}
	err := e.out.event(ch)
	e.lp = CompletionLogProbs{}
	return err
}

func (e *textEmitter) end(finish string, usage *Usage) *Error {
	j := e.j
	if e.stream {
		if err := e.out.event(j.textChunk("", &finish)); err != nil {
			return j.gone()
		}
		return j.finishStream(e.out, Completion{ID: j.id, Object: "text_completion", Created: j.created, Model: j.h.o.ModelName,
			SystemFingerprint: fingerprint, Choices: []CompletionChoice{}, Usage: usage})
	}
	var lps *CompletionLogProbs
	if j.g.logprobs {
		lps = &e.lp
	}
	e.out.result(Completion{ID: j.id, Object: "text_completion", Created: j.created, Model: j.h.o.ModelName,
		SystemFingerprint: fingerprint, Usage: usage,
		Choices: []CompletionChoice{{Text: e.content.String(), LogProbs: lps, FinishReason: &finish}}})
	return nil
}

func (j *job) textChunk(text string, finish *string) Completion {
	return Completion{ID: j.id, Object: "text_completion", Created: j.created, Model: j.h.o.ModelName,
		SystemFingerprint: fingerprint, Choices: []CompletionChoice{{Text: text, FinishReason: finish}}}
}
