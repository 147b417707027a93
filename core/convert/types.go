package convert

import (
	"fmt"
	"strings"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/quant"
)

// typeSpec is one --type: its general.file_type code (llama_ftype), the type of weight
// matrices, and for llama.cpp's K-quant mixtures the rules that give some tensors more bits.
type typeSpec struct {
	name     string
	fileType uint32
	base     quant.DType
	mix      *mixture // nil: every weight matrix is base, as llama-quantize --pure writes
}

// mixture is one of llama-quantize's K-quant mixtures (llama_tensor_get_type in
// src/llama-quant.cpp): the type of each tensor whose role the mixture singles out, for
// deepseek2 and for the dense qwen2, llama and qwen3 models. Every other weight matrix —
// token_embd (unless it is also the output), the attention projections (attn_q*, attn_k,
// attn_kv_a_mqa, and deepseek2's attn_k_b / attn_v_b, which llama.cpp's attn_v and attn_kv_b
// rules do not match), ffn_gate*, ffn_up* — is the mixture's base type.
type mixture struct {
	output      quant.DType // output.weight, and token_embd.weight when there is no output.weight
	attnOutput  quant.DType // blk.N.attn_output.weight
	attnOutput8 quant.DType // the same in a model of exactly 8 routed experts
	downFirst   quant.DType // ffn_down, ffn_down_exps, ffn_down_shexp of layers i < n/16
	downMore    quant.DType // the same, of the other layers useMoreBits picks
	down        quant.DType // the same, of the remaining layers
	// attnV is the type of the k-th of n attn_v.weight tensors (a dense model's, one per
	// layer, in layer order); nil: the base type.
	attnV func(k, n int) quant.DType
}

// typeSpecs lists the --type names: the pure types, then llama.cpp's mixtures. q6_k is both:
// llama.cpp's Q6_K mixture gives every weight matrix Q6_K. The pure K types carry the file
// type llama-quantize writes for them with --pure (Q3_K_S, Q4_K_S, Q5_K_S).
func typeSpecs() []typeSpec {
	return []typeSpec{
		{"f32", 0, quant.F32, nil},
		{"f16", 1, quant.F16, nil},
		{"bf16", 32, quant.BF16, nil},
		{"q8_0", 7, quant.Q8_0, nil},
		{"q4_0", 2, quant.Q4_0, nil},
		{"q4_1", 3, quant.Q4_1, nil},
		{"q5_0", 8, quant.Q5_0, nil},
		{"q5_1", 9, quant.Q5_1, nil},
		{"q2_k", 10, quant.Q2_K, nil},
		{"q3_k", 11, quant.Q3_K, nil},
		{"q4_k", 14, quant.Q4_K, nil},
		{"q5_k", 16, quant.Q5_K, nil},
		{"q6_k", 18, quant.Q6_K, nil},
		{"q3_k_m", 12, quant.Q3_K, &mixture{output: quant.Q6_K, attnOutput: quant.Q4_K, attnOutput8: quant.Q5_K,
			downFirst: quant.Q5_K, downMore: quant.Q4_K, down: quant.Q4_K,
			attnV: func(k, _ int) quant.DType {
				if k < 2 {
					return quant.Q5_K
				}
				return quant.Q4_K
			}}},
		{"q4_k_m", 15, quant.Q4_K, &mixture{output: quant.Q6_K, attnOutput: quant.Q4_K, attnOutput8: quant.Q5_K,
			downFirst: quant.Q6_K, downMore: quant.Q6_K, down: quant.Q4_K, attnV: moreBits(quant.Q4_K)}},
		{"q5_k_m", 17, quant.Q5_K, &mixture{output: quant.Q6_K, attnOutput: quant.Q5_K, attnOutput8: quant.Q5_K,
			downFirst: quant.Q6_K, downMore: quant.Q6_K, down: quant.Q5_K, attnV: moreBits(quant.Q5_K)}},
	}
}

// Types lists the accepted --type names: the pure types and llama.cpp's K-quant mixtures.
func Types() []string {
	var names []string
	for _, s := range typeSpecs() {
		names = append(names, s.name)
	}
	return names
}

// lookupType finds a --type name, in any case.
func lookupType(name string) (typeSpec, error) {
	for _, s := range typeSpecs() {
		if strings.EqualFold(s.name, name) {
			return s, nil
		}
	}
	return typeSpec{}, fmt.Errorf("convert: unknown type %q (want one of %s)", name, strings.Join(Types(), ", "))
}

// moreBits is the attn_v rule of Q4_K_M and Q5_K_M: Q6_K for the tensors useMoreBits
// picks, base for the others.
func moreBits(base quant.DType) func(k, n int) quant.DType {
	return func(k, n int) quant.DType {
		if useMoreBits(k, n) {
			return quant.Q6_K
		}
		return base
	}
}

// quantModel is what llama-quantize's choice of types knows of the model beyond its tensors.
type quantModel struct {
	experts  int  // routed experts (deepseek2.expert_count; 0 for the dense families)
	llama70B bool // llama.cpp's LLM_TYPE_70B: attn_v of Q3_K and Q4_K gets Q5_K
}

// quantModelOf is the quantModel of a config. llama.cpp calls an 80-layer llama with
// grouped-query attention, and every 80-layer qwen2, 70B.
func quantModelOf(c *core.Config) quantModel {
	q := quantModel{experts: c.NRoutedExperts}
	switch c.Family() {
	case core.FamilyLlama:
		q.llama70B = c.NumHiddenLayers == 80 && c.NumKeyValueHeads != c.NumAttentionHeads
	case core.FamilyQwen2:
		q.llama70B = c.NumHiddenLayers == 80
	}
	return q
}

// tensorTypes picks every tensor's type the way llama-quantize does: F32 for vectors and the
// router; for weight matrices the type's base, or its mixture's choice, then the fallback
// where a row does not fill whole blocks.
func tensorTypes(tensors []core.ExportTensor, s typeSpec, q quantModel) []quant.DType {
	x := mixContext{quantModel: q, layers: blockCount(tensors), tied: true}
	for _, t := range tensors {
		switch {
		case t.Name == "output.weight":
			x.tied = false
		case strings.HasSuffix(t.Name, ".attn_v.weight"):
			x.attnV++
		}
	}
	types := make([]quant.DType, len(tensors))
	k := 0 // attn_v tensors so far (llama.cpp's i_attention_wv)
	for i, t := range tensors {
		types[i] = tensorType(t, s, x, k)
		if strings.HasSuffix(t.Name, ".attn_v.weight") {
			k++
		}
	}
	return types
}

// mixContext is what the mixture rules count over the whole file.
type mixContext struct {
	quantModel
	layers int  // block_count
	tied   bool // no output.weight: token_embd is also the output
	attnV  int  // attn_v.weight tensors (llama.cpp's n_attention_wv)
}

// tensorType is one tensor's type; see tensorTypes. k is the number of attn_v tensors before it.
func tensorType(t core.ExportTensor, s typeSpec, x mixContext, k int) quant.DType {
	if !t.Matrix {
		return quant.F32
	}
	want := s.base
	if s.mix != nil {
		want = s.mix.pick(t.Name, s.base, x, k)
	}
	return fallback(want, t.Ne[0])
}

// pick is the mixture's type for the named weight matrix. The roles are found by name as
// llama.cpp's tensor_get_category finds them.
func (m *mixture) pick(name string, base quant.DType, x mixContext, k int) quant.DType {
	switch {
	case name == "output.weight" || x.tied && name == "token_embd.weight":
		return m.output
	case strings.HasSuffix(name, ".attn_v.weight"):
		t := base
		if m.attnV != nil {
			t = m.attnV(k, x.attnV)
		}
		if x.llama70B && (t == quant.Q3_K || t == quant.Q4_K) {
			t = quant.Q5_K
		}
		return t
	case strings.Contains(name, "attn_output.weight"):
		if x.experts == 8 {
			return m.attnOutput8
		}
		return m.attnOutput
	case strings.Contains(name, "ffn_down"):
		l, _ := tensorLayer(name)
		switch {
		case l < x.layers/16:
			return m.downFirst
		case useMoreBits(l, x.layers):
			return m.downMore
		}
		return m.down
	}
	return base
}

// fallback is llama-quantize's type for rows of cols values that want cannot hold: a K-quant
// (256-value blocks) falls back to a 32-block type, and rows no block type holds are F16.
func fallback(want quant.DType, cols int64) quant.DType {
	if want.BlockSize() == 256 && cols%256 != 0 {
		switch want {
		case quant.Q2_K, quant.Q3_K:
			want = quant.Q4_0
		case quant.Q4_K:
			want = quant.Q5_0
		case quant.Q5_K:
			want = quant.Q5_1
		case quant.Q6_K:
			want = quant.Q8_0
		}
	}
	if want.BlockSize() > 1 && cols%int64(want.BlockSize()) != 0 {
		return quant.F16
	}
	return want
}

// blockCount is the number of blk.N layers among the tensors: deepseek2.block_count, which
// llama.cpp's mixture rules count with (a multi-token-prediction layer included).
func blockCount(tensors []core.ExportTensor) int {
	n := 0
	for _, t := range tensors {
		if l, ok := tensorLayer(t.Name); ok {
			n = max(n, l+1)
		}
	}
	return n
}

// tensorLayer is N of a "blk.N." tensor name.
func tensorLayer(name string) (int, bool) {
	var l int
	if _, err := fmt.Sscanf(name, "blk.%d.", &l); err != nil || l < 0 {
		return 0, false
	}
	return l, true
}

// useMoreBits is llama.cpp's choice of the layers that get more bits in mixtures: the first
// and last eighth, and every third layer between.
func useMoreBits(i, n int) bool {
	return i < n/8 || i >= 7*n/8 || (i-n/8)%3 == 2
}
