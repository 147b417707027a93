package core

import (
	"fmt"
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
	// Llama-3's scaling travels as the rope_freqs tensor; a scaling key other than none
	// (linear, yarn: no R1 distill uses one) is refused rather than ignored.
	t, _, err := ggufString(md, p+"rope.scaling.type")
	if err != nil {
		return nil, err
	}
	if f, ok, err := ggufFloat(md, p+"rope.scaling.factor"); err != nil {
		return nil, err
	} else if t != "" && t != "none" && !(t == "linear" && (!ok || f == 1)) {
		return nil, fmt.Errorf("%srope.scaling.type %q is not supported for %s (want none)", p, t, arch)
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
