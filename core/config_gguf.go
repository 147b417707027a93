package core

import (
	"fmt"
	"math"
	"strings"

	"github.com/deepgo/deepgo/core/gguf"
)

// ggufMeta is what reading a config needs from a GGUF file's metadata.
type ggufMeta interface {
	get(key string) (gguf.Value, bool)
}

// configFromGGUF reads the architecture from llama.cpp's deepseek2 keys (or a dense
// family's, denseConfigFromGGUF). vocab is the
// number of tokens (deepseek2.vocab_size is optional when the file has them), hasBias
// whether the routers carry exp_probs_b (noaux_tc selection). Every key is checked as its
// config.json field is (Config.validate), and errors name the key.
func configFromGGUF(md ggufMeta, vocab int, hasBias bool) (*Config, error) {
	arch, _, err := ggufString(md, "general.architecture")
	if err != nil {
		return nil, err
	}
	switch arch {
	case "deepseek2":
	case "qwen2", "llama", "qwen3":
		return denseConfigFromGGUF(md, arch, vocab)
	default:
		return nil, fmt.Errorf("general.architecture %q not supported (want deepseek2, qwen2, llama or qwen3)", arch)
	}
	const p = "deepseek2."
	c := &Config{
		Architectures: []string{"DeepseekV2ForCausalLM"},
		ModelType:     "deepseek_v2",
		HiddenAct:     "silu",
		MoELayerFreq:  1,
	}
	var qk int
	// The integer keys, the config.json field each sets (for errors: see name), its
	// default, and whether it must be present. Alternatives for one field come in order of
	// preference: key_length_mla / value_length_mla are the per-head dims in files with
	// the split MLA layout (there key_length is kv_lora + rope); older files have only
	// key_length / value_length.
	ints := []struct {
		key, field string
		dst        *int
		def        int
		required   bool
	}{
		{"block_count", "num_hidden_layers", &c.NumHiddenLayers, 0, true},
		{"context_length", "max_position_embeddings", &c.MaxPositions, 0, true},
		{"embedding_length", "hidden_size", &c.HiddenSize, 0, true},
		{"feed_forward_length", "intermediate_size", &c.IntermediateSize, 0, false},
		{"attention.head_count", "num_attention_heads", &c.NumAttentionHeads, 0, true},
		{"rope.dimension_count", "qk_rope_head_dim", &c.QKRopeHeadDim, 0, true},
		{"attention.q_lora_rank", "q_lora_rank", &c.QLoRARank, 0, false},
		{"attention.kv_lora_rank", "kv_lora_rank", &c.KVLoRARank, 0, true},
		{"attention.key_length_mla", "qk_head_dim", &qk, 0, false},
		{"attention.key_length", "qk_head_dim", &qk, 0, true},
		{"attention.value_length_mla", "v_head_dim", &c.VHeadDim, 0, false},
		{"attention.value_length", "v_head_dim", &c.VHeadDim, 0, true},
		{"expert_count", "n_routed_experts", &c.NRoutedExperts, 0, false},
		{"expert_used_count", "num_experts_per_tok", &c.NumExpertsPerTok, 0, false},
		{"expert_shared_count", "n_shared_experts", &c.NSharedExperts, 0, false},
		{"expert_feed_forward_length", "moe_intermediate_size", &c.MoEIntermediateSize, 0, false},
		{"leading_dense_block_count", "first_k_dense_replace", &c.FirstKDenseReplace, 0, false},
		{"expert_group_count", "n_group", &c.NGroup, 1, false},
		{"expert_group_used_count", "topk_group", &c.TopKGroup, 1, false},
		{"vocab_size", "vocab_size", &c.VocabSize, vocab, false},
		{"nextn_predict_layers", "num_nextn_predict_layers", &c.NumNextNPredictLayers, 0, false},
	}
	floats := []ggufFloatKey{
		{"attention.layer_norm_rms_epsilon", "rms_norm_eps", &c.RMSNormEps, 1e-6},
		{"rope.freq_base", "rope_theta", &c.RopeTheta, 10000},
		{"expert_weights_scale", "routed_scaling_factor", &c.RoutedScalingFactor, 1},
	}
	// used maps a config.json field to the key it was read from; name gives validate's
	// errors those keys.
	used := map[string]string{
		"qk_nope_head_dim": p + "attention.key_length_mla - " + p + "rope.dimension_count",
		"vocab_size":       "the length of tokenizer.ggml.tokens",
	}
	name := func(field string) string {
		if k, ok := used[field]; ok {
			return k
		}
		return field
	}
	set := map[*int]bool{}
	var missing []string
	for _, e := range ints {
		if set[e.dst] {
			continue // an earlier key gave this field
		}
		v, ok, err := ggufInt(md, p+e.key)
		switch {
		case err != nil:
			return nil, err
		case ok:
			*e.dst, set[e.dst] = v, true
			used[e.field] = p + e.key
		case e.required:
			missing = append(missing, p+e.key)
		default:
			*e.dst = e.def
		}
	}
	if !set[&c.VocabSize] && vocab == 0 {
		missing = append(missing, p+"vocab_size (or tokenizer.ggml.tokens)")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing metadata %s", strings.Join(missing, ", "))
	}
	// llama.cpp counts the multi-token-prediction layers in block_count: they are the
	// last nextn_predict_layers blocks.
	if n := c.NumNextNPredictLayers; n > 0 {
		if n >= c.NumHiddenLayers {
			return nil, fmt.Errorf("%snextn_predict_layers = %d leaves no main layers of %sblock_count = %d", p, n, p, c.NumHiddenLayers)
		}
		c.NumHiddenLayers -= n
		used["num_hidden_layers"] = p + "block_count - " + p + "nextn_predict_layers"
	}
	if k := used["qk_head_dim"]; strings.HasSuffix(k, ".key_length") {
		used["qk_nope_head_dim"] = k + " - " + p + "rope.dimension_count"
	}
	c.QKNopeHeadDim = qk - c.QKRopeHeadDim
	if err := readFloatKeys(md, p, floats, used); err != nil {
		return nil, err
	}
	if norm, ok, err := ggufBool(md, p+"expert_weights_norm"); err != nil {
		return nil, err
	} else if ok {
		c.NormTopKProb = norm
	}
	c.ScoringFunc = "softmax"
	switch g, ok, err := ggufInt(md, p+"expert_gating_func"); {
	case err != nil:
		return nil, err
	case !ok || g == 1:
	case g == 2:
		c.ScoringFunc = "sigmoid"
		c.Architectures, c.ModelType = []string{"DeepseekV3ForCausalLM"}, "deepseek_v3"
	default:
		return nil, fmt.Errorf("%sexpert_gating_func = %d is not supported (1 softmax, 2 sigmoid)", p, g)
	}
	switch {
	case hasBias:
		c.TopKMethod = "noaux_tc"
	case c.NGroup > 1:
		c.TopKMethod = "group_limited_greedy"
	default:
		c.TopKMethod = "greedy"
	}
	t, _, err := ggufString(md, p+"rope.scaling.type")
	if err != nil {
		return nil, err
	}
	switch t {
	case "yarn":
		rs := &RopeScaling{Type: "yarn"}
		yarn := []ggufFloatKey{
			{"rope.scaling.factor", "rope_scaling.factor", &rs.Factor, 1},
			{"rope.scaling.yarn_beta_fast", "rope_scaling.beta_fast", &rs.BetaFast, 32},
			{"rope.scaling.yarn_beta_slow", "rope_scaling.beta_slow", &rs.BetaSlow, 1},
			// yarn_log_multiplier is 0.1·mscale_all_dim (llama.cpp's converter); mscale
			// equals it in every published config.
			{"rope.scaling.yarn_log_multiplier", "rope_scaling.mscale_all_dim", &rs.MScaleAllDim, 0.1},
		}
		if err := readFloatKeys(md, p, yarn, used); err != nil {
			return nil, err
		}
		rs.MScaleAllDim /= 0.1
		rs.MScale = rs.MScaleAllDim
		used["rope_scaling.mscale_all_dim"] = "10 × " + p + "rope.scaling.yarn_log_multiplier"
		used["rope_scaling.mscale"] = used["rope_scaling.mscale_all_dim"]
		orig, ok, err := ggufInt(md, p+"rope.scaling.original_context_length")
		if err != nil {
			return nil, err
		}
		if ok {
			rs.OriginalMaxPositionEmbeddings = orig
		}
		used["rope_scaling.original_max_position_embeddings"] = p + "rope.scaling.original_context_length"
		c.RopeScaling = rs
	case "", "none":
	default:
		return nil, fmt.Errorf("%srope.scaling.type %q is not supported (want yarn or none)", p, t)
	}
	if err := c.validate(name); err != nil {
		return nil, err
	}
	return c, nil
}

// ggufInt reads an integer key: ok is false when it is absent; a key of another type, or
// a value that does not fit in an int, is an error naming the key.
// ggufFloatKey is an optional float key (after the architecture's prefix), the config
// field it sets, and the field's value when the key is absent.
type ggufFloatKey struct {
	key, field string
	dst        *float64
	def        float64
}

// readFloatKeys sets each key's field from md, or to its default, and records in used the
// key each field came from (for the range errors).
func readFloatKeys(md ggufMeta, prefix string, keys []ggufFloatKey, used map[string]string) error {
	for _, e := range keys {
		v, ok, err := ggufFloat(md, prefix+e.key)
		switch {
		case err != nil:
			return err
		case ok:
			*e.dst = v
			used[e.field] = prefix + e.key
		default:
			*e.dst = e.def
		}
	}
	return nil
}

func ggufInt(md ggufMeta, key string) (int, bool, error) {
	v, ok := md.get(key)
	if !ok {
		return 0, false, nil
	}
	if i, ok := v.Int(); ok && i >= math.MinInt && i <= math.MaxInt {
		return int(i), true, nil
	}
	if _, ok := v.Uint(); ok {
		return 0, false, fmt.Errorf("%s = %s does not fit in an int", key, v)
	}
	return 0, false, fmt.Errorf("%s has type %s, want an integer", key, ggufType(v))
}

// ggufFloat reads a number key (a float, or an integer as llama.cpp's writers sometimes
// give one): ok is false when it is absent; a key of another type is an error.
func ggufFloat(md ggufMeta, key string) (float64, bool, error) {
	v, ok := md.get(key)
	if !ok {
		return 0, false, nil
	}
	if x, ok := v.Float(); ok {
		return x, true, nil
	}
	if i, ok := v.Int(); ok {
		return float64(i), true, nil
	}
	if u, ok := v.Uint(); ok {
		return float64(u), true, nil
	}
	return 0, false, fmt.Errorf("%s has type %s, want a number", key, ggufType(v))
}

// ggufBool reads a bool key: ok is false when it is absent; another type is an error.
func ggufBool(md ggufMeta, key string) (bool, bool, error) {
	v, ok := md.get(key)
	if !ok {
		return false, false, nil
	}
	if b, ok := v.Bool(); ok {
		return b, true, nil
	}
	return false, false, fmt.Errorf("%s has type %s, want a bool", key, ggufType(v))
}

// ggufString reads a string key: "" and ok false when it is absent; another type is an
// error.
func ggufString(md ggufMeta, key string) (string, bool, error) {
	v, ok := md.get(key)
	if !ok {
		return "", false, nil
	}
	if s, ok := v.Str(); ok {
		return s, true, nil
	}
	return "", false, fmt.Errorf("%s has type %s, want a string", key, ggufType(v))
}

// ggufType names a value's type, for errors.
func ggufType(v gguf.Value) string {
	if v.Kind() == gguf.Array {
		return "array of " + v.Elem().String()
	}
	return v.Kind().String()
}
