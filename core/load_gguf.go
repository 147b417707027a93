package core

import (
	"fmt"

	"github.com/deepgo/deepgo/quant"
)

// ggufTensors is what binding needs from a GGUF file's tensors.
type ggufTensors interface {
	// tensor returns a tensor's ggml type name ("Q4_K", "F32", ...), its ne (ne0 first)
	// and its bytes.
	tensor(name string) (typ string, ne []int64, data []byte, ok bool)
	fileName() string
}

// ggufSource binds llama.cpp's tensor names (deepseek2, and the dense qwen2, llama and
// qwen3, which share the attention, norm and MLP names) to quant matrices over the mapping.
// Shapes are ggml ne, ne0 first: a [rows, cols] weight is ne {cols, rows}; routed experts
// are stacked as ne {cols, rows, experts}; attn_k_b / attn_v_b as ne {cols, rows/heads, heads}.
type ggufSource struct {
	t     ggufTensors
	heads int
}

func (s *ggufSource) name(w weight, layer int) string { return ggufName(w, layer) }

// ggufName is the llama.cpp tensor name of a weight (layer -1 for the model's own).
func ggufName(w weight, layer int) string {
	switch w {
	case wEmbed:
		return "token_embd.weight"
	case wNorm:
		return "output_norm.weight"
	case wHead:
		return "output.weight"
	}
	n := [...]string{
		wAttnNorm: "attn_norm.weight", wFFNNorm: "ffn_norm.weight",
		wQ: "attn_q.weight", wQA: "attn_q_a.weight", wQANorm: "attn_q_a_norm.weight", wQB: "attn_q_b.weight",
		wKVA: "attn_kv_a_mqa.weight", wKVANorm: "attn_kv_a_norm.weight", wKVB: "attn_kv_b.weight",
		wKB: "attn_k_b.weight", wVB: "attn_v_b.weight", wO: "attn_output.weight",
		wGate: "ffn_gate.weight", wUp: "ffn_up.weight", wDown: "ffn_down.weight",
		wRouter: "ffn_gate_inp.weight", wRouterBias: "exp_probs_b.bias",
		wExpGate: "ffn_gate_exps.weight", wExpUp: "ffn_up_exps.weight", wExpDown: "ffn_down_exps.weight",
		wShGate: "ffn_gate_shexp.weight", wShUp: "ffn_up_shexp.weight", wShDown: "ffn_down_shexp.weight",
		wMTPEmbed: "nextn.embed_tokens.weight", wMTPENorm: "nextn.enorm.weight", wMTPHNorm: "nextn.hnorm.weight",
		wMTPEHProj: "nextn.eh_proj.weight", wMTPHeadNorm: "nextn.shared_head_norm.weight",
		wMTPHead: "nextn.shared_head_head.weight",
		wK:       "attn_k.weight", wV: "attn_v.weight", wQBias: "attn_q.bias", wKBias: "attn_k.bias", wVBias: "attn_v.bias",
		wOBias: "attn_output.bias", wQNorm: "attn_q_norm.weight", wKNorm: "attn_k_norm.weight",
	}[w]
	return fmt.Sprintf("blk.%d.%s", layer, n)
}

func (s *ggufSource) has(w weight, layer int) bool {
	_, _, _, ok := s.t.tensor(s.name(w, layer))
	return ok
}

// get finds a tensor and checks its ne.
func (s *ggufSource) get(name string, want ...int) (quant.DType, []byte, error) {
	typ, ne, data, ok := s.t.tensor(name)
	if !ok {
		return 0, nil, fmt.Errorf("%s: tensor %q not found", s.t.fileName(), name)
	}
	match := len(ne) == len(want)
	for i := 0; match && i < len(ne); i++ {
		match = ne[i] == int64(want[i])
	}
	if !match {
		return 0, nil, fmt.Errorf("%s: tensor %q has ne %v, want %v", s.t.fileName(), name, ne, want)
	}
	t, ok := quant.ParseDType(typ)
	if !ok {
		return 0, nil, fmt.Errorf("%s: tensor %q: unsupported type %s", s.t.fileName(), name, typ)
	}
	return t, data, nil
}

func (s *ggufSource) matrix(w weight, layer, e, n, rows, cols int) (quant.Matrix, []byte, error) {
	name := s.name(w, layer)
	var t quant.DType
	var data []byte
	var err error
	switch w {
	case wExpGate, wExpUp, wExpDown:
		if t, data, err = s.get(name, cols, rows, n); err == nil {
			per := len(data) / n
			data = data[e*per : (e+1)*per : (e+1)*per]
			name = fmt.Sprintf("%s (expert %d)", name, e)
		}
	case wKB, wVB:
		t, data, err = s.get(name, cols, rows/s.heads, s.heads)
	default:
		t, data, err = s.get(name, cols, rows)
	}
	if err != nil {
		return nil, nil, err
	}
	m, err := newMatrix(t, data, rows, cols)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: tensor %q: %w", s.t.fileName(), name, err)
	}
	return m, data, nil
}

func (s *ggufSource) vector(w weight, layer, n int) ([]float32, error) {
	name := s.name(w, layer)
	t, data, err := s.get(name, n)
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	quant.DequantizeRow(t, out, data) // the reader checked the size against ne and the type
	return out, nil
}

// newMatrix binds data as a [rows, cols] matrix of type t: dense for F32/F16/BF16,
// blocks for the GGUF quantized types.
func newMatrix(t quant.DType, data []byte, rows, cols int) (quant.Matrix, error) {
	switch t {
	case quant.F32, quant.F16, quant.BF16:
		return quant.NewDense(t, data, rows, cols)
	}
	return quant.NewBlock(t, data, rows, cols)
}
