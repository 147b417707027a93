package edge_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/synth"
)

// distillModel writes a dense model of the R1-Distill-Qwen family (the tiny-qwen2 shape,
// random weights, the DeepSeek-V3 vocabulary) with the distills' chat template, whose
// generation prompt opens the reasoning (<｜Assistant｜><think>\n).
func distillModel(t *testing.T) string {
	t.Helper()
	cfg, err := synth.Shape("tiny-qwen2", 2)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "distill")
	if err := synth.WriteHF(dir, cfg, synth.Options{Seed: 21}); err != nil {
		t.Fatal(err)
	}
	tmpl, err := os.ReadFile(filepath.Join("..", "core", "chat", "testdata", "deepseek-r1-distill.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "tokenizer_config.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tc map[string]any
	if err := json.Unmarshal(b, &tc); err != nil {
		t.Fatal(err)
	}
	tc["chat_template"] = strings.TrimSpace(string(tmpl))
	if b, err = json.Marshal(tc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDistillServed: a dense distill-shaped model is served like the MoE ones, and since
// its template's generation prompt opens <think>, the reply (which never closes it: random
// weights) is reasoning_content, not content — streamed and not.
func TestDistillServed(t *testing.T) {
	ts := start(t, setup{dir: distillModel(t), name: "distill"})
	req := map[string]any{"model": "distill", "messages": []map[string]string{{"role": "user", "content": "Why is the sky blue?"}},
		"max_tokens": 12, "temperature": 0}
	r := ts.do("POST", "/v1/chat/completions", "", req)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var resp struct {
		Choices []struct {
			Message struct {
				Content          *string `json:"content"`
				ReasoningContent *string `json:"reasoning_content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(r.body, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Choices) != 1 {
		t.Fatalf("reply: %s", r.body)
	}
	msg := resp.Choices[0].Message
	if msg.ReasoningContent == nil || *msg.ReasoningContent == "" || msg.Content != nil && *msg.Content != "" {
		t.Errorf("want the reply as reasoning_content only: %s", r.body)
	}
	if resp.Usage.CompletionTokens != 12 || resp.Choices[0].FinishReason != "length" {
		t.Errorf("usage and finish: %s", r.body)
	}

	req["stream"] = true
	r = ts.do("POST", "/v1/chat/completions", "", req)
	if r.status != 200 {
		t.Fatalf("stream status %d: %s", r.status, r.body)
	}
	var reasoning strings.Builder
	for _, line := range strings.Split(string(r.body), "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		var chunk struct {
			Choices []struct {
				Delta struct {
					Content          string `json:"content"`
					ReasoningContent string `json:"reasoning_content"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			t.Fatalf("chunk %q: %v", data, err)
		}
		for _, c := range chunk.Choices {
			if c.Delta.Content != "" {
				t.Errorf("content delta %q in a reply that never left the reasoning", c.Delta.Content)
			}
			reasoning.WriteString(c.Delta.ReasoningContent)
		}
	}
	if reasoning.String() != *msg.ReasoningContent {
		t.Errorf("streamed reasoning %q, whole reply's %q", reasoning.String(), *msg.ReasoningContent)
	}
}
