package core

import (
	"context"

	"github.com/deepgo/deepgo/quant"
)

// forward runs the batch's rows through the model (reference Transformer.forward and
// Block.forward), each at its own position in its own sequence:
//
//	x = embed(tokens)
//	for each layer: x += attn(attn_norm(x)); x += ffn(ffn_norm(x))
//	logits = head(norm(x))
//
// Each part's out receives the logits of its rows (all) or of its last row, and its hidden,
// if set, the same rows of norm(x). ctx, if not nil, is checked between layers.
func (b *batch) forward(ctx context.Context) error {
	m, c := b.m, b.m.Config
	T, d := len(b.tokens), c.HiddenSize
	m.stats.tokens.Add(int64(T))
	m.stats.passes.Add(1)
	x := b.x[:T*d]
	for t, tok := range b.tokens {
		m.embed.Row(x[t*d:(t+1)*d], tok)
	}
	b.ropeRows(T)
	for li := range m.layers {
		if ctx != nil {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b.block(li, &m.layers[li], x, T)
	}
	b.head(x, m.norm, m.head)
	return nil
}

// ropeRows fills the rotary tables of the batch's T rows, each at its position.
func (b *batch) ropeRows(T int) {
	half := b.m.Config.ropeDim() / 2
	for t := range T {
		b.m.rope.table(b.cos[t*half:(t+1)*half], b.sin[t*half:(t+1)*half], int(b.pos[t]))
	}
}

// block runs T rows of the residual stream x through one transformer block (reference
// Block.forward): x += attn(attn_norm(x)); x += ffn(ffn_norm(x)). Attention keeps its
// latent entries in layer li of each row's sequence's cache.
func (b *batch) block(li int, l *layer, x []float32, T int) {
	c := b.m.Config
	d, eps := c.HiddenSize, float32(c.RMSNormEps)
	b.normRows(b.xn, x, l.attnNorm, eps, T, d)
	if l.gqa != nil {
		b.attendGQA(li, l.gqa, T)
	} else {
		b.attention(li, &l.attn, T)
	}
	addTo(x, b.proj[:T*d])

	b.normRows(b.xn, x, l.ffnNorm, eps, T, d)
	if l.mlp != nil {
		b.mlp(l.mlp, b.proj, b.xn, T)
	} else {
		b.moe(l.moe, T)
	}
	addTo(x, b.proj[:T*d])
}

// head computes the logits each part asks for: the final norm and the output matrix over
// the rows wanted (and copies the normed rows to the part's hidden, if set). With one
// part the rows go straight to its buffer; with several, the wanted rows are gathered,
// multiplied together (one pass over the output matrix) and copied out.
func (b *batch) head(x, norm []float32, head quant.Matrix) {
	c := b.m.Config
	d, vocab, eps := c.HiddenSize, c.VocabSize, float32(c.RMSNormEps)
	for _, p := range b.parts {
		if p.allHidden && p.hidden != nil {
			b.normRows(p.hidden, x[p.start*d:], norm, eps, p.n, d)
		}
	}
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
				b.normRows(b.xn, x[first*d:], norm, eps, p.wanted(), d)
				if p.hidden != nil && !p.allHidden {
					copy(p.hidden, b.xn[:p.wanted()*d])
				}
				single := 0
				if p.start >= len(b.tokens)-b.exact {
					single = p.wanted()
				}
				b.matmulSingle(head, p.out, head.Rows(), b.xn, d, p.wanted(), single)
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
	b.normRows(b.xn, g, norm, eps, rows, d)
	if cap(b.logits) < rows*vocab {
		b.logits = make([]float32, rows*vocab)
	}
	out := b.logits[:rows*vocab]
	// The decoding parts are the last, so their rows are the last gathered.
	single := 0
	for _, p := range b.parts {
		if p.out != nil && p.start >= len(b.tokens)-b.exact {
			single += p.wanted()
		}
	}
	b.matmulSingle(head, out, head.Rows(), b.xn, d, rows, single)
	r = 0
	for _, p := range b.parts {
		if p.out != nil {
			if p.hidden != nil && !p.allHidden {
				copy(p.hidden, b.xn[r*d:(r+p.wanted())*d])
			}
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
