package synth

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The real DeepSeek-V3 tokenizer (tokenizer.json, gzip-compressed, and tokenizer_config.json
// with its chat template), written beside synthesized weights so a synthesized model speaks
// text like the real one — random weights still make random text.
//
//go:embed assets/tokenizer.json.gz assets/tokenizer_config.json
var assets embed.FS

// TokenizerVocab is the number of ids the DeepSeek-V3 tokenizer uses (128000 BPE tokens and
// 818 added tokens, the highest id 128814); a model needs at least this vocab_size.
const TokenizerVocab = 128815

// TokenizerJSON returns the DeepSeek-V3 tokenizer.json.
func TokenizerJSON() ([]byte, error) {
	gz, err := assets.ReadFile("assets/tokenizer.json.gz")
	if err != nil {
		return nil, err
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("synth: embedded tokenizer: %w", err)
	}
	return io.ReadAll(r)
}

// WriteTokenizer writes tokenizer.json and tokenizer_config.json into dir.
func WriteTokenizer(dir string) error {
	tj, err := TokenizerJSON()
	if err != nil {
		return err
	}
	tc, err := assets.ReadFile("assets/tokenizer_config.json")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), tj, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), tc, 0o644)
}
