package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/serving"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// runTokenize encodes stdin:
//
//	deepgo tokenize --tokenizer PATH            < text      → {"ids":[...]}
//	deepgo tokenize --tokenizer PATH --chat     < request   → {"text":"<rendered>","ids":[...]}
//
// The chat request is {"messages":[...],"add_generation_prompt":true}.
func runTokenize(_ context.Context, args []string, stdout, stderr io.Writer) error {
	return tokenizeFrom(os.Stdin, args, stdout, stderr)
}

func tokenizeFrom(stdin io.Reader, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tokenize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("tokenizer", "", "tokenizer.json, a checkpoint directory holding one, or a GGUF file")
	chatMode := fs.Bool("chat", false, `stdin is {"messages":[...],"add_generation_prompt":bool}: render the chat template, then encode`)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo tokenize --tokenizer PATH [--chat] < input\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *path == "" {
		return fmt.Errorf("--tokenizer is required")
	}
	tok, err := serving.LoadTokenizer(*path)
	if err != nil {
		return err
	}
	in, err := io.ReadAll(io.LimitReader(stdin, maxInput+1))
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	if len(in) > maxInput {
		return fmt.Errorf("input larger than %d bytes", maxInput)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if !*chatMode {
		return enc.Encode(struct {
			IDs []int `json:"ids"`
		}{nonNil(tok.Encode(string(in)))})
	}
	var req struct {
		Messages            []chat.Message `json:"messages"`
		AddGenerationPrompt bool           `json:"add_generation_prompt"`
	}
	if err := json.Unmarshal(in, &req); err != nil {
		return fmt.Errorf("bad chat request JSON: %w", err)
	}
	text, err := renderChat(tok, req.Messages, req.AddGenerationPrompt)
	if err != nil {
		return err
	}
	return enc.Encode(struct {
		Text string `json:"text"`
		IDs  []int  `json:"ids"`
	}{text, nonNil(tok.Encode(text))})
}

// maxInput bounds what tokenize reads from stdin.
const maxInput = 64 << 20

func nonNil(ids []int) []int {
	if ids == nil {
		return []int{}
	}
	return ids
}

// renderChat renders messages with the tokenizer's chat template (DeepSeek-V3's when it has none).
func renderChat(tok *tokenizer.Tokenizer, msgs []chat.Message, addGenerationPrompt bool) (string, error) {
	src := tok.ChatTemplate()
	if src == "" {
		src = chat.DeepSeekV3
	}
	tmpl, err := chat.Parse(src)
	if err != nil {
		return "", fmt.Errorf("chat template: %w", err)
	}
	bos, _ := tok.Token(tok.BOS())
	eos, _ := tok.Token(tok.EOS())
	return tmpl.Render(msgs, chat.Options{AddGenerationPrompt: addGenerationPrompt, BOSToken: bos, EOSToken: eos})
}
