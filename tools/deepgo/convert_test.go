package main

import (
	"path/filepath"
	"strings"
	"testing"
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
