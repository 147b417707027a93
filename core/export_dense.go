package core

import (
	"math"

	"github.com/deepgo/deepgo/quant"
)

// GGUFArchitecture is the config's llama.cpp general.architecture: deepseek2, qwen2, llama
// or qwen3.
func (c *Config) GGUFArchitecture() string {
	f := c.Family()
	for _, x := range families {
		if x.family == f {
			return x.gguf
		}
	}
	return "deepseek2"
}

// exportDense lists a dense model's tensors as llama.cpp's converter writes a qwen2, llama
// or qwen3 file: rope_freqs.weight first when Llama-3's scaling applies (the converter's
// generated tensor), then token_embd, each block (attn_norm, attn_q/k/v with their biases,
// attn_output, Qwen3's attn_q_norm/attn_k_norm, ffn_norm, ffn_gate/up/down), output_norm,
// and output unless the embeddings are tied. Llama's q and k rows (and biases) are permuted
// from rotate-half order to the adjacent pairs llama.cpp's llama graph rotates, as its
// converter does, unless the model came from such a file.
func (m *Model) exportDense() []ExportTensor {
	c := m.Config
	var ts []ExportTensor
	mat := func(name string, w quant.Matrix) { ts = append(ts, exportMatrix(name, w)) }
	vec := func(name string, v []float32) { ts = append(ts, exportVector(name, v)) }
	hd := c.HeadDim
	permute := c.Family() == FamilyLlama && m.ropeHalf
	// A permuted projection is written one head (hd rows) per part.
	headMat := func(name string, w quant.Matrix) {
		if !permute {
			mat(name, w)
			return
		}
		cols := w.Cols()
		ts = append(ts, ExportTensor{Name: name, Ne: []int64{int64(cols), int64(w.Rows())}, Parts: w.Rows() / hd, Matrix: true,
			Fill: func(dst []float32, p int) {
				for r := range hd {
					w.Row(dst[r*cols:(r+1)*cols], p*hd+halfToPair(r, hd))
				}
			}})
	}
	headVec := func(name string, v []float32) {
		if !permute {
			vec(name, v)
			return
		}
		ts = append(ts, ExportTensor{Name: name, Ne: []int64{int64(len(v))}, Parts: 1,
			Fill: func(dst []float32, _ int) {
				for i := range dst {
					dst[i] = v[i/hd*hd+halfToPair(i%hd, hd)]
				}
			}})
	}
	if f := m.exportRopeFreqs(); f != nil {
		vec(ggufRopeFreqs, f)
	}
	mat(ggufName(wEmbed, -1), m.embed)
	for i := range m.layers {
		l := &m.layers[i]
		a := l.gqa
		vec(ggufName(wAttnNorm, i), l.attnNorm)
		headMat(ggufName(wQ, i), a.wq)
		if a.bq != nil {
			headVec(ggufName(wQBias, i), a.bq)
		}
		headMat(ggufName(wK, i), a.wk)
		if a.bk != nil {
			headVec(ggufName(wKBias, i), a.bk)
		}
		mat(ggufName(wV, i), a.wv)
		if a.bv != nil {
			vec(ggufName(wVBias, i), a.bv)
		}
		mat(ggufName(wO, i), a.wo)
		if a.bo != nil {
			vec(ggufName(wOBias, i), a.bo)
		}
		if a.qNorm != nil {
			vec(ggufName(wQNorm, i), a.qNorm)
			vec(ggufName(wKNorm, i), a.kNorm)
		}
		vec(ggufName(wFFNNorm, i), l.ffnNorm)
		mat(ggufName(wGate, i), l.mlp.gate)
		mat(ggufName(wUp, i), l.mlp.up)
		mat(ggufName(wDown, i), l.mlp.down)
	}
	vec(ggufName(wNorm, -1), m.norm)
	if !m.headTied {
		mat(ggufName(wHead, -1), m.head)
	}
	return ts
}

// halfToPair is the rotate-half row that lands at row r of a head of hd rows in
// llama.cpp's adjacent-pair order: row 2j+s takes row s·hd/2+j (the converter's permute:
// view the head as [2, hd/2], swap the axes).
func halfToPair(r, hd int) int { return r%2*(hd/2) + r/2 }

// exportRopeFreqs is llama.cpp's rope_freqs.weight for the model, nil for none: the
// factors the model's file carried, or those llama.cpp's converter computes from a Llama-3
// rope_scaling (in float32 and in its order of operations: 1 for short wavelengths, factor
// for long ones, and 1/((1-s)/factor + s) between).
func (m *Model) exportRopeFreqs() []float32 {
	if m.ropeFreqs != nil {
		return m.ropeFreqs
	}
	c := m.Config
	rs := c.RopeScaling
	if !c.Dense() || rs == nil || rs.kind() != "llama3" {
		return nil
	}
	dim := c.HeadDim
	orig := float32(rs.OriginalMaxPositionEmbeddings)
	low, high := float32(rs.LowFreqFactor), float32(rs.HighFreqFactor)
	factor := float32(rs.Factor)
	lowWave, highWave := orig/low, orig/high
	out := make([]float32, dim/2)
	recip := func(x float32) float32 { return 1 / x } // PyTorch's scalar / tensor: reciprocal, then a product
	for i := range out {
		freq := recip(float32(math.Pow(float64(float32(c.RopeTheta)), float64(float32(2*i)/float32(dim)))))
		wave := recip(freq) * float32(2*math.Pi)
		switch {
		case wave < highWave:
			out[i] = 1
		case wave > lowWave:
			out[i] = factor
		default:
			s := (float32(recip(wave)*orig) - low) / (high - low) // rounded before the subtraction: no fused multiply-add
			out[i] = recip((1-s)/factor + s)
		}
	}
	return out
}

// denseGGUFMetadata is a dense model's architecture as llama.cpp's converter writes it for
// qwen2, llama and qwen3: its base keys, key_length/value_length where the head size is not
// hidden_size / num_attention_heads (and always for Qwen3, whose config.json always gives
// head_dim), Llama's vocab_size and rope.dimension_count, and YaRN's rope.scaling keys.
// Llama-3's scaling is no key but the rope_freqs tensor (Export).
func (c *Config) denseGGUFMetadata() [][2]any {
	arch := c.GGUFArchitecture()
	p := arch + "."
	kv := [][2]any{
		{"general.architecture", arch},
		{"general.type", "model"},
		{p + "block_count", uint32(c.NumHiddenLayers)},
		{p + "context_length", uint32(c.MaxPositions)},
		{p + "embedding_length", uint32(c.HiddenSize)},
		{p + "feed_forward_length", uint32(c.IntermediateSize)},
		{p + "attention.head_count", uint32(c.NumAttentionHeads)},
		{p + "attention.head_count_kv", uint32(c.NumKeyValueHeads)},
		{p + "rope.freq_base", float32(c.RopeTheta)},
		{p + "attention.layer_norm_rms_epsilon", float32(c.RMSNormEps)},
	}
	if c.Family() == FamilyQwen3 || c.HeadDim*c.NumAttentionHeads != c.HiddenSize {
		kv = append(kv, [2]any{p + "attention.key_length", uint32(c.HeadDim)},
			[2]any{p + "attention.value_length", uint32(c.HeadDim)})
	}
	if c.Family() == FamilyLlama {
		kv = append(kv, [2]any{p + "vocab_size", uint32(c.VocabSize)},
			[2]any{p + "rope.dimension_count", uint32(c.HeadDim)})
	}
	if rs := c.RopeScaling; rs != nil && rs.kind() == "yarn" {
		// llama.cpp scales cos and sin by 0.1·ln(factor)+1 times attn_factor: the attn_factor
		// that gives the model's own attention factor (yarnAttentionFactor), so that the file
		// computes what the checkpoint does.
		kv = append(kv, [2]any{p + "rope.scaling.type", "yarn"},
			[2]any{p + "rope.scaling.factor", float32(rs.Factor)},
			[2]any{p + "rope.scaling.original_context_length", uint32(rs.OriginalMaxPositionEmbeddings)},
			[2]any{p + "rope.scaling.attn_factor", float32(yarnAttentionFactor(rs) / yarnMScale(rs.Factor, 1))},
			[2]any{p + "rope.scaling.yarn_beta_fast", float32(rs.BetaFast)},
			[2]any{p + "rope.scaling.yarn_beta_slow", float32(rs.BetaSlow)})
	}
	return kv
}
