package core

import "github.com/deepgo/deepgo/quant"

// mlp is a SwiGLU feed-forward block: down(silu(gate(x)) ⊙ up(x)) (reference MLP and Expert:
// w2(silu(w1(x)) * w3(x))). Dense layers, routed experts and shared experts all use it.
type mlp struct {
	gate, up, down quant.Matrix // w1 [inter, hidden], w3 [inter, hidden], w2 [hidden, inter]
}

// mlp sets out[t] = f(x[t]) for n rows of x.
func (s *Sequence) mlp(f *mlp, out, x []float32, n int) {
	p, b := s.m.pool, &s.b
	inter := f.gate.Rows()
	g, u := b.gate[:n*inter], b.up[:n*inter]
	p.matmul(&b.mat, &b.in, f.gate, g, x, n)
	p.matmul(&b.mat, &b.in, f.up, u, x, n)
	for i := range g {
		g[i] = silu(g[i]) * u[i]
	}
	p.matmul(&b.mat, &b.in, f.down, out, g, n)
}
