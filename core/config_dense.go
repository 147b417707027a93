package core

import (
	"encoding/json"
	"slices"
)

// Family is the architecture family of a model: DeepSeek's MLA and MoE, or one of the
// dense transformers the DeepSeek-R1 distills are built on (grouped-query attention, a
// SwiGLU MLP in every layer).
type Family int

const (
	// FamilyDeepSeek is DeepseekV2ForCausalLM / DeepseekV3ForCausalLM (MLA, DeepSeekMoE).
	FamilyDeepSeek Family = iota
	// FamilyQwen2 is Qwen2ForCausalLM (R1-Distill-Qwen): q/k/v biases.
	FamilyQwen2
	// FamilyLlama is LlamaForCausalLM (R1-Distill-Llama): Llama-3 rope_scaling.
	FamilyLlama
	// FamilyQwen3 is Qwen3ForCausalLM (R1-0528-Qwen3): RMSNorm of each query and key head.
	FamilyQwen3
)

// familyInfo is one row of families.
type familyInfo struct {
	arch, modelType, gguf string
	family                Family
}

// families maps each supported Hugging Face architecture to its family, its model_type
// and its llama.cpp general.architecture: one table for config.json, GGUF and writers.
var families = [...]familyInfo{
	{"DeepseekV3ForCausalLM", "deepseek_v3", "deepseek2", FamilyDeepSeek},
	{"DeepseekV2ForCausalLM", "deepseek_v2", "deepseek2", FamilyDeepSeek},
	{"Qwen2ForCausalLM", "qwen2", "qwen2", FamilyQwen2},
	{"LlamaForCausalLM", "llama", "llama", FamilyLlama},
	{"Qwen3ForCausalLM", "qwen3", "qwen3", FamilyQwen3},
}

// Family is the config's architecture family: the first of its architectures that is
// supported, else its model_type's; DeepSeek when it names none (the DeepSeek fields
// are then checked as before).
func (c *Config) Family() Family {
	for _, a := range c.Architectures {
		for _, f := range families {
			if a == f.arch {
				return f.family
			}
		}
	}
	for _, f := range families {
		if c.ModelType == f.modelType {
			return f.family
		}
	}
	return FamilyDeepSeek
}

// Dense reports whether the config is one of the dense families (grouped-query
// attention, no experts).
func (c *Config) Dense() bool { return c.Family() != FamilyDeepSeek }

// supportedArchitectures names the architectures config.json may give, for errors.
func supportedArchitectures() []string {
	var s []string
	for _, f := range families {
		s = append(s, f.arch)
	}
	return s
}

// knownArchitecture reports whether a is in the families table.
func knownArchitecture(a string) bool {
	return slices.ContainsFunc(families[:], func(f familyInfo) bool { return f.arch == a })
}

// denseDefaults fills the fields a dense config.json may leave out with its Hugging Face
// class's defaults (Qwen2Config, LlamaConfig, Qwen3Config): num_key_value_heads =
// num_attention_heads, head_dim = hidden_size / num_attention_heads (Qwen3Config: 128),
// and Qwen2's q/k/v biases, which its attention always has. raw is the config.json.
func (c *Config) denseDefaults(raw []byte) error {
	var present struct {
		KVHeads *int `json:"num_key_value_heads"`
		HeadDim *int `json:"head_dim"`
		MaxPos  *int `json:"max_position_embeddings"`
	}
	if err := json.Unmarshal(raw, &present); err != nil {
		return err
	}
	if present.KVHeads == nil {
		c.NumKeyValueHeads = c.NumAttentionHeads
	}
	if present.HeadDim == nil {
		c.HeadDim = 0 // filled by validate from hidden_size / num_attention_heads
		if c.Family() == FamilyQwen3 {
			c.HeadDim = 128
		}
	}
	if present.MaxPos == nil {
		c.MaxPositions = 32768 // Qwen2Config, Qwen3Config
		if c.Family() == FamilyLlama {
			c.MaxPositions = 2048 // LlamaConfig
		}
	}
	if c.Family() == FamilyQwen2 {
		c.AttentionBias = true
	}
	return nil
}

// validateDense checks the fields of a dense config (the DeepSeek-only ones must be
// unset), fills head_dim when absent, and bounds the sizes they imply.
func (c *Config) validateDense(k *checker) {
	k.int("num_key_value_heads", c.NumKeyValueHeads, 1, c.NumAttentionHeads)
	if k.err == nil && c.NumAttentionHeads%c.NumKeyValueHeads != 0 {
		k.fail("%s = %d must divide %s = %d", k.name("num_key_value_heads"), c.NumKeyValueHeads,
			k.name("num_attention_heads"), c.NumAttentionHeads)
	}
	if c.HeadDim == 0 && c.NumAttentionHeads > 0 && c.HiddenSize%c.NumAttentionHeads == 0 {
		c.HeadDim = c.HiddenSize / c.NumAttentionHeads
	}
	k.int("head_dim", c.HeadDim, 2, maxHeadDim)
	if c.HeadDim%2 != 0 {
		k.fail("%s = %d must be even (rotary pairs)", k.name("head_dim"), c.HeadDim)
	}
	k.int("intermediate_size", c.IntermediateSize, 1, maxWidth)
	if c.MLPBias {
		k.fail("%s true is not supported (no R1 distill has MLP biases)", k.name("mlp_bias"))
	}
	if c.UseSlidingWindow {
		k.fail("%s true is not supported (the R1 distills attend to the whole context)", k.name("use_sliding_window"))
	}
	if c.NRoutedExperts != 0 || c.KVLoRARank != 0 || c.QLoRARank != 0 || c.NumNextNPredictLayers != 0 {
		k.fail("a %v config has DeepSeek fields (n_routed_experts %d, kv_lora_rank %d, q_lora_rank %d, num_nextn_predict_layers %d)",
			c.Architectures, c.NRoutedExperts, c.KVLoRARank, c.QLoRARank, c.NumNextNPredictLayers)
	}
	if rs := c.RopeScaling; rs != nil {
		switch t := rs.kind(); t {
		case "llama3":
			k.float("rope_scaling.factor", rs.Factor, 1, 1e4, false)
			k.float("rope_scaling.low_freq_factor", rs.LowFreqFactor, 0, 1e4, true)
			k.float("rope_scaling.high_freq_factor", rs.HighFreqFactor, rs.LowFreqFactor, 1e4, true)
			k.int("rope_scaling.original_max_position_embeddings", rs.OriginalMaxPositionEmbeddings, 1, maxPositions)
		case "yarn":
			if rs.BetaFast == 0 {
				rs.BetaFast = 32
			}
			if rs.BetaSlow == 0 {
				rs.BetaSlow = 1
			}
			if rs.OriginalMaxPositionEmbeddings == 0 {
				rs.OriginalMaxPositionEmbeddings = c.MaxPositions
			}
			k.float("rope_scaling.factor", rs.Factor, 1, 1e4, false)
			k.int("rope_scaling.original_max_position_embeddings", rs.OriginalMaxPositionEmbeddings, 1, maxPositions)
			k.float("rope_scaling.beta_fast", rs.BetaFast, 0, 1e4, true)
			k.float("rope_scaling.beta_slow", rs.BetaSlow, 0, 1e4, true)
			k.float("rope_scaling.attention_factor", rs.AttentionFactor, 0, 1e3, false)
			k.float("rope_scaling.attn_factor", rs.AttnFactor, 0, 1e3, false)
			k.float("rope_scaling.mscale", rs.MScale, 0, 1e3, false)
			k.float("rope_scaling.mscale_all_dim", rs.MScaleAllDim, 0, 1e3, false)
		case "", "default", "none":
			c.RopeScaling = nil
		default:
			k.fail("%s %q is not supported (want llama3 or yarn)", k.name("rope_scaling.rope_type"), t)
		}
	}
	if k.err != nil {
		return
	}
	const row = "values in one token's activations"
	h := factor{"num_attention_heads", c.NumAttentionHeads}
	k.product(row, maxWidth, h, factor{"head_dim", c.HeadDim})
	k.product("values in one position's KV cache", maxWidth, factor{"num_hidden_layers", c.NumHiddenLayers},
		factor{"2", 2}, factor{"num_key_value_heads", c.NumKeyValueHeads}, factor{"head_dim", c.HeadDim})
}

// kind is the rope_scaling type, from "type" or "rope_type".
func (rs *RopeScaling) kind() string {
	if rs.Type != "" {
		return rs.Type
	}
	return rs.RopeType
}

// denseParams is the parameter count of a dense config (saturating): embeddings,
// attention and MLP, less norms and biases.
func (c *Config) denseParams(mul func(...int) int64) int64 {
	d, h, kv, hd := c.HiddenSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim
	attn := satAdd(mul(2, h, hd, d), mul(2, kv, hd, d))
	layer := satAdd(attn, mul(3, c.IntermediateSize, d))
	return satAdd(mul(2, c.VocabSize, d), mul(c.NumHiddenLayers, int(min(layer, 1<<62))))
}

// kvWidth is the values one position of one layer keeps in the KV cache: MLA's latent
// and rotary key (kv_lora_rank + qk_rope_head_dim), or every key and value head.
func (c *Config) kvWidth() int {
	if c.Dense() {
		return 2 * c.NumKeyValueHeads * c.HeadDim
	}
	return c.KVLoRARank + c.QKRopeHeadDim
}

// ropeDim is the width of each head that rotates: qk_rope_head_dim, or the whole head.
func (c *Config) ropeDim() int {
	if c.Dense() {
		return c.HeadDim
	}
	return c.QKRopeHeadDim
}

// valueHeadDim is the width of each head's value: v_head_dim, or the head.
func (c *Config) valueHeadDim() int {
	if c.Dense() {
		return c.HeadDim
	}
	return c.VHeadDim
}

// marshalDense writes a dense config in its Hugging Face class's field names.
func (c *Config) marshalDense() ([]byte, error) {
	type dense struct {
		Architectures     []string     `json:"architectures"`
		ModelType         string       `json:"model_type"`
		VocabSize         int          `json:"vocab_size"`
		HiddenSize        int          `json:"hidden_size"`
		IntermediateSize  int          `json:"intermediate_size"`
		NumHiddenLayers   int          `json:"num_hidden_layers"`
		NumAttentionHeads int          `json:"num_attention_heads"`
		NumKeyValueHeads  int          `json:"num_key_value_heads"`
		HeadDim           int          `json:"head_dim"`
		RMSNormEps        float64      `json:"rms_norm_eps"`
		MaxPositions      int          `json:"max_position_embeddings"`
		BOSTokenID        *int         `json:"bos_token_id,omitempty"`
		EOSTokenID        *int         `json:"eos_token_id,omitempty"`
		TieWordEmbeddings bool         `json:"tie_word_embeddings"`
		HiddenAct         string       `json:"hidden_act"`
		AttentionBias     bool         `json:"attention_bias"`
		RopeTheta         float64      `json:"rope_theta"`
		RopeScaling       *RopeScaling `json:"rope_scaling"`
	}
	return json.Marshal(dense{c.Architectures, c.ModelType, c.VocabSize, c.HiddenSize, c.IntermediateSize,
		c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim, c.RMSNormEps, c.MaxPositions,
		c.BOSTokenID, c.EOSTokenID, c.TieWordEmbeddings, c.HiddenAct, c.AttentionBias, c.RopeTheta, c.RopeScaling})
}
