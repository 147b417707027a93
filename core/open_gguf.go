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
	if v, ok := f.Get("tokenizer.ggml.tokens"); ok {
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

func (g ggufFile) uintKey(key string) (uint64, bool) {
	v, ok := g.f.Get(key)
	if !ok {
		return 0, false
	}
	if u, ok := v.Uint(); ok {
		return u, true
	}
	if i, ok := v.Int(); ok && i >= 0 {
		return uint64(i), true
	}
	return 0, false
}

func (g ggufFile) floatKey(key string) (float64, bool) {
	v, ok := g.f.Get(key)
	if !ok {
		return 0, false
	}
	if x, ok := v.Float(); ok {
		return x, true
	}
	if u, ok := g.uintKey(key); ok {
		return float64(u), true
	}
	return 0, false
}

func (g ggufFile) boolKey(key string) (bool, bool) {
	v, ok := g.f.Get(key)
	if !ok {
		return false, false
	}
	return v.Bool()
}

func (g ggufFile) stringKey(key string) (string, bool) {
	v, ok := g.f.Get(key)
	if !ok {
		return "", false
	}
	return v.Str()
}
