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
	// The multi-token-prediction module's own weights (mtp.go), at layer num_hidden_layers.
	wMTPEmbed    // embed_tokens
	wMTPENorm    // enorm
	wMTPHNorm    // hnorm
	wMTPEHProj   // eh_proj
	wMTPHeadNorm // shared_head.norm
	wMTPHead     // shared_head.head
	// Grouped-query attention (gqa.go); wQ and wO are q_proj and o_proj.
	wK     // k_proj
	wV     // v_proj
	wQBias // q_proj.bias
	wKBias
	wVBias
	wOBias
	wQNorm // q_norm (Qwen3)
	wKNorm // k_norm
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

// bind looks up every weight the config needs and checks its shape; then the
// multi-token-prediction module's, if the files hold it (mtp.go).
func (m *Model) bind(src weightSource) error {
	c := m.Config
	b := &binder{src: src, c: c}
	hasMTP := mtpPresent(src, c)
	layers := c.NumHiddenLayers
	if hasMTP {
		layers++
	}
	m.embed = b.mat(wEmbed, -1, c.VocabSize, c.HiddenSize)
	m.norm = b.vec(wNorm, -1, c.HiddenSize)
	if src.has(wHead, -1) || !c.TieWordEmbeddings {
		m.head = b.mat(wHead, -1, c.VocabSize, c.HiddenSize)
	} else {
		m.head, m.headTied = m.embed, true
	}
	m.layers = make([]layer, c.NumHiddenLayers)
	m.residency = newExpertResidency(c, layers)
	for i := range m.layers {
		m.layers[i] = b.layer(i, m.residency)
		if b.err != nil {
			return b.err
		}
	}
	// From here on the config counts the modules the model has: 0, or the one loaded.
	c.NumNextNPredictLayers = 0
	if hasMTP {
		m.mtp = b.mtp(c.NumHiddenLayers, m.residency)
		c.NumNextNPredictLayers = 1
	}
	return b.err
}

// binder binds weights from a source, keeping the first error: after one, every call
// returns nil.
type binder struct {
	src weightSource
	c   *Config
	err error
}

// mat binds a [rows, cols] weight of a layer (-1 for the model's own).
func (b *binder) mat(w weight, layer, rows, cols int) quant.Matrix {
	if b.err != nil {
		return nil
	}
	q, _, err := b.src.matrix(w, layer, 0, 0, rows, cols)
	b.err = err
	return q
}

// vec copies a 1-D weight of n values.
func (b *binder) vec(w weight, layer, n int) []float32 {
	if b.err != nil {
		return nil
	}
	v, err := b.src.vector(w, layer, n)
	b.err = err
	return v
}

// mlp binds a gate/up/down triple (expert e of n, for routed experts); data, if not nil,
// receives their bytes in the mapping.
func (b *binder) mlp(gate, up, down weight, layer, e, n, inter int, data *[3][]byte) *mlp {
	d := b.c.HiddenSize
	f := &mlp{}
	for i, x := range []struct {
		w          weight
		dst        *quant.Matrix
		rows, cols int
	}{{gate, &f.gate, inter, d}, {up, &f.up, inter, d}, {down, &f.down, d, inter}} {
		if b.err == nil {
			var data1 []byte
			*x.dst, data1, b.err = b.src.matrix(x.w, layer, e, n, x.rows, x.cols)
			if data != nil {
				data[i] = data1
			}
		}
	}
	return f
}

// layer binds transformer block i: its attention, and a dense MLP or DeepSeekMoE as the
// config says. The routed experts' bytes are recorded in r, which gets the layer's MoE.
func (b *binder) layer(i int, r *expertResidency) layer {
	c := b.c
	d := c.HiddenSize
	h, nope, vd, kvl := c.NumAttentionHeads, c.QKNopeHeadDim, c.VHeadDim, c.KVLoRARank
	var l layer
	l.attnNorm = b.vec(wAttnNorm, i, d)
	l.ffnNorm = b.vec(wFFNNorm, i, d)
	if c.Dense() {
		l.gqa = b.gqa(i)
		l.mlp = b.mlp(wGate, wUp, wDown, i, 0, 0, c.IntermediateSize, nil)
		return l
	}
	a := &l.attn
	if c.QLoRARank > 0 {
		a.wqA = b.mat(wQA, i, c.QLoRARank, d)
		a.qNorm = b.vec(wQANorm, i, c.QLoRARank)
		a.wqB = b.mat(wQB, i, h*c.QKHeadDim(), c.QLoRARank)
	} else {
		a.wq = b.mat(wQ, i, h*c.QKHeadDim(), d)
	}
	a.wkvA = b.mat(wKVA, i, kvl+c.QKRopeHeadDim, d)
	a.kvNorm = b.vec(wKVANorm, i, kvl)
	if b.src.has(wKB, i) && !b.src.has(wKVB, i) {
		a.wkB = b.mat(wKB, i, h*kvl, nope)
		a.wvB = b.mat(wVB, i, h*vd, kvl)
	} else {
		a.wkvB = b.mat(wKVB, i, h*(nope+vd), kvl)
	}
	a.wo = b.mat(wO, i, d, h*vd)
	if !c.IsMoELayer(i) {
		l.mlp = b.mlp(wGate, wUp, wDown, i, 0, 0, c.IntermediateSize, nil)
		return l
	}
	e := &moe{gate: b.mat(wRouter, i, c.NRoutedExperts, d)}
	if c.TopKMethod == "noaux_tc" {
		e.bias = b.vec(wRouterBias, i, c.NRoutedExperts)
	}
	e.experts = make([]*mlp, c.NRoutedExperts)
	for j := range e.experts {
		e.experts[j] = b.mlp(wExpGate, wExpUp, wExpDown, i, j, c.NRoutedExperts, c.MoEIntermediateSize, r.data(i, j))
	}
	r.moes[i] = e
	if c.NSharedExperts > 0 {
		e.shared = b.mlp(wShGate, wShUp, wShDown, i, 0, 0, c.NSharedExperts*c.MoEIntermediateSize, nil)
	}
	l.moe = e
	return l
}

// gqa binds the grouped-query attention of dense layer i: the biases its family has
// (Qwen2: q, k, v; attention_bias: q, k, v and o) and Qwen3's head norms.
func (b *binder) gqa(i int) *gqa {
	c := b.c
	d, h, kvh, hd := c.HiddenSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim
	a := &gqa{
		wq: b.mat(wQ, i, h*hd, d), wk: b.mat(wK, i, kvh*hd, d), wv: b.mat(wV, i, kvh*hd, d),
		wo: b.mat(wO, i, d, h*hd),
	}
	if c.AttentionBias {
		a.bq, a.bk, a.bv = b.vec(wQBias, i, h*hd), b.vec(wKBias, i, kvh*hd), b.vec(wVBias, i, kvh*hd)
		// Qwen2's o_proj has no bias; Llama's and Qwen3's have one with attention_bias.
		if c.Family() != FamilyQwen2 {
			a.bo = b.vec(wOBias, i, d)
		}
	}
	if c.Family() == FamilyQwen3 {
		a.qNorm, a.kNorm = b.vec(wQNorm, i, hd), b.vec(wKNorm, i, hd)
	}
	return a
}
