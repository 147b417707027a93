package core

import (
	"fmt"
	"math"
	"strings"
)

// denseConfigFromGGUF reads a dense model's architecture from llama.cpp's keys for arch
// (qwen2, llama, qwen3; the prefix of every key). vocab is the number of tokens. Every key
// is checked as its config.json field is (Config.validate), and errors name the key. What
// only the tensors tell — tied embeddings, biases, Llama-3's frequency factors — the
// caller reads from them (openGGUF).
func denseConfigFromGGUF(md ggufMeta, arch string, vocab int) (*Config, error) {
	c := &Config{HiddenAct: "silu"}
	for _, f := range families {
		if f.gguf == arch {
			c.Architectures, c.ModelType = []string{f.arch}, f.modelType
			break
		}
	}
	p := arch + "."
	used := map[string]string{"vocab_size": "the length of tokenizer.ggml.tokens"}
	ints := []struct {
		key, field string
		dst        *int
		required   bool
	}{
		{"block_count", "num_hidden_layers", &c.NumHiddenLayers, true},
		{"context_length", "max_position_embeddings", &c.MaxPositions, true},
		{"embedding_length", "hidden_size", &c.HiddenSize, true},
		{"feed_forward_length", "intermediate_size", &c.IntermediateSize, true},
		{"attention.head_count", "num_attention_heads", &c.NumAttentionHeads, true},
		{"attention.head_count_kv", "num_key_value_heads", &c.NumKeyValueHeads, false},
		{"attention.key_length", "head_dim", &c.HeadDim, false},
		{"vocab_size", "vocab_size", &c.VocabSize, false},
	}
	var missing []string
	for _, e := range ints {
		v, ok, err := ggufInt(md, p+e.key)
		switch {
		case err != nil:
			return nil, err
		case ok:
			*e.dst = v
			used[e.field] = p + e.key
		case e.required:
			missing = append(missing, p+e.key)
		}
	}
	if c.VocabSize == 0 {
		if vocab == 0 {
			missing = append(missing, p+"vocab_size (or tokenizer.ggml.tokens)")
		}
		c.VocabSize = vocab
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing metadata %s", strings.Join(missing, ", "))
	}
	if c.NumKeyValueHeads == 0 {
		c.NumKeyValueHeads = c.NumAttentionHeads // llama.cpp's default: no grouping
	}
	// The value heads and the rotating dims must be the whole head, as in every model of
	// these families.
	for _, k := range []string{"attention.value_length", "rope.dimension_count"} {
		v, ok, err := ggufInt(md, p+k)
		if err != nil {
			return nil, err
		}
		hd := c.HeadDim
		if hd == 0 && c.NumAttentionHeads > 0 {
			hd = c.HiddenSize / c.NumAttentionHeads
		}
		if ok && v != hd {
			return nil, fmt.Errorf("%s%s = %d differs from the head size %d: not supported", p, k, v, hd)
		}
	}
	floats := []ggufFloatKey{
		{"attention.layer_norm_rms_epsilon", "rms_norm_eps", &c.RMSNormEps, 1e-6},
		{"rope.freq_base", "rope_theta", &c.RopeTheta, 10000},
	}
	if err := readFloatKeys(md, p, floats, used); err != nil {
		return nil, err
	}
	if err := denseRopeScalingFromGGUF(md, p, c, used); err != nil {
		return nil, err
	}
	name := func(field string) string {
		if k, ok := used[field]; ok {
			return k
		}
		return field
	}
	if err := c.validate(name); err != nil {
		return nil, err
	}
	return c, nil
}

// denseRopeScalingFromGGUF reads a dense model's rope.scaling.* keys (after the prefix p).
// Llama-3's scaling travels as the rope_freqs tensor, not as keys. YaRN (R1-0528-Qwen3)
// is read as llama.cpp applies it: cos and sin scaled by 0.1·ln(factor)+1 times
// rope.scaling.attn_factor (1 when absent). Other scalings (linear, longrope: no R1
// distill uses one) are refused rather than ignored.
func denseRopeScalingFromGGUF(md ggufMeta, p string, c *Config, used map[string]string) error {
	t, _, err := ggufString(md, p+"rope.scaling.type")
	if err != nil {
		return err
	}
	factor, ok, err := ggufFloat(md, p+"rope.scaling.factor")
	if err != nil {
		return err
	}
	switch {
	case t == "" || t == "none" || t == "linear" && (!ok || factor == 1):
		return nil
	case t != "yarn":
		return fmt.Errorf("%srope.scaling.type %q is not supported (want none or yarn)", p, t)
	}
	rs := &RopeScaling{RopeType: "yarn", Factor: factor}
	if !ok {
		return fmt.Errorf("missing metadata %srope.scaling.factor", p)
	}
	used["rope_scaling.factor"] = p + "rope.scaling.factor"
	var attn float64
	keys := []ggufFloatKey{
		{"rope.scaling.yarn_beta_fast", "rope_scaling.beta_fast", &rs.BetaFast, 32},
		{"rope.scaling.yarn_beta_slow", "rope_scaling.beta_slow", &rs.BetaSlow, 1},
		{"rope.scaling.attn_factor", "rope_scaling.attn_factor", &attn, 1},
	}
	if err := readFloatKeys(md, p, keys, used); err != nil {
		return err
	}
	orig, ok, err := ggufInt(md, p+"rope.scaling.original_context_length")
	if err != nil {
		return err
	}
	if !ok {
		orig = c.MaxPositions
	}
	rs.OriginalMaxPositionEmbeddings = orig
	used["rope_scaling.original_max_position_embeddings"] = p + "rope.scaling.original_context_length"
	if !(attn > 0) || math.IsInf(attn, 0) {
		return fmt.Errorf("%srope.scaling.attn_factor = %g, want a positive number", p, attn)
	}
	rs.AttentionFactor = yarnMScale(factor, 1) * attn
	used["rope_scaling.attention_factor"] = "(0.1·ln " + p + "rope.scaling.factor + 1) × " + p + "rope.scaling.attn_factor"
	c.RopeScaling = rs
	return nil
}
