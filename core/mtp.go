package core

import (
	"context"
	"fmt"

	"github.com/deepgo/deepgo/quant"
)

// mtpLayer is DeepSeek-V3's multi-token-prediction module (V3 report §2.2; run as vLLM's
// deepseek_mtp.py runs the released checkpoint): from the main model's final-normed hidden
// state h[i] at position i and the next token t[i+1], it predicts token i+2:
//
//	h' = eh_proj(concat[enorm(embed(t[i+1])), hnorm(h[i])])
//	x  = block(h') at position i, with the module's own latent KV cache
//	logits(t[i+2]) = head(norm(x))
//
// Its weights are layer num_hidden_layers of the checkpoint (DeepSeek-V3: model.layers.61;
// llama.cpp: blk.61.nextn.* and the block's usual blk.61.* tensors). The block is a full
// transformer block, MoE or dense as the config says for that layer index, run by the
// same code as the main layers. Only the first of num_nextn_predict_layers modules is
// loaded.
type mtpLayer struct {
	enorm, hnorm []float32    // RMSNorm weights of the embedding and of the hidden state
	ehProj       quant.Matrix // eh_proj [hidden, 2*hidden]: the normed embedding's columns first
	block        layer

	// embed_tokens, shared_head.norm and shared_head.head: in the official checkpoint
	// they equal the main model's embedding, final norm and lm_head, and llama.cpp lets a
	// file leave them out. nil when the file does: the main model's stand in.
	embed quant.Matrix // [vocab, hidden]
	norm  []float32
	head  quant.Matrix // [vocab, hidden]
}

// mtpPresent reports whether the files hold the config's first multi-token-prediction
// module: the config has one, and one of its own tensors or of its block's norms is
// there. A file with none of them (a checkpoint or GGUF stripped of it) opens as a model
// without one; a file missing some of the module's other tensors fails to bind, naming
// the first missing.
func mtpPresent(src weightSource, c *Config) bool {
	if c.NumNextNPredictLayers == 0 {
		return false
	}
	for _, w := range []weight{wMTPEHProj, wMTPENorm, wMTPHNorm, wMTPEmbed, wMTPHeadNorm, wMTPHead, wAttnNorm, wFFNNorm} {
		if src.has(w, c.NumHiddenLayers) {
			return true
		}
	}
	return false
}

// mtp binds the multi-token-prediction module at layer i (num_hidden_layers); its routed
// experts are tracked by r like the main layers'.
func (b *binder) mtp(i int, r *expertResidency) *mtpLayer {
	c := b.c
	d := c.HiddenSize
	mt := &mtpLayer{}
	mt.enorm = b.vec(wMTPENorm, i, d)
	mt.hnorm = b.vec(wMTPHNorm, i, d)
	mt.ehProj = b.mat(wMTPEHProj, i, d, 2*d)
	if b.src.has(wMTPEmbed, i) {
		mt.embed = b.mat(wMTPEmbed, i, c.VocabSize, d)
	}
	if b.err == nil {
		mt.block = b.layer(i, r)
	}
	if b.src.has(wMTPHeadNorm, i) {
		mt.norm = b.vec(wMTPHeadNorm, i, d)
	}
	if b.src.has(wMTPHead, i) {
		mt.head = b.mat(wMTPHead, i, c.VocabSize, d)
	}
	if b.err != nil {
		b.err = fmt.Errorf("multi-token-prediction module (layer %d): %w", i, b.err)
		return nil
	}
	return mt
}

// HasMTP reports whether the model has a multi-token-prediction module.
func (m *Model) HasMTP() bool { return m.mtp != nil }

// MTPSequence is the multi-token-prediction module's state for one sequence: the latent
// KV cache of its block and its position. Row i of it is the module at position i: the
// main model's hidden state at i and the token at i+1 in, the logits of the token at i+2
// out. A speculative decoder keeps one beside each main Sequence, at the same length.
type MTPSequence struct {
	seq Sequence // its cache holds one layer, the module's block
}

// NewMTPSequence starts an empty MTP sequence that can hold up to capacity rows.
func (m *Model) NewMTPSequence(capacity int) (*MTPSequence, error) {
	c := m.Config
	if m.mtp == nil {
		return nil, fmt.Errorf("mtp: the model has no multi-token-prediction module")
	}
	if capacity <= 0 {
		return nil, fmt.Errorf("mtp: sequence capacity %d must be positive", capacity)
	}
	if c.MaxPositions > 0 && capacity > c.MaxPositions {
		return nil, fmt.Errorf("mtp: sequence capacity %d exceeds the model's max_position_embeddings %d", capacity, c.MaxPositions)
	}
	return &MTPSequence{seq: Sequence{m: m, cache: newKVCache(c, 1, capacity)}}, nil
}

// Len is the number of rows in the sequence so far: the next row is at position Len().
func (s *MTPSequence) Len() int { return s.seq.pos }

// Cap is the most rows the sequence can hold.
func (s *MTPSequence) Cap() int { return s.seq.cache.cap }

// CacheBytes is the memory of the module's latent KV cache.
func (s *MTPSequence) CacheBytes() int64 { return s.seq.cache.Bytes() }

// Truncate keeps the first n rows (all of them if it holds fewer), so the next Forward
// continues at position n: what a speculative decoder does with the rows of rejected drafts.
func (s *MTPSequence) Truncate(n int) { s.seq.Truncate(n) }

// Reset empties the sequence, keeping its memory.
func (s *MTPSequence) Reset() { s.seq.Reset() }

// Forward appends len(tokens) rows at positions Len().. and computes their logits. Row j
// takes hidden[j*hidden_size:(j+1)*hidden_size], the main model's final-normed hidden
// state at that position (Sequence.ForwardHidden), and tokens[j], the token after that
// position; its logits are those of the token after tokens[j]. With all set, logits
// receives one row of vocab_size values per token; otherwise only the last one's. Long
// inputs run in chunks of Options.MaxBatch rows. It holds the model for its passes (the
// main sequences' passes wait, and then go on). ctx is checked between passes. On error
// the sequence is unchanged. Decoding (one row at a time) allocates nothing.
func (s *MTPSequence) Forward(ctx context.Context, hidden []float32, tokens []int, logits []float32, all bool) error {
	return s.ForwardOut(ctx, hidden, tokens, logits, nil, all)
}

// ForwardOut is Forward that also hands back, in out (unless nil; hidden_size values), the
// module's own hidden state at the last row: its block's output before shared_head.norm.
// A drafter that proposes more than one token feeds it back as the next row's hidden
// state, with the token it drafted (vLLM's multi-step MTP proposer).
func (s *MTPSequence) ForwardOut(ctx context.Context, hidden []float32, tokens []int, logits, out []float32, all bool) error {
	m := s.seq.m
	if err := s.seq.check(tokens, logits, nil, all); err != nil {
		return fmt.Errorf("mtp: %w", err)
	}
	if n := len(tokens) * m.Config.HiddenSize; len(hidden) < n {
		return fmt.Errorf("mtp: forward: hidden holds %d values, need %d for %d rows", len(hidden), n, len(tokens))
	}
	if out != nil && len(out) < m.Config.HiddenSize {
		return fmt.Errorf("mtp: forward: out holds %d values, need %d", len(out), m.Config.HiddenSize)
	}
	s.seq.cache.grow(s.seq.pos + len(tokens))
	m.mu.Lock()
	err := s.run(ctx, hidden, tokens, logits, out, all)
	m.mu.Unlock()
	m.wakePending()
	return err
}

// run computes Forward's passes; m.mu is held.
func (s *MTPSequence) run(ctx context.Context, hidden []float32, tokens []int, logits, hout []float32, all bool) error {
	m := s.seq.m
	if m.closed {
		return errClosed
	}
	if m.batch == nil {
		m.batch = newBatch(m)
	}
	b := m.batch
	v, d := m.Config.VocabSize, m.Config.HiddenSize
	start := s.seq.pos
	for done := 0; done < len(tokens); {
		if ctx != nil {
			if err := ctx.Err(); err != nil {
				s.seq.pos = start
				return err
			}
		}
		n := min(b.batch, len(tokens)-done)
		var out, last []float32
		if done+n == len(tokens) {
			last = hout
		}
		switch {
		case all:
			out = logits[done*v : (done+n)*v]
		case done+n == len(tokens):
			out = logits[:v]
		}
		b.reset()
		b.add(&s.seq, tokens[done:done+n], out, nil, rowsKind{all: all})
		b.mtp(m.mtp, hidden[done*d:(done+n)*d], last)
		b.reset()
		s.seq.pos += n
		done += n
	}
	return nil
}

// mtp runs the batch's rows through the multi-token-prediction module: row t takes the
// main model's final-normed hidden state hidden[t] and the token b.tokens[t], at its
// position. Each part's out receives logits as in forward; out, if not nil, the last row's
// block output.
func (b *batch) mtp(mt *mtpLayer, hidden, out []float32) {
	m, c := b.m, b.m.Config
	T, d := len(b.tokens), c.HiddenSize
	eps := float32(c.RMSNormEps)
	embed, norm, head := mt.embed, mt.norm, mt.head
	if embed == nil {
		embed = m.embed
	}
	if norm == nil {
		norm = m.norm
	}
	if head == nil {
		head = m.head
	}
	x := b.x[:T*d]
	for t, tok := range b.tokens {
		embed.Row(x[t*d:(t+1)*d], tok)
	}
	b.normRows(b.xn, x, mt.enorm, eps, T, d)
	b.normRows(b.proj, hidden, mt.hnorm, eps, T, d)
	cat := b.cat[:T*2*d]
	for t := range T {
		copy(cat[2*t*d:(2*t+1)*d], b.xn[t*d:(t+1)*d])
		copy(cat[(2*t+1)*d:(2*t+2)*d], b.proj[t*d:(t+1)*d])
	}
	b.matmul(mt.ehProj, x, cat, T)
	b.ropeRows(T)
	b.block(0, &mt.block, x, T) // layer 0 of the MTP sequence's one-layer cache
	if out != nil {
		copy(out, x[(T-1)*d:T*d])
	}
	b.head(x, norm, head)
}
