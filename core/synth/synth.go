package synth

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/safetensors"
	"github.com/deepgo/deepgo/quant"
)

// Options choose the storage of the synthesized weights.
type Options struct {
	Seed uint64
	// DType of the linear weights: "BF16" (default), "F16", "F32" or "F8_E4M3" (block-scaled,
	// with weight_scale_inv and a quantization_config as in the official FP8 release).
	DType string
	// Sharded writes one safetensors file per layer plus model.safetensors.index.json.
	Sharded bool
}

// WriteHF writes config.json and the safetensors weights of cfg into dir (created if needed),
// and the DeepSeek-V3 tokenizer when the vocabulary is large enough to hold its ids. With
// num_nextn_predict_layers set, it writes one multi-token-prediction module after the
// main layers, as DeepSeek-V3's checkpoint has.
func WriteHF(dir string, cfg *core.Config, opts Options) error {
	if opts.DType == "" {
		opts.DType = "BF16"
	}
	c := *cfg
	if opts.DType == "F8_E4M3" {
		c.QuantizationConfig = &core.QuantizationConfig{QuantMethod: "fp8", Fmt: "e4m3", WeightBlockSize: []int{128, 128}}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), js, 0o644); err != nil {
		return err
	}
	if c.VocabSize >= TokenizerVocab {
		if err := WriteTokenizer(dir); err != nil {
			return err
		}
	}
	w := &writer{c: &c, opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, 0x5eed))}
	groups := [][]tensorSpec{w.globals()}
	for i := range c.NumHiddenLayers {
		groups = append(groups, w.layer(i))
	}
	if c.NumNextNPredictLayers > 0 {
		groups = append(groups, append(w.mtp(c.NumHiddenLayers), w.layer(c.NumHiddenLayers)...))
	}
	if !opts.Sharded {
		var all []tensorSpec
		for _, g := range groups {
			all = append(all, g...)
		}
		return w.write(filepath.Join(dir, "model.safetensors"), all)
	}
	index := map[string]any{"metadata": map[string]any{}}
	weightMap := map[string]string{}
	for i, g := range groups {
		name := fmt.Sprintf("model-%05d-of-%05d.safetensors", i+1, len(groups))
		if err := w.write(filepath.Join(dir, name), g); err != nil {
			return err
		}
		for _, t := range g {
			weightMap[t.name] = name
			if t.scaled {
				weightMap[t.name+"_scale_inv"] = name
			}
		}
	}
	index["weight_map"] = weightMap
	b, err := json.MarshalIndent(index, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "model.safetensors.index.json"), b, 0o644)
}

// tensorSpec is one tensor to synthesize.
type tensorSpec struct {
	name   string
	shape  []int
	kind   int  // linear, norm, bias, embedding
	scaled bool // written as FP8 with weight_scale_inv
}

const (
	linear = iota
	norm
	bias
	embedding
)

type writer struct {
	c    *core.Config
	opts Options
	rng  *rand.Rand
}

func (w *writer) globals() []tensorSpec {
	c := w.c
	ts := []tensorSpec{
		{name: "model.embed_tokens.weight", shape: []int{c.VocabSize, c.HiddenSize}, kind: embedding},
		{name: "model.norm.weight", shape: []int{c.HiddenSize}, kind: norm},
	}
	if !c.TieWordEmbeddings {
		ts = append(ts, tensorSpec{name: "lm_head.weight", shape: []int{c.VocabSize, c.HiddenSize}, kind: embedding})
	}
	return ts
}

// mtp is the multi-token-prediction module's own tensors at layer i, as in DeepSeek-V3's
// model.layers.61 (its block's follow, from layer).
func (w *writer) mtp(i int) []tensorSpec {
	c := w.c
	p := fmt.Sprintf("model.layers.%d.", i)
	d := c.HiddenSize
	return []tensorSpec{
		{name: p + "embed_tokens.weight", shape: []int{c.VocabSize, d}, kind: embedding},
		{name: p + "enorm.weight", shape: []int{d}, kind: norm},
		{name: p + "hnorm.weight", shape: []int{d}, kind: norm},
		{name: p + "eh_proj.weight", shape: []int{d, 2 * d}, kind: linear, scaled: w.opts.DType == "F8_E4M3"},
		{name: p + "shared_head.norm.weight", shape: []int{d}, kind: norm},
		{name: p + "shared_head.head.weight", shape: []int{c.VocabSize, d}, kind: embedding},
	}
}

func (w *writer) layer(i int) []tensorSpec {
	c := w.c
	p := fmt.Sprintf("model.layers.%d.", i)
	d, h := c.HiddenSize, c.NumAttentionHeads
	lin := func(name string, rows, cols int) tensorSpec {
		return tensorSpec{name: p + name, shape: []int{rows, cols}, kind: linear, scaled: w.opts.DType == "F8_E4M3"}
	}
	vec := func(name string, n int, kind int) tensorSpec {
		return tensorSpec{name: p + name, shape: []int{n}, kind: kind}
	}
	ts := []tensorSpec{vec("input_layernorm.weight", d, norm), vec("post_attention_layernorm.weight", d, norm)}
	mlp := func(prefix string, inter int) {
		ts = append(ts, lin(prefix+"gate_proj.weight", inter, d), lin(prefix+"up_proj.weight", inter, d),
			lin(prefix+"down_proj.weight", d, inter))
	}
	if c.Dense() {
		// Grouped-query attention (HF Qwen2Attention, LlamaAttention, Qwen3Attention).
		kv, hd := c.NumKeyValueHeads*c.HeadDim, c.HeadDim
		ts = append(ts, lin("self_attn.q_proj.weight", h*hd, d), lin("self_attn.k_proj.weight", kv, d),
			lin("self_attn.v_proj.weight", kv, d), lin("self_attn.o_proj.weight", d, h*hd))
		if c.AttentionBias {
			ts = append(ts, vec("self_attn.q_proj.bias", h*hd, bias), vec("self_attn.k_proj.bias", kv, bias),
				vec("self_attn.v_proj.bias", kv, bias))
			if c.Family() != core.FamilyQwen2 {
				ts = append(ts, vec("self_attn.o_proj.bias", d, bias))
			}
		}
		if c.Family() == core.FamilyQwen3 {
			ts = append(ts, vec("self_attn.q_norm.weight", hd, norm), vec("self_attn.k_norm.weight", hd, norm))
		}
		mlp("mlp.", c.IntermediateSize)
		return ts
	}
	if c.QLoRARank > 0 {
		ts = append(ts, lin("self_attn.q_a_proj.weight", c.QLoRARank, d),
			vec("self_attn.q_a_layernorm.weight", c.QLoRARank, norm),
			lin("self_attn.q_b_proj.weight", h*c.QKHeadDim(), c.QLoRARank))
	} else {
		ts = append(ts, lin("self_attn.q_proj.weight", h*c.QKHeadDim(), d))
	}
	ts = append(ts, lin("self_attn.kv_a_proj_with_mqa.weight", c.KVLoRARank+c.QKRopeHeadDim, d),
		vec("self_attn.kv_a_layernorm.weight", c.KVLoRARank, norm),
		lin("self_attn.kv_b_proj.weight", h*(c.QKNopeHeadDim+c.VHeadDim), c.KVLoRARank),
		lin("self_attn.o_proj.weight", d, h*c.VHeadDim))
	if !c.IsMoELayer(i) {
		mlp("mlp.", c.IntermediateSize)
		return ts
	}
	ts = append(ts, tensorSpec{name: p + "mlp.gate.weight", shape: []int{c.NRoutedExperts, d}, kind: embedding})
	if c.TopKMethod == "noaux_tc" {
		ts = append(ts, vec("mlp.gate.e_score_correction_bias", c.NRoutedExperts, bias))
	}
	for e := range c.NRoutedExperts {
		mlp(fmt.Sprintf("mlp.experts.%d.", e), c.MoEIntermediateSize)
	}
	if c.NSharedExperts > 0 {
		mlp("mlp.shared_experts.", c.NSharedExperts*c.MoEIntermediateSize)
	}
	return ts
}

// values draws a tensor's float32 values: linear weights uniform with variance 1/fan_in
// (so activations keep their scale), norms near 1, biases small.
func (w *writer) values(t tensorSpec) []float32 {
	n := 1
	for _, d := range t.shape {
		n *= d
	}
	v := make([]float32, n)
	var a float64
	switch t.kind {
	case linear:
		a = math.Sqrt(3 / float64(t.shape[1]))
	case embedding:
		a = 1
	case norm:
		for i := range v {
			v[i] = float32(1 + 0.2*(w.rng.Float64()-0.5))
		}
		return v
	case bias:
		a = 0.1
	}
	for i := range v {
		v[i] = float32(a * (2*w.rng.Float64() - 1))
	}
	return v
}

// write synthesizes the tensors of one file and writes it.
func (w *writer) write(path string, specs []tensorSpec) error {
	var ts []safetensors.Tensor
	for _, s := range specs {
		v := w.values(s)
		switch {
		case s.kind == bias:
			ts = append(ts, safetensors.Tensor{Name: s.name, DType: "F32", Shape: s.shape, Data: f32Bytes(v)})
		case s.scaled:
			data, scale := quant.E4M3Blocks(v, s.shape[0], s.shape[1], 128)
			sr, sc := (s.shape[0]+127)/128, (s.shape[1]+127)/128
			ts = append(ts,
				safetensors.Tensor{Name: s.name, DType: "F8_E4M3", Shape: s.shape, Data: data},
				safetensors.Tensor{Name: s.name + "_scale_inv", DType: "F32", Shape: []int{sr, sc}, Data: f32Bytes(scale)})
		case s.kind == linear && w.opts.DType == "F32":
			ts = append(ts, safetensors.Tensor{Name: s.name, DType: "F32", Shape: s.shape, Data: f32Bytes(v)})
		case s.kind == linear && w.opts.DType == "F16":
			ts = append(ts, safetensors.Tensor{Name: s.name, DType: "F16", Shape: s.shape, Data: halfBytes(v, quant.F32ToF16)})
		default:
			ts = append(ts, safetensors.Tensor{Name: s.name, DType: "BF16", Shape: s.shape, Data: halfBytes(v, quant.F32ToBF16)})
		}
	}
	return safetensors.WriteFile(path, ts, map[string]string{"format": "pt"})
}

func f32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func halfBytes(v []float32, conv func(float32) uint16) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], conv(x))
	}
	return b
}
