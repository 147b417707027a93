package serving

import (
	"context"
	"fmt"
	"slices"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/grammar"
	"github.com/deepgo/deepgo/core/sample"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// GenerateOptions control one generation.
type GenerateOptions struct {
	MaxTokens int           // most tokens to generate; 0 = until the context is full
	StopIDs   []int         // ids that end generation (not emitted); nil = the tokenizer's EOS
	Stops     []string      // stop strings: generation ends before the first occurrence
	Sampling  sample.Params // how each token is chosen
	// Hide names tokens whose text is left out of the reply (Chunk.Text) — special tokens a
	// client should not see — though they are generated, counted and reported in Chunk.ID
	// with their log-probabilities. A hidden token whose text is one of Stops still stops
	// the reply; a stop string that spans a hidden token and other text is not seen. nil =
	// none.
	Hide func(id int) bool
	// prefilled, if set, is called once the prompt is in the sequence's cache, before the
	// first token is chosen: the Scheduler's sharing of a prompt among copies (share.go).
	prefilled func()
	// Speculation drafts tokens for the model to check several at a time; the zero value
	// is off. The reply is the model's own either way: greedy replies are the same token
	// for token, sampled ones are drawn from the same distribution (see Generate).
	// With a Constraint it is off: drafts are not checked against the grammar.
	Speculation Speculation
	// Constraint, if not nil, lets only the tokens its grammar allows be chosen (every
	// sampling mode, greedy included), and is fed each token chosen; a generation that
	// the grammar completes ends with FinishStop. It is this generation's own Matcher
	// (core/grammar), for a vocabulary of the model's size; nil = no constraint.
	Constraint *grammar.Matcher
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
	Spec             SpecStats // what speculative decoding drafted and kept
}

// Generate appends prompt to the sequence s, then samples tokens one at a time, calling
// emit with each, until a stop id, a stop string, MaxTokens or the end of the context. A
// last Chunk with ID -1 carries text still held back at the end, if any. Cancelling ctx
// stops generation between tokens with ctx's error. The steady-state loop allocates
// nothing.
//
// With o.Speculation on, each forward pass checks the chosen token and a draft of the
// next few at once, and keeps the drafts the model agrees with (see speculate). Greedy
// replies are identical to those without it; sampled ones follow the speculative-sampling
// rule (sample.Sampler.Accept), so each token has the model's distribution. Drafting with
// the MTP module needs s to be empty. When it returns, s holds the prompt and the emitted
// tokens but (at most) the last.
//
// With o.Constraint, only the tokens its grammar allows are chosen, without speculation,
// and the generation ends with FinishStop when the grammar is done (nothing more may
// follow) or allows no token. The loop then allocates only for the masks of grammar
// states the matcher has not seen before.
//
// tok may be nil for a model without a tokenizer when o.StopIDs is set (empty: no stop id)
// and o.Stops is empty: the chunks then carry ids without text (deepgo bench's models).
func Generate(ctx context.Context, s *core.Sequence, tok *tokenizer.Tokenizer, prompt []int, o GenerateOptions, emit func(Chunk) error) (Generation, error) {
	var mtp *core.MTPSequence
	if o.Speculation.Mode == SpecMTP && o.Constraint == nil {
		if s.Len() > 0 {
			return Generation{PromptTokens: len(prompt)}, fmt.Errorf("generate: speculative mode mtp needs an empty sequence, not one of %d tokens", s.Len())
		}
		var err error
		if mtp, err = s.Model().NewMTPSequence(s.Cap()); err != nil {
			return Generation{PromptTokens: len(prompt)}, fmt.Errorf("generate: %w", err)
		}
	}
	return generate(ctx, s, mtp, tok, prompt, len(prompt), o, emit)
}

// generator is the state of one generation: the sampler, the stop conditions, the text
// decoder and the tokens generated so far.
type generator struct {
	ctx       context.Context
	s         *core.Sequence
	sm        *sample.Sampler
	stopIDs   []int
	dec       *tokenizer.StreamDecoder
	hide      func(id int) bool // GenerateOptions.Hide
	stopHid   []int             // hidden tokens whose text is a stop string
	prefilled func()            // GenerateOptions.prefilled
	emit      func(Chunk) error
	con       *grammar.Matcher // the constraint, or nil
	mask      []uint64         // its mask of the next token
	history   []int            // the tokens emitted
	limit     int              // the most tokens to emit
	g         Generation
}

// generate runs Generate on s, whose text is text and of which the last fed tokens are to
// be appended (the tokens before them are already in s's cache); mtp, if not nil, is the
// MTP module's sequence beside s, at most s.Len() rows long.
func generate(ctx context.Context, s *core.Sequence, mtp *core.MTPSequence, tok *tokenizer.Tokenizer, text []int, fed int, o GenerateOptions, emit func(Chunk) error) (Generation, error) {
	prompt := text[len(text)-fed:]
	gn := &generator{ctx: ctx, s: s, emit: emit, g: Generation{PromptTokens: len(prompt)}}
	if len(prompt) == 0 {
		return gn.g, fmt.Errorf("generate: empty prompt")
	}
	if s.Len()+len(prompt) >= s.Cap() {
		return gn.g, fmt.Errorf("generate: prompt of %d tokens leaves no room in a context of %d", s.Len()+len(prompt), s.Cap())
	}
	sp := o.Speculation
	if o.Constraint != nil {
		sp = Speculation{} // drafts are not checked against the grammar
	}
	if err := sp.Validate(s.Model().HasMTP()); err != nil {
		return gn.g, fmt.Errorf("generate: %w", err)
	}
	vocab := s.Model().Config.VocabSize
	if c := o.Constraint; c != nil {
		if n := c.Vocab().Size(); n != vocab {
			return gn.g, fmt.Errorf("generate: a constraint for %d tokens on a model of %d", n, vocab)
		}
		gn.con, gn.mask = c, make([]uint64, c.Vocab().MaskWords())
	}
	var err error
	if gn.sm, err = sample.New(o.Sampling, vocab); err != nil {
		return gn.g, fmt.Errorf("generate: %w", err)
	}
	gn.stopIDs = o.StopIDs
	if tok == nil && (gn.stopIDs == nil || len(o.Stops) > 0) {
		return gn.g, fmt.Errorf("generate: without a tokenizer, stop ids must be given and stop strings cannot be")
	}
	if gn.stopIDs == nil {
		gn.stopIDs = []int{tok.EOS()}
	}
	gn.limit = s.Cap() - s.Len() - len(prompt)
	if o.MaxTokens > 0 {
		gn.limit = min(gn.limit, o.MaxTokens)
	}
	gn.history = make([]int, 0, gn.limit)
	if tok != nil {
		gn.dec = tok.NewStreamDecoder(o.Stops)
	}
	gn.hide, gn.prefilled = o.Hide, o.prefilled
	if gn.hide != nil && tok != nil {
		// A hidden token's text never reaches the decoder: one that is a stop string stops
		// the reply by its id.
		for _, st := range o.Stops {
			if id, ok := tok.ID(st); ok && gn.hide(id) {
				gn.stopHid = append(gn.stopHid, id)
			}
		}
	}
	gn.g.Finish = FinishLength
	if sp.on() {
		err = gn.speculate(newSpeculator(s, mtp, o, text, fed), prompt)
	} else {
		err = gn.plain(prompt)
	}
	if err != nil {
		return gn.g, err
	}
	if gn.dec == nil {
		return gn.g, nil
	}
	if rest := gn.dec.Flush(); rest != "" {
		if err := emit(Chunk{ID: -1, Text: rest}); err != nil {
			return gn.g, err
		}
	}
	return gn.g, nil
}

// plain feeds the prompt, then generates one token per forward pass.
func (gn *generator) plain(prompt []int) error {
	logits := make([]float32, gn.s.Model().Config.VocabSize)
	step := make([]int, 1)
	if err := gn.s.Forward(gn.ctx, prompt, logits, false); err != nil {
		return err
	}
	if gn.prefilled != nil {
		gn.prefilled()
	}
	for {
		if err := gn.ctx.Err(); err != nil {
			return err
		}
		var id int
		if gn.con == nil {
			id = gn.sm.Sample(logits, gn.history)
		} else {
			if !gn.con.Mask(gn.mask) { // the grammar allows nothing more
				gn.g.Finish = FinishStop
				return nil
			}
			id = gn.sm.SampleMasked(logits, gn.history, gn.mask)
		}
		if done, err := gn.push(id); done || err != nil {
			return err
		}
		step[0] = id
		if err := gn.s.Forward(gn.ctx, step, logits, false); err != nil {
			return err
		}
	}
}

// push takes id, the token the sampler just chose: a stop id ends the generation; any
// other is emitted. It reports whether the generation is over: a stop id, a stop string,
// or the limit reached.
func (gn *generator) push(id int) (bool, error) {
	if slices.Contains(gn.stopIDs, id) {
		gn.g.Finish = FinishStop
		return true, nil
	}
	if gn.con != nil {
		if err := gn.con.Accept(id); err != nil {
			return true, fmt.Errorf("generate: %w", err)
		}
	}
	gn.history = append(gn.history, id)
	gn.g.CompletionTokens++
	var text string
	var stopped bool
	switch {
	case gn.dec == nil:
	case gn.hide != nil && gn.hide(id):
		if slices.Contains(gn.stopHid, id) {
			text, stopped = gn.dec.Flush(), true // the text before the stop
		}
	default:
		text, stopped = gn.dec.Push(id)
	}
	if err := gn.emit(Chunk{ID: id, Text: text, LogProb: gn.sm.LogProb(), TopLogProbs: gn.sm.TopLogProbs()}); err != nil {
		return true, err
	}
	if stopped || (gn.con != nil && gn.con.Done()) {
		gn.g.Finish = FinishStop
		return true, nil
	}
	return len(gn.history) == gn.limit, nil
}
