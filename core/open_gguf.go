package core

import (
	"fmt"
	"strings"

	"github.com/deepgo/deepgo/core/gguf"
)

// openGGUF opens a llama.cpp deepseek2 GGUF file (or the first part of a split one).
func openGGUF(path string) (*Model, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	g := ggufFile{f: f, path: path}
	vocab := 0
	if v, ok := f.Get("tokenizer.ggml.tokens"); ok && v.Kind() == gguf.Array {
		vocab = v.Len()
	}
	hasBias := false
	for _, t := range f.Tensors() {
		if strings.HasSuffix(t.Name, ".exp_probs_b.bias") {
			hasBias = true
			break
		}
	}
	cfg, err := configFromGGUF(g, vocab, hasBias)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m := &Model{Config: cfg, files: f}
	if err := m.bind(&ggufSource{t: g, heads: cfg.NumAttentionHeads}); err != nil {
		f.Close()
		return nil, err
	}
	return m, nil
}

// ggufFile adapts a gguf.File to what config reading and weight binding need.
type ggufFile struct {
	f    *gguf.File
	path string
}

func (g ggufFile) fileName() string { return g.path }

func (g ggufFile) tensor(name string) (string, []int64, []byte, bool) {
	t, data, ok := g.f.Tensor(name)
	return t.Type.String(), t.Ne, data, ok
}

func (g ggufFile) get(key string) (gguf.Value, bool) { return g.f.Get(key) }
