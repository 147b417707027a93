package core

import (
	"math"
	"strings"
	"testing"
)

// TestDenseConfig: a dense family's config.json gets its class's defaults (kv heads, head
// dim, Qwen2's biases) and every field its range, with errors naming the field.
func TestDenseConfig(t *testing.T) {
	base := `{"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 1000, "hidden_size": 64,
		"intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4%s}`
	c, err := ParseConfig([]byte(strings.Replace(base, "%s", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if c.Family() != FamilyQwen2 || !c.Dense() || c.NumKeyValueHeads != 4 || c.HeadDim != 16 || !c.AttentionBias ||
		c.MaxPositions != 32768 || c.QKHeadDim() != 16 || c.kvWidth() != 2*4*16 {
		t.Errorf("defaults: %+v", c)
	}
	cases := []struct{ name, extra, want string }{
		{"kv heads not dividing", `, "num_key_value_heads": 3`, "num_key_value_heads = 3 must divide num_attention_heads = 4"},
		{"more kv heads than heads", `, "num_key_value_heads": 8`, "num_key_value_heads = 8 is out of range [1, 4]"},
		{"odd head_dim", `, "head_dim": 15`, "head_dim = 15 must be even"},
		{"head_dim huge", `, "head_dim": 100000`, "head_dim = 100000 is out of range [2, 4096]"},
		{"hidden not a multiple of heads", `, "hidden_size": 66`, "head_dim = 0 is out of range"},
		{"mlp_bias", `, "mlp_bias": true`, "mlp_bias true is not supported"},
		{"sliding window", `, "use_sliding_window": true`, "use_sliding_window true is not supported"},
		{"MLA fields", `, "kv_lora_rank": 64`, "config has DeepSeek fields"},
		{"rope scaling dynamic", `, "rope_scaling": {"rope_type": "dynamic", "factor": 2}`, `rope_scaling.rope_type "dynamic" is not supported (want llama3 or yarn)`},
		{"llama3 low above high", `, "rope_scaling": {"rope_type": "llama3", "factor": 8, "low_freq_factor": 4, "high_freq_factor": 1, "original_max_position_embeddings": 8192}`,
			"rope_scaling.high_freq_factor = 1 is out of range (4, 10000]"},
		{"llama3 factor below 1", `, "rope_scaling": {"rope_type": "llama3", "factor": 0.5, "low_freq_factor": 1, "high_freq_factor": 4, "original_max_position_embeddings": 8192}`,
			"rope_scaling.factor = 0.5 is out of range [1, 10000]"},
		{"yarn attention factor negative", `, "rope_scaling": {"rope_type": "yarn", "factor": 4, "attention_factor": -1}`,
			"rope_scaling.attention_factor = -1 is out of range [0, 1000]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(strings.Replace(base, "%s", tc.extra, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	// Qwen3 without head_dim takes Qwen3Config's 128; Llama's hidden / heads.
	for _, tc := range []struct {
		arch, modelType string
		want            int
	}{{"Qwen3ForCausalLM", "qwen3", 128}, {"LlamaForCausalLM", "llama", 16}} {
		js := strings.NewReplacer("Qwen2ForCausalLM", tc.arch, `"qwen2"`, `"`+tc.modelType+`"`, "%s", "").Replace(base)
		c, err := ParseConfig([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		if c.HeadDim != tc.want || c.AttentionBias {
			t.Errorf("%s: head_dim %d (want %d), attention_bias %v", tc.arch, c.HeadDim, tc.want, c.AttentionBias)
		}
	}
}

// TestDenseConfigGGUF: a dense model's qwen2/llama/qwen3 keys, their ranges, and YaRN as
// llama.cpp reads it.
func TestDenseConfigGGUF(t *testing.T) {
	base := func(t *testing.T) ggufMap { return denseBaseGGUF(t, false) }
	c, err := configFromGGUF(base(t), 1000, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Family() != FamilyQwen3 || c.HeadDim != 32 || c.NumKeyValueHeads != 2 || c.VocabSize != 1000 || c.RopeScaling != nil {
		t.Errorf("config: %+v", c)
	}
	// YaRN: cos and sin scaled by 0.1·ln(factor)+1 times attn_factor, as llama.cpp does.
	for _, tc := range []struct {
		name string
		attn any
		want float64
	}{{"attn_factor", float32(0.8782488562869419), 1}, {"no attn_factor", nil, 0.1*math.Log(4) + 1}} {
		t.Run("yarn "+tc.name, func(t *testing.T) {
			md := base(t)
			md["qwen3.rope.scaling.type"] = gv(t, "yarn")
			md["qwen3.rope.scaling.factor"] = gv(t, float32(4))
			md["qwen3.rope.scaling.original_context_length"] = gv(t, uint32(1024))
			if tc.attn != nil {
				md["qwen3.rope.scaling.attn_factor"] = gv(t, tc.attn)
			}
			c, err := configFromGGUF(md, 1000, false)
			if err != nil {
				t.Fatal(err)
			}
			rs := c.RopeScaling
			if rs == nil || rs.OriginalMaxPositionEmbeddings != 1024 || rs.BetaFast != 32 || rs.BetaSlow != 1 ||
				math.Abs(yarnAttentionFactor(rs)-tc.want) > 1e-6 {
				t.Errorf("rope scaling %+v: attention factor %v, want %v", rs, yarnAttentionFactor(rs), tc.want)
			}
		})
	}
	cases := []struct {
		name, key string
		v         any // nil deletes the key
		want      string
	}{
		{"no head count", "qwen3.attention.head_count", nil, "missing metadata qwen3.attention.head_count"},
		{"kv heads not dividing", "qwen3.attention.head_count_kv", uint32(3), "qwen3.attention.head_count_kv = 3 must divide qwen3.attention.head_count = 4"},
		{"value length differs", "qwen3.attention.value_length", uint32(16), "qwen3.attention.value_length = 16 differs from the head size 32"},
		{"rope dims differ", "qwen3.rope.dimension_count", uint32(16), "qwen3.rope.dimension_count = 16 differs from the head size 32"},
		{"longrope", "qwen3.rope.scaling.type", "longrope", `qwen3.rope.scaling.type "longrope" is not supported (want none or yarn)`},
		{"yarn without factor", "qwen3.rope.scaling.type", "yarn", "missing metadata qwen3.rope.scaling.factor"},
		{"eps a string", "qwen3.attention.layer_norm_rms_epsilon", "1e-6", "qwen3.attention.layer_norm_rms_epsilon has type string, want a number"},
		{"context 0", "qwen3.context_length", uint32(0), "qwen3.context_length = 0 is out of range"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			md := base(t)
			if tc.v == nil {
				delete(md, tc.key)
			} else {
				md[tc.key] = gv(t, tc.v)
			}
			_, err := configFromGGUF(md, 1000, false)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// denseBaseGGUF is valid qwen3 metadata (with YaRN's keys if yarn).
func denseBaseGGUF(t testing.TB, yarn bool) ggufMap {
	md := ggufMap{
		"general.architecture":                   gv(t, "qwen3"),
		"qwen3.block_count":                      gv(t, uint32(2)),
		"qwen3.context_length":                   gv(t, uint32(4096)),
		"qwen3.embedding_length":                 gv(t, uint32(64)),
		"qwen3.feed_forward_length":              gv(t, uint32(128)),
		"qwen3.attention.head_count":             gv(t, uint32(4)),
		"qwen3.attention.head_count_kv":          gv(t, uint32(2)),
		"qwen3.attention.key_length":             gv(t, uint32(32)),
		"qwen3.attention.value_length":           gv(t, uint32(32)),
		"qwen3.attention.layer_norm_rms_epsilon": gv(t, float32(1e-6)),
		"qwen3.rope.freq_base":                   gv(t, float32(1e6)),
	}
	if yarn {
		md["qwen3.rope.scaling.type"] = gv(t, "yarn")
		md["qwen3.rope.scaling.factor"] = gv(t, float32(4))
		md["qwen3.rope.scaling.original_context_length"] = gv(t, uint32(1024))
		md["qwen3.rope.scaling.attn_factor"] = gv(t, float32(0.878))
	}
	return md
}
