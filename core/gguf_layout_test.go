package core

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/gguf"
)

// entry is one tensor to write into a test GGUF file.
type entry struct {
	name string
	ne   []int64
	fill func() []float32
}

// fusedEntries lists m's tensors in GGUF form with the older fused attn_kv_b layout in place
// of attn_k_b/attn_v_b.
func fusedEntries(m *Model) []entry {
	var es []entry
	for _, x := range m.Export() {
		switch {
		case strings.HasSuffix(x.Name, "attn_v_b.weight"):
			continue
		case strings.HasSuffix(x.Name, "attn_k_b.weight"):
			var l int
			fmt.Sscanf(x.Name, "blk.%d.", &l)
			kvb := m.layers[l].attn.wkvB
			es = append(es, entry{fmt.Sprintf("blk.%d.attn_kv_b.weight", l), []int64{int64(kvb.Cols()), int64(kvb.Rows())}, func() []float32 {
				v := make([]float32, kvb.Rows()*kvb.Cols())
				fillRows(v, kvb, 0, kvb.Rows())
				return v
			}})
		default:
			es = append(es, entry{x.Name, x.Ne, func() []float32 {
				v := make([]float32, x.Elements())
				per := len(v) / x.Parts
				for p := range x.Parts {
					x.Fill(v[p*per:(p+1)*per], p)
				}
				return v
			}})
		}
	}
	return es
}

// writeGGUF writes m's config and es as F32 tensors to path, except the tensor named odd,
// written as IQ4_NL (a type deepgo does not compute with) of zero bytes.
func writeGGUF(t *testing.T, m *Model, path string, es []entry, odd string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := gguf.NewWriter(f)
	for _, kv := range m.Config.GGUFMetadata() {
		if err := w.AddKV(kv[0].(string), kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range es {
		typ := gguf.F32
		if e.name == odd {
			typ = gguf.IQ4_NL
		}
		if err := w.AddTensor(e.name, typ, e.ne); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range es {
		var b []byte
		if e.name == odd {
			n, err := gguf.IQ4_NL.TensorBytes(e.ne)
			if err != nil {
				t.Fatal(err)
			}
			b = make([]byte, n)
		} else {
			v := e.fill()
			b = make([]byte, 4*len(v))
			for i, x := range v {
				u := math.Float32bits(x)
				b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
			}
		}
		if err := w.WriteTensorData(e.name, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func openFixture(t *testing.T) *Model {
	t.Helper()
	dir := fixture.Path(t, "deepseek-v3-tiny-bf16")
	m, err := Open(dir, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGGUFFusedKVB: GGUF files from older llama.cpp converters carry the fused attn_kv_b
// instead of attn_k_b/attn_v_b; both layouts load and give the same logits.
func TestGGUFFusedKVB(t *testing.T) {
	m := openFixture(t)
	defer m.Close()
	path := filepath.Join(t.TempDir(), "fused.gguf")
	writeGGUF(t, m, path, fusedEntries(m), "")
	prompt, decode := []int{0, 5322, 3767, 3386, 5595}, []int{6558, 8086}
	want, err := Eval(context.Background(), m, prompt, decode)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		attn Attention
	}{{"naive", AttentionNaive}, {"absorbed", AttentionAbsorbed}} {
		t.Run(c.name, func(t *testing.T) {
			g, err := Open(path, Options{Threads: 2, Attention: c.attn})
			if err != nil {
				t.Fatal(err)
			}
			if g.layers[0].attn.wkvB == nil {
				t.Fatal("fused attn_kv_b not bound")
			}
			got, err := Eval(context.Background(), g, prompt, decode)
			g.Close()
			if err != nil {
				t.Fatal(err)
			}
			var d float64
			for i := range want {
				d = max(d, math.Abs(float64(got[i]-want[i])))
			}
			if d > 1e-4 {
				t.Errorf("attention %d: fused layout max |diff| %.3g", c.attn, d)
			}
		})
	}
}

// TestGGUFUnsupportedType: a weight in a type deepgo cannot compute with (IQ formats) is
// refused with an error naming the tensor and the type.
func TestGGUFUnsupportedType(t *testing.T) {
	m := openFixture(t)
	defer m.Close()
	path := filepath.Join(t.TempDir(), "iq.gguf")
	const odd = "blk.1.attn_q_a.weight"
	writeGGUF(t, m, path, fusedEntries(m), odd)
	g, err := Open(path, Options{Threads: 1})
	if err == nil {
		g.Close()
		t.Fatal("no error")
	}
	for _, want := range []string{odd, "unsupported type IQ4_NL", path} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
