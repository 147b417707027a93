package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/fixture"
)

// pplJSON is the part of perplexity --json the tests read.
type pplJSON struct {
	PPL    float64 `json:"ppl"`
	Chunks int     `json:"chunks"`
	Scored int     `json:"scored"`
	KL     *struct {
		PPLBase float64 `json:"ppl_base"`
		KLD     float64 `json:"kld"`
		SameTop float64 `json:"same_top"`
	} `json:"kl"`
}

func perplexityJSONOf(t *testing.T, args ...string) pplJSON {
	t.Helper()
	code, stdout, stderr := deepgo(t, append([]string{"perplexity", "--json", "-t", "2"}, args...)...)
	if code != 0 {
		t.Fatalf("deepgo perplexity %v: exit %d: %s", args, code, stderr)
	}
	var r pplJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v: %q", err, stdout)
	}
	return r
}

// TestPerplexity: the fixture's BF16 checkpoint (with the tokenizer of llama.cpp's GGUF of it)
// saves its logits; the Q4_K_M GGUF compared with them has a positive KL divergence and the
// base's PPL; the base's tokens alone (no --file) give the same numbers.
func TestPerplexity(t *testing.T) {
	bf16 := fixture.Path(t, "deepseek-v3-tiny-bf16")
	q8 := fixture.Path(t, "gguf", "models", "v3tiny-Q8_0.gguf")
	q4 := fixture.Path(t, "gguf", "models", "v3tiny-Q4_K_M.gguf")
	text := filepath.Join("..", "..", "README.md")
	dir := t.TempDir()
	base := filepath.Join(dir, "bf16.npz")

	code, stdout, stderr := deepgo(t, "perplexity", "--model", q8, "--file", text, "--ctx", "64", "--chunks", "2", "-t", "2")
	if code != 0 || !strings.HasPrefix(stdout, "PPL = ") || !strings.Contains(stdout, "(62 predictions, 2 chunks of 64 tokens)") || !strings.Contains(stderr, "[2]") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	b := perplexityJSONOf(t, "--model", bf16, "--tokenizer", q8, "--file", text, "--ctx", "64", "--chunks", "3", "--save-logits", base)
	if b.Chunks != 3 || b.Scored != 3*31 || !(b.PPL > 1) || b.KL != nil {
		t.Errorf("base run: %+v", b)
	}
	k := perplexityJSONOf(t, "--model", q4, "--file", text, "--kl-base", base)
	if k.KL == nil || !(k.KL.KLD > 0) || k.KL.PPLBase != b.PPL || k.Scored != b.Scored {
		t.Errorf("against the base: %+v (base PPL %g)", k, b.PPL)
	}
	if k2 := perplexityJSONOf(t, "--model", q4, "--kl-base", base); k2.KL == nil || k2.KL.KLD != k.KL.KLD || k2.PPL != k.PPL {
		t.Errorf("without --file: %+v, with it %+v", k2, k)
	}
	code, stdout, stderr = deepgo(t, "perplexity", "--model", q4, "--kl-base", base, "--chunks", "1", "-t", "2")
	for _, want := range []string{"KL divergence", "same top token", "PPL(base)", "median"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("exit %d, stdout %q lacks %q; stderr %q", code, stdout, want, stderr)
		}
	}
}

func TestPerplexityErrors(t *testing.T) {
	q8 := fixture.Join("gguf", "models", "v3tiny-Q8_0.gguf")
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	short := filepath.Join(dir, "short.txt")
	other := filepath.Join(dir, "other.txt")
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(short, []byte("A short text."), 0o644)
	os.WriteFile(other, []byte(strings.Repeat("Another text altogether, not the README. ", 100)), 0o644)
	readme := filepath.Join("..", "..", "README.md")
	base := filepath.Join(dir, "base.npz")
	cases := []struct {
		name  string
		args  []string
		code  int
		want  string
		opens bool // opens the fixture
	}{
		{"no model", []string{"--file", short}, 1, "--model is required", false},
		{"no text", []string{"--model", q8}, 1, "--file is required", false},
		{"save and base", []string{"--model", q8, "--file", short, "--save-logits", base, "--kl-base", base}, 1, "one at a time", false},
		{"missing text", []string{"--model", q8, "--file", filepath.Join(dir, "absent.txt")}, 1, "absent.txt", false},
		{"empty text", []string{"--model", q8, "--file", empty}, 1, "empty.txt is empty", false},
		{"text too short", []string{"--model", q8, "--file", short}, 1, "fewer than 2 × ctx = 1024", true},
		{"ctx too large", []string{"--model", q8, "--file", short, "--ctx", "4096"}, 1, "ctx 4096 exceeds the model's max_position_embeddings 2048", true},
		{"missing base", []string{"--model", q8, "--kl-base", filepath.Join(dir, "absent.npz")}, 1, "absent.npz", false},
		{"not a base", []string{"--model", q8, "--kl-base", short}, 1, "is not a logits file", false},
		{"save", []string{"--model", q8, "--file", readme, "--ctx", "32", "--chunks", "2", "--save-logits", base}, 0, "", true},
		{"base of another text", []string{"--model", q8, "--file", other, "--kl-base", base}, 1, "not the same text or tokenizer", true},
		{"base of another ctx", []string{"--model", q8, "--kl-base", base, "--ctx", "64"}, 1, "made with ctx 32, not 64", true},
		{"unknown flag", []string{"--bogus"}, 2, "flag provided but not defined", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.opens {
				fixture.Path(t, "gguf", "models", "v3tiny-Q8_0.gguf")
			}
			code, _, stderr := deepgo(t, append([]string{"perplexity", "-t", "2"}, c.args...)...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, c.code, c.want)
			}
		})
	}
}
