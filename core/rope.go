package core

import "math"

// rope holds the rotary frequencies of the rotating part of queries and keys
// (qk_rope_head_dim, or a dense model's whole head), with YaRN or Llama-3 frequency
// scaling when the config asks for it.
type rope struct {
	invFreq []float64 // one frequency per rotating pair
	mscale  float32   // cos/sin multiplier (HF DeepseekV3YarnRotaryEmbedding._mscale; 1 when mscale == mscale_all_dim)
	// half pairs dimension i with i+dim/2 (rotate_half, Hugging Face's dense models and
	// llama.cpp's NeoX mode), not 2i with 2i+1 (DeepSeek's reference, and the Llama GGUF
	// files, whose converter permutes q and k to it).
	half bool
}

// newRope follows precompute_freqs_cis of the reference (and HF's DeepseekV3YarnRotaryEmbedding):
// θ_i = base^(-2i/d), blended with θ_i/factor by a linear ramp between the YaRN correction
// dims; or Llama-3's scaling (llama3Scale); then each frequency is divided by its factor
// in freqFactors, if given (llama.cpp's rope_freqs tensor, which carries Llama-3's scaling
// in a GGUF file).
func newRope(c *Config, half bool, freqFactors []float32) *rope {
	dim := c.ropeDim()
	r := &rope{invFreq: make([]float64, dim/2), mscale: 1, half: half}
	for i := range r.invFreq {
		r.invFreq[i] = 1 / math.Pow(c.RopeTheta, float64(2*i)/float64(dim))
	}
	for i, f := range freqFactors {
		r.invFreq[i] /= float64(f)
	}
	rs := c.RopeScaling
	switch {
	case rs == nil:
		return r
	case rs.kind() == "llama3":
		for i, f := range r.invFreq {
			r.invFreq[i] = llama3Scale(rs, f)
		}
		return r
	}
	low, high := yarnCorrectionRange(rs.BetaFast, rs.BetaSlow, dim, c.RopeTheta, float64(rs.OriginalMaxPositionEmbeddings))
	for i, f := range r.invFreq {
		smooth := 1 - linearRamp(low, high, i)
		r.invFreq[i] = f/rs.Factor*(1-smooth) + f*smooth
	}
	switch {
	case c.Dense():
		r.mscale = float32(yarnAttentionFactor(rs))
	case rs.MScaleAllDim != 0:
		r.mscale = float32(yarnMScale(rs.Factor, rs.MScale) / yarnMScale(rs.Factor, rs.MScaleAllDim))
	}
	return r
}

// yarnAttentionFactor is what a dense model's YaRN multiplies cos and sin by (HF
// _compute_yarn_parameters): attention_factor if given, else the mscales' ratio when
// both are given, else 0.1·ln(factor)+1. The softmax scale stays head_dim^-0.5. The
// attn_factor key of R1-0528-Qwen3-8B's config is not read, as Hugging Face does not
// read it (its logits are the reference); llama.cpp's converter carries it into GGUF
// files, where it multiplies (denseRopeScalingFromGGUF), so the two formats of that model
// differ as Hugging Face and llama.cpp do.
func yarnAttentionFactor(rs *RopeScaling) float64 {
	switch {
	case rs.AttentionFactor != 0:
		return rs.AttentionFactor
	case rs.MScale != 0 && rs.MScaleAllDim != 0:
		return yarnMScale(rs.Factor, rs.MScale) / yarnMScale(rs.Factor, rs.MScaleAllDim)
	}
	return yarnMScale(rs.Factor, 1)
}

// llama3Scale is Llama-3's frequency scaling (HF _compute_llama3_parameters): wavelengths
// shorter than original/high_freq_factor are kept, those longer than
// original/low_freq_factor divided by factor, and the band between blended linearly in
// original/wavelength.
func llama3Scale(rs *RopeScaling, f float64) float64 {
	orig := float64(rs.OriginalMaxPositionEmbeddings)
	wavelen := 2 * math.Pi / f
	switch {
	case wavelen < orig/rs.HighFreqFactor:
		return f
	case wavelen > orig/rs.LowFreqFactor:
		return f / rs.Factor
	}
	smooth := (orig/wavelen - rs.LowFreqFactor) / (rs.HighFreqFactor - rs.LowFreqFactor)
	return (1-smooth)*f/rs.Factor + smooth*f
}

// yarnMScale is yarn_get_mscale: the attention temperature correction 0.1·m·ln(s)+1.
func yarnMScale(scale, m float64) float64 {
	if scale <= 1 {
		return 1
	}
	return 0.1*m*math.Log(scale) + 1
}

// yarnCorrectionDim is find_correction_dim: the dimension whose wavelength makes
// numRotations turns over maxPos positions.
func yarnCorrectionDim(numRotations float64, dim int, base, maxPos float64) float64 {
	return float64(dim) * math.Log(maxPos/(numRotations*2*math.Pi)) / (2 * math.Log(base))
}

// yarnCorrectionRange is find_correction_range, clamped to [0, dim-1].
func yarnCorrectionRange(betaFast, betaSlow float64, dim int, base, maxPos float64) (float64, float64) {
	low := math.Floor(yarnCorrectionDim(betaFast, dim, base, maxPos))
	high := math.Ceil(yarnCorrectionDim(betaSlow, dim, base, maxPos))
	return math.Max(low, 0), math.Min(high, float64(dim-1))
}

// linearRamp is linear_ramp_factor at index i: 0 below lo, 1 above hi.
func linearRamp(lo, hi float64, i int) float64 {
	if lo == hi {
		hi += 0.001
	}
	v := (float64(i) - lo) / (hi - lo)
	return math.Min(math.Max(v, 0), 1)
}

// table fills cos and sin ([dim/2] each) for position pos.
func (r *rope) table(cos, sin []float32, pos int) {
	for i, f := range r.invFreq {
		// The reference computes the angle in float32: t (float32) * freq (float32).
		a := float64(float32(pos) * float32(f))
		cos[i] = float32(math.Cos(a)) * r.mscale
		sin[i] = float32(math.Sin(a)) * r.mscale
	}
}

// rotate applies the rotation to one head's rotating part x in place, in the model's
// layout (see rope.half).
func (r *rope) rotate(x, cos, sin []float32) {
	if r.half {
		rotateHalf(x, cos, sin)
		return
	}
	rotate(x, cos, sin)
}

// rotate applies the rotation to x in place, on interleaved pairs (x[2i], x[2i+1])
// as the reference's apply_rotary_emb views them as complex numbers.
func rotate(x, cos, sin []float32) {
	for i := range cos {
		a, b := x[2*i], x[2*i+1]
		x[2*i] = a*cos[i] - b*sin[i]
		x[2*i+1] = a*sin[i] + b*cos[i]
	}
}

// rotateHalf applies the rotation to x in place, on the pairs (x[i], x[i+d/2]) (HF
// apply_rotary_pos_emb: x·cos + rotate_half(x)·sin).
func rotateHalf(x, cos, sin []float32) {
	n := len(cos)
	for i := range cos {
		a, b := x[i], x[i+n]
		x[i] = a*cos[i] - b*sin[i]
		x[i+n] = b*cos[i] + a*sin[i]
	}
}
