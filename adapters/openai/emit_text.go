package openai

import (
	"strings"

	"github.com/deepgo/deepgo/core/serving"
)

// textEmitter makes one choice of a legacy text completion: the generated text as it
// comes (after the prompt's, with echo), as text_completion events or one
// CompletionChoice, with the legacy log-probabilities.
type textEmitter struct {
	j       *job
	index   int // the choice's index
	prompt  *prompt
	out     sink
	stream  bool
	content strings.Builder    // whole reply
	lp      CompletionLogProbs // whole reply; in a stream, the current chunk's
	n       int                // bytes of text so far: the next token's text_offset
}

func (e *textEmitter) begin() error {
	if !e.j.g.echo {
		return nil
	}
	text := e.prompt.text
	e.n += len(text)
	if !e.stream {
		e.content.WriteString(text)
		return nil
	}
	return e.out.event(e.j.textChunk(e.index, text, nil))
}

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
	ch := e.j.textChunk(e.index, c.Text, nil)
	if lp != nil {
		ch.Choices[0].LogProbs = &e.lp
	}
	err := e.out.event(ch)
	e.lp = CompletionLogProbs{}
	return err
}

func (e *textEmitter) end(finish string) (any, error) {
	if e.stream {
		return nil, e.out.event(e.j.textChunk(e.index, "", &finish))
	}
	var lps *CompletionLogProbs
	if e.j.g.logprobs {
		lps = &e.lp
	}
	return CompletionChoice{Index: e.index, Text: e.content.String(), LogProbs: lps, FinishReason: &finish}, nil
}

func (j *job) textChunk(index int, text string, finish *string) Completion {
	return Completion{ID: j.id, Object: "text_completion", Created: j.created, Model: j.h.o.ModelName,
		SystemFingerprint: fingerprint, Choices: []CompletionChoice{{Index: index, Text: text, FinishReason: finish}}}
}
