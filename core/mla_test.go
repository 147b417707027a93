package core

import (
	"context"
	"math"
	"testing"

	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/quant"
)

// splitKVB builds the GGUF split layout (attn_k_b, attn_v_b) of a kv_b_proj matrix, as float32:
// k_b[h] = W^UK_h transposed ([kv_lora, nope]), v_b[h] = W^UV_h ([v, kv_lora]).
func splitKVB(t *testing.T, c *Config, wkvB quant.Matrix) (quant.Matrix, quant.Matrix) {
	h, nope, vd, kvl := c.NumAttentionHeads, c.QKNopeHeadDim, c.VHeadDim, c.KVLoRARank
	kb := make([]float32, h*kvl*nope)
	vb := make([]float32, h*vd*kvl)
	row := make([]float32, kvl)
	for hh := range h {
		for i := range nope + vd {
			wkvB.Row(row, hh*(nope+vd)+i)
			for c := range kvl {
				if i < nope {
					kb[(hh*kvl+c)*nope+i] = row[c]
				} else {
					vb[(hh*vd+i-nope)*kvl+c] = row[c]
				}
			}
		}
	}
	k, err := quant.NewDense(quant.F32, f32le(kb), h*kvl, nope)
	if err != nil {
		t.Fatal(err)
	}
	v, err := quant.NewDense(quant.F32, f32le(vb), h*vd, kvl)
	if err != nil {
		t.Fatal(err)
	}
	return k, v
}

func f32le(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		u := math.Float32bits(x)
		b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
	}
	return b
}

// TestSplitKVBLayout: a model whose attention carries attn_k_b/attn_v_b instead of kv_b_proj
// (llama.cpp's newer GGUF layout) gives the same logits.
func TestSplitKVBLayout(t *testing.T) {
	dir := fixture.Path(t, "deepseek-v3-tiny-fp8")
	prompt, decode := []int{0, 5322, 3767, 3386, 5595}, []int{6558, 8086, 6678}
	m, err := Open(dir, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	want, err := Eval(context.Background(), m, prompt, decode)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.layers {
		a := &m.layers[i].attn
		a.wkB, a.wvB = splitKVB(t, m.Config, a.wkvB)
		a.wkvB = nil
	}
	got, err := Eval(context.Background(), m, prompt, decode)
	if err != nil {
		t.Fatal(err)
	}
	var d float64
	for i := range want {
		d = max(d, math.Abs(float64(got[i]-want[i])))
	}
	if d > 1e-4 {
		t.Errorf("split layout: max |diff| %.3g", d)
	}
}
