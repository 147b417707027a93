//go:build unix

package core_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/convert"
	"github.com/deepgo/deepgo/core/gguf"
	"github.com/deepgo/deepgo/core/mmap"
	"github.com/deepgo/deepgo/core/safetensors"
	"github.com/deepgo/deepgo/core/serving"
	"github.com/deepgo/deepgo/core/synth"
)

// corpus holds the valid models the malformed ones are made from: the same tiny model as a
// checkpoint directory with a tokenizer.json, and as an F32 GGUF file with its tokenizer.
type corpus struct {
	hf, gguf string
}

// newCorpus writes the valid models. The tokenizer is the DeepSeek-V3 one cut down to its
// 256 byte tokens (its pre-tokenizer, decoder and normalizer as they are), so that it loads
// at once and fits the tiny vocabulary.
func newCorpus(t *testing.T) *corpus { return newCorpusMTP(t, 0) }

// newCorpusMTP is newCorpus with mtp multi-token-prediction modules in the config (the
// files hold the first, as layer 2).
func newCorpusMTP(t *testing.T, mtp int) *corpus {
	t.Helper()
	cfg := *testConfigs()["v3"]
	cfg.NumHiddenLayers = 2
	cfg.NumNextNPredictLayers = mtp
	dir := t.TempDir()
	c := &corpus{hf: filepath.Join(dir, "hf"), gguf: filepath.Join(dir, "model.gguf")}
	if err := synth.WriteHF(c.hf, &cfg, synth.Options{Seed: 9}); err != nil {
		t.Fatal(err)
	}
	full, err := synth.TokenizerJSON()
	if err != nil {
		t.Fatal(err)
	}
	var tj map[string]json.RawMessage
	if err := json.Unmarshal(full, &tj); err != nil {
		t.Fatal(err)
	}
	vocab := map[string]int{}
	for _, r := range byteLevel() {
		vocab[string(r)] = len(vocab)
	}
	tj["model"], _ = json.Marshal(map[string]any{"type": "BPE", "vocab": vocab, "merges": []string{}})
	tj["added_tokens"] = json.RawMessage("[]")
	small, _ := json.Marshal(tj)
	write(t, filepath.Join(c.hf, "tokenizer.json"), small)
	m, tok, err := serving.OpenWithTokenizer(c.hf, "", core.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := convert.Write(context.Background(), m, c.gguf, convert.Options{Type: "f32", Tokenizer: tok}); err != nil {
		t.Fatal(err)
	}
	return c
}

// byteLevel is GPT-2's byte-level alphabet: the character standing for each byte.
func byteLevel() []rune {
	rs := make([]rune, 256)
	n := 0
	for b := range 256 {
		if b >= '!' && b <= '~' || b >= 0xa1 && b <= 0xac || b >= 0xae {
			rs[b] = rune(b)
		} else {
			rs[b] = rune(256 + n)
			n++
		}
	}
	return rs
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyHF copies the checkpoint into dir/name and returns its path.
func (c *corpus) copyHF(t *testing.T, dir string) string {
	t.Helper()
	dst := filepath.Join(dir, "hf")
	if err := os.CopyFS(dst, os.DirFS(c.hf)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// ggufBytes writes the GGUF model's bytes, changed by edit, to dir/model.gguf.
func (c *corpus) ggufBytes(t *testing.T, dir string, edit func(b []byte) []byte) string {
	t.Helper()
	p := filepath.Join(dir, "model.gguf")
	write(t, p, edit(read(t, c.gguf)))
	return p
}

// after returns the offset just past the first GGUF string s (its u64 length and bytes)
// in b: where a key's value type, or a tensor's n_dims, is.
func after(t *testing.T, b []byte, s string) int {
	t.Helper()
	enc := binary.LittleEndian.AppendUint64(nil, uint64(len(s)))
	i := bytes.Index(b, append(enc, s...))
	if i < 0 {
		t.Fatalf("%q not in the file", s)
	}
	return i + len(enc) + len(s)
}

// ggufModel is a GGUF file's metadata and tensors, to be written again with changes.
type ggufModel struct {
	keys    []string
	kv      map[string]any
	tensors []gguf.TensorInfo
	data    map[string][]byte
}

// set sets a metadata key, adding it at the end if it is new.
func (g *ggufModel) set(key string, v any) {
	if _, ok := g.kv[key]; !ok {
		g.keys = append(g.keys, key)
	}
	g.kv[key] = v
}

// drop removes the tensor called name.
func (g *ggufModel) drop(name string) {
	for i, x := range g.tensors {
		if x.Name == name {
			g.tensors = append(g.tensors[:i], g.tensors[i+1:]...)
			return
		}
	}
}

// rewrite writes the GGUF model, changed by edit, to path.
func (c *corpus) rewrite(t *testing.T, path string, edit func(*ggufModel)) string {
	t.Helper()
	f, err := gguf.Open(c.gguf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g := &ggufModel{keys: f.Keys(), kv: map[string]any{}, tensors: f.Tensors(), data: map[string][]byte{}}
	for _, k := range g.keys {
		g.kv[k], _ = f.Get(k)
	}
	for _, x := range g.tensors {
		_, d, _ := f.Tensor(x.Name)
		g.data[x.Name] = d
	}
	edit(g)
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	w := gguf.NewWriter(out)
	for _, k := range g.keys {
		if v, ok := g.kv[k]; ok {
			if err := w.AddKV(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, x := range g.tensors {
		if err := w.AddTensor(x.Name, x.Type, x.Ne); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range g.tensors {
		if err := w.WriteTensorData(x.Name, g.data[x.Name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// setConfig rewrites the checkpoint's config.json with key set to the JSON v.
func setConfig(t *testing.T, dir, key, v string) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(read(t, filepath.Join(dir, "config.json")), &m); err != nil {
		t.Fatal(err)
	}
	m[key] = json.RawMessage(v)
	b, _ := json.Marshal(m)
	write(t, filepath.Join(dir, "config.json"), b)
}

// mkfifo makes a named pipe at path.
func mkfifo(t *testing.T, path string) string {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	return path
}

// sparse makes a file of size bytes that takes no room on disk, starting with head.
func sparse(t *testing.T, path string, head []byte, size int64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(head); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return path
}

// The entry points a malformed model is opened through.
const (
	viaOpen = 1 << iota // core.Open
	viaTok              // serving.OpenWithTokenizer
	viaBoth = viaOpen | viaTok
)

// malformed is one case of the corpus: make builds it in a fresh directory and returns the
// model path and the tokenizer path ("" for the model's own).
type malformed struct {
	name string
	make func(t *testing.T, c *corpus, dir string) (model, tok string)
	via  int
	want []string // in the error; "$model" stands for the model path, "$dir" for the directory
	is   error    // what the error must wrap, if anything
}

// byModel makes a case's model with f, which returns its path; the tokenizer is its own.
func byModel(f func(t *testing.T, c *corpus, dir string) string) func(*testing.T, *corpus, string) (string, string) {
	return func(t *testing.T, c *corpus, dir string) (string, string) { return f(t, c, dir), "" }
}

// byGGUF makes a case's model by rewriting the corpus's GGUF file, changed by edit.
func byGGUF(edit func(*ggufModel)) func(*testing.T, *corpus, string) (string, string) {
	return byModel(func(t *testing.T, c *corpus, dir string) string {
		return c.rewrite(t, filepath.Join(dir, "model.gguf"), edit)
	})
}

// byHF makes a case's model by copying the corpus's checkpoint and changing it with edit.
func byHF(edit func(t *testing.T, dir string)) func(*testing.T, *corpus, string) (string, string) {
	return byModel(func(t *testing.T, c *corpus, dir string) string {
		d := c.copyHF(t, dir)
		edit(t, d)
		return d
	})
}

func (c *corpus) cases(t *testing.T) []malformed {
	model, rw, hf := byModel, byGGUF, byHF
	gg := func(edit func(t *testing.T, b []byte) []byte) func(*testing.T, *corpus, string) (string, string) {
		return model(func(t *testing.T, c *corpus, dir string) string {
			return c.ggufBytes(t, dir, func(b []byte) []byte { return edit(t, b) })
		})
	}
	// kvU32 sets the uint32 value of a metadata key in place.
	kvU32 := func(key string, v uint32) func(*testing.T, *corpus, string) (string, string) {
		return gg(func(t *testing.T, b []byte) []byte {
			binary.LittleEndian.PutUint32(b[after(t, b, key)+4:], v)
			return b
		})
	}
	cfg := func(key, v string) func(*testing.T, *corpus, string) (string, string) {
		return hf(func(t *testing.T, d string) { setConfig(t, d, key, v) })
	}
	hfFile := func(name string) func(string) string {
		return func(d string) string { return filepath.Join(d, name) }
	}
	config, tokJSON, weights := hfFile("config.json"), hfFile("tokenizer.json"), hfFile("model.safetensors")

	cases := []malformed{
		// The path itself.
		{"missing file", model(func(t *testing.T, c *corpus, dir string) string { return filepath.Join(dir, "absent.gguf") }),
			viaBoth, []string{"open model", "absent.gguf", "no such file"}, os.ErrNotExist},
		{"fifo", model(func(t *testing.T, c *corpus, dir string) string { return mkfifo(t, filepath.Join(dir, "x.gguf")) }),
			viaBoth, []string{"open model: $model is a named pipe (FIFO), not a regular file or a directory"}, mmap.ErrNotRegular},
		{"dev zero", model(func(t *testing.T, c *corpus, dir string) string { return "/dev/zero" }),
			viaBoth, []string{"open model: /dev/zero is a character device, not a regular file or a directory"}, mmap.ErrNotRegular},
		{"socket", model(func(t *testing.T, c *corpus, dir string) string {
			p := filepath.Join(dir, "s.gguf")
			l, err := net.Listen("unix", p)
			if err != nil {
				t.Skipf("no unix sockets: %v", err)
			}
			t.Cleanup(func() { l.Close() })
			return p
		}), viaBoth, []string{"open model: $model is a socket, not a regular file or a directory"}, mmap.ErrNotRegular},
		{"symlink loop", model(func(t *testing.T, c *corpus, dir string) string {
			p := filepath.Join(dir, "loop.gguf")
			if err := os.Symlink(p, p); err != nil {
				t.Fatal(err)
			}
			return p
		}), viaBoth, []string{"open model", "loop.gguf", "too many levels of symbolic links"}, nil},
		{"symlink to a fifo", model(func(t *testing.T, c *corpus, dir string) string {
			p := filepath.Join(dir, "link.gguf")
			if err := os.Symlink(mkfifo(t, filepath.Join(dir, "fifo")), p); err != nil {
				t.Fatal(err)
			}
			return p
		}), viaBoth, []string{"$model is a named pipe (FIFO)"}, mmap.ErrNotRegular},
		{"empty file", model(func(t *testing.T, c *corpus, dir string) string {
			p := filepath.Join(dir, "empty.gguf")
			write(t, p, nil)
			return p
		}), viaBoth, []string{"gguf: $model", "truncated file: magic needs 4 bytes, 0 left"}, io.ErrUnexpectedEOF},
		{"directory named like a file", model(func(t *testing.T, c *corpus, dir string) string {
			p := filepath.Join(dir, "x.gguf")
			os.Mkdir(p, 0o755)
			return p
		}), viaOpen, []string{"config: open $model/config.json: no such file"}, os.ErrNotExist},
		{"empty directory with a tokenizer", model(func(t *testing.T, c *corpus, dir string) string {
			write(t, filepath.Join(dir, "tokenizer.json"), read(t, filepath.Join(c.hf, "tokenizer.json")))
			return dir
		}), viaBoth, []string{"config: open $model/config.json: no such file"}, os.ErrNotExist},
		{"directory without a tokenizer", model(func(t *testing.T, c *corpus, dir string) string { return dir }),
			viaTok, []string{"no tokenizer.json in $model"}, nil},

		// GGUF files: the header.
		{"bad magic", gg(func(t *testing.T, b []byte) []byte { copy(b, "XXXX"); return b }),
			viaBoth, []string{`gguf: $model (offset 0): bad magic "XXXX", want "GGUF" (not a GGUF file)`}, nil},
		{"safetensors file named .gguf", model(func(t *testing.T, c *corpus, dir string) string {
			p := filepath.Join(dir, "model.gguf")
			write(t, p, read(t, weights(c.hf)))
			return p
		}), viaBoth, []string{"gguf: $model (offset 0): bad magic", "(not a GGUF file)"}, nil},
		{"version 1", gg(func(t *testing.T, b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 1); return b }),
			viaBoth, []string{"gguf: $model (offset 4): unsupported version 1"}, nil},
		{"big-endian", gg(func(t *testing.T, b []byte) []byte { binary.BigEndian.PutUint32(b[4:], 3); return b }),
			viaBoth, []string{"unsupported version 50331648 (a big-endian file?)"}, nil},
		{"tensor count 2^62", gg(func(t *testing.T, b []byte) []byte { binary.LittleEndian.PutUint64(b[8:], 1<<62); return b }),
			viaBoth, []string{"gguf: $model (offset 8): tensor count 4611686018427387904 exceeds"}, nil},
		{"key count 2^64-1", gg(func(t *testing.T, b []byte) []byte { binary.LittleEndian.PutUint64(b[16:], math.MaxUint64); return b }),
			viaBoth, []string{"gguf: $model (offset 16): metadata key-value count 18446744073709551615 exceeds"}, nil},

		// GGUF files: metadata.
		{"unknown value type", gg(func(t *testing.T, b []byte) []byte {
			binary.LittleEndian.PutUint32(b[after(t, b, "deepseek2.block_count"):], 99)
			return b
		}), viaBoth, []string{`gguf: $model: key "deepseek2.block_count"`, "unknown value type 99"}, nil},
		{"huge string length", gg(func(t *testing.T, b []byte) []byte {
			binary.LittleEndian.PutUint64(b[after(t, b, "general.architecture")+4:], 1<<62)
			return b
		}), viaBoth, []string{`key "general.architecture"`, "string value length 4611686018427387904 exceeds"}, nil},
		{"huge array length", gg(func(t *testing.T, b []byte) []byte {
			binary.LittleEndian.PutUint64(b[after(t, b, "tokenizer.ggml.tokens")+8:], 1<<61)
			return b
		}), viaBoth, []string{`key "tokenizer.ggml.tokens"`, "array length 2305843009213693952 exceeds"}, nil},
		{"huge array string", gg(func(t *testing.T, b []byte) []byte {
			binary.LittleEndian.PutUint64(b[after(t, b, "tokenizer.ggml.tokens")+16:], 1<<50)
			return b
		}), viaBoth, []string{`key "tokenizer.ggml.tokens"`, "string array element length 1125899906842624 exceeds"}, nil},
		{"int key as a float", gg(func(t *testing.T, b []byte) []byte {
			binary.LittleEndian.PutUint32(b[after(t, b, "deepseek2.context_length"):], uint32(gguf.Float32))
			return b
		}), viaBoth, []string{"$model: deepseek2.context_length has type float32, want an integer"}, nil},
		{"context_length 0", kvU32("deepseek2.context_length", 0),
			viaBoth, []string{"$model: deepseek2.context_length = 0 is out of range [1, 16777216]"}, nil},
		{"context_length 2^32-1", kvU32("deepseek2.context_length", math.MaxUint32),
			viaBoth, []string{"$model: deepseek2.context_length = 4294967295 is out of range [1, 16777216]"}, nil},
		{"context_length 1e15", rw(func(g *ggufModel) { g.set("deepseek2.context_length", uint64(1e15)) }),
			viaBoth, []string{"$model: deepseek2.context_length = 1000000000000000 is out of range [1, 16777216]"}, nil},
		{"expert_weights_scale inf", kvU32("deepseek2.expert_weights_scale", math.Float32bits(float32(math.Inf(1)))),
			viaBoth, []string{"$model: deepseek2.expert_weights_scale = +Inf is out of range (0, 1000]"}, nil},
		{"expert_weights_scale 1e308", rw(func(g *ggufModel) { g.set("deepseek2.expert_weights_scale", 1e308) }),
			viaBoth, []string{"$model: deepseek2.expert_weights_scale = 1e+308 is out of range (0, 1000]"}, nil},
		{"block_count huge", kvU32("deepseek2.block_count", 1<<30),
			viaBoth, []string{"$model: deepseek2.block_count = 1073741824 is out of range [1, 1024]"}, nil},
		{"dims that multiply past memory", rw(func(g *ggufModel) {
			g.set("deepseek2.embedding_length", uint32(1<<20))
			g.set("deepseek2.feed_forward_length", uint32(1<<20))
		}), viaBoth, []string{"$model: deepseek2.expert_used_count × deepseek2.embedding_length = 5 × 1048576"}, nil},
		{"architecture mistral", rw(func(g *ggufModel) { g.set("general.architecture", "mistral") }),
			viaBoth, []string{`$model: general.architecture "mistral" not supported (want deepseek2, qwen2, llama or qwen3)`}, nil},
		{"architecture llama without its keys", rw(func(g *ggufModel) { g.set("general.architecture", "llama") }),
			viaBoth, []string{`$model: missing metadata llama.block_count`}, nil},
		{"required key missing", rw(func(g *ggufModel) { delete(g.kv, "deepseek2.attention.head_count") }),
			viaBoth, []string{"$model: missing metadata deepseek2.attention.head_count"}, nil},
		{"no tokens", rw(func(g *ggufModel) { delete(g.kv, "tokenizer.ggml.tokens") }),
			viaTok, []string{`gguf: $model: key "tokenizer.ggml.tokens": key not found`}, gguf.ErrKeyNotFound},
		{"tokenizer model llama", rw(func(g *ggufModel) { g.set("tokenizer.ggml.model", "llama") }),
			viaTok, []string{`$model: tokenizer: unsupported tokenizer model "llama"`}, nil},
		{"tokens of the wrong type", rw(func(g *ggufModel) { g.set("tokenizer.ggml.tokens", []uint32{1, 2}) }),
			viaTok, []string{`gguf: $model: key "tokenizer.ggml.tokens": has type array of uint32`, "want an array of strings"}, nil},
		{"bos_token_id past the tokens", rw(func(g *ggufModel) { g.set("tokenizer.ggml.bos_token_id", uint32(1<<30)) }),
			viaTok, []string{"$model: tokenizer.ggml.bos_token_id = 1073741824 is not a token id (333 tokens)"}, nil},
		{"token types of the wrong type", rw(func(g *ggufModel) { g.set("tokenizer.ggml.token_type", []string{"normal"}) }),
			viaTok, []string{`gguf: $model: key "tokenizer.ggml.token_type": has type array of string`}, nil},
		{"chat template of the wrong type", rw(func(g *ggufModel) { g.set("tokenizer.chat_template", uint8(1)) }),
			viaTok, []string{`gguf: $model: key "tokenizer.chat_template": has type uint8`}, nil},

		// GGUF files: tensors.
		{"tensor dims overflow", gg(func(t *testing.T, b []byte) []byte {
			i := after(t, b, "token_embd.weight")
			binary.LittleEndian.PutUint64(b[i+4:], 1<<40)
			binary.LittleEndian.PutUint64(b[i+12:], 1<<40)
			return b
		}), viaBoth, []string{`gguf: $model: tensor "token_embd.weight"`, "element count of shape [1099511627776 1099511627776] overflows"}, nil},
		{"tensor past the end", gg(func(t *testing.T, b []byte) []byte {
			i := after(t, b, "token_embd.weight")
			binary.LittleEndian.PutUint64(b[i+4:], 1<<30)
			return b
		}), viaBoth, []string{`gguf: $model: tensor "token_embd.weight": data`, "runs past the end of the file"}, nil},
		{"tensor offset 2^60", gg(func(t *testing.T, b []byte) []byte {
			i := after(t, b, "output_norm.weight")
			binary.LittleEndian.PutUint64(b[i+4+8+4:], 1<<60)
			return b
		}), viaBoth, []string{`gguf: $model: tensor "output_norm.weight": data [1152921504606846976,`, "runs past the end"}, nil},
		{"tensor type unknown", gg(func(t *testing.T, b []byte) []byte {
			i := after(t, b, "output_norm.weight")
			binary.LittleEndian.PutUint32(b[i+4+8:], 77)
			return b
		}), viaBoth, []string{`gguf: $model: tensor "output_norm.weight"`, "unknown ggml type id 77"}, nil},
		{"tensor n_dims 9", gg(func(t *testing.T, b []byte) []byte {
			binary.LittleEndian.PutUint32(b[after(t, b, "output_norm.weight"):], 9)
			return b
		}), viaBoth, []string{`gguf: $model: tensor "output_norm.weight"`, "n_dims 9 out of range [1, 4]"}, nil},
		{"duplicate tensor", gg(func(t *testing.T, b []byte) []byte {
			i := after(t, b, "blk.1.attn_norm.weight")
			copy(b[i-len("blk.1.attn_norm.weight"):], "blk.0.attn_norm.weight")
			return b
		}), viaBoth, []string{`gguf: $model: tensor "blk.0.attn_norm.weight"`, "duplicate tensor name"}, nil},
		{"missing tensor", rw(func(g *ggufModel) { g.drop("blk.1.attn_kv_a_mqa.weight") }),
			viaBoth, []string{`$model: tensor "blk.1.attn_kv_a_mqa.weight" not found`}, nil},
		{"oversized tensor", rw(func(g *ggufModel) {
			for i, x := range g.tensors {
				if x.Name == "output_norm.weight" {
					g.tensors[i].Ne = []int64{2 * x.Ne[0]}
					g.data[x.Name] = append(g.data[x.Name], g.data[x.Name]...)
				}
			}
		}), viaBoth, []string{`$model: tensor "output_norm.weight" has ne [272], want [136]`}, nil},
		{"split part missing", model(func(t *testing.T, c *corpus, dir string) string {
			return c.rewrite(t, filepath.Join(dir, "m-00001-of-00002.gguf"), func(g *ggufModel) {
				g.set(gguf.KeySplitCount, uint16(2))
				g.set(gguf.KeySplitNo, uint16(0))
			})
		}), viaBoth, []string{"gguf: $model: split part 2 of 2", "m-00002-of-00002.gguf: no such file"}, os.ErrNotExist},
		{"split part a fifo", model(func(t *testing.T, c *corpus, dir string) string {
			mkfifo(t, filepath.Join(dir, "m-00002-of-00002.gguf"))
			return c.rewrite(t, filepath.Join(dir, "m-00001-of-00002.gguf"), func(g *ggufModel) {
				g.set(gguf.KeySplitCount, uint16(2))
				g.set(gguf.KeySplitNo, uint16(0))
			})
		}), viaBoth, []string{"split part 2 of 2", "m-00002-of-00002.gguf is a named pipe (FIFO), not a regular file"}, mmap.ErrNotRegular},

		// Checkpoint directories: config.json.
		{"config.json a fifo", hf(func(t *testing.T, d string) { os.Remove(config(d)); mkfifo(t, config(d)) }),
			viaBoth, []string{"config: $model/config.json is a named pipe (FIFO), not a regular file"}, mmap.ErrNotRegular},
		{"config.json a directory", hf(func(t *testing.T, d string) { os.Remove(config(d)); os.Mkdir(config(d), 0o755) }),
			viaBoth, []string{"config: $model/config.json is a directory, not a regular file"}, mmap.ErrNotRegular},
		{"config.json /dev/zero", hf(func(t *testing.T, d string) { os.Remove(config(d)); os.Symlink("/dev/zero", config(d)) }),
			viaBoth, []string{"config: $model/config.json is a character device"}, mmap.ErrNotRegular},
		{"config.json 2 MB", hf(func(t *testing.T, d string) {
			write(t, config(d), append(read(t, config(d)), bytes.Repeat([]byte(" "), 2<<20)...))
		}), viaBoth, []string{"config: $model/config.json is", "more than the 1048576 allowed: file too large"}, mmap.ErrTooLarge},
		{"config.json truncated", hf(func(t *testing.T, d string) { b := read(t, config(d)); write(t, config(d), b[:len(b)/2]) }),
			viaBoth, []string{"$model/config.json: bad JSON in config: unexpected end of JSON input"}, nil},
		{"config.json not an object", hf(func(t *testing.T, d string) { write(t, config(d), []byte("[1, 2]")) }),
			viaBoth, []string{"$model/config.json: bad JSON in config", "cannot unmarshal array"}, nil},
		{"max_position_embeddings 0", cfg("max_position_embeddings", "0"),
			viaBoth, []string{"$model/config.json: max_position_embeddings = 0 is out of range [1, 16777216]"}, nil},
		{"max_position_embeddings 1e15", cfg("max_position_embeddings", "1000000000000000"),
			viaBoth, []string{"$model/config.json: max_position_embeddings = 1000000000000000 is out of range [1, 16777216]"}, nil},
		{"max_position_embeddings 1e15 as a float", cfg("max_position_embeddings", "1e15"),
			viaBoth, []string{"$model/config.json: bad JSON in config", "number 1e15", "max_position_embeddings of type int"}, nil},
		{"routed_scaling_factor 1e308", cfg("routed_scaling_factor", "1e308"),
			viaBoth, []string{"$model/config.json: routed_scaling_factor = 1e+308 is out of range (0, 1000]"}, nil},
		{"rms_norm_eps 0", cfg("rms_norm_eps", "0"), viaBoth, []string{"$model/config.json: rms_norm_eps = 0 is out of range [1e-12, 1]"}, nil},
		{"vocab_size 2^40", cfg("vocab_size", "1099511627776"),
			viaBoth, []string{"$model/config.json: vocab_size = 1099511627776 is out of range [1, 1048576]"}, nil},
		{"heads × v_head_dim past memory", hf(func(t *testing.T, d string) {
			setConfig(t, d, "num_attention_heads", "4096")
			setConfig(t, d, "v_head_dim", "4096")
		}), viaBoth, []string{"$model/config.json: num_attention_heads × v_head_dim = 4096 × 4096 = 16777216 is more than 1048576"}, nil},
		{"layers × experts past memory", hf(func(t *testing.T, d string) {
			setConfig(t, d, "num_hidden_layers", "1024")
			setConfig(t, d, "n_routed_experts", "65536")
			setConfig(t, d, "kv_lora_rank", "8")
		}), viaBoth, []string{"$model/config.json: num_hidden_layers × n_routed_experts = 1024 × 65536 = 67108864 is more than 262144"}, nil},
		{"unsupported architecture", cfg("architectures", `["MistralForCausalLM"]`),
			viaBoth, []string{"$model/config.json: unsupported architecture [MistralForCausalLM]"}, nil},
		{"dense architecture with MLA fields", cfg("architectures", `["Qwen2ForCausalLM"]`),
			viaBoth, []string{"$model/config.json: a [Qwen2ForCausalLM] config has DeepSeek fields"}, nil},

		// Checkpoint directories: the tokenizer.
		{"tokenizer.json a fifo", hf(func(t *testing.T, d string) { os.Remove(tokJSON(d)); mkfifo(t, tokJSON(d)) }),
			viaTok, []string{"tokenizer: $model/tokenizer.json is a named pipe (FIFO), not a regular file"}, mmap.ErrNotRegular},
		{"tokenizer.json 300 MB", hf(func(t *testing.T, d string) { sparse(t, tokJSON(d), nil, 300<<20) }),
			viaTok, []string{"tokenizer: $model/tokenizer.json is 314572800 bytes, more than the 268435456 allowed"}, mmap.ErrTooLarge},
		{"tokenizer.json bad JSON", hf(func(t *testing.T, d string) { write(t, tokJSON(d), []byte("{")) }),
			viaTok, []string{"tokenizer: $model/tokenizer.json: unexpected end of JSON input"}, nil},
		{"tokenizer_config.json a fifo", hf(func(t *testing.T, d string) { mkfifo(t, filepath.Join(d, "tokenizer_config.json")) }),
			viaTok, []string{"tokenizer: $model/tokenizer_config.json is a named pipe (FIFO)"}, mmap.ErrNotRegular},
		{"tokenizer_config.json 40 MB", hf(func(t *testing.T, d string) { sparse(t, filepath.Join(d, "tokenizer_config.json"), nil, 40<<20) }),
			viaTok, []string{"tokenizer: $model/tokenizer_config.json is 41943040 bytes, more than the 33554432 allowed"}, mmap.ErrTooLarge},
		{"tokenizer /dev/zero", func(t *testing.T, c *corpus, dir string) (string, string) { return c.gguf, "/dev/zero" },
			viaTok, []string{"tokenizer: /dev/zero is a character device"}, mmap.ErrNotRegular},
		{"tokenizer a fifo", func(t *testing.T, c *corpus, dir string) (string, string) {
			return c.gguf, mkfifo(t, filepath.Join(dir, "tok.gguf"))
		}, viaTok, []string{"tokenizer: $dir/tok.gguf is a named pipe (FIFO)"}, mmap.ErrNotRegular},
		{"tokenizer GGUF with a bad magic", func(t *testing.T, c *corpus, dir string) (string, string) {
			p := filepath.Join(dir, "tok.gguf")
			write(t, p, []byte("XXXX not a gguf"))
			return c.hf, p
		}, viaTok, []string{`gguf: $dir/tok.gguf (offset 0): bad magic "XXXX", want "GGUF" (not a GGUF file)`}, nil},
		{"tokenizer a directory without tokenizer.json", func(t *testing.T, c *corpus, dir string) (string, string) { return c.gguf, dir },
			viaTok, []string{"tokenizer: open $dir/tokenizer.json: no such file"}, os.ErrNotExist},

		// Checkpoint directories: the weights.
		{"weights a fifo", hf(func(t *testing.T, d string) { os.Remove(weights(d)); mkfifo(t, weights(d)) }),
			viaBoth, []string{"safetensors: $model/model.safetensors is a named pipe (FIFO), not a regular file"}, mmap.ErrNotRegular},
		{"weights missing", hf(func(t *testing.T, d string) { os.Remove(weights(d)) }),
			viaBoth, []string{"safetensors: no model.safetensors.index.json, model.safetensors or *.safetensors file in $model"}, nil},
		{"weights empty", hf(func(t *testing.T, d string) { write(t, weights(d), nil) }),
			viaBoth, []string{"safetensors: $model/model.safetensors: truncated file: 0 bytes"}, nil},
		{"header length 2^63", hf(func(t *testing.T, d string) {
			b := read(t, weights(d))
			binary.LittleEndian.PutUint64(b, 1<<63)
			write(t, weights(d), b)
		}), viaBoth, []string{"safetensors: $model/model.safetensors: header length 9223372036854775808 past end of file"}, nil},
		{"header over its limit", hf(func(t *testing.T, d string) {
			sparse(t, weights(d), binary.LittleEndian.AppendUint64(nil, 200<<20), 300<<20)
		}), viaBoth, []string{"safetensors: $model/model.safetensors: header is 209715200 bytes, more than the limit of 104857600"}, nil},
		{"index a fifo", hf(func(t *testing.T, d string) { mkfifo(t, filepath.Join(d, safetensors.IndexFileName)) }),
			viaBoth, []string{"safetensors: $model/model.safetensors.index.json is a named pipe (FIFO), not a regular file"}, mmap.ErrNotRegular},
		{"index 300 MB", hf(func(t *testing.T, d string) { sparse(t, filepath.Join(d, safetensors.IndexFileName), nil, 300<<20) }),
			viaBoth, []string{"safetensors: $model/model.safetensors.index.json is 314572800 bytes, more than the 268435456 allowed"}, mmap.ErrTooLarge},
		{"index naming a shard outside", hf(func(t *testing.T, d string) {
			write(t, filepath.Join(d, safetensors.IndexFileName), []byte(`{"weight_map":{"lm_head.weight":"../../etc/passwd"}}`))
		}), viaBoth, []string{`weight_map: tensor "lm_head.weight": shard "../../etc/passwd" is not a file name inside the directory`}, nil},
		{"duplicate tensor in two files", hf(func(t *testing.T, d string) {
			b := read(t, weights(d))
			os.Remove(weights(d))
			write(t, filepath.Join(d, "a.safetensors"), b)
			write(t, filepath.Join(d, "b.safetensors"), b)
		}), viaBoth, []string{"safetensors: tensor", "is in both $model/a.safetensors and $model/b.safetensors"}, nil},
		{"missing tensor", hf(func(t *testing.T, d string) {
			rewrite(t, d, func(ts []safetensors.Tensor) []safetensors.Tensor {
				for i, x := range ts {
					if x.Name == "model.norm.weight" {
						return append(ts[:i], ts[i+1:]...)
					}
				}
				return ts
			})
		}), viaBoth, []string{`safetensors: tensor "model.norm.weight" not found in $model`}, nil},
		{"oversized tensor", hf(func(t *testing.T, d string) {
			rewrite(t, d, func(ts []safetensors.Tensor) []safetensors.Tensor {
				for i, x := range ts {
					if x.Name == "lm_head.weight" {
						ts[i].Shape = []int{2 * x.Shape[0], x.Shape[1]}
						ts[i].Data = append(x.Data, x.Data...)
					}
				}
				return ts
			})
		}), viaBoth, []string{`$model/model.safetensors: tensor "lm_head.weight" has shape [666 136], want [333 136]`}, nil},
	}
	// GGUF files cut short at many offsets: in the header, the metadata, the tensor infos
	// and the data.
	size := int64(len(read(t, c.gguf)))
	for _, n := range []int64{1, 4, 7, 8, 15, 23, 24, 40, 100, 1000, 10000, 100000, size / 2, size - 4096, size - 1} {
		cases = append(cases, malformed{fmt.Sprintf("truncated at %d", n),
			gg(func(t *testing.T, b []byte) []byte { return b[:n] }), viaBoth, []string{"gguf: $model"}, nil})
	}
	return cases
}

// opened is what opening a model gave: its error, or a panic.
type opened struct {
	err    error
	panics any
}

// openBounded opens as via says, failing the test if it takes more than a minute: a
// malformed model must never make opening wait (a FIFO opened for reading blocks until a
// writer comes) or read without end.
func openBounded(t *testing.T, via int, model, tok string) opened {
	t.Helper()
	done := make(chan opened, 1)
	go func() {
		var o opened
		defer func() {
			o.panics = recover()
			done <- o
		}()
		if via == viaOpen {
			m, err := core.Open(model, core.Options{Threads: 1})
			if err == nil {
				m.Close()
			}
			o.err = err
			return
		}
		m, _, err := serving.OpenWithTokenizer(model, tok, core.Options{Threads: 1})
		if err == nil {
			m.Close()
		}
		o.err = err
	}()
	select {
	case o := <-done:
		return o
	case <-time.After(time.Minute):
		t.Fatal("still opening after a minute")
	}
	return opened{}
}

// maxOpenAlloc bounds what refusing a malformed model may allocate: the valid model's
// files are a few MB, and a malformed one must cost no more than reading them.
const maxOpenAlloc = 64 << 20

// TestMalformedModels is the malformed-model corpus: every case is refused by core.Open
// and serving.OpenWithTokenizer with an error that says what is wrong with which file, never
// a panic, a hang or an absurd allocation.
func TestMalformedModels(t *testing.T) {
	c := newCorpus(t)
	c.openValid(t)
	runMalformed(t, c, c.cases(t))
}

// openValid checks that the corpus's own models open.
func (c *corpus) openValid(t *testing.T) {
	t.Helper()
	for _, p := range []string{c.gguf, c.hf} {
		m, _, err := serving.OpenWithTokenizer(p, "", core.Options{Threads: 1})
		if err != nil {
			t.Fatalf("the valid model: %v", err)
		}
		m.Close()
	}
}

// runMalformed opens every case as it says and checks the error.
func runMalformed(t *testing.T, c *corpus, cases []malformed) {
	for _, mc := range cases {
		t.Run(mc.name, func(t *testing.T) {
			dir := t.TempDir()
			model, tok := mc.make(t, c, dir)
			for _, via := range []int{viaOpen, viaTok} {
				if mc.via&via == 0 {
					continue
				}
				name := map[int]string{viaOpen: "Open", viaTok: "OpenWithTokenizer"}[via]
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				o := openBounded(t, via, model, tok)
				runtime.ReadMemStats(&after)
				if o.panics != nil {
					t.Fatalf("%s panicked: %v", name, o.panics)
				}
				if o.err == nil {
					t.Fatalf("%s: no error", name)
				}
				msg := o.err.Error()
				t.Logf("%s: %s", name, msg)
				for _, w := range mc.want {
					w = strings.NewReplacer("$model", model, "$dir", dir).Replace(w)
					if !strings.Contains(msg, w) {
						t.Errorf("%s: error %q does not contain %q", name, msg, w)
					}
				}
				if mc.is != nil && !errors.Is(o.err, mc.is) {
					t.Errorf("%s: error %q does not wrap %v", name, msg, mc.is)
				}
				if a := after.TotalAlloc - before.TotalAlloc; a > maxOpenAlloc {
					t.Errorf("%s allocated %d MB", name, a>>20)
				}
			}
		})
	}
}

// TestMalformedMTP is the malformed-model corpus for the multi-token-prediction module:
// files whose module is missing a tensor or holds one of the wrong shape, and MTP metadata
// out of range, are refused with an error naming the tensor or key.
func TestMalformedMTP(t *testing.T) {
	c := newCorpusMTP(t, 1)
	c.openValid(t)
	// dropST and halveST edit the checkpoint: tensor name removed, or its last dimension halved.
	dropST := func(name string) func(*testing.T, *corpus, string) (string, string) {
		return byHF(func(t *testing.T, d string) {
			rewrite(t, d, func(ts []safetensors.Tensor) []safetensors.Tensor {
				return slices.DeleteFunc(ts, func(x safetensors.Tensor) bool { return x.Name == name })
			})
		})
	}
	halveST := func(name string) func(*testing.T, *corpus, string) (string, string) {
		return byHF(func(t *testing.T, d string) {
			rewrite(t, d, func(ts []safetensors.Tensor) []safetensors.Tensor {
				for i, x := range ts {
					if x.Name == name {
						ts[i].Shape = []int{x.Shape[0], x.Shape[1] / 2}
						ts[i].Data = x.Data[:len(x.Data)/2]
					}
				}
				return ts
			})
		})
	}
	// dropGG and halveGG do the same to the GGUF file (ne0, the row, halved).
	dropGG := func(name string) func(*testing.T, *corpus, string) (string, string) {
		return byGGUF(func(g *ggufModel) { g.drop(name) })
	}
	halveGG := func(name string) func(*testing.T, *corpus, string) (string, string) {
		return byGGUF(func(g *ggufModel) {
			for i, x := range g.tensors {
				if x.Name == name {
					g.tensors[i].Ne = []int64{x.Ne[0] / 2, x.Ne[1]}
					g.data[name] = g.data[name][:len(g.data[name])/2]
				}
			}
		})
	}
	const mod = "multi-token-prediction module (layer 2): "
	cases := []malformed{
		{"hf enorm missing", dropST("model.layers.2.enorm.weight"),
			viaBoth, []string{mod + `safetensors: tensor "model.layers.2.enorm.weight" not found in $model`}, nil},
		{"hf eh_proj missing", dropST("model.layers.2.eh_proj.weight"),
			viaBoth, []string{mod + `safetensors: tensor "model.layers.2.eh_proj.weight" not found in $model`}, nil},
		{"hf eh_proj half as wide", halveST("model.layers.2.eh_proj.weight"),
			viaBoth, []string{mod + `$model/model.safetensors: tensor "model.layers.2.eh_proj.weight" has shape [136 136], want [136 272]`}, nil},
		{"hf block tensor missing", dropST("model.layers.2.self_attn.kv_a_proj_with_mqa.weight"),
			viaBoth, []string{mod + `safetensors: tensor "model.layers.2.self_attn.kv_a_proj_with_mqa.weight" not found in $model`}, nil},
		{"hf expert missing", dropST("model.layers.2.mlp.experts.3.up_proj.weight"),
			viaBoth, []string{mod + `safetensors: tensor "model.layers.2.mlp.experts.3.up_proj.weight" not found in $model`}, nil},
		{"hf shared_head.head half as wide", halveST("model.layers.2.shared_head.head.weight"),
			viaBoth, []string{mod + `$model/model.safetensors: tensor "model.layers.2.shared_head.head.weight" has shape [333 68], want [333 136]`}, nil},
		{"hf embed_tokens half as wide", halveST("model.layers.2.embed_tokens.weight"),
			viaBoth, []string{mod + `$model/model.safetensors: tensor "model.layers.2.embed_tokens.weight" has shape [333 68], want [333 136]`}, nil},
		{"num_nextn_predict_layers -1", byHF(func(t *testing.T, d string) { setConfig(t, d, "num_nextn_predict_layers", "-1") }),
			viaBoth, []string{"$model/config.json: num_nextn_predict_layers = -1 is out of range [0, 1024]"}, nil},
		{"num_nextn_predict_layers 2000", byHF(func(t *testing.T, d string) { setConfig(t, d, "num_nextn_predict_layers", "2000") }),
			viaBoth, []string{"$model/config.json: num_nextn_predict_layers = 2000 is out of range [0, 1024]"}, nil},
		{"gguf enorm missing", dropGG("blk.2.nextn.enorm.weight"),
			viaBoth, []string{mod + `$model: tensor "blk.2.nextn.enorm.weight" not found`}, nil},
		{"gguf eh_proj missing", dropGG("blk.2.nextn.eh_proj.weight"),
			viaBoth, []string{mod + `$model: tensor "blk.2.nextn.eh_proj.weight" not found`}, nil},
		{"gguf eh_proj half as wide", halveGG("blk.2.nextn.eh_proj.weight"),
			viaBoth, []string{mod + `$model: tensor "blk.2.nextn.eh_proj.weight" has ne [136 136], want [272 136]`}, nil},
		{"gguf block tensor missing", dropGG("blk.2.ffn_gate_exps.weight"),
			viaBoth, []string{mod + `$model: tensor "blk.2.ffn_gate_exps.weight" not found`}, nil},
		{"gguf shared_head_head half as wide", halveGG("blk.2.nextn.shared_head_head.weight"),
			viaBoth, []string{mod + `$model: tensor "blk.2.nextn.shared_head_head.weight" has ne [68 333], want [136 333]`}, nil},
		{"nextn_predict_layers = block_count", byGGUF(func(g *ggufModel) { g.set("deepseek2.nextn_predict_layers", uint32(3)) }),
			viaBoth, []string{"$model: deepseek2.nextn_predict_layers = 3 leaves no main layers of deepseek2.block_count = 3"}, nil},
		{"nextn_predict_layers a string", byGGUF(func(g *ggufModel) { g.set("deepseek2.nextn_predict_layers", "1") }),
			viaBoth, []string{"$model: deepseek2.nextn_predict_layers has type string, want an integer"}, nil},
	}
	runMalformed(t, c, cases)
}

// TestMTPFileVariants: files that differ from the reference layout but are valid open as
// they should — without the module's tensors, a model without it (as now); without the
// module's optional embed_tokens and shared_head tensors, the main model's stand in (as in
// llama.cpp); with more modules in the config than in the files, the first.
func TestMTPFileVariants(t *testing.T) {
	c := newCorpusMTP(t, 1)
	prompt, decode := []int{0, 5, 9, 200}, []int{7, 1}
	open := func(t *testing.T, path string) *core.Model {
		t.Helper()
		m, err := core.Open(path, core.Options{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	eval := func(t *testing.T, m *core.Model) []float32 {
		t.Helper()
		out, err := core.Eval(context.Background(), m, prompt, decode)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	evalMTP := func(t *testing.T, m *core.Model) []float32 {
		t.Helper()
		out, err := core.EvalMTP(context.Background(), m, prompt, decode)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	full := open(t, c.gguf)
	if !full.HasMTP() {
		t.Fatal("the corpus's GGUF has no MTP module")
	}
	t.Run("hf without the module", func(t *testing.T) {
		d := c.copyHF(t, t.TempDir())
		rewrite(t, d, func(ts []safetensors.Tensor) []safetensors.Tensor {
			return slices.DeleteFunc(ts, func(x safetensors.Tensor) bool { return strings.HasPrefix(x.Name, "model.layers.2.") })
		})
		m := open(t, d)
		if m.HasMTP() || m.Config.NumNextNPredictLayers != 0 {
			t.Errorf("MTP %v, num_nextn_predict_layers %d; want none", m.HasMTP(), m.Config.NumNextNPredictLayers)
		}
		if !slices.Equal(eval(t, m), eval(t, open(t, c.hf))) {
			t.Error("main logits differ from the model with the module")
		}
		if _, err := core.EvalMTP(context.Background(), m, prompt, decode); err == nil || !strings.Contains(err.Error(), "no multi-token-prediction module") {
			t.Errorf("EvalMTP: %v", err)
		}
	})
	t.Run("gguf without the module", func(t *testing.T) {
		p := c.rewrite(t, filepath.Join(t.TempDir(), "m.gguf"), func(g *ggufModel) {
			g.tensors = slices.DeleteFunc(g.tensors, func(x gguf.TensorInfo) bool { return strings.HasPrefix(x.Name, "blk.2.") })
		})
		m := open(t, p)
		if m.HasMTP() || m.Config.NumHiddenLayers != 2 {
			t.Errorf("MTP %v, %d layers; want none and 2", m.HasMTP(), m.Config.NumHiddenLayers)
		}
		if !slices.Equal(eval(t, m), eval(t, full)) {
			t.Error("main logits differ from the model with the module")
		}
	})
	t.Run("gguf without the optional tensors", func(t *testing.T) {
		dir := t.TempDir()
		// The module's embed_tokens, shared_head_norm and shared_head_head replaced by
		// copies of the main model's, then left out: the same logits.
		same := map[string]string{"blk.2.nextn.embed_tokens.weight": "token_embd.weight",
			"blk.2.nextn.shared_head_norm.weight": "output_norm.weight", "blk.2.nextn.shared_head_head.weight": "output.weight"}
		copied := c.rewrite(t, filepath.Join(dir, "copied.gguf"), func(g *ggufModel) {
			for dst, src := range same {
				g.data[dst] = g.data[src]
			}
		})
		left := c.rewrite(t, filepath.Join(dir, "left.gguf"), func(g *ggufModel) {
			for dst := range same {
				g.drop(dst)
			}
		})
		a, b := open(t, copied), open(t, left)
		if !b.HasMTP() {
			t.Fatal("no MTP module")
		}
		if !slices.Equal(evalMTP(t, a), evalMTP(t, b)) {
			t.Error("MTP logits differ")
		}
	})
	t.Run("hf with two modules in the config", func(t *testing.T) {
		d := c.copyHF(t, t.TempDir())
		setConfig(t, d, "num_nextn_predict_layers", "2")
		m := open(t, d)
		if !m.HasMTP() || m.Config.NumNextNPredictLayers != 1 {
			t.Errorf("MTP %v, num_nextn_predict_layers %d; want the first module", m.HasMTP(), m.Config.NumNextNPredictLayers)
		}
		if !slices.Equal(evalMTP(t, m), evalMTP(t, open(t, c.hf))) {
			t.Error("MTP logits differ from the one-module checkpoint's")
		}
	})
}
