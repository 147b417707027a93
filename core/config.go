package core

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/deepgo/deepgo/core/mmap"
)

// Config is the architecture of a model, in the field names of the Hugging Face
// config.json: DeepSeek-V2/V3 (DeepseekV2ForCausalLM, DeepseekV3ForCausalLM), or a dense
// R1 distill (Qwen2ForCausalLM, LlamaForCausalLM, Qwen3ForCausalLM; see Family and
// config_dense.go), which uses the fields up to the MLA ones and the grouped-query ones.
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

	// Grouped-query attention (dense families). NumKeyValueHeads divides
	// NumAttentionHeads; HeadDim 0 in a config.json means hidden_size / num_attention_heads
	// (filled when the config is read). AttentionBias: q/k/v biases — Qwen2 always has
	// them. MLPBias and UseSlidingWindow must be false.
	NumKeyValueHeads int  `json:"num_key_value_heads,omitempty"`
	HeadDim          int  `json:"head_dim,omitempty"`
	AttentionBias    bool `json:"attention_bias,omitempty"`
	MLPBias          bool `json:"mlp_bias,omitempty"`
	UseSlidingWindow bool `json:"use_sliding_window,omitempty"`

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

	// NumNextNPredictLayers is the number of multi-token-prediction modules after the main
	// layers (DeepSeek-V3: 1, at model.layers.61); 0 for none. Only the first is loaded
	// (mtp.go), and only when its tensors are in the files: an opened Model's config says
	// how many it has, 0 or 1.
	NumNextNPredictLayers int `json:"num_nextn_predict_layers"`

	// QuantizationConfig describes block-scaled FP8 weights (the official DeepSeek-V3 release).
	QuantizationConfig *QuantizationConfig `json:"quantization_config"`
}

// QuantizationConfig is the quantization_config object of an FP8 checkpoint.
type QuantizationConfig struct {
	QuantMethod     string `json:"quant_method"`
	Fmt             string `json:"fmt"`
	WeightBlockSize []int  `json:"weight_block_size"`
}

// RopeScaling is the rope_scaling object of config.json: YaRN for DeepSeek models,
// llama3 for Llama (low_freq_factor, high_freq_factor).
type RopeScaling struct {
	Type                          string  `json:"type,omitempty"`
	RopeType                      string  `json:"rope_type,omitempty"`
	Factor                        float64 `json:"factor"`
	OriginalMaxPositionEmbeddings int     `json:"original_max_position_embeddings"`
	BetaFast                      float64 `json:"beta_fast,omitempty"`
	BetaSlow                      float64 `json:"beta_slow,omitempty"`
	MScale                        float64 `json:"mscale,omitempty"`
	MScaleAllDim                  float64 `json:"mscale_all_dim,omitempty"`
	LowFreqFactor                 float64 `json:"low_freq_factor,omitempty"`
	HighFreqFactor                float64 `json:"high_freq_factor,omitempty"`
	// AttentionFactor multiplies cos and sin under a dense model's YaRN (HF
	// attention_factor); 0 = derived from factor and the mscales (yarnAttentionFactor).
	// AttnFactor is the attn_factor key R1-0528-Qwen3-8B's config carries; like Hugging
	// Face, the engine does not use it (see yarnAttentionFactor).
	AttentionFactor float64 `json:"attention_factor,omitempty"`
	AttnFactor      float64 `json:"attn_factor,omitempty"`
}

// maxConfigBytes bounds config.json, which is read whole: DeepSeek-V3's is under 2 KB, and
// a MiB leaves room for anything a tool adds to one while refusing a file that is no config.
const maxConfigBytes = 1 << 20

// LoadConfig reads and validates dir/config.json.
func LoadConfig(dir string) (*Config, error) {
	path := filepath.Join(dir, "config.json")
	b, err := mmap.ReadFile(path, maxConfigBytes)
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
// DeepseekV3Config / DeepseekV2Config classes and validates the result: every field in its
// range (see validate), or an error naming the field, its value and the range.
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
	// q_lora_rank may be null (V2-Lite), and an absent max_position_embeddings takes the
	// class default: decode them separately.
	var raw struct {
		QLoRARank    *int `json:"q_lora_rank"`
		MaxPositions *int `json:"max_position_embeddings"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("bad JSON in config: %w", err)
	}
	if raw.QLoRARank != nil {
		c.QLoRARank = *raw.QLoRARank
	}
	if c.Dense() {
		if err := c.denseDefaults(b); err != nil {
			return nil, fmt.Errorf("bad JSON in config: %w", err)
		}
		if err := c.validate(jsonName); err != nil {
			return nil, err
		}
		return c, nil
	}
	if raw.MaxPositions == nil {
		c.MaxPositions = 2048 // DeepseekV2Config
		if c.isV3() {
			c.MaxPositions = 4096 // DeepseekV3Config
		}
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
	if err := c.validate(jsonName); err != nil {
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

// Bounds of config values, config.json and GGUF keys alike. Each is far beyond every
// published model, and together they keep every size a config implies (tensor shapes, the
// activations of one token, the KV cache of one position, the table of routed experts,
// the parameter count) inside int64 and inside what a machine holds, so a broken or
// hostile config is refused before anything is allocated from it.
const (
	// maxWidth bounds one width: vocab_size (DeepSeek-V3: 129,280; the largest published,
	// 262,144), hidden_size (7,168), the intermediate sizes and LoRA ranks, and the
	// per-token widths products of them make (heads × head dims; the KV cache of one
	// position over all layers): one activation row is at most 4 MiB of float32, a forward
	// pass of 256 rows 1 GiB.
	maxWidth = 1 << 20
	// maxHeadDim bounds qk_nope_head_dim, qk_rope_head_dim and v_head_dim (64 to 192 in
	// DeepSeek models).
	maxHeadDim = 1 << 12
	// maxHeads bounds num_attention_heads (128 in DeepSeek-V3).
	maxHeads = 1 << 12
	// maxLayers bounds num_hidden_layers (61 in DeepSeek-V3; 126 in the deepest published
	// model), and with it first_k_dense_replace and moe_layer_freq.
	maxLayers = 1 << 10
	// maxExperts bounds n_routed_experts (256 in DeepSeek-V3, 384 in Kimi K2).
	maxExperts = 1 << 16
	// maxLayerExperts bounds the routed experts of all layers together, each an entry of
	// the residency table made when the model opens (DeepSeek-V3: 58 × 256 = 14,848).
	maxLayerExperts = 1 << 18
	// maxSharedExperts bounds n_shared_experts (1 or 2 in DeepSeek models).
	maxSharedExperts = 1 << 10
	// maxPositions bounds max_position_embeddings and the YaRN original length: a position
	// reaches the rotary angle as a float32 (rope.table), exact only up to 2^24
	// (DeepSeek-V3: 163,840).
	maxPositions = 1 << 24
	// maxParams bounds the parameters the shape implies: 2^42, about 4.4 trillion, six
	// times DeepSeek-V3's 671 billion.
	maxParams = 1 << 42
	// maxBlockSize bounds the FP8 weight_block_size (128 × 128 in DeepSeek-V3).
	maxBlockSize = 1 << 16
)

// jsonName names a field as config.json does (validate's names are config.json's).
func jsonName(field string) string { return field }

// checker collects the first error of a config's validation. name turns a field's
// config.json name into the name of its source (the GGUF key, for a GGUF file), so that
// every error names what the user can find in the file.
type checker struct {
	name func(field string) string
	err  error
}

func (k *checker) fail(format string, args ...any) {
	if k.err == nil {
		k.err = fmt.Errorf(format, args...)
	}
}

// int checks lo <= v <= hi.
func (k *checker) int(field string, v, lo, hi int) {
	if v < lo || v > hi {
		k.fail("%s = %d is out of range [%d, %d]", k.name(field), v, lo, hi)
	}
}

// float checks that v is a number in [lo, hi], or (lo, hi] when loOpen.
func (k *checker) float(field string, v, lo, hi float64, loOpen bool) {
	if (v > lo || !loOpen && v == lo) && v <= hi { // false for NaN
		return
	}
	open := "["
	if loOpen {
		open = "("
	}
	k.fail("%s = %g is out of range %s%g, %g]", k.name(field), v, open, lo, hi)
}

// oneOf checks that v is one of the allowed strings.
func (k *checker) oneOf(field, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		k.fail("%s %q is not supported (want %s)", k.name(field), v, strings.Join(allowed, ", "))
	}
}

// factor is one term of a product of config values, for the error that names them.
type factor struct {
	field string
	v     int
}

// product checks that the product of the factors is at most limit; what says what the
// product is. It cannot overflow: it saturates.
func (k *checker) product(what string, limit int64, fs ...factor) {
	p := int64(1)
	names := make([]string, len(fs))
	vals := make([]string, len(fs))
	for i, f := range fs {
		p = satMul(p, int64(f.v))
		sum := strings.Split(f.field, " + ") // a factor may be a sum of fields
		for j, s := range sum {
			sum[j] = k.name(s)
		}
		names[i], vals[i] = strings.Join(sum, " + "), strconv.Itoa(f.v)
		if len(sum) > 1 {
			names[i] = "(" + names[i] + ")"
		}
	}
	if p > limit {
		k.fail("%s = %s = %s is more than %d, the most %s allowed", strings.Join(names, " × "), strings.Join(vals, " × "),
			satString(p), limit, what)
	}
}

// satMul is a·b for a, b >= 0, or math.MaxInt64 if that overflows.
func satMul(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}

// satAdd is a+b for a, b >= 0, or math.MaxInt64 if that overflows.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// satString formats a saturated product or sum.
func satString(n int64) string {
	if n == math.MaxInt64 {
		return "more than 2^63"
	}
	return strconv.FormatInt(n, 10)
}

// validate checks every field of the config against its range (see the bounds above) and
// the products of fields that size what the model allocates; name names a field in errors
// (see checker). It fills the YaRN defaults and drops a rope_scaling of type none.
func (c *Config) validate(name func(field string) string) error {
	k := &checker{name: name}
	if len(c.Architectures) > 0 && !slices.ContainsFunc(c.Architectures, knownArchitecture) {
		return fmt.Errorf("unsupported architecture %v (want one of %s)", c.Architectures, strings.Join(supportedArchitectures(), ", "))
	}
	k.int("vocab_size", c.VocabSize, 1, maxWidth)
	k.int("hidden_size", c.HiddenSize, 1, maxWidth)
	k.int("num_hidden_layers", c.NumHiddenLayers, 1, maxLayers)
	k.int("num_attention_heads", c.NumAttentionHeads, 1, maxHeads)
	k.int("max_position_embeddings", c.MaxPositions, 1, maxPositions)
	if c.Dense() {
		c.validateCommon(k)
		if k.err == nil {
			c.validateDense(k)
		}
		if k.err == nil {
			c.checkParams(k)
		}
		return k.err
	}
	k.int("q_lora_rank", c.QLoRARank, 0, maxWidth) // 0: no q LoRA
	k.int("kv_lora_rank", c.KVLoRARank, 1, maxWidth)
	k.int("qk_nope_head_dim", c.QKNopeHeadDim, 1, maxHeadDim)
	k.int("qk_rope_head_dim", c.QKRopeHeadDim, 2, maxHeadDim)
	if c.QKRopeHeadDim%2 != 0 {
		k.fail("%s = %d must be even (rotary pairs)", name("qk_rope_head_dim"), c.QKRopeHeadDim)
	}
	k.int("v_head_dim", c.VHeadDim, 1, maxHeadDim)
	c.validateCommon(k)
	k.int("first_k_dense_replace", c.FirstKDenseReplace, 0, maxLayers)
	k.int("num_nextn_predict_layers", c.NumNextNPredictLayers, 0, maxLayers)
	k.int("moe_layer_freq", c.MoELayerFreq, 1, maxLayers)
	k.int("n_routed_experts", c.NRoutedExperts, 0, maxExperts)
	if k.err != nil { // the checks below use the values above
		return k.err
	}
	// Without routed experts the MoE fields are unused, but still bounded.
	lo, experts := 0, maxExperts
	if c.NRoutedExperts > 0 {
		lo, experts = 1, c.NRoutedExperts
	}
	if c.hasDense() {
		k.int("intermediate_size", c.IntermediateSize, 1, maxWidth)
	} else {
		k.int("intermediate_size", c.IntermediateSize, 0, maxWidth)
	}
	k.int("moe_intermediate_size", c.MoEIntermediateSize, lo, maxWidth)
	k.int("num_experts_per_tok", c.NumExpertsPerTok, lo, experts)
	k.int("n_shared_experts", c.NSharedExperts, 0, maxSharedExperts)
	k.int("n_group", c.NGroup, 1, experts)
	k.int("topk_group", c.TopKGroup, 1, max(c.NGroup, 1))
	// routed_scaling_factor: 1 to 16 in DeepSeek models.
	k.float("routed_scaling_factor", c.RoutedScalingFactor, 0, 1e3, true)
	if c.NRoutedExperts > 0 {
		k.oneOf("scoring_func", c.ScoringFunc, "softmax", "sigmoid")
		k.oneOf("topk_method", c.TopKMethod, "greedy", "group_limited_greedy", "noaux_tc")
		if k.err == nil && c.TopKMethod != "greedy" {
			switch {
			case c.NRoutedExperts%c.NGroup != 0:
				k.fail("%s = %d must divide %s = %d", name("n_group"), c.NGroup, name("n_routed_experts"), c.NRoutedExperts)
			case c.NumExpertsPerTok > c.TopKGroup*(c.NRoutedExperts/c.NGroup):
				k.fail("%s = %d exceeds the %d experts in %s = %d groups", name("num_experts_per_tok"), c.NumExpertsPerTok,
					c.TopKGroup*(c.NRoutedExperts/c.NGroup), name("topk_group"), c.TopKGroup)
			case c.TopKMethod == "noaux_tc" && c.NRoutedExperts/c.NGroup < 2 && c.NGroup > 1:
				k.fail("noaux_tc needs at least 2 experts per group (%s = %d, %s = %d)", name("n_routed_experts"), c.NRoutedExperts,
					name("n_group"), c.NGroup)
			}
		}
	}
	if q := c.QuantizationConfig; q != nil {
		if q.QuantMethod != "" {
			k.oneOf("quantization_config.quant_method", q.QuantMethod, "fp8")
		}
		if q.Fmt != "" {
			k.oneOf("quantization_config.fmt", q.Fmt, "e4m3")
		}
		if len(q.WeightBlockSize) != 0 && len(q.WeightBlockSize) != 2 {
			k.fail("%s %v must be two sizes", name("quantization_config.weight_block_size"), q.WeightBlockSize)
		}
		for _, b := range q.WeightBlockSize {
			k.int("quantization_config.weight_block_size", b, 1, maxBlockSize)
		}
	}
	if rs := c.RopeScaling; rs != nil {
		t := rs.Type
		if t == "" {
			t = rs.RopeType
		}
		switch t {
		case "yarn":
			if rs.BetaFast == 0 {
				rs.BetaFast = 32
			}
			if rs.BetaSlow == 0 {
				rs.BetaSlow = 1
			}
			if rs.MScale == 0 {
				rs.MScale = 1
			}
			// Published YaRN configs: factor 4 to 40, betas 32 and 1, mscales 0.707 or 1.
			k.float("rope_scaling.factor", rs.Factor, 1, 1e4, false)
			k.int("rope_scaling.original_max_position_embeddings", rs.OriginalMaxPositionEmbeddings, 1, maxPositions)
			k.float("rope_scaling.beta_fast", rs.BetaFast, 0, 1e4, true)
			k.float("rope_scaling.beta_slow", rs.BetaSlow, 0, 1e4, true)
			k.float("rope_scaling.mscale", rs.MScale, 0, 1e3, false)
			k.float("rope_scaling.mscale_all_dim", rs.MScaleAllDim, 0, 1e3, false)
		case "", "default", "none":
			c.RopeScaling = nil
		default:
			k.fail("%s %q is not supported (want yarn)", name("rope_scaling.type"), t)
		}
	}
	if k.err != nil {
		return k.err
	}
	c.checkSizes(k)
	return k.err
}

// validateCommon checks the fields every family has: the token ids, rms_norm_eps,
// rope_theta and hidden_act.
func (c *Config) validateCommon(k *checker) {
	for _, id := range []struct {
		field string
		v     *int
	}{{"bos_token_id", c.BOSTokenID}, {"eos_token_id", c.EOSTokenID}} {
		if id.v != nil {
			k.int(id.field, *id.v, 0, c.VocabSize-1)
		}
	}
	// rms_norm_eps: 1e-6 in DeepSeek models, 1e-5 to 1e-12 elsewhere; much more would
	// swamp the activations it divides.
	k.float("rms_norm_eps", c.RMSNormEps, 1e-12, 1, false)
	// rope_theta: 10,000 in DeepSeek models, up to 5e6 elsewhere; above 1 for the
	// frequencies to fall.
	k.float("rope_theta", c.RopeTheta, 1, 1e12, true)
	if c.HiddenAct != "silu" {
		k.fail("%s %q is not supported (want silu)", k.name("hidden_act"), c.HiddenAct)
	}
}

// checkSizes checks the products of config values that size what the model allocates:
// the widths of one token's activations, the KV cache of one position, the table of
// routed experts, and the parameter count.
func (c *Config) checkSizes(k *checker) {
	const row = "values in one token's activations"
	h := factor{"num_attention_heads", c.NumAttentionHeads}
	k.product(row, maxWidth, h, factor{"qk_nope_head_dim + qk_rope_head_dim", c.QKHeadDim()})
	k.product(row, maxWidth, h, factor{"v_head_dim", c.VHeadDim})
	k.product(row, maxWidth, h, factor{"kv_lora_rank", c.KVLoRARank})
	k.product("values in one position's KV cache", maxWidth,
		factor{"num_hidden_layers", c.NumHiddenLayers}, factor{"kv_lora_rank + qk_rope_head_dim", c.KVLoRARank + c.QKRopeHeadDim})
	if c.NRoutedExperts > 0 {
		k.product(row, maxWidth, factor{"num_experts_per_tok + n_shared_experts", c.NumExpertsPerTok + c.NSharedExperts},
			factor{"moe_intermediate_size", c.MoEIntermediateSize})
		k.product(row, maxWidth, factor{"num_experts_per_tok", c.NumExpertsPerTok}, factor{"hidden_size", c.HiddenSize})
		k.product("routed experts over all layers", maxLayerExperts,
			factor{"num_hidden_layers", c.NumHiddenLayers}, factor{"n_routed_experts", c.NRoutedExperts})
	}
	if k.err == nil {
		c.checkParams(k)
	}
}

// checkParams checks the parameter count the shape implies.
func (c *Config) checkParams(k *checker) {
	if n := c.paramCount(); n > maxParams {
		k.fail("the sizes in the config (%s %d, %s %d, %s %d, %s %d, %s %d) make %s parameters, more than %d, the most allowed",
			k.name("vocab_size"), c.VocabSize, k.name("hidden_size"), c.HiddenSize, k.name("num_hidden_layers"), c.NumHiddenLayers,
			k.name("n_routed_experts"), c.NRoutedExperts, k.name("moe_intermediate_size"), c.MoEIntermediateSize, satString(n), int64(maxParams))
	}
}

// paramCount is the number of parameters the config's shape implies (saturating at
// math.MaxInt64): the weights bind binds, less norms and biases.
func (c *Config) paramCount() int64 {
	mul := func(xs ...int) int64 {
		p := int64(1)
		for _, x := range xs {
			p = satMul(p, int64(x))
		}
		return p
	}
	if c.Dense() {
		return c.denseParams(mul)
	}
	d, h := c.HiddenSize, c.NumAttentionHeads
	n := mul(2, c.VocabSize, d) // embedding and output
	attn := mul(h, c.QKHeadDim(), d)
	if c.QLoRARank > 0 {
		attn = satAdd(mul(c.QLoRARank, d), mul(h, c.QKHeadDim(), c.QLoRARank))
	}
	attn = satAdd(attn, mul(c.KVLoRARank+c.QKRopeHeadDim, d))
	attn = satAdd(attn, mul(h, c.QKNopeHeadDim+c.VHeadDim, c.KVLoRARank))
	attn = satAdd(attn, mul(d, h, c.VHeadDim))
	for i := 0; i < c.NumHiddenLayers; i++ {
		n = satAdd(n, attn)
		if !c.IsMoELayer(i) {
			n = satAdd(n, mul(3, c.IntermediateSize, d))
			continue
		}
		n = satAdd(n, mul(c.NRoutedExperts, d))
		n = satAdd(n, mul(3, c.NRoutedExperts+c.NSharedExperts, c.MoEIntermediateSize, d))
	}
	return n
}

// QKHeadDim is the per-head query/key width: the no-RoPE part plus the RoPE part, or a
// dense model's head_dim.
func (c *Config) QKHeadDim() int {
	if c.Dense() {
		return c.HeadDim
	}
	return c.QKNopeHeadDim + c.QKRopeHeadDim
}

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

// SoftmaxScale is the attention scale: qk_head_dim^-0.5, times mscale² under DeepSeek's
// YaRN (reference MLA.__init__: mscale = 0.1*mscale_all_dim*ln(factor)+1); a dense model's
// head_dim^-0.5.
func (c *Config) SoftmaxScale() float64 {
	s := 1 / math.Sqrt(float64(c.QKHeadDim()))
	if rs := c.RopeScaling; rs != nil && rs.MScaleAllDim != 0 && !c.Dense() { // a dense model's YaRN scales cos and sin instead
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
	if c.Dense() {
		return c.marshalDense()
	}
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
