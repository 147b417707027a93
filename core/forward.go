package core

import "context"

// forward runs the batch's rows through the model (reference Transformer.forward and
// Block.forward), each at its own position in its own sequence:
//
//	x = embed(tokens)
//	for each layer: x += attn(attn_norm(x)); x += ffn(ffn_norm(x))
//	logits = head(norm(x))
//
// Each part's out receives the logits of its rows (all) or of its last row. ctx, if not
// nil, is checked between layers.
func (b *batch) forward(ctx context.Context) error {
	m, c := b.m, b.m.Config
	T, d := len(b.tokens), c.HiddenSize
	m.stats.tokens.Add(int64(T))
	m.stats.passes.Add(1)
	x := b.x[:T*d]
	for t, tok := range b.tokens {
		m.embed.Row(x[t*d:(t+1)*d], tok)
	}
	half := c.QKRopeHeadDim / 2
	for t := range T {
		m.rope.table(b.cos[t*half:(t+1)*half], b.sin[t*half:(t+1)*half], int(b.pos[t]))
	}
	eps := float32(c.RMSNormEps)
	for li := range m.layers {
		if ctx != nil {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		l := &m.layers[li]
		b.normRows(b.xn, x, l.attnNorm, eps, T, d)
		b.attention(li, &l.attn, T)
		addTo(x, b.proj[:T*d])

		b.normRows(b.xn, x, l.ffnNorm, eps, T, d)
		if l.mlp != nil {
			b.mlp(l.mlp, b.proj, b.xn, T)
		} else {
			b.moe(l.moe, T)
		}
		addTo(x, b.proj[:T*d])
	}
	b.head(x)
	return nil
}

// head computes the logits each part asks for: norm and lm_head over the rows wanted.
// With one part the rows go straight to its buffer; with several, the wanted rows are
// gathered, multiplied together (one pass over lm_head) and copied out.
func (b *batch) head(x []float32) {
	m, c := b.m, b.m.Config
	d, vocab, eps := c.HiddenSize, c.VocabSize, float32(c.RMSNormEps)
	rows, outs := 0, 0
	for _, p := range b.parts {
		if p.out != nil {
			rows += p.wanted()
			outs++
		}
	}
	switch outs {
	case 0:
		return
	case 1:
		for _, p := range b.parts {
			if p.out != nil {
				first := p.start + p.n - p.wanted()
				b.normRows(b.xn, x[first*d:], m.norm, eps, p.wanted(), d)
				b.matmul(m.head, p.out, b.xn, p.wanted())
			}
		}
		return
	}
	g := b.proj[:rows*d] // free until the next layer
	r := 0
	for _, p := range b.parts {
		if p.out != nil {
			first := p.start + p.n - p.wanted()
			r += copy(g[r*d:], x[first*d:(p.start+p.n)*d]) / d
		}
	}
	b.normRows(b.xn, g, m.norm, eps, rows, d)
	if cap(b.logits) < rows*vocab {
		b.logits = make([]float32, rows*vocab)
	}
	out := b.logits[:rows*vocab]
	b.matmul(m.head, out, b.xn, rows)
	r = 0
	for _, p := range b.parts {
		if p.out != nil {
			r += copy(p.out, out[r*vocab:(r+p.wanted())*vocab]) / vocab
		}
	}
}

// wanted is how many of the part's rows need logits.
func (p *part) wanted() int {
	if p.all {
		return p.n
	}
	return 1
}

func addTo(x, y []float32) {
	y = y[:len(x)]
	for i := range x {
		x[i] += y[i]
	}
}

// normJob applies RMSNorm to T rows in parallel.
type normJob struct {
	dst, x, w []float32
	eps       float32
	d         int
}

func (j *normJob) Run(_, lo, hi int) {
	for t := lo; t < hi; t++ {
		rmsNorm(j.dst[t*j.d:(t+1)*j.d], j.x[t*j.d:(t+1)*j.d], j.w, j.eps)
	}
}

// normRows sets dst[t] = RMSNorm(x[t]) · w for T rows of width d.
func (b *batch) normRows(dst, x, w []float32, eps float32, T, d int) {
	j := &b.norm
	*j = normJob{dst: dst, x: x, w: w, eps: eps, d: d}
	b.m.pool.Run(j, T, 1)
	*j = normJob{}
}
