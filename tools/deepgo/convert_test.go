package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/synth"
)

// TestConvertQuantizeInspect: HF checkpoint → Q4_K_M GGUF with the tokenizer → runs;
// re-quantized to Q8_0 → inspect shows it; bad input gets clear errors.
func TestConvertQuantizeInspect(t *testing.T) {
	dir, err := tinyModel()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	q4 := filepath.Join(tmp, "tiny-q4_k_m.gguf")
	if code, out, stderr := deepgo(t, "convert", "--in", dir, "--out", q4, "--type", "q4_k_m"); code != 0 || !strings.Contains(out, "wrote") {
		t.Fatalf("convert: exit %d: %s %s", code, out, stderr)
	}
	if out, _, err := runCmd(t, "", "--model", q4, "--prompt", "Hi", "-n", "3", "--temp", "0"); err != nil || out == "" {
		t.Fatalf("run on converted file: %q, %v", out, err)
	}
	q8 := filepath.Join(tmp, "tiny-q8_0.gguf")
	if code, _, stderr := deepgo(t, "quantize", q4, q8, "q8_0"); code != 0 {
		t.Fatalf("quantize: exit %d: %s", code, stderr)
	}
	code, out, stderr := deepgo(t, "inspect", q8)
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"general.architecture", "deepseek2", "tokenizer.ggml.tokens", "blk.1.ffn_up_exps.weight", "Q8_0", "active per token"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q", want)
		}
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"convert to an unknown type", []string{"convert", "--in", dir, "--out", filepath.Join(tmp, "x.gguf"), "--type", "q9_9"}, "unknown type"},
		{"convert a missing model", []string{"convert", "--in", filepath.Join(tmp, "missing"), "--out", filepath.Join(tmp, "x.gguf")}, "missing"},
		{"inspect a missing file", []string{"inspect", filepath.Join(tmp, "missing.gguf")}, "missing.gguf"},
		{"quantize without output", []string{"quantize", q4}, "Usage"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if code, _, stderr := deepgo(t, c.args...); code == 0 || !strings.Contains(stderr, c.want) {
				t.Errorf("deepgo %v: exit %d, stderr %q, want mention of %q", c.args, code, stderr, c.want)
			}
		})
	}
}

// TestSynthGGUF: synth writes a GGUF into a folder it creates (make run on a fresh clone).
func TestSynthGGUF(t *testing.T) {
	out := filepath.Join(t.TempDir(), "new", "dir", "tiny.gguf")
	if code, _, stderr := deepgo(t, "synth", "--shape", "tiny", "--layers", "1", "--type", "q4_0", "--out", out); code != 0 {
		t.Fatalf("synth: exit %d: %s", code, stderr)
	}
	if out, _, err := runCmd(t, "", "--model", out, "--prompt", "Hi", "-n", "2"); err != nil || out == "" {
		t.Fatalf("run: %q %v", out, err)
	}
}

// TestConvertDense: each dense family (a small random checkpoint with the real tokenizer)
// converts to every K-quant mixture's file and runs; quantize re-quantizes it; inspect
// prints the llama.cpp architecture and the dense fields (KV heads, head_dim, biases, head
// norms, Llama-3's rope_freqs) instead of MLA's.
func TestConvertDense(t *testing.T) {
	types := []string{"q4_k_m", "q6_k", "bf16"}
	if testing.Short() {
		types = types[:1]
	}
	for _, c := range []struct {
		arch, typ string
		cfg       core.Config
		inspect   []string
	}{
		{"Qwen2ForCausalLM", "qwen2", core.Config{NumKeyValueHeads: 2, AttentionBias: true},
			[]string{`"qwen2"`, "4 heads over 2 KV heads, head_dim 32", "q/k/v biases", "no scaling"}},
		{"LlamaForCausalLM", "llama", core.Config{NumKeyValueHeads: 1, RopeTheta: 500000, RopeScaling: &core.RopeScaling{
			RopeType: "llama3", Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalMaxPositionEmbeddings: 64}},
			[]string{`"llama"`, "llama.vocab_size", "rope_freqs.weight", "4 heads over 1 KV heads", "no biases", "frequency factors (rope_freqs) 1 … 8"}},
		{"Qwen3ForCausalLM", "qwen3", core.Config{NumKeyValueHeads: 2, HeadDim: 64, TieWordEmbeddings: true},
			[]string{`"qwen3"`, "qwen3.attention.key_length", "head_dim 64", "q/k head RMSNorm, tied embeddings"}},
	} {
		t.Run(c.typ, func(t *testing.T) {
			cfg := c.cfg
			cfg.Architectures, cfg.ModelType = []string{c.arch}, c.typ
			cfg.VocabSize, cfg.HiddenSize, cfg.IntermediateSize, cfg.NumHiddenLayers = 129280, 128, 256, 2
			cfg.NumAttentionHeads, cfg.RMSNormEps, cfg.MaxPositions, cfg.HiddenAct = 4, 1e-6, 4096, "silu"
			if cfg.HeadDim == 0 {
				cfg.HeadDim = 32
			}
			if cfg.RopeTheta == 0 {
				cfg.RopeTheta = 10000
			}
			dir := filepath.Join(t.TempDir(), "hf")
			if err := synth.WriteHF(dir, &cfg, synth.Options{Seed: 3}); err != nil {
				t.Fatal(err)
			}
			tmp := t.TempDir()
			var file string
			for _, typ := range types {
				file = filepath.Join(tmp, typ+".gguf")
				if code, out, stderr := deepgo(t, "convert", "--in", dir, "--out", file, "--type", typ); code != 0 || !strings.Contains(out, "wrote") {
					t.Fatalf("convert %s: exit %d: %s %s", typ, code, out, stderr)
				}
				if out, _, err := runCmd(t, "", "--model", file, "--prompt", "Hi", "-n", "3", "--temp", "0"); err != nil || out == "" {
					t.Fatalf("run on the %s file: %q, %v", typ, out, err)
				}
			}
			q8 := filepath.Join(tmp, "q8_0.gguf")
			if code, _, stderr := deepgo(t, "quantize", file, q8, "q8_0"); code != 0 {
				t.Fatalf("quantize: exit %d: %s", code, stderr)
			}
			code, out, stderr := deepgo(t, "inspect", q8)
			if code != 0 {
				t.Fatalf("inspect: exit %d: %s", code, stderr)
			}
			for _, want := range append(c.inspect, "general.architecture", "blk.1.attn_v.weight", "Q8_0", "tokenizer.ggml.tokens") {
				if !strings.Contains(out, want) {
					t.Errorf("inspect output lacks %q", want)
				}
			}
			if strings.Contains(out, "kv_lora") {
				t.Errorf("inspect prints MLA's fields for a dense model:\n%s", out)
			}
		})
	}
}
