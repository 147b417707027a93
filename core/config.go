package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// Config is the architecture of a DeepSeek-V2/V3 model, in the field names of the
// Hugging Face config.json (DeepseekV2ForCausalLM, DeepseekV3ForCausalLM).
type Config struct {
	Architectures []string `json:"architectures"`
	ModelType     string   `json:"model_type"`

	VocabSize         int     `json:"vocab_size"`
	HiddenSize        int     `json:"hidden_size"`
	IntermediateSize  int     `json:"intermediate_size"`
	NumHiddenLayers   int     `json:"num_hidden_layers"`
	NumAttentionHeads int     `json:"num_attention_heads"`
	RMSNormEps        float64 `json:"rms_norm_eps"`
	MaxPositions      int     `json:"max_position_embeddings"`
	BOSTokenID        *int    `json:"bos_token_id"`
	EOSTokenID        *int    `json:"eos_token_id"`
	TieWordEmbeddings bool    `json:"tie_word_embeddings"`
	HiddenAct         string  `json:"hidden_act"`

	// Multi-head Latent Attention. QLoRARank 0 means q_lora_rank: null (a plain q_proj).
	QLoRARank     int `json:"-"`
	KVLoRARank    int `json:"kv_lora_rank"`
	QKNopeHeadDim int `json:"qk_nope_head_dim"`
	QKRopeHeadDim int `json:"qk_rope_head_dim"`
	VHeadDim      int `json:"v_head_dim"`

	RopeTheta   float64      `json:"rope_theta"`
	RopeScaling *RopeScaling `json:"rope_scaling"`

	// DeepSeekMoE.
	NRoutedExperts      int     `json:"n_routed_experts"`
	NSharedExperts      int     `json:"n_shared_experts"`
	NumExpertsPerTok    int     `json:"num_experts_per_tok"`
	MoEIntermediateSize int     `json:"moe_intermediate_size"`
	FirstKDenseReplace  int     `json:"first_k_dense_replace"`
	MoELayerFreq        int     `json:"moe_layer_freq"`
	NGroup              int     `json:"n_group"`
	TopKGroup           int     `json:"topk_group"`
	TopKMethod          string  `json:"topk_method"`
	ScoringFunc         string  `json:"scoring_func"`
	NormTopKProb        bool    `json:"norm_topk_prob"`
	RoutedScalingFactor float64 `json:"routed_scaling_factor"`

	// QuantizationConfig describes block-scaled FP8 weights (the official DeepSeek-V3 release).
	QuantizationConfig *QuantizationConfig `json:"quantization_config"`
}

// QuantizationConfig is the quantization_config object of an FP8 checkpoint.
type QuantizationConfig struct {
	QuantMethod     string `json:"quant_method"`
	Fmt             string `json:"fmt"`
	WeightBlockSize []int  `json:"weight_block_size"`
}

// RopeScaling is the rope_scaling object of config.json; only YaRN is supported.
type RopeScaling struct {
	Type                          string  `json:"type"`
	RopeType                      string  `json:"rope_type"`
	Factor                        float64 `json:"factor"`
	OriginalMaxPositionEmbeddings int     `json:"original_max_position_embeddings"`
	BetaFast                      float64 `json:"beta_fast"`
	BetaSlow                      float64 `json:"beta_slow"`
	MScale                        float64 `json:"mscale"`
	MScaleAllDim                  float64 `json:"mscale_all_dim"`
}

// LoadConfig reads and validates dir/config.json.
func LoadConfig(dir string) (*Config, error) {
	path := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig decodes a config.json, fills the defaults of the Hugging Face
// DeepseekV3Config / DeepseekV2Config classes and validates the result.
func ParseConfig(b []byte) (*Config, error) {
	c := &Config{
		RMSNormEps:          1e-6,
		RopeTheta:           10000,
		MoELayerFreq:        1,
		NGroup:              1,
		TopKGroup:           1,
		RoutedScalingFactor: 1,
		HiddenAct:           "silu",
	}
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("bad JSON in config: %w", err)
	}
	// q_lora_rank may be null (V2-Lite): decode it separately.
	var raw struct {
		QLoRARank *int `json:"q_lora_rank"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("bad JSON in config: %w", err)
	}
	if raw.QLoRARank != nil {
		c.QLoRARank = *raw.QLoRARank
	}
	if c.TopKMethod == "" {
		c.TopKMethod = "greedy"
		if c.isV3() {
			c.TopKMethod = "noaux_tc"
		}
	}
	if c.ScoringFunc == "" {
		c.ScoringFunc = "softmax"
		if c.isV3() {
			c.ScoringFunc = "sigmoid"
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) isV3() bool {
	if c.ModelType == "deepseek_v3" {
		return true
	}
	for _, a := range c.Architectures {
		if a == "DeepseekV3ForCausalLM" {
			return true
		}
	}
	return false
}

func (c *Config) validate() error {
	if len(c.Architectures) > 0 {
		ok := false
		for _, a := range c.Architectures {
			if a == "DeepseekV3ForCausalLM" || a == "DeepseekV2ForCausalLM" {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("unsupported architecture %v (want DeepseekV3ForCausalLM or DeepseekV2ForCausalLM)", c.Architectures)
		}
	}
	// Bounds keep a hostile config from asking for absurd allocations.
	const big = 1 << 20
	positive := []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize},
		{"num_hidden_layers", c.NumHiddenLayers}, {"num_attention_heads", c.NumAttentionHeads},
		{"kv_lora_rank", c.KVLoRARank}, {"qk_nope_head_dim", c.QKNopeHeadDim},
		{"qk_rope_head_dim", c.QKRopeHeadDim}, {"v_head_dim", c.VHeadDim},
	}
	for _, p := range positive {
		if p.v <= 0 || p.v > big {
			return fmt.Errorf("config: %s = %d out of range", p.name, p.v)
		}
	}
	if c.QKRopeHeadDim%2 != 0 {
		return fmt.Errorf("config: qk_rope_head_dim = %d must be even", c.QKRopeHeadDim)
	}
	if c.QLoRARank < 0 || c.QLoRARank > big {
		return fmt.Errorf("config: q_lora_rank = %d out of range", c.QLoRARank)
	}
	if !(c.RMSNormEps > 0) || math.IsInf(c.RMSNormEps, 0) {
		return fmt.Errorf("config: rms_norm_eps = %v must be positive", c.RMSNormEps)
	}
	if !(c.RopeTheta > 1) || math.IsInf(c.RopeTheta, 0) {
		return fmt.Errorf("config: rope_theta = %v must be > 1", c.RopeTheta)
	}
	if c.HiddenAct != "silu" {
		return fmt.Errorf("config: hidden_act %q not supported (want silu)", c.HiddenAct)
	}
	if c.FirstKDenseReplace < 0 {
		return fmt.Errorf("config: first_k_dense_replace = %d is negative", c.FirstKDenseReplace)
	}
	if c.hasDense() && (c.IntermediateSize <= 0 || c.IntermediateSize > big) {
		return fmt.Errorf("config: intermediate_size = %d out of range", c.IntermediateSize)
	}
	if c.NRoutedExperts < 0 || c.NRoutedExperts > 1<<16 {
		return fmt.Errorf("config: n_routed_experts = %d out of range", c.NRoutedExperts)
	}
	if c.NRoutedExperts > 0 {
		if c.MoELayerFreq <= 0 {
			return fmt.Errorf("config: moe_layer_freq = %d must be positive", c.MoELayerFreq)
		}
		if c.MoEIntermediateSize <= 0 || c.MoEIntermediateSize > big {
			return fmt.Errorf("config: moe_intermediate_size = %d out of range", c.MoEIntermediateSize)
		}
		if c.NumExpertsPerTok <= 0 || c.NumExpertsPerTok > c.NRoutedExperts {
			return fmt.Errorf("config: num_experts_per_tok = %d must be in 1..n_routed_experts (%d)", c.NumExpertsPerTok, c.NRoutedExperts)
		}
		if c.NSharedExperts < 0 || c.NSharedExperts > 1<<10 {
			return fmt.Errorf("config: n_shared_experts = %d out of range", c.NSharedExperts)
		}
		switch c.ScoringFunc {
		case "softmax", "sigmoid":
		default:
			return fmt.Errorf("config: scoring_func %q not supported (want softmax or sigmoid)", c.ScoringFunc)
		}
		switch c.TopKMethod {
		case "greedy":
		case "group_limited_greedy", "noaux_tc":
			if c.NGroup <= 0 || c.NRoutedExperts%c.NGroup != 0 {
				return fmt.Errorf("config: n_group = %d must divide n_routed_experts = %d", c.NGroup, c.NRoutedExperts)
			}
			if c.TopKGroup <= 0 || c.TopKGroup > c.NGroup {
				return fmt.Errorf("config: topk_group = %d must be in 1..n_group (%d)", c.TopKGroup, c.NGroup)
			}
			if c.NumExpertsPerTok > c.TopKGroup*(c.NRoutedExperts/c.NGroup) {
				return fmt.Errorf("config: num_experts_per_tok = %d exceeds the experts in topk_group groups", c.NumExpertsPerTok)
			}
			if c.TopKMethod == "noaux_tc" && c.NRoutedExperts/c.NGroup < 2 && c.NGroup > 1 {
				return errors.New("config: noaux_tc needs at least 2 experts per group")
			}
		default:
			return fmt.Errorf("config: topk_method %q not supported (want greedy, group_limited_greedy or noaux_tc)", c.TopKMethod)
		}
		if math.IsNaN(c.RoutedScalingFactor) || math.IsInf(c.RoutedScalingFactor, 0) {
			return fmt.Errorf("config: routed_scaling_factor = %v is not finite", c.RoutedScalingFactor)
		}
	}
	if q := c.QuantizationConfig; q != nil {
		if q.QuantMethod != "" && q.QuantMethod != "fp8" {
			return fmt.Errorf("config: quantization_config.quant_method %q not supported (want fp8)", q.QuantMethod)
		}
		if q.Fmt != "" && q.Fmt != "e4m3" {
			return fmt.Errorf("config: quantization_config.fmt %q not supported (want e4m3)", q.Fmt)
		}
		if len(q.WeightBlockSize) != 0 && (len(q.WeightBlockSize) != 2 || q.WeightBlockSize[0] <= 0 || q.WeightBlockSize[1] <= 0) {
			return fmt.Errorf("config: quantization_config.weight_block_size %v must be two positive sizes", q.WeightBlockSize)
		}
	}
	if rs := c.RopeScaling; rs != nil {
		t := rs.Type
		if t == "" {
			t = rs.RopeType
		}
		switch t {
		case "yarn":
			if !(rs.Factor >= 1) || math.IsInf(rs.Factor, 0) {
				return fmt.Errorf("config: rope_scaling.factor = %v must be >= 1", rs.Factor)
			}
			if rs.OriginalMaxPositionEmbeddings <= 0 {
				return fmt.Errorf("config: rope_scaling.original_max_position_embeddings = %d must be positive", rs.OriginalMaxPositionEmbeddings)
			}
			if rs.BetaFast == 0 {
				rs.BetaFast = 32
			}
			if rs.BetaSlow == 0 {
				rs.BetaSlow = 1
			}
			if rs.MScale == 0 {
				rs.MScale = 1
			}
		case "", "default", "none":
			c.RopeScaling = nil
		default:
			return fmt.Errorf("config: rope_scaling type %q not supported (want yarn)", t)
		}
	}
	return nil
}

// QKHeadDim is the per-head query/key width: the no-RoPE part plus the RoPE part.
func (c *Config) QKHeadDim() int { return c.QKNopeHeadDim + c.QKRopeHeadDim }

// IsMoELayer reports whether layer i uses DeepSeekMoE instead of a dense MLP
// (HF DeepseekV3DecoderLayer: n_routed_experts set, i >= first_k_dense_replace, i % moe_layer_freq == 0).
func (c *Config) IsMoELayer(i int) bool {
	return c.NRoutedExperts > 0 && i >= c.FirstKDenseReplace && i%c.MoELayerFreq == 0
}

func (c *Config) hasDense() bool {
	for i := 0; i < c.NumHiddenLayers; i++ {
		if !c.IsMoELayer(i) {
			return true
		}
	}
	return false
}

// SoftmaxScale is the attention scale: qk_head_dim^-0.5, times mscale² under YaRN
// (reference MLA.__init__: mscale = 0.1*mscale_all_dim*ln(factor)+1).
func (c *Config) SoftmaxScale() float64 {
	s := 1 / math.Sqrt(float64(c.QKHeadDim()))
	if rs := c.RopeScaling; rs != nil && rs.MScaleAllDim != 0 {
		m := yarnMScale(rs.Factor, rs.MScaleAllDim)
		s *= m * m
	}
	return s
}

// FP8BlockSize is the [rows, cols] block of one weight_scale_inv entry (128×128 unless the config says otherwise).
func (c *Config) FP8BlockSize() (int, int) {
	if q := c.QuantizationConfig; q != nil && len(q.WeightBlockSize) == 2 {
		return q.WeightBlockSize[0], q.WeightBlockSize[1]
	}
	return 128, 128
}

// MarshalJSON writes the config in config.json form (q_lora_rank null when there is no q LoRA).
func (c *Config) MarshalJSON() ([]byte, error) {
	type plain Config
	var q *int
	if c.QLoRARank > 0 {
		q = &c.QLoRARank
	}
	return json.Marshal(struct {
		*plain
		QLoRARank *int `json:"q_lora_rank"`
	}{(*plain)(c), q})
}
