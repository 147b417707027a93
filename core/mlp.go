package core

import "github.com/deepgo/deepgo/quant"

// mlp is a SwiGLU feed-forward block: down(silu(gate(x)) ⊙ up(x)) (reference MLP and Expert:
// w2(silu(w1(x)) * w3(x))). Dense layers, routed experts and shared experts all use it.
type mlp struct {
	gate, up, down quant.Matrix // w1 [inter, hidden], w3 [inter, hidden], w2 [hidden, inter]
}

// mlp sets out[t] = f(x[t]) for n rows of x: gate and up in one pool job on one prepared
// input, then down.
func (b *batch) mlp(f *mlp, out, x []float32, n int) {
	p := b.m.pool
	inter := f.gate.Rows()
	g, u := b.gate[:n*inter], b.up[:n*inter]
	b.prepare(&b.in, f.gate, x, n, f.gate.Cols())
	b.multi.add(f.gate, g, inter, &b.in)
	b.multi.addShared(p, f.up, u, inter, &b.in, f.gate, &b.in2, x, n)
	b.multi.run(p)
	p.kernels.SwiGLU(g, u)
	b.matmul(f.down, out, g, n)
}
