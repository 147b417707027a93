package core

import (
	"fmt"
	"math"
)

// ggufMeta is what reading a config needs from a GGUF file's metadata.
type ggufMeta interface {
	uintKey(key string) (uint64, bool)
	floatKey(key string) (float64, bool)
	boolKey(key string) (bool, bool)
	stringKey(key string) (string, bool)
}

// configFromGGUF reads the architecture from llama.cpp's deepseek2 keys. vocab is the
// number of tokens (deepseek2.vocab_size is optional), hasBias whether the routers carry
// exp_probs_b (noaux_tc selection).
func configFromGGUF(md ggufMeta, vocab int, hasBias bool) (*Config, error) {
	arch, _ := md.stringKey("general.architecture")
	if arch != "deepseek2" {
		return nil, fmt.Errorf("general.architecture %q not supported (want deepseek2)", arch)
	}
	p := arch + "."
	var missing []string
	u := func(key string, def int, required bool) int {
		v, ok := md.uintKey(p + key)
		if !ok {
			if required {
				missing = append(missing, p+key)
			}
			return def
		}
		if v > math.MaxInt32 {
			missing = append(missing, p+key+" (out of range)")
			return def
		}
		return int(v)
	}
	f := func(key string, def float64) float64 {
		if v, ok := md.floatKey(p + key); ok {
			return v
		}
		return def
	}
	c := &Config{
		Architectures:       []string{"DeepseekV2ForCausalLM"},
		ModelType:           "deepseek_v2",
		HiddenAct:           "silu",
		NumHiddenLayers:     u("block_count", 0, true),
		MaxPositions:        u("context_length", 0, false),
		HiddenSize:          u("embedding_length", 0, true),
		IntermediateSize:    u("feed_forward_length", 0, false),
		NumAttentionHeads:   u("attention.head_count", 0, true),
		RMSNormEps:          f("attention.layer_norm_rms_epsilon", 1e-6),
		RopeTheta:           f("rope.freq_base", 10000),
		QKRopeHeadDim:       u("rope.dimension_count", 0, true),
		QLoRARank:           u("attention.q_lora_rank", 0, false),
		KVLoRARank:          u("attention.kv_lora_rank", 0, true),
		NRoutedExperts:      u("expert_count", 0, false),
		NumExpertsPerTok:    u("expert_used_count", 0, false),
		NSharedExperts:      u("expert_shared_count", 0, false),
		MoEIntermediateSize: u("expert_feed_forward_length", 0, false),
		FirstKDenseReplace:  u("leading_dense_block_count", 0, false),
		NGroup:              u("expert_group_count", 1, false),
		TopKGroup:           u("expert_group_used_count", 1, false),
		MoELayerFreq:        1,
		RoutedScalingFactor: f("expert_weights_scale", 1),
		VocabSize:           u("vocab_size", vocab, false),
	}
	// key_length_mla / value_length_mla are the per-head dims in files with the split MLA
	// layout (there key_length is kv_lora + rope); older files have only key_length.
	qk := u("attention.key_length_mla", 0, false)
	if qk == 0 {
		qk = u("attention.key_length", 0, true)
	}
	c.VHeadDim = u("attention.value_length_mla", 0, false)
	if c.VHeadDim == 0 {
		c.VHeadDim = u("attention.value_length", 0, true)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing or bad metadata %v", missing)
	}
	c.QKNopeHeadDim = qk - c.QKRopeHeadDim
	if norm, ok := md.boolKey(p + "expert_weights_norm"); ok {
		c.NormTopKProb = norm
	}
	c.ScoringFunc = "softmax"
	if g := u("expert_gating_func", 1, false); g == 2 {
		c.ScoringFunc = "sigmoid"
		c.Architectures, c.ModelType = []string{"DeepseekV3ForCausalLM"}, "deepseek_v3"
	} else if g != 1 {
		return nil, fmt.Errorf("%sexpert_gating_func = %d not supported (1 softmax, 2 sigmoid)", p, g)
	}
	switch {
	case hasBias:
		c.TopKMethod = "noaux_tc"
	case c.NGroup > 1:
		c.TopKMethod = "group_limited_greedy"
	default:
		c.TopKMethod = "greedy"
	}
	if t, _ := md.stringKey(p + "rope.scaling.type"); t == "yarn" {
		// yarn_log_multiplier is 0.1·mscale_all_dim (llama.cpp's converter); mscale equals it
		// in every published config.
		ms := f("rope.scaling.yarn_log_multiplier", 0.1) / 0.1
		c.RopeScaling = &RopeScaling{
			Type:                          "yarn",
			Factor:                        f("rope.scaling.factor", 1),
			OriginalMaxPositionEmbeddings: u("rope.scaling.original_context_length", 0, false),
			BetaFast:                      f("rope.scaling.yarn_beta_fast", 32),
			BetaSlow:                      f("rope.scaling.yarn_beta_slow", 1),
			MScale:                        ms,
			MScaleAllDim:                  ms,
		}
	} else if t != "" && t != "none" {
		return nil, fmt.Errorf("%srope.scaling.type %q not supported (want yarn or none)", p, t)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}
