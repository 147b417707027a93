package core

import (
	"math"

	"github.com/deepgo/deepgo/quant"
)

// mla holds the weights of Multi-head Latent Attention (DeepSeek-V2 paper §2.1; reference MLA).
type mla struct {
	wq     quant.Matrix // q_proj [H*qk, hidden], when q_lora_rank is null
	wqA    quant.Matrix // q_a_proj [q_lora, hidden]
	qNorm  []float32    // q_a_layernorm
	wqB    quant.Matrix // q_b_proj [H*qk, q_lora]
	wkvA   quant.Matrix // kv_a_proj_with_mqa [kv_lora+rope, hidden]
	kvNorm []float32    // kv_a_layernorm, over the latent part only
	wkvB   quant.Matrix // kv_b_proj [H*(nope+v), kv_lora]: per head nope rows of W^UK, then v rows of W^UV
	wo     quant.Matrix // o_proj [hidden, H*v]

	// The split layout of llama.cpp's GGUF files (attn_k_b, attn_v_b) instead of kv_b_proj:
	// W^UK stored transposed per head, so the absorbed query is a plain matrix-vector product.
	wkB quant.Matrix // [H*kv_lora, nope]
	wvB quant.Matrix // [H*v, kv_lora]
}

// attention computes b.proj = MLA(b.xn) for T tokens at positions s.pos.., appending their
// latent entries to the cache of layer li.
func (s *Sequence) attention(li int, a *mla, T int) {
	m, c, b := s.m, s.m.Config, &s.b
	p := m.pool
	// Queries: q = W^UQ · RMSNorm(W^DQ · h), or q = W^Q · h without q LoRA; keys and values:
	// [c_kv | k_pe] = W^DKV · h. The products of h share one prepared input and one job.
	d := c.HiddenSize
	p.prepare(&b.in, a.wkvA, b.xn, T, d)
	wq, dst := a.wq, b.q
	if wq == nil {
		wq, dst = a.wqA, b.qa
	}
	b.multi.addShared(p, wq, dst, wq.Rows(), &b.in, a.wkvA, &b.in2, b.xn, T)
	b.multi.addShared(p, a.wkvA, b.kva, a.wkvA.Rows(), &b.in, a.wkvA, nil, nil, 0)
	b.multi.run(p)
	if a.wq == nil {
		s.normRows(b.qa, b.qa, a.qNorm, float32(c.RMSNormEps), T, c.QLoRARank)
		s.matmul(a.wqB, b.q, b.qa, T)
	}
	// The cache keeps RMSNorm(c_kv) and RoPE(k_pe).
	kvl, rd, half := c.KVLoRARank, c.QKRopeHeadDim, c.QKRopeHeadDim/2
	w := kvl + rd
	h, qk, nope := c.NumAttentionHeads, c.QKHeadDim(), c.QKNopeHeadDim
	for t := range T {
		cos, sin := b.cos[t*half:(t+1)*half], b.sin[t*half:(t+1)*half]
		row := s.cache.row(li, s.pos+t)
		src := b.kva[t*w : (t+1)*w]
		rmsNorm(row[:kvl], src[:kvl], a.kvNorm, float32(c.RMSNormEps))
		copy(row[kvl:], src[kvl:])
		rotate(row[kvl:], cos, sin)
		for hh := range h {
			q := b.q[(t*h+hh)*qk : (t*h+hh+1)*qk]
			rotate(q[nope:], cos, sin)
		}
	}
	// The naive path expands keys from kv_b_proj; with the split GGUF layout only the
	// absorbed one applies.
	naive := a.wkvB != nil && (m.opts.Attention == AttentionNaive || (m.opts.Attention == AttentionAuto && T > 1))
	switch {
	case naive:
		s.attendNaive(li, a, T)
	case a.wkB != nil:
		s.attendSplit(li, a, T)
	default:
		j := &b.att
		*j = attnJob{s: s, a: a, li: li, T: T}
		p.Run(j, T*h, 1)
		*j = attnJob{}
	}
	s.matmul(a.wo, b.proj, b.attn, T)
}

// attnJob runs the absorbed attention for (token, head) pairs; see absorbed.
type attnJob struct {
	s      *Sequence
	a      *mla
	li, T  int
	naive  bool
	latent bool // attendSplit's middle: attendLatent
	tile   int  // naive: first position of the current tile
	n      int  // naive: positions in the tile
}

func (j *attnJob) Run(worker, lo, hi int) {
	h := j.s.m.Config.NumAttentionHeads
	for r := lo; r < hi; r++ {
		switch {
		case j.naive:
			j.s.naiveTile(j.li, r/h, r%h, j.tile, j.n)
		case j.latent:
			j.s.attendLatent(worker, j.li, r/h, r%h)
		default:
			j.s.absorbed(worker, j.a, j.li, r/h, r%h)
		}
	}
}

// attendSplit is the absorbed attention for llama.cpp's split layout (attn_k_b, attn_v_b),
// with the per-head products batched over the chunk's tokens: q̃ = W^UK_hᵀ q_nope for every
// token and head in one pool job (each head's queries prepared once), the softmax over the
// latent cache per (token, head), then o = W^UV_h õ in one more job.
func (s *Sequence) attendSplit(li int, a *mla, T int) {
	c, b, p := s.m.Config, &s.b, s.m.pool
	h, kvl, vd, qk := c.NumAttentionHeads, c.KVLoRARank, c.VHeadDim, c.QKHeadDim()
	qlat, olat := b.qlat[:T*h*kvl], b.olat[:T*h*kvl]
	for hh := range h {
		p.prepare(&b.headIn[hh], a.wkB, b.q[hh*qk:], T, h*qk)
		b.multi.addRows(a.wkB, hh*kvl, (hh+1)*kvl, qlat, h*kvl, &b.headIn[hh])
	}
	b.multi.run(p)
	j := &b.att
	*j = attnJob{s: s, a: a, li: li, T: T, latent: true}
	p.Run(j, T*h, 1)
	*j = attnJob{}
	for hh := range h {
		p.prepare(&b.headIn[hh], a.wvB, olat[hh*kvl:], T, h*kvl)
		b.multi.addRows(a.wvB, hh*vd, (hh+1)*vd, b.attn, h*vd, &b.headIn[hh])
	}
	b.multi.run(p)
}

// attendLatent is the middle of attendSplit for token t and head hh: scores of q̃ (from
// b.qlat) and q_pe against the cached latents and rotary keys, softmax, and õ = Σ_j p_j c_j
// into b.olat.
func (s *Sequence) attendLatent(worker, li, t, hh int) {
	c, b := s.m.Config, &s.b
	kvl, qk, h := c.KVLoRARank, c.QKHeadDim(), c.NumAttentionHeads
	r := t*h + hh
	s.latentSoftmax(&b.work[worker], li, t, b.qlat[r*kvl:(r+1)*kvl], b.q[r*qk+c.QKNopeHeadDim:(r+1)*qk], b.olat[r*kvl:(r+1)*kvl])
}

// latentSoftmax is the heart of the absorbed attention for token t (DeepSeek-V2 §2.1.2, the
// reference's absorb branch): s_j = (q̃·c_j + q_pe·k_pe_j)·scale over the cached positions
// 0..pos+t, softmax, õ = Σ_j softmax(s)_j c_j into olat.
func (s *Sequence) latentSoftmax(ws *attnScratch, li, t int, qlat, qpe, olat []float32) {
	kvl := s.m.Config.KVLoRARank
	n := s.pos + t + 1 // causal
	scores := ws.scores[:n]
	scale := s.m.scale
	for j := range n {
		row := s.cache.row(li, j)
		scores[j] = (quant.DotF32(qlat, row[:kvl]) + quant.DotF32(qpe, row[kvl:])) * scale
	}
	softmax(scores)
	clear(olat)
	for j, p := range scores {
		axpy(olat, p, s.cache.row(li, j)[:kvl])
	}
}

// absorbed is the weight-absorbed attention of one head for token t, with kv_b_proj (the
// split layout has attendSplit) (reference attn_impl
// "absorb"): the query is folded into latent space with W^UK, scores are taken against the
// cached latents directly, and the latent output is lifted with W^UV:
//
//	q̃ = W^UK_hᵀ q_nope;  s_j = (q̃·c_j + q_pe·k_pe_j)·scale;  o = W^UV_h (Σ_j softmax(s)_j c_j)
func (s *Sequence) absorbed(worker int, a *mla, li, t, hh int) {
	c, b := s.m.Config, &s.b
	ws := &b.work[worker]
	nope, vd, qk := c.QKNopeHeadDim, c.VHeadDim, c.QKHeadDim()
	h := c.NumAttentionHeads
	q := b.q[(t*h+hh)*qk : (t*h+hh+1)*qk]
	base := hh * (nope + vd) // this head's first kv_b_proj row
	qlat := ws.qlat
	clear(qlat)
	for i := range nope {
		a.wkvB.Row(ws.row, base+i)
		axpy(qlat, q[i], ws.row)
	}
	olat := ws.olat
	s.latentSoftmax(ws, li, t, qlat, q[nope:], olat)
	out := b.attn[(t*h+hh)*vd : (t*h+hh+1)*vd]
	a.wkvB.MulVec(ws.vrows, olat, base+nope, base+nope+vd)
	copy(out, ws.vrows[base+nope:base+nope+vd])
}

// attendNaive is the reference's naive attention over the latent cache: keys and values of
// every head are expanded with kv_b_proj, a tile of positions at a time, and folded into a
// running (online) softmax so memory stays bounded by the tile.
func (s *Sequence) attendNaive(li int, a *mla, T int) {
	c, b := s.m.Config, &s.b
	h, vd := c.NumAttentionHeads, c.VHeadDim
	online, acc := b.online[:T*h*2], b.acc[:T*h*vd]
	for r := range T * h {
		online[2*r] = float32(math.Inf(-1))
		online[2*r+1] = 0
	}
	clear(acc)
	end := s.pos + T
	w := s.cache.width
	j := &b.att
	tileCap := len(b.kvTile) / (h * (c.QKNopeHeadDim + vd))
	for tile := 0; tile < end; tile += tileCap {
		n := min(tileCap, end-tile)
		// [k_nope | v] for positions tile..tile+n-1 of every head: W^UKV · c_kv.
		x := s.cache.layers[li][tile*w:]
		s.matmulStrided(a.wkvB, b.kvTile, a.wkvB.Rows(), x, w, n)
		*j = attnJob{s: s, a: a, li: li, T: T, naive: true, tile: tile, n: n}
		s.m.pool.Run(j, T*h, 1)
		*j = attnJob{}
	}
	for r := range T * h {
		inv := 1 / online[2*r+1]
		o := acc[r*vd : (r+1)*vd]
		dst := b.attn[r*vd : (r+1)*vd]
		for i := range o {
			dst[i] = o[i] * inv
		}
	}
}

// naiveTile folds positions tile..tile+n-1 into head hh of token t's running softmax.
func (s *Sequence) naiveTile(li, t, hh, tile, n int) {
	c, b := s.m.Config, &s.b
	h, nope, vd, qk, kvl := c.NumAttentionHeads, c.QKNopeHeadDim, c.VHeadDim, c.QKHeadDim(), c.KVLoRARank
	r := t*h + hh
	q := b.q[r*qk : (r+1)*qk]
	last := min(tile+n, s.pos+t+1) // causal
	stride := h * (nope + vd)
	mx, sum := b.online[2*r], b.online[2*r+1]
	acc := b.acc[r*vd : (r+1)*vd]
	scale := s.m.scale
	for j := tile; j < last; j++ {
		kv := b.kvTile[(j-tile)*stride+hh*(nope+vd):]
		kpe := s.cache.row(li, j)[kvl:]
		score := (quant.DotF32(q[:nope], kv[:nope]) + quant.DotF32(q[nope:], kpe)) * scale
		if score > mx {
			f := float32(math.Exp(float64(mx - score)))
			sum *= f
			for i := range acc {
				acc[i] *= f
			}
			mx = score
		}
		p := float32(math.Exp(float64(score - mx)))
		sum += p
		axpy(acc, p, kv[nope:nope+vd])
	}
	b.online[2*r], b.online[2*r+1] = mx, sum
}
