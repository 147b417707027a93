package core

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/deepgo/deepgo/core/safetensors"
	"github.com/deepgo/deepgo/quant"
)

// openHF opens a Hugging Face checkpoint directory and binds every tensor the config needs.
func openHF(dir string) (*Model, error) {
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	ck, err := safetensors.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	src := &hfSource{ck: ck, dir: dir}
	src.blockRows, src.blockCols = cfg.FP8BlockSize()
	m := &Model{Config: cfg, files: ck}
	if err := m.bind(src); err != nil {
		ck.Close()
		return nil, err
	}
	return m, nil
}

// bind looks up every weight under its Hugging Face name and checks its shape.
func (m *Model) bind(src *hfSource) error {
	c := m.Config
	var err error
	d := c.HiddenSize
	if m.embed, err = src.matrix("model.embed_tokens.weight", c.VocabSize, d); err != nil {
		return err
	}
	if m.norm, err = src.vector("model.norm.weight", d); err != nil {
		return err
	}
	head := "lm_head.weight"
	if c.TieWordEmbeddings && !src.ck.Has(head) {
		head = "model.embed_tokens.weight"
	}
	if m.head, err = src.matrix(head, c.VocabSize, d); err != nil {
		return err
	}
	m.layers = make([]layer, c.NumHiddenLayers)
	for i := range m.layers {
		if err := m.bindLayer(src, i); err != nil {
			return err
		}
	}
	return nil
}

func (m *Model) bindLayer(src *hfSource, i int) error {
	c := m.Config
	l := &m.layers[i]
	p := fmt.Sprintf("model.layers.%d.", i)
	d, h := c.HiddenSize, c.NumAttentionHeads
	var err error
	if l.attnNorm, err = src.vector(p+"input_layernorm.weight", d); err != nil {
		return err
	}
	if l.ffnNorm, err = src.vector(p+"post_attention_layernorm.weight", d); err != nil {
		return err
	}
	a := &l.attn
	qOut := h * c.QKHeadDim()
	if c.QLoRARank > 0 {
		if a.wqA, err = src.matrix(p+"self_attn.q_a_proj.weight", c.QLoRARank, d); err != nil {
			return err
		}
		if a.qNorm, err = src.vector(p+"self_attn.q_a_layernorm.weight", c.QLoRARank); err != nil {
			return err
		}
		if a.wqB, err = src.matrix(p+"self_attn.q_b_proj.weight", qOut, c.QLoRARank); err != nil {
			return err
		}
	} else if a.wq, err = src.matrix(p+"self_attn.q_proj.weight", qOut, d); err != nil {
		return err
	}
	if a.wkvA, err = src.matrix(p+"self_attn.kv_a_proj_with_mqa.weight", c.KVLoRARank+c.QKRopeHeadDim, d); err != nil {
		return err
	}
	if a.kvNorm, err = src.vector(p+"self_attn.kv_a_layernorm.weight", c.KVLoRARank); err != nil {
		return err
	}
	if a.wkvB, err = src.matrix(p+"self_attn.kv_b_proj.weight", h*(c.QKNopeHeadDim+c.VHeadDim), c.KVLoRARank); err != nil {
		return err
	}
	if a.wo, err = src.matrix(p+"self_attn.o_proj.weight", d, h*c.VHeadDim); err != nil {
		return err
	}
	if !c.IsMoELayer(i) {
		l.mlp, err = src.mlp(p+"mlp.", d, c.IntermediateSize)
		return err
	}
	e := &moe{}
	if e.gate, err = src.matrix(p+"mlp.gate.weight", c.NRoutedExperts, d); err != nil {
		return err
	}
	if c.TopKMethod == "noaux_tc" {
		if e.bias, err = src.vector(p+"mlp.gate.e_score_correction_bias", c.NRoutedExperts); err != nil {
			return err
		}
	}
	e.experts = make([]*mlp, c.NRoutedExperts)
	for j := range e.experts {
		if e.experts[j], err = src.mlp(fmt.Sprintf("%smlp.experts.%d.", p, j), d, c.MoEIntermediateSize); err != nil {
			return err
		}
	}
	if c.NSharedExperts > 0 {
		if e.shared, err = src.mlp(p+"mlp.shared_experts.", d, c.NSharedExperts*c.MoEIntermediateSize); err != nil {
			return err
		}
	}
	l.moe = e
	return nil
}

// hfSource resolves Hugging Face tensor names to quant matrices over the mapped files.
type hfSource struct {
	ck                   *safetensors.Checkpoint
	dir                  string
	blockRows, blockCols int
}

func (s *hfSource) mlp(prefix string, d, inter int) (*mlp, error) {
	var f mlp
	var err error
	if f.gate, err = s.matrix(prefix+"gate_proj.weight", inter, d); err != nil {
		return nil, err
	}
	if f.up, err = s.matrix(prefix+"up_proj.weight", inter, d); err != nil {
		return nil, err
	}
	if f.down, err = s.matrix(prefix+"down_proj.weight", d, inter); err != nil {
		return nil, err
	}
	return &f, nil
}

// matrix binds a 2-D weight of shape [rows, cols]; F8_E4M3 weights take their
// "<name>_scale_inv" block scales with them.
func (s *hfSource) matrix(name string, rows, cols int) (quant.Matrix, error) {
	t, err := s.ck.Tensor(name)
	if err != nil {
		return nil, err
	}
	if len(t.Shape) != 2 || t.Shape[0] != rows || t.Shape[1] != cols {
		return nil, fmt.Errorf("%s: tensor %q has shape %v, want [%d %d]", t.File, name, t.Shape, rows, cols)
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
			return nil, err
		}
		q, err = quant.NewFP8Block(t.Data, rows, cols, scale, s.blockRows, s.blockCols)
	default:
		return nil, fmt.Errorf("%s: tensor %q has dtype %s, unsupported for weights (want F32, F16, BF16 or F8_E4M3)", t.File, name, t.DType)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: tensor %q: %w", t.File, name, err)
	}
	return q, nil
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

// vector copies a 1-D weight of n values to the heap as float32.
func (s *hfSource) vector(name string, n int) ([]float32, error) {
	return s.floats(name, n)
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
