package core

import (
	"context"

	"github.com/deepgo/deepgo/quant"
)

// batch is the work of one forward pass: the tokens of one or more sequences, run through
// the model together so that every weight is read once for all of them (continuous
// batching). Matrix products, norms and experts see one list of rows; attention is the only
// step that looks at which sequence a row belongs to, for its cache and its position.
//
// A model has one batch, allocated on its first forward pass and reused after, so the
// activation buffers are shared by all sequences and a decoding step allocates nothing.
type batch struct {
	m      *Model
	tokens []int   // the rows' tokens
	parts  []part  // the sequences in the batch, in row order
	owner  []int32 // owner[t] is the index in parts of row t's sequence
	pos    []int32 // pos[t] is row t's position in its sequence
	rows   []int32 // attention: the rows taking the absorbed path
	// exact is how many of the last rows are checks of drafts (Step.Decode), added after
	// the others, whose products are computed one row at a time, so that each row's logits
	// are bit for bit a one-token step's alone, whatever else is in the pass (the 8-bit
	// kernels that take several rows at once add in another order).
	exact  int
	logits []float32
	buffers
}

// part is one sequence's share of a batch: rows [start, start+n), at positions s.pos...
type part struct {
	s        *Sequence
	start, n int
	out      []float32 // logits of every row (all) or of the last one; nil for none
	hidden   []float32 // the same rows' final-normed hidden state (every row's with allHidden); nil for none
	rowsKind
}

// rowsKind says which rows of a Forward call get outputs and how they run.
type rowsKind struct {
	all       bool // logits (and hidden state) of every row, not only the last
	decode    bool // the rows take the decoding path (Step.Decode)
	allHidden bool // the hidden state of every row, the logits of the last (Sequence.Prefill)
}

// buffers are the activations of one forward pass of up to MaxBatch rows, and the
// per-thread scratch of attention.
type buffers struct {
	batch int

	x, xn, proj  []float32 // [T*hidden] residual stream, normed input, block output
	cat          []float32 // [T*2*hidden] the MTP module's eh_proj input; nil without one (mtp.go)
	q, qa, kva   []float32 // queries [T*H*qk], q latent [T*q_lora], kv_a output [T*(kv_lora+rope)] (dense: keys and values [T*2*kvH*hd])
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

// attnScratch is one thread's scratch for the absorbed attention paths.
type attnScratch struct {
	qlat, olat, row []float32   // [kv_lora]
	scores          []float32   // [H*keyBlock]: one block of keys' scores per head
	pe              []float32   // [4*keyBlock]: four heads' rotary parts of those scores
	max, sum        []float32   // [H]: each head's running softmax maximum and sum
	vrows           []float32   // [H*(nope+v)], indexed by kv_b_proj (or attn_v_b) row
	vin             quant.Input // olat as the input of kv_b_proj's value rows
}

const (
	naiveTile = 64 // positions whose keys and values the naive path expands at once
	keyBlock  = 64 // cached positions the absorbed paths score at once, per head
)

// newBatch allocates the buffers of a forward pass of up to m.opts.MaxBatch rows.
func newBatch(m *Model) *batch {
	c := m.Config
	T := m.opts.MaxBatch
	d, h := c.HiddenSize, c.NumAttentionHeads
	k := max(c.NumExpertsPerTok, 1)
	// MLP hidden rows: a dense layer's, or a MoE layer's shared experts' and its k routed
	// experts' side by side.
	inter := max(c.IntermediateSize, (c.NSharedExperts+k)*c.MoEIntermediateSize)
	hw := h * (c.QKNopeHeadDim + c.VHeadDim)
	bt := &batch{m: m}
	bt.tokens, bt.owner, bt.pos = make([]int, 0, T), make([]int32, T), make([]int32, T)
	bt.parts, bt.rows = make([]part, 0, T), make([]int32, 0, T)
	b := &bt.buffers
	b.batch = T
	b.x, b.xn, b.proj = make([]float32, T*d), make([]float32, T*d), make([]float32, T*d)
	if m.mtp != nil {
		b.cat = make([]float32, T*2*d)
	}
	b.q = make([]float32, T*h*c.QKHeadDim())
	b.qa = make([]float32, T*c.QLoRARank)
	b.kva = make([]float32, T*c.kvWidth())
	b.attn = make([]float32, T*h*c.valueHeadDim())
	b.cos, b.sin = make([]float32, T*c.ropeDim()/2), make([]float32, T*c.ropeDim()/2)
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
	b.kvTile = make([]float32, naiveTile*hw)
	b.online = make([]float32, T*h*2)
	b.acc = make([]float32, T*h*c.VHeadDim)
	b.work = make([]attnScratch, m.pool.Threads())
	for i := range b.work {
		b.work[i] = attnScratch{
			qlat: make([]float32, c.KVLoRARank), olat: make([]float32, c.KVLoRARank),
			row: make([]float32, c.KVLoRARank), scores: make([]float32, h*keyBlock), pe: make([]float32, 4*keyBlock),
			max: make([]float32, h), sum: make([]float32, h),
			vrows: make([]float32, hw),
		}
	}
	return bt
}

// reset empties the batch for the next pass.
func (b *batch) reset() {
	clear(b.parts)
	b.tokens, b.parts, b.exact = b.tokens[:0], b.parts[:0], 0
}

// add appends tokens of s, which will be at positions s.pos.., to the batch; out receives
// their logits (every row's if all, else the last row's; nil for none), and hidden, if not
// nil, the same rows' final-normed hidden state (every row's with k.allHidden). With
// k.decode the rows take the path of one-token decoding steps (see Step.Decode). The
// caller keeps the batch within its MaxBatch rows.
func (b *batch) add(s *Sequence, tokens []int, out, hidden []float32, k rowsKind) {
	start := len(b.tokens)
	b.tokens = append(b.tokens, tokens...)
	for i := range tokens {
		b.owner[start+i] = int32(len(b.parts))
		b.pos[start+i] = int32(s.pos + i)
	}
	b.parts = append(b.parts, part{s: s, start: start, n: len(tokens), out: out, hidden: hidden, rowsKind: k})
}

// seq returns the sequence of row t.
func (b *batch) seq(t int) *Sequence { return b.parts[b.owner[t]].s }

// room is how many more rows the batch takes.
func (b *batch) room() int { return b.batch - len(b.tokens) }

// run computes the batch's forward pass and advances each sequence past its rows. ctx,
// if not nil, is checked between layers.
func (b *batch) run(ctx context.Context) error {
	if len(b.tokens) == 0 {
		return nil
	}
	if err := b.forward(ctx); err != nil {
		return err
	}
	for _, p := range b.parts {
		p.s.pos += p.n
	}
	return nil
}
