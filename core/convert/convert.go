package convert

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/gguf"
	"github.com/deepgo/deepgo/core/tokenizer"
	"github.com/deepgo/deepgo/quant"
)

// Options control a conversion.
type Options struct {
	Type      string               // one of Types()
	Tokenizer *tokenizer.Tokenizer // embedded as tokenizer.ggml.*; nil writes none
	Name      string               // general.name
	// Progress, if set, is called after each tensor with the bytes written so far and in all.
	Progress func(done, total int64, tensor string)
}

// Stats sums up a conversion.
type Stats struct {
	Tensors    int
	Bytes      int64 // tensor data written
	PeakBuffer int64 // the most float32 + encoded buffer held at once (parts of about 32 MB, one per thread)
}

// Write converts m into a GGUF file at path (written to a temporary name, then renamed).
func Write(ctx context.Context, m *core.Model, path string, o Options) (Stats, error) {
	spec, err := lookupType(o.Type)
	if err != nil {
		return Stats{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return Stats{}, fmt.Errorf("convert: %w", err)
	}
	defer os.Remove(tmp.Name())
	st, err := write(ctx, m, tmp, spec, o)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return st, err
	}
	return st, os.Rename(tmp.Name(), path)
}

func write(ctx context.Context, m *core.Model, out io.Writer, spec typeSpec, o Options) (Stats, error) {
	var st Stats
	w := gguf.NewWriter(out)
	name := o.Name
	if name == "" {
		name = "deepgo conversion"
	}
	kvs := m.Config.GGUFMetadata()
	kvs = append(kvs[:2:2], append([][2]any{{"general.name", name}}, kvs[2:]...)...)
	kvs = append(kvs, [2]any{"general.file_type", spec.fileType}, [2]any{"general.quantization_version", uint32(2)})
	if t := o.Tokenizer; t != nil {
		v, err := ggufVocab(t, m.Config.VocabSize)
		if err != nil {
			return st, err
		}
		kvs = append(kvs,
			[2]any{"tokenizer.ggml.model", v.Model}, [2]any{"tokenizer.ggml.pre", v.Pre},
			[2]any{"tokenizer.ggml.tokens", v.Tokens}, [2]any{"tokenizer.ggml.token_type", v.Types},
			[2]any{"tokenizer.ggml.merges", v.Merges})
		if v.BOS >= 0 {
			kvs = append(kvs, [2]any{"tokenizer.ggml.bos_token_id", uint32(v.BOS)})
		}
		if v.EOS >= 0 {
			kvs = append(kvs, [2]any{"tokenizer.ggml.eos_token_id", uint32(v.EOS)}, [2]any{"tokenizer.ggml.padding_token_id", uint32(v.EOS)})
		}
		kvs = append(kvs, [2]any{"tokenizer.ggml.add_bos_token", v.AddBOS}, [2]any{"tokenizer.ggml.add_eos_token", false})
		if v.ChatTemplate != "" {
			kvs = append(kvs, [2]any{"tokenizer.chat_template", v.ChatTemplate})
		}
	} else {
		// llama.cpp loads a file without a vocabulary only when it says so; the vocabulary's
		// size is then the key's (which llama.cpp's converter writes only for some
		// architectures).
		kvs = append(kvs, [2]any{"tokenizer.ggml.model", "none"})
		if key := m.Config.GGUFArchitecture() + ".vocab_size"; !slices.ContainsFunc(kvs, func(kv [2]any) bool { return kv[0] == key }) {
			kvs = append(kvs, [2]any{key, uint32(m.Config.VocabSize)})
		}
	}
	for _, kv := range kvs {
		if err := w.AddKV(kv[0].(string), kv[1]); err != nil {
			return st, fmt.Errorf("convert: key %s: %w", kv[0], err)
		}
	}
	tensors := m.Export()
	types := tensorTypes(tensors, spec, quantModelOf(m.Config))
	var total int64
	for i, t := range tensors {
		gt, err := ggufType(types[i])
		if err != nil {
			return st, err
		}
		if err := w.AddTensor(t.Name, gt, t.Ne); err != nil {
			return st, fmt.Errorf("convert: tensor %s: %w", t.Name, err)
		}
		total += t.Elements() / int64(types[i].BlockSize()) * int64(types[i].BlockBytes())
	}
	var done int64
	workers := runtime.GOMAXPROCS(0)
	for i, t := range tensors {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		dt := types[i]
		per := int(t.Elements() / int64(t.Parts))
		partBytes := per / dt.BlockSize() * dt.BlockBytes()
		n := min(workers, t.Parts)
		f32 := make([][]float32, n)
		data := make([][]byte, n)
		for j := range n {
			f32[j], data[j] = make([]float32, per), make([]byte, partBytes)
		}
		// Parts are filled and encoded n at a time in parallel, then written in order.
		for p0 := 0; p0 < t.Parts; p0 += n {
			k := min(n, t.Parts-p0)
			errs := make([]error, k)
			var wg sync.WaitGroup
			for j := range k {
				wg.Go(func() {
					t.Fill(f32[j], p0+j)
					errs[j] = encode(dt, data[j], f32[j])
				})
			}
			wg.Wait()
			for j := range k {
				if errs[j] != nil {
					return st, fmt.Errorf("convert: tensor %s: %w", t.Name, errs[j])
				}
				if err := w.WriteTensorChunk(t.Name, data[j]); err != nil {
					return st, fmt.Errorf("convert: tensor %s: %w", t.Name, err)
				}
			}
		}
		st.Tensors++
		st.Bytes += int64(t.Parts * partBytes)
		st.PeakBuffer = max(st.PeakBuffer, int64(n*(4*per+partBytes)))
		done += int64(t.Parts * partBytes)
		if o.Progress != nil {
			o.Progress(done, total, t.Name)
		}
	}
	return st, w.Close()
}

// encode stores float32 values as type t.
func encode(t quant.DType, dst []byte, src []float32) error {
	switch t {
	case quant.F32:
		for i, v := range src {
			u := math.Float32bits(v)
			dst[4*i], dst[4*i+1], dst[4*i+2], dst[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
		}
		return nil
	case quant.F16, quant.BF16:
		conv := quant.F32ToF16
		if t == quant.BF16 {
			conv = quant.F32ToBF16
		}
		for i, v := range src {
			h := conv(v)
			dst[2*i], dst[2*i+1] = byte(h), byte(h>>8)
		}
		return nil
	}
	return quant.Quantize(t, dst, src)
}

// ggufType is the ggml type of a quant format, from quant's table of formats.
func ggufType(t quant.DType) (gguf.Type, error) {
	if id, ok := t.GGUFType(); ok {
		return gguf.Type(id), nil
	}
	return 0, fmt.Errorf("convert: no GGUF type for %v", t)
}

// Token types of tokenizer.ggml.token_type (llama_token_type).
const (
	tokenControl = 3
	tokenUnused  = 5
)

// ggufVocab is the tokenizer's vocabulary as llama.cpp expects it: padded with unused
// "[PAD<id>]" tokens up to the model's vocab_size (llama.cpp sizes the embedding from the
// token count), and added tokens that look like control tokens (<｜…｜>, <|…|>) typed as control.
func ggufVocab(t *tokenizer.Tokenizer, vocab int) (tokenizer.Vocab, error) {
	v := t.Vocab()
	if len(v.Tokens) > vocab {
		return v, fmt.Errorf("convert: the tokenizer has %d tokens, more than the model's vocab_size %d", len(v.Tokens), vocab)
	}
	if v.Types == nil {
		v.Types = make([]int32, len(v.Tokens))
		for i := range v.Types {
			v.Types[i] = 1
		}
	}
	for i, tok := range v.Tokens {
		if v.Types[i] == 4 && (strings.HasPrefix(tok, "<｜") && strings.HasSuffix(tok, "｜>") ||
			strings.HasPrefix(tok, "<|") && strings.HasSuffix(tok, "|>")) {
			v.Types[i] = tokenControl
		}
	}
	for id := len(v.Tokens); id < vocab; id++ {
		v.Tokens = append(v.Tokens, fmt.Sprintf("[PAD%d]", id))
		v.Types = append(v.Types, tokenUnused)
	}
	return v, nil
}
