package core

import "github.com/deepgo/deepgo/quant"

// weight names one tensor of the model by its role; each file format maps roles to its own
// tensor names (Hugging Face safetensors, llama.cpp GGUF).
type weight int

const (
	wEmbed weight = iota
	wNorm
	wHead
	wAttnNorm
	wFFNNorm
	wQ       // q_proj, without q LoRA
	wQA      // q_a_proj
	wQANorm  // q_a_layernorm
	wQB      // q_b_proj
	wKVA     // kv_a_proj_with_mqa
	wKVANorm // kv_a_layernorm
	wKVB     // kv_b_proj
	wKB      // attn_k_b: the split GGUF layout of kv_b_proj's key half, per head transposed
	wVB      // attn_v_b: its value half
	wO       // o_proj
	wGate    // dense MLP
	wUp
	wDown
	wRouter     // mlp.gate
	wRouterBias // e_score_correction_bias
	wExpGate    // routed expert e
	wExpUp
	wExpDown
	wShGate // shared experts
	wShUp
	wShDown
)

// weightSource resolves weights in one file format.
type weightSource interface {
	has(w weight, layer int) bool
	// matrix binds a [rows, cols] weight of a layer (-1 for the model's own); for routed
	// experts, expert e of n. It also returns the weight's bytes in the mapping.
	matrix(w weight, layer, e, n, rows, cols int) (quant.Matrix, []byte, error)
	// vector copies a 1-D weight of n values to the heap as float32.
	vector(w weight, layer, n int) ([]float32, error)
}

// bind looks up every weight the config needs and checks its shape.
func (m *Model) bind(src weightSource) error {
	c := m.Config
	d := c.HiddenSize
	var err error
	mat := func(w weight, layer, rows, cols int) quant.Matrix {
		if err != nil {
			return nil
		}
		var q quant.Matrix
		q, _, err = src.matrix(w, layer, 0, 0, rows, cols)
		return q
	}
	vec := func(w weight, layer, n int) []float32 {
		if err != nil {
			return nil
		}
		var v []float32
		v, err = src.vector(w, layer, n)
		return v
	}
	// mlpOf binds a gate/up/down triple; data receives their bytes in the mapping.
	mlpOf := func(gate, up, down weight, layer, e, n, inter int, data *[3][]byte) *mlp {
		f := &mlp{}
		for i, x := range []struct {
			w          weight
			dst        *quant.Matrix
			rows, cols int
		}{{gate, &f.gate, inter, d}, {up, &f.up, inter, d}, {down, &f.down, d, inter}} {
			if err == nil {
				var b []byte
				*x.dst, b, err = src.matrix(x.w, layer, e, n, x.rows, x.cols)
				if data != nil {
					data[i] = b
				}
			}
		}
		return f
	}

	m.embed = mat(wEmbed, -1, c.VocabSize, d)
	m.norm = vec(wNorm, -1, d)
	if src.has(wHead, -1) || !c.TieWordEmbeddings {
		m.head = mat(wHead, -1, c.VocabSize, d)
	} else {
		m.head = m.embed
	}
	m.layers = make([]layer, c.NumHiddenLayers)
	m.residency = newExpertResidency(c)
	h, nope, vd, kvl := c.NumAttentionHeads, c.QKNopeHeadDim, c.VHeadDim, c.KVLoRARank
	for i := range m.layers {
		l := &m.layers[i]
		l.attnNorm = vec(wAttnNorm, i, d)
		l.ffnNorm = vec(wFFNNorm, i, d)
		a := &l.attn
		if c.QLoRARank > 0 {
			a.wqA = mat(wQA, i, c.QLoRARank, d)
			a.qNorm = vec(wQANorm, i, c.QLoRARank)
			a.wqB = mat(wQB, i, h*c.QKHeadDim(), c.QLoRARank)
		} else {
			a.wq = mat(wQ, i, h*c.QKHeadDim(), d)
		}
		a.wkvA = mat(wKVA, i, kvl+c.QKRopeHeadDim, d)
		a.kvNorm = vec(wKVANorm, i, kvl)
		if src.has(wKB, i) && !src.has(wKVB, i) {
			a.wkB = mat(wKB, i, h*kvl, nope)
			a.wvB = mat(wVB, i, h*vd, kvl)
		} else {
			a.wkvB = mat(wKVB, i, h*(nope+vd), kvl)
		}
		a.wo = mat(wO, i, d, h*vd)
		if !c.IsMoELayer(i) {
			l.mlp = mlpOf(wGate, wUp, wDown, i, 0, 0, c.IntermediateSize, nil)
			continue
		}
		e := &moe{gate: mat(wRouter, i, c.NRoutedExperts, d)}
		if c.TopKMethod == "noaux_tc" {
			e.bias = vec(wRouterBias, i, c.NRoutedExperts)
		}
		e.experts = make([]*mlp, c.NRoutedExperts)
		for j := range e.experts {
			e.experts[j] = mlpOf(wExpGate, wExpUp, wExpDown, i, j, c.NRoutedExperts, c.MoEIntermediateSize,
				m.residency.data(i, j))
		}
		m.residency.moes[i] = e
		if c.NSharedExperts > 0 {
			e.shared = mlpOf(wShGate, wShUp, wShDown, i, 0, 0, c.NSharedExperts*c.MoEIntermediateSize, nil)
		}
		l.moe = e
		if err != nil {
			return err
		}
	}
	return err
}
