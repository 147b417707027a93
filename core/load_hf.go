package core

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/deepgo/deepgo/core/safetensors"
	"github.com/deepgo/deepgo/quant"
)

// openHF opens a Hugging Face checkpoint directory and binds every tensor the config needs;
// a dense model's files are read into memory first unless mapped (Options.Mapped).
func openHF(dir string, mapped bool) (*Model, error) {
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	ck, err := safetensors.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	if cfg.Dense() && !mapped {
		if err := ck.Load(); err != nil {
			ck.Close()
			return nil, fmt.Errorf("open model %s: %w", dir, err)
		}
	}
	src := &hfSource{ck: ck, dir: dir}
	src.blockRows, src.blockCols = cfg.FP8BlockSize()
	m := &Model{Config: cfg, files: ck, ropeHalf: cfg.Dense()} // HF's dense models rotate halves
	if err := m.bind(src); err != nil {
		ck.Close()
		return nil, err
	}
	return m, nil
}

// hfSource resolves Hugging Face tensor names to quant matrices over the mapped files.
type hfSource struct {
	ck                   *safetensors.Checkpoint
	dir                  string
	blockRows, blockCols int
}

// name is the Hugging Face tensor name of a weight.
func (s *hfSource) name(w weight, layer, e int) string {
	p := fmt.Sprintf("model.layers.%d.", layer)
	switch w {
	case wEmbed:
		return "model.embed_tokens.weight"
	case wNorm:
		return "model.norm.weight"
	case wHead:
		return "lm_head.weight"
	case wAttnNorm:
		return p + "input_layernorm.weight"
	case wFFNNorm:
		return p + "post_attention_layernorm.weight"
	case wRouter:
		return p + "mlp.gate.weight"
	case wRouterBias:
		return p + "mlp.gate.e_score_correction_bias"
	case wExpGate, wExpUp, wExpDown:
		return fmt.Sprintf("%smlp.experts.%d.%s_proj.weight", p, e, [...]string{"gate", "up", "down"}[w-wExpGate])
	case wQ:
		return p + "self_attn.q_proj.weight"
	case wQA:
		return p + "self_attn.q_a_proj.weight"
	case wQANorm:
		return p + "self_attn.q_a_layernorm.weight"
	case wQB:
		return p + "self_attn.q_b_proj.weight"
	case wKVA:
		return p + "self_attn.kv_a_proj_with_mqa.weight"
	case wKVANorm:
		return p + "self_attn.kv_a_layernorm.weight"
	case wKVB:
		return p + "self_attn.kv_b_proj.weight"
	case wO:
		return p + "self_attn.o_proj.weight"
	case wGate, wUp, wDown:
		return p + "mlp." + [...]string{"gate", "up", "down"}[w-wGate] + "_proj.weight"
	case wK:
		return p + "self_attn.k_proj.weight"
	case wV:
		return p + "self_attn.v_proj.weight"
	case wQBias, wKBias, wVBias, wOBias:
		return p + "self_attn." + [...]string{"q", "k", "v", "o"}[w-wQBias] + "_proj.bias"
	case wQNorm:
		return p + "self_attn.q_norm.weight"
	case wKNorm:
		return p + "self_attn.k_norm.weight"
	case wShGate, wShUp, wShDown:
		return p + "mlp.shared_experts." + [...]string{"gate", "up", "down"}[w-wShGate] + "_proj.weight"
	case wMTPEmbed:
		return p + "embed_tokens.weight"
	case wMTPENorm:
		return p + "enorm.weight"
	case wMTPHNorm:
		return p + "hnorm.weight"
	case wMTPEHProj:
		return p + "eh_proj.weight"
	case wMTPHeadNorm:
		return p + "shared_head.norm.weight"
	case wMTPHead:
		return p + "shared_head.head.weight"
	}
	return "" // no Hugging Face name (attn_k_b / attn_v_b exist only in GGUF)
}

func (s *hfSource) has(w weight, layer int) bool {
	n := s.name(w, layer, 0)
	return n != "" && s.ck.Has(n)
}

func (s *hfSource) matrix(w weight, layer, e, _, rows, cols int) (quant.Matrix, []byte, error) {
	return s.tensorMatrix(s.name(w, layer, e), rows, cols)
}

func (s *hfSource) vector(w weight, layer, n int) ([]float32, error) {
	return s.floats(s.name(w, layer, 0), n)
}

// tensorMatrix binds a 2-D weight of shape [rows, cols]; F8_E4M3 weights take their
// "<name>_scale_inv" block scales with them. It also returns the weight's bytes in the mapping.
func (s *hfSource) tensorMatrix(name string, rows, cols int) (quant.Matrix, []byte, error) {
	t, err := s.ck.Tensor(name)
	if err != nil {
		return nil, nil, err
	}
	if len(t.Shape) != 2 || t.Shape[0] != rows || t.Shape[1] != cols {
		return nil, nil, fmt.Errorf("%s: tensor %q has shape %v, want [%d %d]", t.File, name, t.Shape, rows, cols)
	}
	var q quant.Matrix
	switch t.DType {
	case safetensors.DType("F32"):
		q, err = quant.NewDense(quant.F32, t.Data, rows, cols)
	case safetensors.DType("F16"):
		q, err = quant.NewDense(quant.F16, t.Data, rows, cols)
	case safetensors.DType("BF16"):
		q, err = quant.NewDense(quant.BF16, t.Data, rows, cols)
	case safetensors.DType("F8_E4M3"):
		var scale []float32
		scale, err = s.scales(name+"_scale_inv", rows, cols)
		if err != nil {
			return nil, nil, err
		}
		q, err = quant.NewFP8Block(t.Data, rows, cols, scale, s.blockRows, s.blockCols)
	default:
		return nil, nil, fmt.Errorf("%s: tensor %q has dtype %s, unsupported for weights (want F32, F16, BF16 or F8_E4M3)", t.File, name, t.DType)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: tensor %q: %w", t.File, name, err)
	}
	return q, t.Data, nil
}

// scales reads an FP8 weight's float32 weight_scale_inv [ceil(rows/br), ceil(cols/bc)] and checks it is finite.
func (s *hfSource) scales(name string, rows, cols int) ([]float32, error) {
	sr, sc := (rows+s.blockRows-1)/s.blockRows, (cols+s.blockCols-1)/s.blockCols
	v, err := s.floats(name, sr, sc)
	if err != nil {
		return nil, err
	}
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			file := s.dir
			if t, err := s.ck.Tensor(name); err == nil {
				file = t.File
			}
			return nil, fmt.Errorf("%s: tensor %q: non-finite scale %v at block %d", file, name, x, i)
		}
	}
	return v, nil
}

// floats copies a small F32/F16/BF16 tensor of the given shape to the heap as float32.
func (s *hfSource) floats(name string, shape ...int) ([]float32, error) {
	t, err := s.ck.Tensor(name)
	if err != nil {
		return nil, err
	}
	n := 1
	ok := len(t.Shape) == len(shape)
	for i, d := range shape {
		n *= d
		if ok && t.Shape[i] != d {
			ok = false
		}
	}
	if !ok {
		return nil, fmt.Errorf("%s: tensor %q has shape %v, want %v", t.File, name, t.Shape, shape)
	}
	out := make([]float32, n)
	switch t.DType {
	case safetensors.DType("F32"):
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
	case safetensors.DType("F16"):
		for i := range out {
			out[i] = quant.F16ToF32(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
	case safetensors.DType("BF16"):
		for i := range out {
			out[i] = quant.BF16ToF32(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
	default:
		return nil, fmt.Errorf("%s: tensor %q has dtype %s, want F32, F16 or BF16", t.File, name, t.DType)
	}
	return out, nil
}
