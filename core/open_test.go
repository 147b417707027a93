package core_test

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/safetensors"
	"github.com/deepgo/deepgo/core/synth"
)

// rewrite replaces dir/model.safetensors with edit applied to its tensors.
func rewrite(t *testing.T, dir string, edit func([]safetensors.Tensor) []safetensors.Tensor) {
	t.Helper()
	path := filepath.Join(dir, "model.safetensors")
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var ts []safetensors.Tensor
	for _, info := range f.Header().Tensors {
		x, _ := f.Tensor(info.Name)
		x.Data = append([]byte(nil), x.Data...)
		ts = append(ts, x)
	}
	f.Close()
	if err := safetensors.WriteFile(path, edit(ts), nil); err != nil {
		t.Fatal(err)
	}
}

func editFile(t *testing.T, path string, edit func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, edit(b), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOpenErrors: every kind of broken checkpoint is refused with an error that names
// what is wrong (the file and the tensor), never a panic.
func TestOpenErrors(t *testing.T) {
	const qa = "model.layers.1.self_attn.q_a_proj.weight"
	cfg := testConfigs()["v3"]
	cases := []struct {
		name    string
		fp8     bool
		corrupt func(t *testing.T, dir string)
		want    []string
	}{
		{"missing tensor", false, func(t *testing.T, dir string) {
			rewrite(t, dir, func(ts []safetensors.Tensor) []safetensors.Tensor {
				for i, x := range ts {
					if x.Name == qa {
						return append(ts[:i], ts[i+1:]...)
					}
				}
				return ts
			})
		}, []string{qa, "not found"}},
		{"wrong shape", false, func(t *testing.T, dir string) {
			rewrite(t, dir, func(ts []safetensors.Tensor) []safetensors.Tensor {
				for i := range ts {
					if ts[i].Name == qa {
						ts[i].Shape = []int{ts[i].Shape[1], ts[i].Shape[0]}
					}
				}
				return ts
			})
		}, []string{qa, "shape"}},
		{"unsupported weight dtype", false, func(t *testing.T, dir string) {
			rewrite(t, dir, func(ts []safetensors.Tensor) []safetensors.Tensor {
				for i := range ts {
					if ts[i].Name == qa {
						ts[i].DType = "I16"
					}
				}
				return ts
			})
		}, []string{qa, "I16"}},
		{"unknown dtype", false, func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "model.safetensors"), func(b []byte) []byte {
				return []byte(strings.Replace(string(b), `"BF16"`, `"Q9X9"`, 1))
			})
		}, []string{"model.safetensors", "Q9X9"}},
		{"truncated file", false, func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "model.safetensors"), func(b []byte) []byte { return b[:len(b)-1000] })
		}, []string{"model.safetensors"}},
		{"header length past end", false, func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "model.safetensors"), func(b []byte) []byte {
				binary.LittleEndian.PutUint64(b, uint64(len(b)))
				return b
			})
		}, []string{"model.safetensors", "header"}},
		{"bad JSON in header", false, func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "model.safetensors"), func(b []byte) []byte {
				b[8] = '['
				return b
			})
		}, []string{"model.safetensors"}},
		{"bad JSON in config", false, func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "config.json"), func(b []byte) []byte { return b[:len(b)/2] })
		}, []string{"config.json", "JSON"}},
		{"missing config", false, func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "config.json"))
		}, []string{"config.json"}},
		{"unsupported architecture", false, func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "config.json"), func(b []byte) []byte {
				return []byte(strings.Replace(string(b), "DeepseekV3ForCausalLM", "MistralForCausalLM", 1))
			})
		}, []string{"config.json", "MistralForCausalLM"}},
		{"no weights", false, func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "model.safetensors"))
		}, []string{"<dir>"}},
		{"non-finite scale", true, func(t *testing.T, dir string) {
			rewrite(t, dir, func(ts []safetensors.Tensor) []safetensors.Tensor {
				for i := range ts {
					if ts[i].Name == qa+"_scale_inv" {
						binary.LittleEndian.PutUint32(ts[i].Data, math.Float32bits(float32(math.Inf(1))))
					}
				}
				return ts
			})
		}, []string{qa + "_scale_inv", "non-finite"}},
		{"missing scale", true, func(t *testing.T, dir string) {
			rewrite(t, dir, func(ts []safetensors.Tensor) []safetensors.Tensor {
				for i, x := range ts {
					if x.Name == qa+"_scale_inv" {
						return append(ts[:i], ts[i+1:]...)
					}
				}
				return ts
			})
		}, []string{qa + "_scale_inv", "not found"}},
		{"wrong scale shape", true, func(t *testing.T, dir string) {
			rewrite(t, dir, func(ts []safetensors.Tensor) []safetensors.Tensor {
				for i := range ts {
					if ts[i].Name == qa+"_scale_inv" {
						ts[i].Shape = []int{ts[i].Shape[1], ts[i].Shape[0]}
					}
				}
				return ts
			})
		}, []string{qa + "_scale_inv", "shape"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := synth.Options{Seed: 3}
			if c.fp8 {
				opts.DType = "F8_E4M3"
			}
			d := writeModel(t, cfg, opts)
			c.corrupt(t, d)
			m, err := core.Open(d, core.Options{Threads: 1})
			if err == nil {
				m.Close()
				t.Fatal("no error")
			}
			t.Logf("error: %v", err)
			for _, w := range c.want {
				if w == "<dir>" {
					w = d
				}
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
