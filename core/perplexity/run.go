package perplexity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/deepgo/deepgo/core"
)

// Options control a run.
type Options struct {
	Ctx    int // tokens per chunk (llama-perplexity -c); at least 3
	Chunks int // the most chunks to score; 0 scores every whole chunk of the text
	BOS    int // the id every chunk starts with, or -1 to keep each chunk's first token
	// Save, if set, is the path of a logits file to write: the tokens and every scored row's
	// log-probabilities, the base of a later run's KL divergence.
	Save string
	// Base, if set, is the logits file of a base model: the run scores the same tokens and
	// adds the KL divergence and the other comparisons to the result.
	Base *Base
	// Progress, if set, is called after each chunk with the estimates so far.
	Progress func(Progress)
}

// Progress is the state of a run after a chunk.
type Progress struct {
	Chunk, Chunks int           // chunks done, and in all
	Elapsed       time.Duration // since the first chunk started
	Result        Result        // the estimates so far, without the quantiles
}

// Run scores tokens (the whole text, tokenized, BOS first when the tokenizer adds one) on m
// chunk by chunk, as llama-perplexity does; see the package documentation. With o.Base the
// tokens must be those of the base's file (the first chunks of them at least).
func Run(ctx context.Context, m *core.Model, tokens []int, o Options) (Result, error) {
	n, err := chunkCount(m, tokens, o)
	if err != nil {
		return Result{}, err
	}
	v := m.Config.VocabSize
	seq, err := m.NewSequence(o.Ctx)
	if err != nil {
		return Result{}, fmt.Errorf("perplexity: %w", err)
	}
	var save *saveFile
	if o.Save != "" {
		if save, err = createSave(o.Save, o.Ctx, v, tokens[:n*o.Ctx]); err != nil {
			return Result{}, err
		}
		defer save.abort()
	}
	first := o.Ctx / 2
	scored := o.Ctx - 1 - first
	in := make([]int, o.Ctx)
	last := make([]float32, v)
	logits := make([]float32, (o.Ctx-first)*v)
	lp := make([]float32, v)
	var baseRow []float32
	if o.Base != nil {
		baseRow = make([]float32, v)
	}
	s := newSums(o.Base != nil, n*scored)
	start := time.Now()
	for c := range n {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		chunk := tokens[c*o.Ctx : (c+1)*o.Ctx]
		copy(in, chunk)
		if o.BOS >= 0 {
			in[0] = o.BOS
		}
		seq.Reset()
		// The first half only fills the cache; its last row's logits are not used.
		if err := seq.Forward(ctx, in[:first], last, false); err != nil {
			return Result{}, fmt.Errorf("perplexity: chunk %d: %w", c+1, err)
		}
		if err := seq.Forward(ctx, in[first:], logits, true); err != nil {
			return Result{}, fmt.Errorf("perplexity: chunk %d: %w", c+1, err)
		}
		for j := range scored {
			if !logSoftmax(lp, logits[j*v:(j+1)*v]) {
				return Result{}, fmt.Errorf("perplexity: chunk %d, position %d: the logits are not finite", c+1, first+j)
			}
			target := chunk[first+1+j]
			if save != nil {
				if err := save.row(lp); err != nil {
					return Result{}, err
				}
			}
			if o.Base == nil {
				s.add(float64(-lp[target]))
				continue
			}
			if err := o.Base.next(baseRow); err != nil {
				return Result{}, err
			}
			s.addBase(lp, baseRow, target)
		}
		if o.Progress != nil {
			o.Progress(Progress{Chunk: c + 1, Chunks: n, Elapsed: time.Since(start), Result: s.result(o.Ctx, c+1, false)})
		}
	}
	if save != nil {
		if err := save.close(); err != nil {
			return Result{}, err
		}
	}
	return s.result(o.Ctx, n, true), nil
}

// chunkCount checks a run's options and tokens and returns how many chunks it scores.
func chunkCount(m *core.Model, tokens []int, o Options) (int, error) {
	c := m.Config
	switch {
	case o.Ctx < 3:
		return 0, fmt.Errorf("perplexity: ctx %d: want at least 3 (the first half of a chunk is context, the rest is scored)", o.Ctx)
	case c.MaxPositions > 0 && o.Ctx > c.MaxPositions:
		return 0, fmt.Errorf("perplexity: ctx %d exceeds the model's max_position_embeddings %d", o.Ctx, c.MaxPositions)
	case o.Chunks < 0:
		return 0, fmt.Errorf("perplexity: chunks %d: want 0 (all) or more", o.Chunks)
	case o.BOS >= c.VocabSize:
		return 0, fmt.Errorf("perplexity: BOS id %d is outside the model's vocabulary of %d", o.BOS, c.VocabSize)
	case o.Save != "" && o.Base != nil:
		return 0, errors.New("perplexity: a run either saves a logits file or compares with one, not both")
	case len(tokens) == 0:
		return 0, errors.New("perplexity: no tokens")
	case o.Base == nil && len(tokens) < 2*o.Ctx:
		// llama-perplexity's rule, so that the two score the same texts.
		return 0, fmt.Errorf("perplexity: the text is %d tokens, fewer than 2 × ctx = %d: use a longer text or a smaller ctx", len(tokens), 2*o.Ctx)
	}
	n := len(tokens) / o.Ctx
	if o.Chunks > 0 {
		n = min(n, o.Chunks)
	}
	if b := o.Base; b != nil {
		if b.Ctx != o.Ctx {
			return 0, fmt.Errorf("perplexity: %s was made with ctx %d, not %d", b.Path, b.Ctx, o.Ctx)
		}
		if b.Vocab != c.VocabSize {
			return 0, fmt.Errorf("perplexity: %s holds log-probabilities over %d tokens, the model's vocabulary is %d", b.Path, b.Vocab, c.VocabSize)
		}
		n = min(n, b.Chunks)
		if n == 0 {
			return 0, fmt.Errorf("perplexity: the text is %d tokens, less than one chunk of %d", len(tokens), o.Ctx)
		}
		for i, t := range tokens[:n*o.Ctx] {
			if t != b.Tokens[i] {
				return 0, fmt.Errorf("perplexity: token %d (chunk %d, position %d) is %d, in %s it is %d: not the same text or tokenizer",
					i, i/o.Ctx+1, i%o.Ctx, t, b.Path, b.Tokens[i])
			}
		}
	}
	return n, nil
}
