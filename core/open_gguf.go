package core

import (
	"fmt"
	"math"
	"strings"

	"github.com/deepgo/deepgo/core/gguf"
	"github.com/deepgo/deepgo/quant"
)

// openGGUF opens a llama.cpp GGUF file (or the first part of a split one); a dense model's
// parts are read into memory first unless mapped (Options.Mapped).
func openGGUF(path string, mapped bool) (*Model, error) {
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
	src := &ggufSource{t: g, heads: cfg.NumAttentionHeads}
	if cfg.Dense() {
		if !mapped {
			if err := f.Load(); err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
		if err := m.denseFromTensors(src); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := m.bind(src); err != nil {
		f.Close()
		return nil, err
	}
	return m, nil
}

// denseFromTensors sets what a dense model's GGUF file says in its tensors rather than
// its keys: tied embeddings (no output.weight), attention biases (attn_q.bias; Qwen2's
// always), the rotary layout (llama.cpp's converter permutes Llama's q and k to rotate
// adjacent pairs; Qwen's rotate halves, NeoX style), and Llama-3's frequency factors
// (rope_freqs.weight, one divisor per rotating pair).
func (m *Model) denseFromTensors(src *ggufSource) error {
	c := m.Config
	c.TieWordEmbeddings = !src.has(wHead, -1)
	c.AttentionBias = c.AttentionBias || c.Family() == FamilyQwen2 || src.has(wQBias, 0)
	m.ropeHalf = c.Family() != FamilyLlama
	if _, _, _, ok := src.t.tensor(ggufRopeFreqs); ok {
		t, data, err := src.get(ggufRopeFreqs, c.HeadDim/2)
		if err != nil {
			return err
		}
		m.ropeFreqs = make([]float32, c.HeadDim/2)
		quant.DequantizeRow(t, m.ropeFreqs, data)
		for i, f := range m.ropeFreqs {
			if !(f > 0) || math.IsInf(float64(f), 0) {
				return fmt.Errorf("tensor %q: factor %d is %v, want a positive number", ggufRopeFreqs, i, f)
			}
		}
	}
	return nil
}

// ggufRopeFreqs is llama.cpp's tensor of rotary frequency divisors (Llama-3's scaling).
const ggufRopeFreqs = "rope_freqs.weight"

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
