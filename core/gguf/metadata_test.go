package gguf

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/mmap"
)

// TestFixtureDirs opens every file of the fixture directories, listed or
// not in index.json.
func TestFixtureDirs(t *testing.T) {
	loadFixtures(t)
	var paths []string
	for _, dir := range []string{"models", "samples"} {
		m, err := filepath.Glob(filepath.Join(fixtureDir, dir, "*.gguf"))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		t.Fatal("no fixture files")
	}
	for _, p := range paths {
		f, err := Open(p)
		if err != nil {
			t.Errorf("Open: %v", err)
			continue
		}
		if len(f.Tensors()) == 0 {
			t.Errorf("%s: no tensors", p)
		}
		if err := f.Close(); err != nil {
			t.Error(err)
		}
	}
}

func TestFixtureMetadata(t *testing.T) {
	paths := fixturePaths(t)
	f, err := Open(paths["v3tiny-Q8_0.gguf"])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	uints := []struct {
		key  string
		kind Kind
		want uint64
	}{
		{"deepseek2.block_count", Uint32, 4},
		{"deepseek2.context_length", Uint32, 2048},
		{"deepseek2.embedding_length", Uint32, 256},
		{"deepseek2.feed_forward_length", Uint32, 384},
		{"deepseek2.attention.head_count", Uint32, 4},
		{"deepseek2.attention.head_count_kv", Uint32, 1},
		{"deepseek2.expert_count", Uint32, 16},
		{"deepseek2.expert_used_count", Uint32, 4},
		{"deepseek2.expert_group_count", Uint32, 4},
		{"deepseek2.expert_group_used_count", Uint32, 2},
		{"deepseek2.expert_gating_func", Uint32, 2},
		{"deepseek2.leading_dense_block_count", Uint32, 1},
		{"deepseek2.vocab_size", Uint32, 8192},
		{"deepseek2.attention.q_lora_rank", Uint32, 128},
		{"deepseek2.attention.kv_lora_rank", Uint32, 64},
		{"deepseek2.attention.key_length", Uint32, 80},
		{"deepseek2.attention.value_length", Uint32, 64},
		{"deepseek2.attention.key_length_mla", Uint32, 48},
		{"deepseek2.attention.value_length_mla", Uint32, 32},
		{"deepseek2.expert_feed_forward_length", Uint32, 96},
		{"deepseek2.expert_shared_count", Uint32, 1},
		{"deepseek2.rope.dimension_count", Uint32, 16},
		{"deepseek2.rope.scaling.original_context_length", Uint32, 256},
		{"general.quantization_version", Uint32, 2},
		{"general.file_type", Uint32, 7},
		{"tokenizer.ggml.bos_token_id", Uint32, 0},
		{"tokenizer.ggml.eos_token_id", Uint32, 1},
	}
	for _, c := range uints {
		t.Run(c.key, func(t *testing.T) {
			v, ok := f.Get(c.key)
			if !ok {
				t.Errorf("%s missing", c.key)
				return
			}
			got, err := f.GetUint(c.key)
			if err != nil || got != c.want || v.Kind() != c.kind {
				t.Errorf("%s = %d (%s), %v; want %d (%s)", c.key, got, v.Kind(), err, c.want, c.kind)
			}
		})
	}
	floats := map[string]float64{
		"deepseek2.rope.scaling.factor":              8,
		"deepseek2.rope.freq_base":                   10000,
		"deepseek2.attention.layer_norm_rms_epsilon": float64(float32(1e-6)),
		"deepseek2.expert_weights_scale":             2.5,
		"deepseek2.rope.scaling.yarn_log_multiplier": float64(float32(0.1)),
	}
	for k, want := range floats {
		t.Run(k, func(t *testing.T) {
			got, err := f.GetFloat(k)
			if err != nil || got != want {
				t.Errorf("%s = %v, %v; want %v", k, got, err, want)
			}
		})
	}
	strs := map[string]string{
		"general.architecture":        "deepseek2",
		"general.type":                "model",
		"deepseek2.rope.scaling.type": "yarn",
		"tokenizer.ggml.model":        "gpt2",
		"tokenizer.ggml.pre":          "deepseek-v3",
	}
	for k, want := range strs {
		t.Run(k, func(t *testing.T) {
			if got, err := f.GetString(k); err != nil || got != want {
				t.Errorf("%s = %q, %v; want %q", k, got, err, want)
			}
		})
	}
	if b, err := f.GetBool("deepseek2.expert_weights_norm"); err != nil || !b {
		t.Errorf("expert_weights_norm = %v, %v", b, err)
	}
	if b, err := f.GetBool("tokenizer.ggml.add_eos_token"); err != nil || b {
		t.Errorf("add_eos_token = %v, %v", b, err)
	}
	tokens, err := f.GetStrings("tokenizer.ggml.tokens")
	if err != nil || len(tokens) != 8192 {
		t.Errorf("tokens: %d, %v", len(tokens), err)
	}
	merges, err := f.GetStrings("tokenizer.ggml.merges")
	if err != nil || len(merges) != 7933 {
		t.Errorf("merges: %d, %v", len(merges), err)
	}
	tt, err := f.GetInts("tokenizer.ggml.token_type")
	if err != nil || len(tt) != 8192 || tt[0] != 3 || tt[2] != 3 || tt[3] != 1 {
		t.Errorf("token_type: %d, %v", len(tt), err)
	}
	if v, _ := f.Get("tokenizer.ggml.token_type"); v.Kind() != Array || v.Elem() != Int32 {
		t.Errorf("token_type is %s of %s", v.Kind(), v.Elem())
	}

	// Errors.
	if _, err := f.GetUint("no.such.key"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("missing key: %v", err)
	}
	_, err = f.GetUint("general.architecture")
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Key != "general.architecture" || !strings.Contains(err.Error(), "want a non-negative integer") {
		t.Errorf("wrong type: %v", err)
	}
	if _, err := f.GetString("deepseek2.block_count"); err == nil {
		t.Error("GetString of a uint32 succeeded")
	}
	if _, err := f.GetStrings("tokenizer.ggml.token_type"); err == nil {
		t.Error("GetStrings of an int32 array succeeded")
	}
}

func TestSampleExtraKeys(t *testing.T) {
	paths := fixturePaths(t)
	f, err := Open(paths["v3tiny-Q6_K.sample.gguf"])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, k := range []string{"fixture.source_file", "fixture.source_sha256", "fixture.note"} {
		if _, err := f.GetString(k); err != nil {
			t.Error(err)
		}
	}
	if _, ok := f.Get("tokenizer.ggml.tokens"); ok {
		t.Error("sample has tokenizer keys")
	}
	if err := f.AdviseTensor("blk.1.ffn_up_exps.weight", mmap.WillNeed); err != nil {
		t.Error(err)
	}
	if err := f.AdviseTensor("nope", mmap.WillNeed); err == nil {
		t.Error("AdviseTensor of a missing tensor succeeded")
	}
	ti, data, ok := f.Tensor("blk.1.ffn_up_exps.weight")
	if !ok || ti.Type != Q6_K || !equalInts(ti.Ne, []int64{256, 96, 16}) || int64(len(data)) != 96*16*210 {
		t.Errorf("ffn_up_exps = %+v, %d bytes", ti, len(data))
	}
}
