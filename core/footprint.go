package core

import "github.com/deepgo/deepgo/quant"

// Footprint is how many weight bytes a model holds and how many one decoded token reads:
// the physical bound on decode speed is memory bandwidth ÷ DecodeBytes. A
// multi-token-prediction module, which plain decoding does not run, is not counted.
type Footprint struct {
	Total       int64 // every weight matrix
	Experts     int64 // the routed experts among them
	DecodeBytes int64 // read by one decode token: all but the routed experts, k of those per MoE layer, one embedding row
}

// Footprint returns the model's weight bytes.
func (m *Model) Footprint() Footprint {
	var f Footprint
	add := func(ws ...quant.Matrix) {
		for _, w := range ws {
			if w != nil {
				n := matrixBytes(w)
				f.Total += n
				f.DecodeBytes += n
			}
		}
	}
	add(m.head)
	f.Total += matrixBytes(m.embed)
	f.DecodeBytes += matrixBytes(m.embed) / int64(m.embed.Rows())
	k := int64(m.Config.NumExpertsPerTok)
	for i := range m.layers {
		l := &m.layers[i]
		a := &l.attn
		add(a.wq, a.wqA, a.wqB, a.wkvA, a.wkvB, a.wo, a.wkB, a.wvB)
		if l.mlp != nil {
			add(l.mlp.gate, l.mlp.up, l.mlp.down)
		}
		if e := l.moe; e != nil {
			add(e.gate)
			if e.shared != nil {
				add(e.shared.gate, e.shared.up, e.shared.down)
			}
			var per int64
			for _, x := range e.experts {
				n := matrixBytes(x.gate) + matrixBytes(x.up) + matrixBytes(x.down)
				f.Experts += n
				f.Total += n
				per = n
			}
			f.DecodeBytes += k * per
		}
	}
	return f
}

// matrixBytes is the size of w's stored elements (block scales included).
func matrixBytes(w quant.Matrix) int64 {
	t := w.DType()
	return int64(w.Rows()) * int64(w.Cols()) / int64(t.BlockSize()) * int64(t.BlockBytes())
}
