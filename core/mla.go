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

// attention computes b.proj = MLA(b.xn) for the batch's T rows, appending their latent
// entries to the cache of layer li of each row's sequence, at the row's position.
func (b *batch) attention(li int, a *mla, T int) {
	m, c := b.m, b.m.Config
	p := m.pool
	// Queries: q = W^UQ · RMSNorm(W^DQ · h), or q = W^Q · h without q LoRA; keys and values:
	// [c_kv | k_pe] = W^DKV · h. The products of h share one prepared input and one job.
	d := c.HiddenSize
	b.prepare(&b.in, a.wkvA, b.xn, T, d)
	wq, dst := a.wq, b.q
	if wq == nil {
		wq, dst = a.wqA, b.qa
	}
	b.multi.addShared(p, wq, dst, wq.Rows(), &b.in, a.wkvA, &b.in2, b.xn, T)
	b.multi.addShared(p, a.wkvA, b.kva, a.wkvA.Rows(), &b.in, a.wkvA, nil, nil, 0)
	b.multi.run(p)
	if a.wq == nil {
		b.normRows(b.qa, b.qa, a.qNorm, float32(c.RMSNormEps), T, c.QLoRARank)
		b.matmul(a.wqB, b.q, b.qa, T)
	}
	// The cache keeps RMSNorm(c_kv) and RoPE(k_pe).
	kvl, rd, half := c.KVLoRARank, c.QKRopeHeadDim, c.QKRopeHeadDim/2
	w := kvl + rd
	h, qk, nope := c.NumAttentionHeads, c.QKHeadDim(), c.QKNopeHeadDim
	for t := range T {
		cos, sin := b.cos[t*half:(t+1)*half], b.sin[t*half:(t+1)*half]
		row := b.seq(t).cache.row(li, int(b.pos[t]))
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
	// Auto takes the absorbed path for every row, so that a row's result does not depend
	// on its batch; with BatchVariant, the naive path for a sequence's chunk of several
	// tokens (a prompt) and the absorbed one for a single token (decoding), as the
	// reference does, and for drafted tokens checked together (Step.Decode), so that
	// their logits are decoding's.
	if a.wkB != nil {
		b.attendSplit(li, a, T)
	} else {
		rows := b.rows[:0]
		for i := range b.parts {
			pt := &b.parts[i]
			if m.opts.Attention == AttentionNaive || m.opts.Attention == AttentionAuto && m.opts.BatchVariant && pt.n > 1 && !pt.decode {
				b.attendNaive(li, a, pt)
				continue
			}
			for t := pt.start; t < pt.start+pt.n; t++ {
				rows = append(rows, int32(t))
			}
		}
		b.rows = rows
		j := &b.att
		*j = attnJob{b: b, a: a, li: li, T: T}
		p.Run(j, len(rows)*h, 1)
		*j = attnJob{}
	}
	b.matmul(a.wo, b.proj, b.attn, T)
}

// attnJob runs one of the attention paths over (row, head) pairs — the absorbed path over
// the rows listed in b.rows — or (attendSplit, attendGQA) over (row, group of heads).
type attnJob struct {
	b      *batch
	a      *mla
	li, T  int
	naive  bool
	latent bool // attendSplit's middle: attendLatent, groups of `group` heads
	gqa    bool // grouped-query attention: attendGroup, `groups` pieces per row
	group  int
	groups int // head groups per row
	first  int // naive: the part's first row
	tile   int // naive: first position of the current tile
	n      int // naive: positions in the tile
}

func (j *attnJob) Run(worker, lo, hi int) {
	h := j.b.m.Config.NumAttentionHeads
	for r := lo; r < hi; r++ {
		switch {
		case j.naive:
			j.b.naiveTile(j.li, j.first+r/h, r%h, j.tile, j.n)
		case j.gqa:
			j.b.attendGroup(worker, r)
		case j.latent:
			g := r % j.groups
			j.b.attendLatent(worker, j.li, r/j.groups, g*j.group, min(h, (g+1)*j.group))
		default:
			j.b.absorbed(worker, j.a, j.li, int(j.b.rows[r/h]), r%h)
		}
	}
}

// attendSplit is the absorbed attention for llama.cpp's split layout (attn_k_b, attn_v_b),
// with the per-head products batched over the chunk's tokens: q̃ = W^UK_hᵀ q_nope for every
// token and head in one pool job (each head's queries prepared once), the softmax over the
// latent cache per token (heads in groups, so a short batch still keeps every thread busy),
// then o = W^UV_h õ in one more job.
func (b *batch) attendSplit(li int, a *mla, T int) {
	c, p := b.m.Config, b.m.pool
	h, kvl, vd, qk := c.NumAttentionHeads, c.KVLoRARank, c.VHeadDim, c.QKHeadDim()
	qlat, olat := b.qlat[:T*h*kvl], b.olat[:T*h*kvl]
	for hh := range h {
		b.prepare(&b.headIn[hh], a.wkB, b.q[hh*qk:], T, h*qk)
		b.multi.addRows(a.wkB, hh*kvl, (hh+1)*kvl, qlat, h*kvl, &b.headIn[hh])
	}
	b.multi.run(p)
	// Groups of heads, a multiple of four where there are that many (latentSoftmax takes
	// four at a time), enough of them for every thread to have work.
	groups := min(h, max(1, (4*p.Threads()+T-1)/T))
	group := (h + groups - 1) / groups
	if h >= 4 {
		group = (group + 3) &^ 3
	}
	groups = (h + group - 1) / group
	j := &b.att
	*j = attnJob{b: b, a: a, li: li, T: T, latent: true, group: group, groups: groups}
	p.Run(j, T*groups, 1)
	*j = attnJob{}
	for hh := range h {
		b.prepare(&b.headIn[hh], a.wvB, olat[hh*kvl:], T, h*kvl)
		b.multi.addRows(a.wvB, hh*vd, (hh+1)*vd, b.attn, h*vd, &b.headIn[hh])
	}
	b.multi.run(p)
}

// attendLatent is the middle of attendSplit for row t and heads [h0, h1): scores of q̃
// (from b.qlat) and q_pe against the cached latents and rotary keys, softmax, and
// õ = Σ_j p_j c_j into b.olat.
func (b *batch) attendLatent(worker, li, t, h0, h1 int) {
	c := b.m.Config
	kvl, qk, h := c.KVLoRARank, c.QKHeadDim(), c.NumAttentionHeads
	r := t*h + h0
	b.latentSoftmax(&b.work[worker], li, t, b.qlat[r*kvl:], b.q[r*qk+c.QKNopeHeadDim:], qk, b.olat[r*kvl:], h1-h0)
}

// latentSoftmax is the heart of the absorbed attention for row t and nh heads (DeepSeek-V2
// §2.1.2, the reference's absorb branch): for each head, s_j = (q̃·c_j + q_pe·k_pe_j)·scale
// over the cached positions 0..pos (causal), softmax, õ = Σ_j softmax(s)_j c_j. Head i's q̃
// is qlat[i*kv_lora:], its q_pe qpe[i*qpeStride:], its õ olat[i*kv_lora:].
func (b *batch) latentSoftmax(ws *attnScratch, li, t int, qlat, qpe []float32, qpeStride int, olat []float32, nh int) {
	kvl := b.m.Config.KVLoRARank
	b.attendCached(ws, li, t, &headView{q: qlat, qStride: kvl, qpe: qpe, peStride: qpeStride, pe: kvl,
		out: olat, outStride: kvl, dim: kvl, n: nh})
}

// headView is where attendCached finds a group of heads: their queries and outputs in
// the batch's buffers, and their keys and values in each cached position's row. MLA's
// heads all read the latent c as key and value (key = val = 0, dim = kv_lora_rank), plus
// the rotary key at pe; a grouped-query head reads its key and value heads.
type headView struct {
	q, qpe, out                  []float32 // the first head's query, rotary query (nil for none) and output
	qStride, peStride, outStride int       // from one head's to the next's
	key, val, dim                int       // offsets of the key and the value in a cached row, and their width
	pe                           int       // offset of the rotary key (with qpe)
	n                            int       // heads
}

// attendCached is attention of v's heads for row t over the cached positions 0..pos
// (causal): s_j = (q·k_j [+ q_pe·k_pe_j])·scale, softmax, o = Σ_j softmax(s)_j v_j.
//
// The positions are taken a block at a time for all the heads, so each block of the cache
// is read from memory once per row, with the softmax kept online (running maximum and sum,
// as flash attention does).
func (b *batch) attendCached(ws *attnScratch, li, t int, v *headView) {
	c := b.m.Config
	cache := &b.seq(t).cache
	k := b.m.pool.kernels
	n := int(b.pos[t]) + 1 // causal
	nh, dim := v.n, v.dim
	mx, sum := ws.max[:nh], ws.sum[:nh]
	for i := range nh {
		mx[i], sum[i] = float32(math.Inf(-1)), 0
		clear(v.out[i*v.outStride:][:dim])
	}
	for j0 := 0; j0 < n; j0 += keyBlock {
		j1 := min(n, j0+keyBlock)
		i := 0
		// Four heads at a time share each cached row's loads; the rest one by one.
		for ; i+4 <= nh; i += 4 {
			// The block's rows lie cache.width apart: a block never straddles a page.
			span, n := cache.span(li, j0), j1-j0
			k.DotF32x4Block(ws.scores[i*keyBlock:], keyBlock, v.q[i*v.qStride:], v.qStride, span[v.key:], cache.width, n, dim)
			if v.qpe != nil {
				k.DotF32x4Block(ws.pe, keyBlock, v.qpe[i*v.peStride:], v.peStride, span[v.pe:], cache.width, n, c.QKRopeHeadDim)
			}
			for h := range 4 {
				sc := ws.scores[(i+h)*keyBlock:][:n]
				if v.qpe != nil {
					pe := ws.pe[h*keyBlock:][:n]
					for j := range sc {
						sc[j] += pe[j]
					}
				}
				for j := range sc {
					sc[j] *= b.m.scale
				}
			}
			for h := range 4 {
				sc := ws.scores[(i+h)*keyBlock:][:j1-j0]
				b.rescale(ws, v.out[(i+h)*v.outStride:][:dim], i+h, sc)
				sum[i+h] += expShifted(k, sc, mx[i+h])
			}
			k.AxpyF32x4Block(v.out[i*v.outStride:], v.outStride, ws.scores[i*keyBlock:], keyBlock, span[v.val:], cache.width, n, dim)
		}
		for ; i < nh; i++ {
			q := v.q[i*v.qStride:][:dim]
			sc := ws.scores[i*keyBlock:][:j1-j0]
			for j := j0; j < j1; j++ {
				row := cache.row(li, j)
				s := k.DotF32(q, row[v.key:v.key+dim])
				if v.qpe != nil {
					s += k.DotF32(v.qpe[i*v.peStride:][:c.QKRopeHeadDim], row[v.pe:v.pe+c.QKRopeHeadDim])
				}
				sc[j-j0] = s * b.m.scale
			}
			o := v.out[i*v.outStride:][:dim]
			b.rescale(ws, o, i, sc)
			sum[i] += expShifted(k, sc, mx[i])
			for j := j0; j < j1; j++ {
				k.AxpyF32(o, sc[j-j0], cache.row(li, j)[v.val:v.val+dim])
			}
		}
	}
	for i := range nh {
		scaleVec(v.out[i*v.outStride:][:dim], 1/sum[i])
	}
}

// rescale is the online softmax's step for head i before a block of scores sc: if the
// block holds a new maximum, the head's running sum and output o are scaled down to it.
func (b *batch) rescale(ws *attnScratch, o []float32, i int, sc []float32) {
	top := ws.max[i]
	for _, v := range sc {
		top = max(top, v)
	}
	if top > ws.max[i] && ws.sum[i] > 0 {
		f := float32(math.Exp(float64(ws.max[i] - top)))
		ws.sum[i] *= f
		scaleVec(o, f)
	}
	ws.max[i] = top
}

// expShifted sets x[i] = e^(x[i]-shift), vectorised with k, and returns their sum.
func expShifted(k quant.Kernels, x []float32, shift float32) float32 {
	for i := range x {
		x[i] -= shift
	}
	k.ExpF32(x)
	var sum float32
	for _, v := range x {
		sum += v
	}
	return sum
}

// scaleVec sets x *= f.
func scaleVec(x []float32, f float32) {
	for i := range x {
		x[i] *= f
	}
}

// absorbed is the weight-absorbed attention of one head for row t, with kv_b_proj (the
// split layout has attendSplit) (reference attn_impl
// "absorb"): the query is folded into latent space with W^UK, scores are taken against the
// cached latents directly, and the latent output is lifted with W^UV:
//
//	q̃ = W^UK_hᵀ q_nope;  s_j = (q̃·c_j + q_pe·k_pe_j)·scale;  o = W^UV_h (Σ_j softmax(s)_j c_j)
func (b *batch) absorbed(worker int, a *mla, li, t, hh int) {
	c := b.m.Config
	ws := &b.work[worker]
	nope, vd, qk := c.QKNopeHeadDim, c.VHeadDim, c.QKHeadDim()
	h := c.NumAttentionHeads
	q := b.q[(t*h+hh)*qk : (t*h+hh+1)*qk]
	base := hh * (nope + vd) // this head's first kv_b_proj row
	k := b.m.pool.kernels
	qlat := ws.qlat
	clear(qlat)
	for i := range nope {
		a.wkvB.Row(ws.row, base+i)
		k.AxpyF32(qlat, q[i], ws.row)
	}
	olat := ws.olat
	b.latentSoftmax(ws, li, t, qlat, q[nope:], qk, olat, 1)
	out := b.attn[(t*h+hh)*vd : (t*h+hh+1)*vd]
	ws.vin.Prepare(k, quant.F32, olat, 1, len(olat), len(olat))
	a.wkvB.MulInput(ws.vrows, 0, &ws.vin, base+nope, base+nope+vd)
	copy(out, ws.vrows[base+nope:base+nope+vd])
}

// attendNaive is the reference's naive attention over the latent cache, for one part of the
// batch: keys and values of every head are expanded with kv_b_proj, a tile of positions at a
// time, and folded into a running (online) softmax so memory stays bounded by the tile.
func (b *batch) attendNaive(li int, a *mla, pt *part) {
	c := b.m.Config
	h, vd := c.NumAttentionHeads, c.VHeadDim
	r0, r1 := pt.start*h, (pt.start+pt.n)*h
	online, acc := b.online[2*r0:2*r1], b.acc[r0*vd:r1*vd]
	for r := range r1 - r0 {
		online[2*r] = float32(math.Inf(-1))
		online[2*r+1] = 0
	}
	clear(acc)
	end := pt.s.pos + pt.n
	w := pt.s.cache.width
	j := &b.att
	tileCap := len(b.kvTile) / (h * (c.QKNopeHeadDim + vd))
	for tile := 0; tile < end; tile += tileCap {
		n := min(tileCap, end-tile)
		// [k_nope | v] for positions tile..tile+n-1 of every head: W^UKV · c_kv.
		x := pt.s.cache.span(li, tile)
		b.matmulStrided(a.wkvB, b.kvTile, a.wkvB.Rows(), x, w, n)
		*j = attnJob{b: b, a: a, li: li, naive: true, first: pt.start, tile: tile, n: n}
		b.m.pool.Run(j, pt.n*h, 1)
		*j = attnJob{}
	}
	for r := range r1 - r0 {
		inv := 1 / online[2*r+1]
		o := acc[r*vd : (r+1)*vd]
		dst := b.attn[(r0+r)*vd : (r0+r+1)*vd]
		for i := range o {
			dst[i] = o[i] * inv
		}
	}
}

// naiveTile folds positions tile..tile+n-1 into head hh of row t's running softmax.
func (b *batch) naiveTile(li, t, hh, tile, n int) {
	c := b.m.Config
	h, nope, vd, qk, kvl := c.NumAttentionHeads, c.QKNopeHeadDim, c.VHeadDim, c.QKHeadDim(), c.KVLoRARank
	r := t*h + hh
	q := b.q[r*qk : (r+1)*qk]
	cache := &b.seq(t).cache
	last := min(tile+n, int(b.pos[t])+1) // causal
	stride := h * (nope + vd)
	mx, sum := b.online[2*r], b.online[2*r+1]
	acc := b.acc[r*vd : (r+1)*vd]
	scale, k := b.m.scale, b.m.pool.kernels
	for j := tile; j < last; j++ {
		kv := b.kvTile[(j-tile)*stride+hh*(nope+vd):]
		kpe := cache.row(li, j)[kvl:]
		score := (k.DotF32(q[:nope], kv[:nope]) + k.DotF32(q[nope:], kpe)) * scale
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
		k.AxpyF32(acc, p, kv[nope:nope+vd])
	}
	b.online[2*r], b.online[2*r+1] = mx, sum
}
