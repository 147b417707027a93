package core

import (
	"context"
	"fmt"

	"github.com/deepgo/deepgo/quant"
)

// Sequence is one conversation's state on a Model: its latent KV cache, its position and
// the activation buffers of the forward pass, allocated once so decoding allocates nothing.
type Sequence struct {
	m     *Model
	cache kvCache
	pos   int
	b     buffers
}

// buffers are the activations of one forward chunk of up to MaxBatch tokens,
// and the per-thread scratch of attention.
type buffers struct {
	batch int

	x, xn, proj  []float32 // [T*hidden] residual stream, normed input, block output
	q, qa, kva   []float32 // queries [T*H*qk], q latent [T*q_lora], kv_a output [T*(kv_lora+rope)]
	attn         []float32 // attention output [T*H*v]
	cos, sin     []float32 // [T*rope/2]
	gate, up     []float32 // MLP hidden [T*inter]
	router       []float32 // [T*experts]
	route        routeScratch
	topIdx       []int32       // [T*k]
	topW         []float32     // [T*k]
	expertTokens []int32       // [T*k] token indices grouped by expert
	expertStart  []int32       // [experts+1]
	xe, ye       []float32     // gathered expert input / output [T*k*hidden], grouped by expert
	expertIn     []quant.Input // each routed expert's prepared input [experts]
	multi        multiJob      // several products in one pool job
	qlat, olat   []float32     // split-layout attention: q̃ and õ [T*H*kv_lora]
	headIn       []quant.Input // split-layout attention: each head's prepared input [H]
	kvTile       []float32     // naive attention: expanded keys/values of a tile of positions
	online       []float32     // naive attention: running max and sum per (t, head) [T*H*2]
	acc          []float32     // naive attention: running output [T*H*v]
	work         []attnScratch

	in   quant.Input // the current product's prepared input
	in2  quant.Input // a second one, for a matrix in the same job that needs another form
	att  attnJob
	norm normJob
}

// attnScratch is one thread's scratch for the absorbed attention path.
type attnScratch struct {
	qlat, olat, row []float32 // [kv_lora]
	scores          []float32 // [capacity]
	vrows           []float32 // [H*(nope+v)], indexed by kv_b_proj (or attn_v_b) row
}

const naiveTile = 64

// NewSequence starts an empty sequence that can hold up to capacity tokens.
func (m *Model) NewSequence(capacity int) (*Sequence, error) {
	c := m.Config
	if capacity <= 0 {
		return nil, fmt.Errorf("sequence capacity %d must be positive", capacity)
	}
	if c.MaxPositions > 0 && capacity > c.MaxPositions {
		return nil, fmt.Errorf("sequence capacity %d exceeds the model's max_position_embeddings %d", capacity, c.MaxPositions)
	}
	s := &Sequence{m: m, cache: newKVCache(c, capacity)}
	T := min(m.opts.MaxBatch, capacity)
	d, h := c.HiddenSize, c.NumAttentionHeads
	k := max(c.NumExpertsPerTok, 1)
	// MLP hidden rows: a dense layer's, or a MoE layer's shared experts' and its k routed
	// experts' side by side.
	inter := max(c.IntermediateSize, (c.NSharedExperts+k)*c.MoEIntermediateSize)
	hw := h * (c.QKNopeHeadDim + c.VHeadDim)
	b := &s.b
	b.batch = T
	b.x, b.xn, b.proj = make([]float32, T*d), make([]float32, T*d), make([]float32, T*d)
	b.q = make([]float32, T*h*c.QKHeadDim())
	b.qa = make([]float32, T*c.QLoRARank)
	b.kva = make([]float32, T*(c.KVLoRARank+c.QKRopeHeadDim))
	b.attn = make([]float32, T*h*c.VHeadDim)
	b.cos, b.sin = make([]float32, T*c.QKRopeHeadDim/2), make([]float32, T*c.QKRopeHeadDim/2)
	b.gate, b.up = make([]float32, T*inter), make([]float32, T*inter)
	if c.NRoutedExperts > 0 {
		b.router = make([]float32, T*c.NRoutedExperts)
		b.route = newRouteScratch(c)
		b.topIdx, b.topW = make([]int32, T*k), make([]float32, T*k)
		b.expertTokens, b.expertStart = make([]int32, T*k), make([]int32, c.NRoutedExperts+1)
		b.xe, b.ye = make([]float32, T*k*d), make([]float32, T*k*d)
		b.expertIn = make([]quant.Input, c.NRoutedExperts)
	}
	b.multi.segs = make([]segment, 0, max(2*c.NRoutedExperts+2, h))
	b.qlat, b.olat = make([]float32, T*h*c.KVLoRARank), make([]float32, T*h*c.KVLoRARank)
	b.headIn = make([]quant.Input, h)
	b.kvTile = make([]float32, min(naiveTile, capacity)*hw)
	b.online = make([]float32, T*h*2)
	b.acc = make([]float32, T*h*c.VHeadDim)
	b.work = make([]attnScratch, m.pool.Threads())
	for i := range b.work {
		b.work[i] = attnScratch{
			qlat: make([]float32, c.KVLoRARank), olat: make([]float32, c.KVLoRARank),
			row: make([]float32, c.KVLoRARank), scores: make([]float32, capacity),
			vrows: make([]float32, hw),
		}
	}
	return s, nil
}

// Len is the number of tokens in the sequence so far.
func (s *Sequence) Len() int { return s.pos }

// Cap is the most tokens the sequence can hold.
func (s *Sequence) Cap() int { return s.cache.cap }

// CacheBytes is the memory of the latent KV cache.
func (s *Sequence) CacheBytes() int64 { return s.cache.Bytes() }

// Reset empties the sequence, keeping its memory.
func (s *Sequence) Reset() { s.pos = 0 }

// Truncate keeps the first n tokens of the sequence (all of them if it holds fewer), so the
// next Forward continues from position n.
func (s *Sequence) Truncate(n int) { s.pos = max(0, min(s.pos, n)) }

// Forward appends tokens to the sequence and computes logits. With all set, logits
// receives one row of vocab_size values per token; otherwise only the last token's row.
// Long inputs run in chunks of Options.MaxBatch tokens; ctx is checked between chunks
// and layers. On error the sequence is unchanged.
func (s *Sequence) Forward(ctx context.Context, tokens []int, logits []float32, all bool) error {
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
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if s.m.closed {
		return errClosed
	}
	start := s.pos
	for i := 0; i < len(tokens); i += s.b.batch {
		if err := ctx.Err(); err != nil {
			s.pos = start
			return err
		}
		j := min(i+s.b.batch, len(tokens))
		var out []float32
		switch {
		case all:
			out = logits[i*c.VocabSize : j*c.VocabSize]
		case j == len(tokens):
			out = logits[:c.VocabSize]
		}
		if err := s.forward(ctx, tokens[i:j], out, all); err != nil {
			s.pos = start
			return err
		}
	}
	return nil
}
