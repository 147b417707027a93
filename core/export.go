package core

import (
	"fmt"
	"strings"

	"github.com/deepgo/deepgo/quant"
)

// ExportTensor is one tensor of an opened model in llama.cpp's GGUF layout (deepseek2, or
// qwen2 / llama / qwen3 for the dense families), for
// converters: its GGUF name, its ne (ne0 first) and a way to read its values as float32,
// one part at a time (an expert of a stacked expert tensor, or a run of whole rows).
type ExportTensor struct {
	Name  string
	Ne    []int64
	Parts int
	// Matrix is true for weight matrices (what quantization applies to); false for norms,
	// biases and the router, which llama.cpp keeps in F32.
	Matrix bool
	// Fill writes part p's values (Elements()/Parts of them, ne0 fastest) into dst.
	Fill func(dst []float32, p int)
}

// Elements is the number of values of the tensor.
func (t ExportTensor) Elements() int64 {
	n := int64(1)
	for _, d := range t.Ne {
		n *= d
	}
	return n
}

// exportMatrix is a weight matrix as an ExportTensor, read in parts of whole rows.
func exportMatrix(name string, w quant.Matrix) ExportTensor {
	rows, cols := w.Rows(), w.Cols()
	parts := rowParts(rows, cols)
	per := rows / parts
	return ExportTensor{Name: name, Ne: []int64{int64(cols), int64(rows)}, Parts: parts, Matrix: true,
		Fill: func(dst []float32, p int) { fillRows(dst, w, p*per, (p+1)*per) }}
}

// exportVector is a 1-D weight (a norm, a bias) as an ExportTensor, kept in F32.
func exportVector(name string, v []float32) ExportTensor {
	return ExportTensor{Name: name, Ne: []int64{int64(len(v))}, Parts: 1,
		Fill: func(dst []float32, _ int) { copy(dst, v) }}
}

// rowParts splits a [rows, cols] matrix into equal parts of whole rows of about 32 MB of
// float32 each, so converters hold a bounded buffer whatever the tensor's size.
func rowParts(rows, cols int) int {
	target := max(1, rows*cols*4/(32<<20))
	for p := target; p < rows; p++ {
		if rows%p == 0 {
			return p
		}
	}
	return rows
}

// Export lists the model's tensors in llama.cpp's deepseek2 order and naming, with MLA's
// kv_b_proj split into attn_k_b (W^UK per head, transposed) and attn_v_b as llama.cpp writes it.
// A multi-token-prediction module follows the main layers as block num_hidden_layers: its
// block's usual tensors, then its own blk.N.nextn.* (eh_proj, enorm, hnorm, and the
// embed_tokens, shared_head_norm and shared_head_head the files had). A dense model is
// listed in its own architecture's layout (exportDense).
func (m *Model) Export() []ExportTensor {
	c := m.Config
	if c.Dense() {
		return m.exportDense()
	}
	var ts []ExportTensor
	mat := func(name string, w quant.Matrix) { ts = append(ts, exportMatrix(name, w)) }
	vec := func(name string, v []float32) { ts = append(ts, exportVector(name, v)) }
	mat(ggufName(wEmbed, -1), m.embed)
	h, nope, vd, kvl := c.NumAttentionHeads, c.QKNopeHeadDim, c.VHeadDim, c.KVLoRARank
	block := func(i int, l *layer) {
		a := &l.attn
		vec(ggufName(wAttnNorm, i), l.attnNorm)
		if a.wq != nil {
			mat(ggufName(wQ, i), a.wq)
		} else {
			mat(ggufName(wQA, i), a.wqA)
			vec(ggufName(wQANorm, i), a.qNorm)
			mat(ggufName(wQB, i), a.wqB)
		}
		mat(ggufName(wKVA, i), a.wkvA)
		vec(ggufName(wKVANorm, i), a.kvNorm)
		if a.wkvB != nil {
			w := a.wkvB
			ts = append(ts, ExportTensor{Name: ggufName(wKB, i), Ne: []int64{int64(nope), int64(kvl), int64(h)}, Parts: 1, Matrix: true,
				Fill: func(dst []float32, _ int) {
					row := make([]float32, kvl)
					for hh := range h {
						for d := range nope {
							w.Row(row, hh*(nope+vd)+d)
							for cc, x := range row {
								dst[(hh*kvl+cc)*nope+d] = x
							}
						}
					}
				}})
			ts = append(ts, ExportTensor{Name: ggufName(wVB, i), Ne: []int64{int64(kvl), int64(vd), int64(h)}, Parts: 1, Matrix: true,
				Fill: func(dst []float32, _ int) {
					for hh := range h {
						for j := range vd {
							w.Row(dst[(hh*vd+j)*kvl:(hh*vd+j+1)*kvl], hh*(nope+vd)+nope+j)
						}
					}
				}})
		} else {
			ts = append(ts,
				ExportTensor{Name: ggufName(wKB, i), Ne: []int64{int64(nope), int64(kvl), int64(h)}, Parts: 1, Matrix: true,
					Fill: func(dst []float32, _ int) { fillRows(dst, a.wkB, 0, a.wkB.Rows()) }},
				ExportTensor{Name: ggufName(wVB, i), Ne: []int64{int64(kvl), int64(vd), int64(h)}, Parts: 1, Matrix: true,
					Fill: func(dst []float32, _ int) { fillRows(dst, a.wvB, 0, a.wvB.Rows()) }})
		}
		mat(ggufName(wO, i), a.wo)
		vec(ggufName(wFFNNorm, i), l.ffnNorm)
		if l.mlp != nil {
			mat(ggufName(wGate, i), l.mlp.gate)
			mat(ggufName(wUp, i), l.mlp.up)
			mat(ggufName(wDown, i), l.mlp.down)
			return
		}
		e := l.moe
		g := e.gate
		ts = append(ts, ExportTensor{Name: ggufName(wRouter, i), Ne: []int64{int64(g.Cols()), int64(g.Rows())}, Parts: 1,
			Fill: func(dst []float32, _ int) { fillRows(dst, g, 0, g.Rows()) }})
		if e.bias != nil {
			vec(ggufName(wRouterBias, i), e.bias)
		}
		n := len(e.experts)
		for _, part := range []struct {
			w  weight
			of func(f *mlp) quant.Matrix
		}{{wExpGate, func(f *mlp) quant.Matrix { return f.gate }}, {wExpUp, func(f *mlp) quant.Matrix { return f.up }},
			{wExpDown, func(f *mlp) quant.Matrix { return f.down }}} {
			w0 := part.of(e.experts[0])
			of := part.of
			ts = append(ts, ExportTensor{Name: ggufName(part.w, i), Ne: []int64{int64(w0.Cols()), int64(w0.Rows()), int64(n)}, Parts: n, Matrix: true,
				Fill: func(dst []float32, x int) {
					w := of(e.experts[x])
					fillRows(dst, w, 0, w.Rows())
				}})
		}
		if e.shared != nil {
			mat(ggufName(wShGate, i), e.shared.gate)
			mat(ggufName(wShUp, i), e.shared.up)
			mat(ggufName(wShDown, i), e.shared.down)
		}
	}
	for i := range m.layers {
		block(i, &m.layers[i])
	}
	if mt := m.mtp; mt != nil {
		i := len(m.layers)
		block(i, &mt.block)
		mat(ggufName(wMTPEHProj, i), mt.ehProj)
		vec(ggufName(wMTPENorm, i), mt.enorm)
		vec(ggufName(wMTPHNorm, i), mt.hnorm)
		if mt.embed != nil {
			mat(ggufName(wMTPEmbed, i), mt.embed)
		}
		if mt.norm != nil {
			vec(ggufName(wMTPHeadNorm, i), mt.norm)
		}
		if mt.head != nil {
			mat(ggufName(wMTPHead, i), mt.head)
		}
	}
	vec(ggufName(wNorm, -1), m.norm)
	mat(ggufName(wHead, -1), m.head)
	return ts
}

// fillRows dequantizes rows lo..hi of w into dst, one after another.
func fillRows(dst []float32, w quant.Matrix, lo, hi int) {
	cols := w.Cols()
	for i := lo; i < hi; i++ {
		w.Row(dst[(i-lo)*cols:(i-lo+1)*cols], i)
	}
}

// GGUFMetadata is the model's architecture as llama.cpp's keys (deepseek2, or those of the
// dense families: denseGGUFMetadata), in the order and with the types its converter writes
// them.
func (c *Config) GGUFMetadata() [][2]any {
	if c.Dense() {
		return c.denseGGUFMetadata()
	}
	p := "deepseek2."
	kv := [][2]any{
		{"general.architecture", "deepseek2"},
		{"general.type", "model"},
		{p + "block_count", uint32(c.NumHiddenLayers + c.NumNextNPredictLayers)}, // llama.cpp counts the MTP layers
		{p + "context_length", uint32(c.MaxPositions)},
		{p + "embedding_length", uint32(c.HiddenSize)},
		{p + "feed_forward_length", uint32(c.IntermediateSize)},
		{p + "attention.head_count", uint32(c.NumAttentionHeads)},
		{p + "attention.head_count_kv", uint32(1)},
		{p + "rope.freq_base", float32(c.RopeTheta)},
		{p + "attention.layer_norm_rms_epsilon", float32(c.RMSNormEps)},
		{p + "expert_used_count", uint32(c.NumExpertsPerTok)},
		{p + "expert_group_count", uint32(c.NGroup)},
		{p + "expert_group_used_count", uint32(c.TopKGroup)},
		{p + "leading_dense_block_count", uint32(c.FirstKDenseReplace)},
		{p + "vocab_size", uint32(c.VocabSize)},
	}
	// llama.cpp requires the key even without q LoRA (0 = a plain attn_q).
	kv = append(kv, [2]any{p + "attention.q_lora_rank", uint32(c.QLoRARank)})
	gating := uint32(1)
	if c.ScoringFunc == "sigmoid" {
		gating = 2
	}
	kv = append(kv,
		[2]any{p + "attention.kv_lora_rank", uint32(c.KVLoRARank)},
		[2]any{p + "attention.key_length", uint32(c.KVLoRARank + c.QKRopeHeadDim)},
		[2]any{p + "attention.value_length", uint32(c.KVLoRARank)},
		[2]any{p + "attention.key_length_mla", uint32(c.QKHeadDim())},
		[2]any{p + "attention.value_length_mla", uint32(c.VHeadDim)},
		[2]any{p + "expert_feed_forward_length", uint32(c.MoEIntermediateSize)},
		[2]any{p + "expert_count", uint32(c.NRoutedExperts)},
		[2]any{p + "expert_shared_count", uint32(c.NSharedExperts)},
		[2]any{p + "expert_weights_scale", float32(c.RoutedScalingFactor)},
		[2]any{p + "expert_weights_norm", c.NormTopKProb},
		[2]any{p + "expert_gating_func", gating},
		[2]any{p + "rope.dimension_count", uint32(c.QKRopeHeadDim)},
	)
	if rs := c.RopeScaling; rs != nil {
		kv = append(kv,
			[2]any{p + "rope.scaling.type", "yarn"},
			[2]any{p + "rope.scaling.factor", float32(rs.Factor)},
			[2]any{p + "rope.scaling.original_context_length", uint32(rs.OriginalMaxPositionEmbeddings)},
			[2]any{p + "rope.scaling.yarn_beta_fast", float32(rs.BetaFast)},
			[2]any{p + "rope.scaling.yarn_beta_slow", float32(rs.BetaSlow)},
			[2]any{p + "rope.scaling.yarn_log_multiplier", float32(0.1 * rs.MScaleAllDim)},
		)
	}
	if n := c.NumNextNPredictLayers; n > 0 {
		kv = append(kv, [2]any{p + "nextn_predict_layers", uint32(n)})
	}
	return kv
}

// ParamCounts returns the number of parameters of the model, and how many of them one token
// uses: all but the routed experts it is not sent to (embedding rows count in full). A
// multi-token-prediction module is left out (as DeepSeek-V3's 671B leaves out its 14B):
// see MTPParams.
func (m *Model) ParamCounts() (total, active int64) {
	mtp := fmt.Sprintf("blk.%d.", len(m.layers))
	for _, t := range m.Export() {
		if m.mtp != nil && strings.HasPrefix(t.Name, mtp) || t.Name == ggufRopeFreqs {
			continue
		}
		n := t.Elements()
		total += n
		if len(t.Ne) == 3 && t.Parts > 1 { // stacked routed experts
			n = n / int64(t.Parts) * int64(m.Config.NumExpertsPerTok)
		}
		active += n
	}
	return total, active
}

// MTPParams is the number of parameters of the multi-token-prediction module, 0 without
// one: its block, eh_proj and norms, and the embedding and head it has of its own.
func (m *Model) MTPParams() int64 {
	if m.mtp == nil {
		return 0
	}
	mtp := fmt.Sprintf("blk.%d.", len(m.layers))
	var n int64
	for _, t := range m.Export() {
		if strings.HasPrefix(t.Name, mtp) {
			n += t.Elements()
		}
	}
	return n
}
