package core

import (
	"context"
	"fmt"
)

// Sequence is one conversation's state on a Model: its latent KV cache and its position.
// The activations of the forward pass live in the model's batch, shared by all sequences.
type Sequence struct {
	m      *Model
	cache  kvCache
	pos    int
	step   step          // this sequence's pending Forward, reused
	queued bool          // it is in the model's queue (guarded by the queue's lock)
	wake   chan struct{} // its caller's wake-up in wait
}

// NewSequence starts an empty sequence that can hold up to capacity tokens.
func (m *Model) NewSequence(capacity int) (*Sequence, error) {
	c := m.Config
	if capacity <= 0 {
		return nil, fmt.Errorf("sequence capacity %d must be positive", capacity)
	}
	if c.MaxPositions > 0 && capacity > c.MaxPositions {
		return nil, fmt.Errorf("sequence capacity %d exceeds the model's max_position_embeddings %d", capacity, c.MaxPositions)
	}
	return &Sequence{m: m, cache: newKVCache(c, c.NumHiddenLayers, capacity), wake: make(chan struct{}, 1)}, nil
}

// Len is the number of tokens in the sequence so far.
func (s *Sequence) Len() int { return s.pos }

// Cap is the most tokens the sequence can hold.
func (s *Sequence) Cap() int { return s.cache.cap }

// CacheBytes is the memory of the latent KV cache.
func (s *Sequence) CacheBytes() int64 { return s.cache.Bytes() }

// Model is the model the sequence runs on.
func (s *Sequence) Model() *Model { return s.m }

// ReleaseCache gives back the cache memory past the first n positions (whole pages); the
// sequence is truncated to n tokens first. The memory is taken again as the sequence
// grows.
func (s *Sequence) ReleaseCache(n int) {
	s.Truncate(n)
	s.cache.shrink(n)
}

// Reset empties the sequence, keeping its memory.
func (s *Sequence) Reset() { s.pos = 0 }

// Truncate keeps the first n tokens of the sequence (all of them if it holds fewer), so the
// next Forward continues from position n.
func (s *Sequence) Truncate(n int) { s.pos = max(0, min(s.pos, n)) }

// Forward appends tokens to the sequence and computes logits. With all set, logits
// receives one row of vocab_size values per token; otherwise only the last token's row.
// Long inputs run in chunks of Options.MaxBatch tokens. Calls from other goroutines on
// other sequences of the model at the same time share the forward passes (see
// Model.ForwardBatch). ctx is checked between passes, and between layers while the
// sequence runs alone. On error the sequence is unchanged. A Sequence is used by one
// goroutine at a time.
func (s *Sequence) Forward(ctx context.Context, tokens []int, logits []float32, all bool) error {
	return s.ForwardHidden(ctx, tokens, logits, nil, all)
}

// ForwardHidden is Forward that also hands back, in hidden (unless nil), the final hidden
// state after the model's last norm (reference Transformer.forward's norm(h)) of the rows
// whose logits it computes: hidden_size values per row. They are what the
// multi-token-prediction module takes (MTPSequence.Forward).
func (s *Sequence) ForwardHidden(ctx context.Context, tokens []int, logits, hidden []float32, all bool) error {
	if err := s.check(tokens, logits, hidden, all); err != nil {
		return err
	}
	s.queue(ctx, tokens, logits, hidden, rowsKind{all: all})
	return s.m.wait(s)
}

// Prefill appends tokens to the sequence as Forward does, computing the last token's
// logits and every token's final-normed hidden state (hidden_size values each): what a
// multi-token-prediction module reads along a prompt (MTPSequence.Forward), without the
// cost of every row's logits.
func (s *Sequence) Prefill(ctx context.Context, tokens []int, logits, hidden []float32) error {
	if err := s.check(tokens, logits, nil, false); err != nil {
		return err
	}
	if n := len(tokens) * s.m.Config.HiddenSize; len(hidden) < n {
		return fmt.Errorf("forward: hidden buffer holds %d values, need %d", len(hidden), n)
	}
	s.queue(ctx, tokens, logits, hidden, rowsKind{allHidden: true})
	return s.m.wait(s)
}

// Verify appends drafted tokens to the sequence and computes every row's logits (and, if
// hidden is not nil, final-normed hidden state) as that many one-token Forward calls
// would, in shared passes: the check of a speculative draft. Rows of rejected tokens are
// dropped with Truncate. Float weights and activations, and the K-quant kernels, give the
// one-token calls' logits exactly; the 8-bit kernels of the legacy formats within a rounding,
// as batching beside other sequences does.
func (s *Sequence) Verify(ctx context.Context, tokens []int, logits, hidden []float32) error {
	if err := s.check(tokens, logits, hidden, true); err != nil {
		return err
	}
	s.queue(ctx, tokens, logits, hidden, rowsKind{all: true, decode: true})
	return s.m.wait(s)
}

// check validates a Forward call's arguments.
func (s *Sequence) check(tokens []int, logits, hidden []float32, all bool) error {
	c := s.m.Config
	if len(tokens) == 0 {
		return fmt.Errorf("forward: no tokens")
	}
	if s.pos+len(tokens) > s.cache.cap {
		return fmt.Errorf("forward: %d tokens after %d exceed the context of %d", len(tokens), s.pos, s.cache.cap)
	}
	for i, t := range tokens {
		if t < 0 || t >= c.VocabSize {
			return fmt.Errorf("forward: token %d at index %d out of range [0, %d)", t, i, c.VocabSize)
		}
	}
	rows := 1
	if all {
		rows = len(tokens)
	}
	if len(logits) < rows*c.VocabSize {
		return fmt.Errorf("forward: logits buffer holds %d values, need %d", len(logits), rows*c.VocabSize)
	}
	if hidden != nil && len(hidden) < rows*c.HiddenSize {
		return fmt.Errorf("forward: hidden buffer holds %d values, need %d", len(hidden), rows*c.HiddenSize)
	}
	return nil
}
