package core

import "context"

// forward runs one chunk of T ≤ batch tokens at positions pos..pos+T-1 through the model
// (reference Transformer.forward and Block.forward):
//
//	x = embed(tokens)
//	for each layer: x += attn(attn_norm(x)); x += ffn(ffn_norm(x))
//	logits = head(norm(x))
//
// out receives the logits of every token when all is set, of the last one otherwise,
// and nothing when out is nil.
func (s *Sequence) forward(ctx context.Context, tokens []int, out []float32, all bool) error {
	m, c, b := s.m, s.m.Config, &s.b
	T, d := len(tokens), c.HiddenSize
	m.stats.tokens.Add(int64(T))
	x := b.x[:T*d]
	for t, tok := range tokens {
		m.embed.Row(x[t*d:(t+1)*d], tok)
	}
	half := c.QKRopeHeadDim / 2
	for t := range T {
		m.rope.table(b.cos[t*half:(t+1)*half], b.sin[t*half:(t+1)*half], s.pos+t)
	}
	eps := float32(c.RMSNormEps)
	for li := range m.layers {
		if err := ctx.Err(); err != nil {
			return err
		}
		l := &m.layers[li]
		s.normRows(b.xn, x, l.attnNorm, eps, T, d)
		s.attention(li, &l.attn, T)
		addTo(x, b.proj[:T*d])

		s.normRows(b.xn, x, l.ffnNorm, eps, T, d)
		if l.mlp != nil {
			s.mlp(l.mlp, b.proj, b.xn, T)
		} else {
			s.moe(l.moe, T)
		}
		addTo(x, b.proj[:T*d])
	}
	s.pos += T
	if out == nil {
		return nil
	}
	first := 0
	if !all {
		first = T - 1
	}
	n := T - first
	s.normRows(b.xn, x[first*d:], m.norm, eps, n, d)
	s.matmul(m.head, out, b.xn, n)
	return nil
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
func (s *Sequence) normRows(dst, x, w []float32, eps float32, T, d int) {
	j := &s.b.norm
	*j = normJob{dst: dst, x: x, w: w, eps: eps, d: d}
	s.m.pool.Run(j, T, 1)
	*j = normJob{}
}
