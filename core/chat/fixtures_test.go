package chat

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/deepgo/deepgo/core/fixture"
)

// readFixture reads a file of the real DeepSeek-V3 tokenizer fixture, with expected chat
// renders, beside the repository (../shared/fixtures/README.md).
func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(fixture.Path(t, "tokenizer", "deepseek-v3", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestDeepSeekV3IsFixtureTemplate: the constant is the template of the real model.
func TestDeepSeekV3IsFixtureTemplate(t *testing.T) {
	var cfg struct {
		ChatTemplate string `json:"chat_template"`
	}
	if err := json.Unmarshal(readFixture(t, "tokenizer_config.json"), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.ChatTemplate != DeepSeekV3 {
		t.Fatal("DeepSeekV3 differs from the chat_template of tokenizer_config.json")
	}
}

// TestFixtureChats renders the chats of expected_tokens.json, rendered there by
// @huggingface/jinja from the model's tokenizer_config.json.
func TestFixtureChats(t *testing.T) {
	var f struct {
		Chat []struct {
			Name                string
			Messages            []Message
			AddGenerationPrompt bool `json:"add_generation_prompt"`
			Rendered            string
		}
	}
	if err := json.Unmarshal(readFixture(t, "expected_tokens.json"), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Chat) != 4 {
		t.Fatalf("%d chats in expected_tokens.json, want 4", len(f.Chat))
	}
	tp, err := Parse(DeepSeekV3)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Chat {
		t.Run(c.Name, func(t *testing.T) {
			got, err := tp.Render(c.Messages, Options{
				AddGenerationPrompt: c.AddGenerationPrompt,
				BOSToken:            "<｜begin▁of▁sentence｜>",
				EOSToken:            "<｜end▁of▁sentence｜>",
			})
			if err != nil {
				t.Errorf("%s: %v", c.Name, err)
				return
			}
			if got != c.Rendered {
				t.Errorf("%s:\n got %q\nwant %q", c.Name, got, c.Rendered)
			}
		})
	}
}
