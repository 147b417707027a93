package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/synth"
)

// tokenizerDir is the real DeepSeek-V3 tokenizer of ../shared/fixtures, named whether or not
// it is there.
var tokenizerDir = fixture.Join("tokenizer", "deepseek-v3")

// tinyDir is where tinyModel writes; TestMain removes it.
var tinyDir = filepath.Join(os.TempDir(), fmt.Sprintf("deepgo-run-test-%d", os.Getpid()))

func TestMain(m *testing.M) {
	code := m.Run()
	os.RemoveAll(tinyDir)
	os.Exit(code)
}

// tinyModel synthesizes (once per test binary) a two-layer tiny model with the real tokenizer.
var tinyModel = sync.OnceValues(func() (string, error) {
	dir := tinyDir
	cfg, err := synth.Shape("tiny", 2)
	if err != nil {
		return "", err
	}
	return dir, synth.WriteHF(dir, cfg, synth.Options{Seed: 5})
})

func runCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var o, e bytes.Buffer
	err := runWith(context.Background(), strings.NewReader(stdin), args, &o, &e)
	return o.String(), e.String(), err
}

func TestRunPrompt(t *testing.T) {
	dir, err := tinyModel()
	if err != nil {
		t.Fatal(err)
	}
	// Greedy is deterministic; so is sampling with a fixed seed.
	for _, c := range []struct {
		name string
		args []string
	}{
		{"greedy", []string{"--temp", "0"}},
		{"seeded top-k", []string{"--temp", "1", "--seed", "42", "--top-k", "50"}},
		{"seeded raw", []string{"--temp", "0.8", "--seed", "7", "--raw"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := append([]string{"--model", dir, "--prompt", "Hello, who are you?", "-n", "12"}, c.args...)
			out1, _, err := runCmd(t, "", a...)
			if err != nil {
				t.Fatalf("%v: %v", c.args, err)
			}
			out2, _, err := runCmd(t, "", a...)
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(out1) == "" {
				t.Errorf("%v: no output", c.args)
			}
			if out1 != out2 {
				t.Errorf("%v: two runs differ:\n%q\n%q", c.args, out1, out2)
			}
		})
	}
}

func TestRunChat(t *testing.T) {
	dir, err := tinyModel()
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, "Hi there\n\nWhat is 2+2?\n", "--model", dir, "--chat", "-n", "6", "--temp", "0", "--system", "Be brief.")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(out, "\n"); lines < 2 {
		t.Errorf("want two replies, got %q", out)
	}
}

func TestRunErrors(t *testing.T) {
	dir, err := tinyModel()
	if err != nil {
		t.Fatal(err)
	}
	tinyBF16 := fixture.Join("deepseek-v3-tiny-bf16")
	cases := []struct {
		name   string
		args   []string
		want   string
		shared bool // opens tinyBF16 (and tokenizerDir), so needs ../shared/fixtures
	}{
		{"no model", []string{"--prompt", "x"}, "--model", false},
		{"no prompt", []string{"--model", dir}, "exactly one of", false},
		{"prompt and chat", []string{"--model", dir, "--prompt", "x", "--chat"}, "exactly one of", false},
		{"negative temperature", []string{"--model", dir, "--prompt", "x", "--temp", "-1"}, "temperature", false},
		{"no tokenizer", []string{"--model", tinyBF16, "--prompt", "x"}, "tokenizer", true},
		{"tokenizer past vocab", []string{"--model", tinyBF16, "--tokenizer", tokenizerDir, "--prompt", "x"}, "vocab", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.shared {
				fixture.Path(t, "deepseek-v3-tiny-bf16")
				fixture.Path(t, "tokenizer", "deepseek-v3")
			}
			if _, _, err := runCmd(t, "", c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("run %v: error %v, want one mentioning %q", c.args, err, c.want)
			}
		})
	}
}

// TestTokenizeCommand checks `deepgo tokenize` on the fixture's texts and chats.
func TestTokenizeCommand(t *testing.T) {
	b, err := os.ReadFile(fixture.Path(t, "tokenizer", "deepseek-v3", "expected_tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Texts []struct {
			Text string `json:"text"`
			IDs  []int  `json:"ids"`
		} `json:"texts"`
		Chat []struct {
			Messages            json.RawMessage `json:"messages"`
			AddGenerationPrompt bool            `json:"add_generation_prompt"`
			Rendered            string          `json:"rendered"`
			IDs                 []int           `json:"ids"`
		} `json:"chat"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	tokenize := func(stdin string, args ...string) map[string]any {
		var o, e bytes.Buffer
		if err := tokenizeFrom(strings.NewReader(stdin), append([]string{"--tokenizer", tokenizerDir}, args...), &o, &e); err != nil {
			t.Fatalf("tokenize: %v", err)
		}
		var got map[string]any
		if err := json.Unmarshal(o.Bytes(), &got); err != nil {
			t.Fatalf("output %q: %v", o.String(), err)
		}
		return got
	}
	same := func(got any, want []int) bool {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		return string(g) == string(w)
	}
	// The tokenizer package checks every text; through the command a few suffice
	// (each call loads the 7.8 MB tokenizer.json).
	for _, c := range exp.Texts[:min(8, len(exp.Texts))] {
		if got := tokenize(c.Text); !same(got["ids"], c.IDs) {
			t.Errorf("text %q: ids %v, want %v", c.Text, got["ids"], c.IDs)
		}
	}
	for _, c := range exp.Chat {
		req, _ := json.Marshal(map[string]any{"messages": c.Messages, "add_generation_prompt": c.AddGenerationPrompt})
		got := tokenize(string(req), "--chat")
		if got["text"] != c.Rendered {
			t.Errorf("chat: text %q, want %q", got["text"], c.Rendered)
		}
		if !same(got["ids"], c.IDs) {
			t.Errorf("chat %q: ids differ", c.Rendered)
		}
	}
	var o, e bytes.Buffer
	if err := tokenizeFrom(strings.NewReader("{bad"), []string{"--tokenizer", tokenizerDir, "--chat"}, &o, &e); err == nil || !strings.Contains(err.Error(), "JSON") {
		t.Errorf("bad JSON: %v", err)
	}
}

// TestGGUFModel: run, tokenize and eval accept a GGUF file wherever they accept a directory;
// the tokenizer comes from the file's tokenizer.ggml.* keys.
func TestGGUFModel(t *testing.T) {
	g := fixture.Path(t, "gguf", "models", "v3tiny-Q8_0.gguf")
	if out, _, err := runCmd(t, "", "--model", g, "--prompt", "Hello", "-n", "4", "--temp", "0"); err != nil || out == "" {
		t.Fatalf("run: %q, %v", out, err)
	}
	var o, e bytes.Buffer
	if err := tokenizeFrom(strings.NewReader("Hello world"), []string{"--tokenizer", g}, &o, &e); err != nil {
		t.Fatal(err)
	}
	var got struct{ IDs []int }
	if err := json.Unmarshal(o.Bytes(), &got); err != nil || len(got.IDs) == 0 {
		t.Fatalf("tokenize: %q, %v", o.String(), err)
	}
	for _, id := range got.IDs {
		if id >= 8192 {
			t.Errorf("id %d outside the file's 8192-token vocabulary", id)
		}
	}
	out := filepath.Join(t.TempDir(), "l.npy")
	if code, _, stderr := deepgo(t, "eval", "--model", g, "--tokens", "0,1,2", "--out", out); code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
}
