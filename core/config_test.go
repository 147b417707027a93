package core

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/gguf"
)

// baseConfigJSON is a small valid DeepSeek-V3 config.json: MoE with a dense first layer,
// group-limited noaux_tc routing, q LoRA, YaRN.
func baseConfigJSON() map[string]any {
	return map[string]any{
		"architectures": []string{"DeepseekV3ForCausalLM"}, "model_type": "deepseek_v3",
		"vocab_size": 333, "hidden_size": 136, "intermediate_size": 200, "num_hidden_layers": 3,
		"num_attention_heads": 2, "rms_norm_eps": 1e-6, "max_position_embeddings": 512,
		"bos_token_id": 0, "eos_token_id": 1, "hidden_act": "silu", "q_lora_rank": 72,
		"kv_lora_rank": 136, "qk_nope_head_dim": 24, "qk_rope_head_dim": 8, "v_head_dim": 40,
		"rope_theta": 50000.0, "n_routed_experts": 16, "n_shared_experts": 2, "num_experts_per_tok": 5,
		"moe_intermediate_size": 20, "first_k_dense_replace": 1, "moe_layer_freq": 1, "n_group": 8,
		"topk_group": 4, "topk_method": "noaux_tc", "scoring_func": "sigmoid", "norm_topk_prob": true,
		"routed_scaling_factor": 2.5,
		"rope_scaling": map[string]any{"type": "yarn", "factor": 40.0, "original_max_position_embeddings": 128,
			"beta_fast": 32.0, "beta_slow": 1.0, "mscale": 1.0, "mscale_all_dim": 1.0},
		"quantization_config": map[string]any{"quant_method": "fp8", "fmt": "e4m3", "weight_block_size": []int{128, 128}},
	}
}

// set returns a copy of baseConfigJSON with key (a.b for a nested object) set to v, or
// deleted when v is del{}.
func set(key string, v any) map[string]any {
	c := baseConfigJSON()
	m := c
	if outer, inner, ok := strings.Cut(key, "."); ok {
		m = m[outer].(map[string]any)
		key = inner
	}
	if _, ok := v.(del); ok {
		delete(m, key)
	} else {
		m[key] = v
	}
	return c
}

// del deletes a key in set.
type del struct{}

// raw is JSON inserted into a config as is (numbers json.Marshal would not write so).
type raw string

func (r raw) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// TestConfigRanges: every config.json field out of its range, and every product of fields
// too large, is refused with an error naming the field, its value and the range.
func TestConfigRanges(t *testing.T) {
	b, _ := json.Marshal(baseConfigJSON())
	if _, err := ParseConfig(b); err != nil {
		t.Fatalf("base config: %v", err)
	}
	big := 1 << 21
	cases := []struct {
		name string
		cfg  map[string]any
		want string
	}{
		{"architecture", set("architectures", []string{"MistralForCausalLM"}), "unsupported architecture [MistralForCausalLM] (want one of DeepseekV3ForCausalLM, DeepseekV2ForCausalLM, Qwen2ForCausalLM, LlamaForCausalLM, Qwen3ForCausalLM)"},
		{"dense with DeepSeek fields", set("architectures", []string{"LlamaForCausalLM"}), "a [LlamaForCausalLM] config has DeepSeek fields"},
		{"vocab_size 0", set("vocab_size", 0), "vocab_size = 0 is out of range [1, 1048576]"},
		{"vocab_size missing", set("vocab_size", del{}), "vocab_size = 0 is out of range [1, 1048576]"},
		{"vocab_size huge", set("vocab_size", big), "vocab_size = 2097152 is out of range [1, 1048576]"},
		{"vocab_size negative", set("vocab_size", -1), "vocab_size = -1 is out of range"},
		{"hidden_size 0", set("hidden_size", 0), "hidden_size = 0 is out of range [1, 1048576]"},
		{"hidden_size huge", set("hidden_size", big), "hidden_size = 2097152 is out of range"},
		{"intermediate_size 0 with a dense layer", set("intermediate_size", 0), "intermediate_size = 0 is out of range [1, 1048576]"},
		{"intermediate_size negative", set("intermediate_size", -5), "intermediate_size = -5 is out of range"},
		{"num_hidden_layers 0", set("num_hidden_layers", 0), "num_hidden_layers = 0 is out of range [1, 1024]"},
		{"num_hidden_layers huge", set("num_hidden_layers", 1025), "num_hidden_layers = 1025 is out of range [1, 1024]"},
		{"num_attention_heads 0", set("num_attention_heads", 0), "num_attention_heads = 0 is out of range [1, 4096]"},
		{"num_attention_heads huge", set("num_attention_heads", 5000), "num_attention_heads = 5000 is out of range"},
		{"rms_norm_eps 0", set("rms_norm_eps", 0), "rms_norm_eps = 0 is out of range [1e-12, 1]"},
		{"rms_norm_eps negative", set("rms_norm_eps", -1e-6), "rms_norm_eps = -1e-06 is out of range"},
		{"rms_norm_eps tiny", set("rms_norm_eps", 1e-300), "rms_norm_eps = 1e-300 is out of range"},
		{"rms_norm_eps 2", set("rms_norm_eps", 2), "rms_norm_eps = 2 is out of range"},
		{"max_position_embeddings 0", set("max_position_embeddings", 0), "max_position_embeddings = 0 is out of range [1, 16777216]"},
		{"max_position_embeddings 1e15", set("max_position_embeddings", 1_000_000_000_000_000), "max_position_embeddings = 1000000000000000 is out of range [1, 16777216]"},
		{"max_position_embeddings 2^24+1", set("max_position_embeddings", 1<<24+1), "max_position_embeddings = 16777217 is out of range"},
		{"max_position_embeddings negative", set("max_position_embeddings", -1), "max_position_embeddings = -1 is out of range"},
		{"max_position_embeddings a float", set("max_position_embeddings", raw("1e15")), "max_position_embeddings of type int"},
		{"max_position_embeddings past int64", set("max_position_embeddings", raw("99999999999999999999")), "max_position_embeddings of type int"},
		{"bos_token_id negative", set("bos_token_id", -1), "bos_token_id = -1 is out of range [0, 332]"},
		{"eos_token_id past the vocabulary", set("eos_token_id", 333), "eos_token_id = 333 is out of range [0, 332]"},
		{"hidden_act", set("hidden_act", "gelu"), `hidden_act "gelu" is not supported (want silu)`},
		{"q_lora_rank negative", set("q_lora_rank", -1), "q_lora_rank = -1 is out of range [0, 1048576]"},
		{"q_lora_rank huge", set("q_lora_rank", big), "q_lora_rank = 2097152 is out of range"},
		{"kv_lora_rank 0", set("kv_lora_rank", 0), "kv_lora_rank = 0 is out of range [1, 1048576]"},
		{"qk_nope_head_dim 0", set("qk_nope_head_dim", 0), "qk_nope_head_dim = 0 is out of range [1, 4096]"},
		{"qk_nope_head_dim huge", set("qk_nope_head_dim", 5000), "qk_nope_head_dim = 5000 is out of range"},
		{"qk_rope_head_dim 0", set("qk_rope_head_dim", 0), "qk_rope_head_dim = 0 is out of range [2, 4096]"},
		{"qk_rope_head_dim odd", set("qk_rope_head_dim", 7), "qk_rope_head_dim = 7 must be even"},
		{"v_head_dim 0", set("v_head_dim", 0), "v_head_dim = 0 is out of range [1, 4096]"},
		{"v_head_dim huge", set("v_head_dim", 1<<13), "v_head_dim = 8192 is out of range"},
		{"rope_theta 1", set("rope_theta", 1), "rope_theta = 1 is out of range (1, 1e+12]"},
		{"rope_theta 0", set("rope_theta", 0), "rope_theta = 0 is out of range"},
		{"rope_theta huge", set("rope_theta", 1e300), "rope_theta = 1e+300 is out of range"},
		{"rope_scaling type", set("rope_scaling.type", "ntk"), `rope_scaling.type "ntk" is not supported (want yarn)`},
		{"rope_scaling factor below 1", set("rope_scaling.factor", 0.5), "rope_scaling.factor = 0.5 is out of range [1, 10000]"},
		{"rope_scaling factor huge", set("rope_scaling.factor", 1e300), "rope_scaling.factor = 1e+300 is out of range"},
		{"rope_scaling original 0", set("rope_scaling.original_max_position_embeddings", 0), "rope_scaling.original_max_position_embeddings = 0 is out of range [1, 16777216]"},
		{"rope_scaling original missing", set("rope_scaling.original_max_position_embeddings", del{}), "rope_scaling.original_max_position_embeddings = 0 is out of range"},
		{"rope_scaling beta_fast negative", set("rope_scaling.beta_fast", -1), "rope_scaling.beta_fast = -1 is out of range (0, 10000]"},
		{"rope_scaling beta_slow huge", set("rope_scaling.beta_slow", 1e5), "rope_scaling.beta_slow = 100000 is out of range"},
		{"rope_scaling mscale negative", set("rope_scaling.mscale", -1), "rope_scaling.mscale = -1 is out of range [0, 1000]"},
		{"rope_scaling mscale_all_dim huge", set("rope_scaling.mscale_all_dim", 1e4), "rope_scaling.mscale_all_dim = 10000 is out of range"},
		{"n_routed_experts negative", set("n_routed_experts", -1), "n_routed_experts = -1 is out of range [0, 65536]"},
		{"n_routed_experts huge", set("n_routed_experts", 1<<16+1), "n_routed_experts = 65537 is out of range"},
		{"n_shared_experts negative", set("n_shared_experts", -1), "n_shared_experts = -1 is out of range [0, 1024]"},
		{"n_shared_experts huge", set("n_shared_experts", 2000), "n_shared_experts = 2000 is out of range"},
		{"num_experts_per_tok 0", set("num_experts_per_tok", 0), "num_experts_per_tok = 0 is out of range [1, 16]"},
		{"num_experts_per_tok past the experts", set("num_experts_per_tok", 17), "num_experts_per_tok = 17 is out of range [1, 16]"},
		{"num_experts_per_tok past the groups", set("num_experts_per_tok", 9), "num_experts_per_tok = 9 exceeds the 8 experts in topk_group = 4 groups"},
		{"moe_intermediate_size 0", set("moe_intermediate_size", 0), "moe_intermediate_size = 0 is out of range [1, 1048576]"},
		{"first_k_dense_replace negative", set("first_k_dense_replace", -1), "first_k_dense_replace = -1 is out of range [0, 1024]"},
		{"first_k_dense_replace huge", set("first_k_dense_replace", 2000), "first_k_dense_replace = 2000 is out of range"},
		{"moe_layer_freq 0", set("moe_layer_freq", 0), "moe_layer_freq = 0 is out of range [1, 1024]"},
		{"n_group 0", set("n_group", 0), "n_group = 0 is out of range [1, 16]"},
		{"n_group past the experts", set("n_group", 32), "n_group = 32 is out of range [1, 16]"},
		{"n_group not dividing", set("n_group", 5), "n_group = 5 must divide n_routed_experts = 16"},
		{"topk_group 0", set("topk_group", 0), "topk_group = 0 is out of range [1, 8]"},
		{"topk_group past n_group", set("topk_group", 9), "topk_group = 9 is out of range [1, 8]"},
		{"topk_method", set("topk_method", "random"), `topk_method "random" is not supported`},
		{"scoring_func", set("scoring_func", "relu"), `scoring_func "relu" is not supported (want softmax, sigmoid)`},
		{"routed_scaling_factor 1e308", set("routed_scaling_factor", 1e308), "routed_scaling_factor = 1e+308 is out of range (0, 1000]"},
		{"routed_scaling_factor 0", set("routed_scaling_factor", 0), "routed_scaling_factor = 0 is out of range (0, 1000]"},
		{"routed_scaling_factor negative", set("routed_scaling_factor", -2.5), "routed_scaling_factor = -2.5 is out of range"},
		{"routed_scaling_factor past float64", set("routed_scaling_factor", raw("1e309")), "routed_scaling_factor of type float64"},
		{"quant_method", set("quantization_config.quant_method", "int4"), `quantization_config.quant_method "int4" is not supported (want fp8)`},
		{"fp8 fmt", set("quantization_config.fmt", "e5m2"), `quantization_config.fmt "e5m2" is not supported (want e4m3)`},
		{"weight_block_size one size", set("quantization_config.weight_block_size", []int{128}), "quantization_config.weight_block_size [128] must be two sizes"},
		{"weight_block_size 0", set("quantization_config.weight_block_size", []int{0, 128}), "quantization_config.weight_block_size = 0 is out of range [1, 65536]"},
		{"weight_block_size huge", set("quantization_config.weight_block_size", []int{128, 1 << 17}), "quantization_config.weight_block_size = 131072 is out of range"},
		{"a string for an int", set("hidden_size", "136"), "hidden_size of type int"},
		// Products of fields in range that size an allocation.
		{"heads × qk head dim", setAll(map[string]any{"num_attention_heads": 4096, "qk_nope_head_dim": 4000}),
			"num_attention_heads × (qk_nope_head_dim + qk_rope_head_dim) = 4096 × 4008 = 16416768 is more than 1048576, the most values in one token's activations allowed"},
		{"heads × v_head_dim", setAll(map[string]any{"num_attention_heads": 1024, "v_head_dim": 4096, "qk_nope_head_dim": 8}),
			"num_attention_heads × v_head_dim = 1024 × 4096 = 4194304 is more than 1048576"},
		{"heads × kv_lora_rank", setAll(map[string]any{"num_attention_heads": 1024, "kv_lora_rank": 1 << 20}),
			"num_attention_heads × kv_lora_rank = 1024 × 1048576"},
		{"KV cache of a position", setAll(map[string]any{"num_hidden_layers": 1024, "kv_lora_rank": 4096}),
			"num_hidden_layers × (kv_lora_rank + qk_rope_head_dim) = 1024 × 4104 = 4202496 is more than 1048576, the most values in one position's KV cache allowed"},
		{"expert rows", setAll(map[string]any{"moe_intermediate_size": 1 << 19}),
			"(num_experts_per_tok + n_shared_experts) × moe_intermediate_size = 7 × 524288"},
		{"experts × hidden", setAll(map[string]any{"hidden_size": 1 << 18, "num_experts_per_tok": 8}),
			"num_experts_per_tok × hidden_size = 8 × 262144"},
		{"experts over all layers", setAll(map[string]any{"num_hidden_layers": 1024, "n_routed_experts": 1 << 16, "n_group": 1, "topk_group": 1, "kv_lora_rank": 64}),
			"num_hidden_layers × n_routed_experts = 1024 × 65536 = 67108864 is more than 262144, the most routed experts over all layers allowed"},
		{"parameters", setAll(map[string]any{"hidden_size": 1 << 20, "intermediate_size": 1 << 20, "n_routed_experts": 0, "num_experts_per_tok": 0,
			"n_group": 1, "topk_group": 1}), "parameters, more than 4398046511104, the most allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseConfig(b)
			if err == nil {
				t.Fatalf("accepted; want an error containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

// setAll is baseConfigJSON with several keys set.
func setAll(kv map[string]any) map[string]any {
	c := baseConfigJSON()
	for k, v := range kv {
		c[k] = v
	}
	return c
}

// TestConfigDefaults: an absent max_position_embeddings takes the Hugging Face class
// default; fields set to their bounds are accepted.
func TestConfigDefaults(t *testing.T) {
	cases := []struct {
		name string
		cfg  map[string]any
		want func(*Config) bool
	}{
		{"V3 max_position_embeddings default", set("max_position_embeddings", del{}), func(c *Config) bool { return c.MaxPositions == 4096 }},
		{"V2 max_position_embeddings default", setAll(map[string]any{"max_position_embeddings": nil, "architectures": []string{"DeepseekV2ForCausalLM"},
			"model_type": "deepseek_v2"}), func(c *Config) bool { return c.MaxPositions == 2048 }},
		{"max_position_embeddings at its bound", set("max_position_embeddings", 1<<24), func(c *Config) bool { return c.MaxPositions == 1<<24 }},
		{"no q LoRA", set("q_lora_rank", nil), func(c *Config) bool { return c.QLoRARank == 0 }},
		{"no rope scaling", set("rope_scaling", nil), func(c *Config) bool { return c.RopeScaling == nil }},
		{"rope scaling none", set("rope_scaling", map[string]any{"type": "none"}), func(c *Config) bool { return c.RopeScaling == nil }},
		{"dense model", setAll(map[string]any{"n_routed_experts": 0, "num_experts_per_tok": 0, "moe_intermediate_size": 0, "n_group": 1, "topk_group": 1}),
			func(c *Config) bool { return !c.IsMoELayer(1) }},
		{"routed_scaling_factor at its bound", set("routed_scaling_factor", 1000), func(c *Config) bool { return c.RoutedScalingFactor == 1000 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, _ := json.Marshal(c.cfg)
			cfg, err := ParseConfig(b)
			if err != nil {
				t.Fatal(err)
			}
			if !c.want(cfg) {
				t.Errorf("got %+v", cfg)
			}
		})
	}
}

// ggufMap is GGUF metadata for configFromGGUF.
type ggufMap map[string]gguf.Value

func (m ggufMap) get(key string) (gguf.Value, bool) {
	v, ok := m[key]
	return v, ok
}

// baseGGUF is the metadata llama.cpp's converter (and Config.GGUFMetadata) writes for
// baseConfigJSON.
func baseGGUF(t testing.TB) ggufMap {
	t.Helper()
	b, _ := json.Marshal(baseConfigJSON())
	c, err := ParseConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	m := ggufMap{}
	for _, kv := range c.GGUFMetadata() {
		v, err := gguf.ValueOf(kv[1])
		if err != nil {
			t.Fatal(err)
		}
		m[kv[0].(string)] = v
	}
	return m
}

func gv(t testing.TB, x any) gguf.Value {
	t.Helper()
	v, err := gguf.ValueOf(x)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestConfigRangesGGUF: the same ranges hold for the deepseek2 keys of a GGUF file, and
// errors name the key; a key of the wrong type is refused, not taken for absent.
func TestConfigRangesGGUF(t *testing.T) {
	const p = "deepseek2."
	if _, err := configFromGGUF(baseGGUF(t), 333, true); err != nil {
		t.Fatalf("base metadata: %v", err)
	}
	cases := []struct {
		name  string
		key   string
		v     any // nil deletes the key
		vocab int // the length of tokenizer.ggml.tokens; 333 if 0
		want  string
	}{
		{"no architecture", "general.architecture", nil, 0, `general.architecture "" not supported`},
		{"mistral", "general.architecture", "mistral", 0, `general.architecture "mistral" not supported (want deepseek2, qwen2, llama or qwen3)`},
		{"llama without its keys", "general.architecture", "llama", 0, `missing metadata llama.block_count, llama.context_length`},
		{"architecture not a string", "general.architecture", uint32(2), 0, "general.architecture has type uint32, want a string"},
		{"block_count missing", p + "block_count", nil, 0, "missing metadata deepseek2.block_count"},
		{"block_count 0", p + "block_count", uint32(0), 0, "deepseek2.block_count = 0 is out of range [1, 1024]"},
		{"context_length missing", p + "context_length", nil, 0, "missing metadata deepseek2.context_length"},
		{"context_length 0", p + "context_length", uint32(0), 0, "deepseek2.context_length = 0 is out of range [1, 16777216]"},
		{"context_length 1e15", p + "context_length", uint64(1e15), 0, "deepseek2.context_length = 1000000000000000 is out of range [1, 16777216]"},
		{"context_length 2^64-1", p + "context_length", uint64(math.MaxUint64), 0, "deepseek2.context_length = 18446744073709551615 does not fit in an int"},
		{"context_length negative", p + "context_length", int32(-5), 0, "deepseek2.context_length = -5 is out of range"},
		{"context_length a string", p + "context_length", "4096", 0, "deepseek2.context_length has type string, want an integer"},
		{"context_length a float", p + "context_length", float32(4096), 0, "deepseek2.context_length has type float32, want an integer"},
		{"context_length an array", p + "context_length", []uint32{4096}, 0, "deepseek2.context_length has type array of uint32, want an integer"},
		{"embedding_length 0", p + "embedding_length", uint32(0), 0, "deepseek2.embedding_length = 0 is out of range [1, 1048576]"},
		{"feed_forward_length 0", p + "feed_forward_length", uint32(0), 0, "deepseek2.feed_forward_length = 0 is out of range [1, 1048576]"},
		{"head_count huge", p + "attention.head_count", uint32(1 << 20), 0, "deepseek2.attention.head_count = 1048576 is out of range [1, 4096]"},
		{"rope dims odd", p + "rope.dimension_count", uint32(7), 0, "deepseek2.rope.dimension_count = 7 must be even"},
		{"key_length_mla below the rope dims", p + "attention.key_length_mla", uint32(4), 0,
			"deepseek2.attention.key_length_mla - deepseek2.rope.dimension_count = -4 is out of range [1, 4096]"},
		{"value_length_mla 0", p + "attention.value_length_mla", uint32(1 << 13), 0, "deepseek2.attention.value_length_mla = 8192 is out of range [1, 4096]"},
		{"kv_lora_rank missing", p + "attention.kv_lora_rank", nil, 0, "missing metadata deepseek2.attention.kv_lora_rank"},
		{"q_lora_rank huge", p + "attention.q_lora_rank", uint64(1 << 40), 0, "deepseek2.attention.q_lora_rank = 1099511627776 is out of range [0, 1048576]"},
		{"expert_count huge", p + "expert_count", uint32(1 << 17), 0, "deepseek2.expert_count = 131072 is out of range [0, 65536]"},
		{"expert_used_count 0", p + "expert_used_count", uint32(0), 0, "deepseek2.expert_used_count = 0 is out of range [1, 16]"},
		{"expert_shared_count huge", p + "expert_shared_count", uint32(5000), 0, "deepseek2.expert_shared_count = 5000 is out of range [0, 1024]"},
		{"expert_feed_forward_length 0", p + "expert_feed_forward_length", uint32(0), 0, "deepseek2.expert_feed_forward_length = 0 is out of range [1, 1048576]"},
		{"leading_dense_block_count huge", p + "leading_dense_block_count", uint32(5000), 0, "deepseek2.leading_dense_block_count = 5000 is out of range [0, 1024]"},
		{"expert_group_count not dividing", p + "expert_group_count", uint32(5), 0, "deepseek2.expert_group_count = 5 must divide deepseek2.expert_count = 16"},
		{"expert_group_used_count 0", p + "expert_group_used_count", uint32(0), 0, "deepseek2.expert_group_used_count = 0 is out of range [1, 8]"},
		{"vocab_size huge", p + "vocab_size", uint32(1 << 22), 0, "deepseek2.vocab_size = 4194304 is out of range [1, 1048576]"},
		{"no vocabulary", p + "vocab_size", nil, -1, "missing metadata deepseek2.vocab_size (or tokenizer.ggml.tokens)"},
		{"vocabulary too long", p + "vocab_size", nil, 1 << 21, "the length of tokenizer.ggml.tokens = 2097152 is out of range [1, 1048576]"},
		{"rms epsilon NaN", p + "attention.layer_norm_rms_epsilon", float32(math.NaN()), 0, "deepseek2.attention.layer_norm_rms_epsilon = NaN is out of range [1e-12, 1]"},
		{"rms epsilon a string", p + "attention.layer_norm_rms_epsilon", "1e-6", 0, "deepseek2.attention.layer_norm_rms_epsilon has type string, want a number"},
		{"freq_base 0.5", p + "rope.freq_base", float32(0.5), 0, "deepseek2.rope.freq_base = 0.5 is out of range (1, 1e+12]"},
		{"expert_weights_scale inf", p + "expert_weights_scale", float32(math.Inf(1)), 0, "deepseek2.expert_weights_scale = +Inf is out of range (0, 1000]"},
		{"expert_weights_scale 1e308", p + "expert_weights_scale", 1e308, 0, "deepseek2.expert_weights_scale = 1e+308 is out of range (0, 1000]"},
		{"expert_weights_norm not a bool", p + "expert_weights_norm", uint8(1), 0, "deepseek2.expert_weights_norm has type uint8, want a bool"},
		{"expert_gating_func 3", p + "expert_gating_func", uint32(3), 0, "deepseek2.expert_gating_func = 3 is not supported (1 softmax, 2 sigmoid)"},
		{"expert_gating_func a string", p + "expert_gating_func", "sigmoid", 0, "deepseek2.expert_gating_func has type string, want an integer"},
		{"rope scaling linear", p + "rope.scaling.type", "linear", 0, `deepseek2.rope.scaling.type "linear" is not supported (want yarn or none)`},
		{"rope scaling type not a string", p + "rope.scaling.type", uint32(1), 0, "deepseek2.rope.scaling.type has type uint32, want a string"},
		{"yarn factor 0.5", p + "rope.scaling.factor", float32(0.5), 0, "deepseek2.rope.scaling.factor = 0.5 is out of range [1, 10000]"},
		{"yarn original length missing", p + "rope.scaling.original_context_length", nil, 0,
			"deepseek2.rope.scaling.original_context_length = 0 is out of range [1, 16777216]"},
		{"yarn beta_fast negative", p + "rope.scaling.yarn_beta_fast", float32(-32), 0, "deepseek2.rope.scaling.yarn_beta_fast = -32 is out of range (0, 10000]"},
		{"yarn log multiplier huge", p + "rope.scaling.yarn_log_multiplier", float32(1e6), 0,
			"10 × deepseek2.rope.scaling.yarn_log_multiplier = 1e+07 is out of range [0, 1000]"},
		{"KV cache of a position", p + "attention.kv_lora_rank", uint32(1 << 19), 0,
			"deepseek2.block_count × (deepseek2.attention.kv_lora_rank + deepseek2.rope.dimension_count) = 3 × 524296 = 1572888 is more than 1048576"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			md := baseGGUF(t)
			if c.v == nil {
				delete(md, c.key)
			} else {
				md[c.key] = gv(t, c.v)
			}
			vocab := c.vocab
			switch vocab {
			case 0:
				vocab = 333
			case -1:
				vocab = 0
			}
			_, err := configFromGGUF(md, vocab, true)
			if err == nil {
				t.Fatalf("accepted; want an error containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

// configSeeds are config.json files for FuzzParseConfig: the reference fixtures' and the
// base config.
func configSeeds(t testing.TB) [][]byte {
	b, _ := json.Marshal(baseConfigJSON())
	seeds := [][]byte{b, []byte(`{}`), []byte(`{"vocab_size":1e15}`)}
	paths, _ := filepath.Glob(filepath.Join("testdata", "ref", "*", "config.json"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

// checkAccepted checks what a config that validates promises: every size it implies is
// bounded, and the numbers computed from it are finite.
func checkAccepted(t *testing.T, c *Config) {
	t.Helper()
	if n := c.paramCount(); n > maxParams {
		t.Fatalf("accepted %d parameters", n)
	}
	if c.MaxPositions < 1 || c.MaxPositions > maxPositions {
		t.Fatalf("accepted max_position_embeddings %d", c.MaxPositions)
	}
	if s := c.SoftmaxScale(); math.IsNaN(s) || math.IsInf(s, 0) || s <= 0 {
		t.Fatalf("softmax scale %v", s)
	}
	if c.Dense() && (c.HeadDim < 2 || c.NumKeyValueHeads < 1 || c.NumAttentionHeads%c.NumKeyValueHeads != 0 ||
		c.kvWidth()*c.NumHiddenLayers > maxWidth) {
		t.Fatalf("accepted a dense config with head_dim %d, %d of %d kv heads, %d layers", c.HeadDim,
			c.NumKeyValueHeads, c.NumAttentionHeads, c.NumHiddenLayers)
	}
	r := newRope(c, false, nil)
	if math.IsNaN(float64(r.mscale)) || math.IsInf(float64(r.mscale), 0) {
		t.Fatalf("rope mscale %v", r.mscale)
	}
	for _, f := range r.invFreq {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			t.Fatalf("rope frequency %v", f)
		}
	}
}

// FuzzParseConfig: ParseConfig never panics, and a config it accepts keeps the promises
// of checkAccepted.
func FuzzParseConfig(f *testing.F) {
	for _, s := range configSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b)
		if err != nil {
			return
		}
		checkAccepted(t, c)
	})
}

// FuzzConfigFromGGUF sets one deepseek2 or qwen3 key of valid metadata to a fuzzed value (as an
// unsigned, a signed or a float number, or removes it): configFromGGUF never panics, and
// a config it accepts keeps the promises of checkAccepted.
func FuzzConfigFromGGUF(f *testing.F) {
	keys := func(t testing.TB, dense bool) (ggufMap, []string) {
		md := baseGGUF(t)
		if dense {
			md = denseBaseGGUF(t, true)
		}
		var ks []string
		for k := range md {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return md, ks
	}
	f.Add(uint8(0), uint8(0), uint64(0), 0.0)
	f.Add(uint8(3), uint8(1), uint64(1<<63), math.Inf(1))
	f.Add(uint8(7), uint8(2), uint64(5), 1e308)
	f.Add(uint8(11), uint8(3), uint64(3), -1.0)
	f.Add(uint8(2), uint8(130), uint64(0), 0.0)
	f.Add(uint8(5), uint8(133), uint64(7), -1.0)
	f.Fuzz(func(t *testing.T, i, kind uint8, u uint64, x float64) {
		md, ks := keys(t, kind >= 128) // the deepseek2 keys, or a dense model's (qwen3 with YaRN)
		k := ks[int(i)%len(ks)]
		switch kind % 5 {
		case 0:
			md[k] = gv(t, u)
		case 1:
			md[k] = gv(t, int64(u))
		case 2:
			md[k] = gv(t, float32(x))
		case 3:
			md[k] = gv(t, x)
		case 4:
			delete(md, k)
		}
		c, err := configFromGGUF(md, 333, u%2 == 0)
		if err != nil {
			return
		}
		checkAccepted(t, c)
	})
}
