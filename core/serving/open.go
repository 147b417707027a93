package serving

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/gguf"
	"github.com/deepgo/deepgo/core/mmap"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// LoadTokenizer loads the tokenizer at path: a tokenizer.json, a directory holding one (a
// Hugging Face checkpoint), or a GGUF file, whose tokenizer.ggml.* keys carry the vocabulary.
// A file is taken for GGUF when it starts with the GGUF magic or its name ends in .gguf (so
// a damaged GGUF file is reported as one, not as bad JSON).
func LoadTokenizer(path string) (*tokenizer.Tokenizer, error) {
	isDir, err := mmap.CheckPath(path, true)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if isDir {
		return tokenizer.Load(path)
	}
	gg, err := isGGUF(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if !gg && !strings.EqualFold(filepath.Ext(path), ".gguf") {
		return tokenizer.Load(path)
	}
	return ggufTokenizer(path)
}

// ggufTokenizer loads the tokenizer of the GGUF file at path.
func ggufTokenizer(path string) (*tokenizer.Tokenizer, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	v, err := vocabFromGGUF(f)
	if err != nil {
		return nil, err // the gguf getters' errors name the file and the key
	}
	t, err := tokenizer.FromVocab(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// OpenWithTokenizer opens the model at path as Open does, with its tokenizer: the one at
// tokPath, or the model's own when tokPath is "" (tokenizer.json in a checkpoint directory,
// the tokenizer.ggml.* keys of a GGUF file). A tokenizer with more ids than the model's
// vocabulary is refused: it belongs to another model. When both fail, the model's error is
// the one returned.
func OpenWithTokenizer(path, tokPath string, opts core.Options) (*core.Model, *tokenizer.Tokenizer, error) {
	isDir, err := core.CheckModelPath(path)
	if err != nil {
		return nil, nil, err
	}
	load := func() (*tokenizer.Tokenizer, error) { return LoadTokenizer(tokPath) }
	if tokPath == "" {
		tokPath = path
		if isDir {
			if _, err := os.Stat(filepath.Join(path, "tokenizer.json")); err != nil {
				return nil, nil, fmt.Errorf("no tokenizer.json in %s: name the tokenizer too", path)
			}
		} else {
			// The model's own tokenizer: the file is a GGUF or no model.
			load = func() (*tokenizer.Tokenizer, error) { return ggufTokenizer(path) }
		}
	}
	// The two are independent, and building a large vocabulary costs as much as opening the
	// model: do them at once (cold start).
	var tok *tokenizer.Tokenizer
	var tokErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		tok, tokErr = load()
	}()
	m, err := core.Open(path, opts)
	<-done
	if err != nil {
		return nil, nil, err
	}
	if tokErr != nil {
		m.Close()
		return nil, nil, tokErr
	}
	if tok.Len() > m.Config.VocabSize {
		m.Close()
		return nil, nil, fmt.Errorf("%s: the tokenizer has %d ids but the model's vocab_size is %d: not this model's tokenizer", tokPath, tok.Len(), m.Config.VocabSize)
	}
	return m, tok, nil
}

// isGGUF reports whether the regular file at path starts with the GGUF magic.
func isGGUF(path string) (bool, error) {
	f, _, err := mmap.OpenFile(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == gguf.Magic, nil
}

// vocabFromGGUF reads the tokenizer.ggml.* keys. The optional ones may be absent, but not
// of the wrong type.
func vocabFromGGUF(f *gguf.File) (tokenizer.Vocab, error) {
	v := tokenizer.Vocab{BOS: -1, EOS: -1}
	optional := func(err error) error {
		if errors.Is(err, gguf.ErrKeyNotFound) {
			return nil
		}
		return err
	}
	var err error
	if v.Model, err = f.GetString("tokenizer.ggml.model"); err != nil {
		return v, err
	}
	if v.Pre, err = f.GetString("tokenizer.ggml.pre"); optional(err) != nil {
		return v, err
	}
	if v.Tokens, err = f.GetStrings("tokenizer.ggml.tokens"); err != nil {
		return v, err
	}
	types, err := f.GetInts("tokenizer.ggml.token_type")
	if optional(err) != nil {
		return v, err
	}
	if err == nil {
		v.Types = make([]int32, len(types))
		for i, t := range types {
			v.Types[i] = int32(t)
		}
	}
	if v.Merges, err = f.GetStrings("tokenizer.ggml.merges"); err != nil {
		return v, err
	}
	for _, id := range []struct {
		key string
		dst *int
	}{{"tokenizer.ggml.bos_token_id", &v.BOS}, {"tokenizer.ggml.eos_token_id", &v.EOS}} {
		x, err := f.GetUint(id.key)
		switch {
		case optional(err) != nil:
			return v, err
		case err == nil && x >= uint64(len(v.Tokens)):
			return v, fmt.Errorf("%s: %s = %d is not a token id (%d tokens)", f.Paths()[0], id.key, x, len(v.Tokens))
		case err == nil:
			*id.dst = int(x)
		}
	}
	if v.AddBOS, err = f.GetBool("tokenizer.ggml.add_bos_token"); optional(err) != nil {
		return v, err
	}
	if v.ChatTemplate, err = f.GetString("tokenizer.chat_template"); optional(err) != nil {
		return v, err
	}
	return v, nil
}
