package safetensors

import (
	"encoding/binary"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/fixture"
)

func TestFixtureBF16(t *testing.T) {
	path := fixture.Path(t, "deepseek-v3-tiny-bf16", "model.safetensors")
	f, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer f.Close()
	if got := f.Header().Metadata["format"]; got != "pt" {
		t.Errorf(`metadata "format" = %q, want "pt"`, got)
	}
	tests := []struct {
		name  string
		dtype DType
		shape []int
	}{
		{"model.embed_tokens.weight", BF16, []int{8192, 256}},
		{"lm_head.weight", BF16, []int{8192, 256}},
		{"model.layers.0.input_layernorm.weight", BF16, []int{256}},
		{"model.layers.0.mlp.down_proj.weight", BF16, []int{256, 384}},
		{"model.layers.0.self_attn.kv_a_layernorm.weight", BF16, []int{64}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := f.Tensor(tt.name)
			if !ok {
				t.Errorf("tensor %q not found", tt.name)
				return
			}
			if got.DType != tt.dtype || !slices.Equal(got.Shape, tt.shape) {
				t.Errorf("tensor %q is %s %v, want %s %v", tt.name, got.DType, got.Shape, tt.dtype, tt.shape)
			}
		})
	}
	// Random weights: the embedding must hold finite, not all zero values.
	emb, _ := f.Tensor("model.embed_tokens.weight")
	nonzero := 0
	for i := 0; i < len(emb.Data); i += 2 {
		v := math.Float32frombits(uint32(binary.LittleEndian.Uint16(emb.Data[i:])) << 16)
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("embedding element %d is %v", i/2, v)
		}
		if v != 0 {
			nonzero++
		}
	}
	if nonzero < len(emb.Data)/4 {
		t.Errorf("only %d of %d embedding elements are non-zero", nonzero, len(emb.Data)/2)
	}

	c, err := OpenDir(filepath.Dir(path))
	if err != nil {
		t.Fatalf("OpenDir: %v", err)
	}
	defer c.Close()
	if !c.Has("model.embed_tokens.weight") || len(c.Names()) != len(f.Header().Tensors) {
		t.Errorf("OpenDir: %d names, want %d including model.embed_tokens.weight", len(c.Names()), len(f.Header().Tensors))
	}
}

func TestFixtureFP8(t *testing.T) {
	path := fixture.Path(t, "deepseek-v3-tiny-fp8", "model.safetensors")
	f, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer f.Close()
	tests := []struct {
		name  string
		dtype DType
		shape []int
	}{
		{"model.embed_tokens.weight", BF16, []int{8192, 256}},
		{"model.layers.0.mlp.down_proj.weight", F8E4M3, []int{256, 384}},
		{"model.layers.0.mlp.down_proj.weight_scale_inv", F32, []int{2, 3}},
		{"model.layers.0.mlp.gate_proj.weight", F8E4M3, []int{384, 256}},
		{"model.layers.0.mlp.gate_proj.weight_scale_inv", F32, []int{3, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := f.Tensor(tt.name)
			if !ok {
				t.Errorf("tensor %q not found", tt.name)
				return
			}
			if got.DType != tt.dtype || !slices.Equal(got.Shape, tt.shape) {
				t.Errorf("tensor %q is %s %v, want %s %v", tt.name, got.DType, got.Shape, tt.dtype, tt.shape)
			}
		})
	}
	// Every F8_E4M3 weight has an F32 scale of shape ceil(out/128) x ceil(in/128).
	fp8 := 0
	for _, ti := range f.Header().Tensors {
		if ti.DType != F8E4M3 {
			continue
		}
		fp8++
		if !strings.HasSuffix(ti.Name, ".weight") || len(ti.Shape) != 2 {
			t.Errorf("F8_E4M3 tensor %q %v is not a 2-D weight", ti.Name, ti.Shape)
			continue
		}
		s, ok := f.Tensor(ti.Name + "_scale_inv")
		want := []int{(ti.Shape[0] + 127) / 128, (ti.Shape[1] + 127) / 128}
		if !ok || s.DType != F32 || !slices.Equal(s.Shape, want) {
			t.Errorf("scale of %q: found %v, %s %v; want F32 %v", ti.Name, ok, s.DType, s.Shape, want)
		}
	}
	if fp8 == 0 {
		t.Error("no F8_E4M3 tensors")
	}
}
