package core

import "github.com/deepgo/deepgo/quant"

// gqa holds the weights of grouped-query attention, the attention of the dense families
// (HF Qwen2Attention, LlamaAttention, Qwen3Attention): num_attention_heads query heads in
// num_key_value_heads groups, each group sharing one key head and one value head.
type gqa struct {
	wq, wk, wv, wo quant.Matrix // q_proj [H*hd, hidden], k_proj and v_proj [kvH*hd, hidden], o_proj [hidden, H*hd]
	bq, bk, bv, bo []float32    // their biases (Qwen2: q, k, v; Llama and Qwen3 with attention_bias: all four); nil for none
	qNorm, kNorm   []float32    // Qwen3's RMSNorm of each query and key head [hd]; nil for none
}

// attendGQA computes b.proj = attention(b.xn) for the batch's T rows (HF
// Qwen2Attention.forward and its Llama and Qwen3 twins), appending their keys and values
// to the cache of layer li of each row's sequence, at the row's position:
//
//	q, k, v = W_q x + b_q, W_k x + b_k, W_v x + b_v
//	q, k = RoPE(RMSNorm_head(q)), RoPE(RMSNorm_head(k))      (the norms: Qwen3 only)
//	o_h = Σ_j softmax_j(q_h·k_{g(h),j} / √hd) v_{g(h),j}    (g(h) = h / (H/kvH), j ≤ pos)
//	out = W_o [o_1 … o_H] + b_o
func (b *batch) attendGQA(li int, a *gqa, T int) {
	m, c := b.m, b.m.Config
	p := m.pool
	d, h, kvh, hd := c.HiddenSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim
	kw := kvh * hd
	w := 2 * kw // a cache row: the key heads, then the value heads
	// The three products of x share one prepared input where their types allow, and one
	// job; the keys and values land in b.kva laid out as cache rows.
	b.prepare(&b.in, a.wq, b.xn, T, d)
	b.multi.add(a.wq, b.q, h*hd, &b.in)
	kIn, vIn := &b.in, &b.in
	if !quant.SameInput(a.wk.DType(), a.wq.DType()) && !p.floatActivations {
		kIn = &b.in2
		p.prepare(kIn, a.wk, b.xn, T, d, b.in.Single())
	}
	b.multi.add(a.wk, b.kva, w, kIn)
	later := false // v's input form is neither q's nor k's: its product runs after
	switch {
	case p.floatActivations || quant.SameInput(a.wv.DType(), a.wq.DType()):
	case quant.SameInput(a.wv.DType(), a.wk.DType()):
		vIn = kIn
	default:
		later = true
	}
	if !later {
		b.multi.add(a.wv, b.kva[kw:], w, vIn)
	}
	b.multi.run(p)
	if later {
		b.matmulStrided(a.wv, b.kva[kw:], w, b.xn, d, T)
	}

	eps := float32(c.RMSNormEps)
	half := hd / 2
	for t := range T {
		q, kv := b.q[t*h*hd:(t+1)*h*hd], b.kva[t*w:(t+1)*w]
		addBias(q, a.bq)
		addBias(kv[:kw], a.bk)
		addBias(kv[kw:], a.bv)
		cos, sin := b.cos[t*half:(t+1)*half], b.sin[t*half:(t+1)*half]
		for i := 0; i < len(q); i += hd {
			if a.qNorm != nil {
				rmsNorm(q[i:i+hd], q[i:i+hd], a.qNorm, eps)
			}
			m.rope.rotate(q[i:i+hd], cos, sin)
		}
		for i := 0; i < kw; i += hd {
			if a.kNorm != nil {
				rmsNorm(kv[i:i+hd], kv[i:i+hd], a.kNorm, eps)
			}
			m.rope.rotate(kv[i:i+hd], cos, sin)
		}
		copy(b.seq(t).cache.row(li, int(b.pos[t])), kv)
	}

	j := &b.att
	*j = attnJob{b: b, li: li, T: T, gqa: true, groups: kvh * gqaChunks(h/kvh)}
	p.Run(j, T*j.groups, 1)
	*j = attnJob{}
	b.matmul(a.wo, b.proj, b.attn, T)
	if a.bo != nil {
		for t := range T {
			addBias(b.proj[t*d:(t+1)*d], a.bo)
		}
	}
}

// gqaChunks is how many pieces the r query heads of one group are attended in: four at
// a time (attendCached shares each cached row's loads among four heads).
func gqaChunks(r int) int { return (r + 3) / 4 }

// attendGroup attends piece r of attendGQA's job: row t, key-value group g, and up to
// four of its query heads.
func (b *batch) attendGroup(worker, r int) {
	c := b.m.Config
	h, kvh, hd := c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim
	per := h / kvh
	chunks := gqaChunks(per)
	t, g, s := r/(kvh*chunks), r/chunks%kvh, r%chunks
	first := t*h + g*per + 4*s // the piece's first query head, over the batch
	li := b.att.li
	b.attendCached(&b.work[worker], li, t, &headView{
		q: b.q[first*hd:], qStride: hd, out: b.attn[first*hd:], outStride: hd,
		key: g * hd, val: kvh*hd + g*hd, dim: hd, n: min(4, per-4*s)})
}

// addBias adds bias to x, if there is one.
func addBias(x, bias []float32) {
	if bias == nil {
		return
	}
	for i, v := range bias {
		x[i] += v
	}
}
