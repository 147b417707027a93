package serving

import (
	"context"
	"fmt"
	"slices"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/sample"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// GenerateOptions control one generation.
type GenerateOptions struct {
	MaxTokens int           // most tokens to generate; 0 = until the context is full
	StopIDs   []int         // ids that end generation (not emitted); nil = the tokenizer's EOS
	Stops     []string      // stop strings: generation ends before the first occurrence
	Sampling  sample.Params // how each token is chosen
}

// Finish says why a generation ended.
type Finish string

const (
	FinishStop   Finish = "stop"   // a stop id or stop string, or the model's end of sequence
	FinishLength Finish = "length" // MaxTokens, or the context is full
)

// Chunk is one generated token and the text it completes. Text may be empty while the
// decoder holds back an incomplete character or a possible stop string; it may also carry
// text held back from earlier tokens.
type Chunk struct {
	ID          int
	Text        string
	LogProb     float32
	TopLogProbs []sample.TokenLogProb // valid during the callback only
}

// Generation sums up a finished generation.
type Generation struct {
	PromptTokens     int
	CompletionTokens int
	CachedTokens     int // prompt tokens already in the KV cache, not computed again (Scheduler)
	Finish           Finish
}

// Generate appends prompt to the sequence s, then samples tokens one at a time, calling
// emit with each, until a stop id, a stop string, MaxTokens or the end of the context. A
// last Chunk with ID -1 carries text still held back at the end, if any. Cancelling ctx
// stops generation between tokens with ctx's error. The steady-state loop allocates
// nothing.
func Generate(ctx context.Context, s *core.Sequence, tok *tokenizer.Tokenizer, prompt []int, o GenerateOptions, emit func(Chunk) error) (Generation, error) {
	g := Generation{PromptTokens: len(prompt)}
	if len(prompt) == 0 {
		return g, fmt.Errorf("generate: empty prompt")
	}
	if s.Len()+len(prompt) >= s.Cap() {
		return g, fmt.Errorf("generate: prompt of %d tokens leaves no room in a context of %d", s.Len()+len(prompt), s.Cap())
	}
	vocab := s.Model().Config.VocabSize
	sm, err := sample.New(o.Sampling, vocab)
	if err != nil {
		return g, fmt.Errorf("generate: %w", err)
	}
	stopIDs := o.StopIDs
	if stopIDs == nil {
		stopIDs = []int{tok.EOS()}
	}
	limit := s.Cap() - s.Len() - len(prompt)
	if o.MaxTokens > 0 {
		limit = min(limit, o.MaxTokens)
	}
	logits := make([]float32, vocab)
	history := make([]int, 0, limit)
	step := make([]int, 1)
	dec := tok.NewStreamDecoder(o.Stops)
	if err := s.Forward(ctx, prompt, logits, false); err != nil {
		return g, err
	}
	g.Finish = FinishLength
	for len(history) < limit {
		if err := ctx.Err(); err != nil {
			return g, err
		}
		id := sm.Sample(logits, history)
		if slices.Contains(stopIDs, id) {
			g.Finish = FinishStop
			break
		}
		history = append(history, id)
		g.CompletionTokens++
		text, stopped := dec.Push(id)
		if err := emit(Chunk{ID: id, Text: text, LogProb: sm.LogProb(), TopLogProbs: sm.TopLogProbs()}); err != nil {
			return g, err
		}
		if stopped {
			g.Finish = FinishStop
			return g, nil
		}
		if len(history) == limit {
			break
		}
		step[0] = id
		if err := s.Forward(ctx, step, logits, false); err != nil {
			return g, err
		}
	}
	if rest := dec.Flush(); rest != "" {
		if err := emit(Chunk{ID: -1, Text: rest}); err != nil {
			return g, err
		}
	}
	return g, nil
}
