package core

import "math"

// rope holds the rotary frequencies of the qk_rope_head_dim part of queries and keys,
// with YaRN frequency interpolation when the config asks for it.
type rope struct {
	invFreq []float64 // one frequency per interleaved pair
	mscale  float32   // cos/sin multiplier (HF DeepseekV3YarnRotaryEmbedding._mscale; 1 when mscale == mscale_all_dim)
}

// newRope follows precompute_freqs_cis of the reference (and HF's DeepseekV3YarnRotaryEmbedding):
// θ_i = base^(-2i/d), blended with θ_i/factor by a linear ramp between the YaRN correction dims.
func newRope(c *Config) *rope {
	dim := c.QKRopeHeadDim
	r := &rope{invFreq: make([]float64, dim/2), mscale: 1}
	for i := range r.invFreq {
		r.invFreq[i] = 1 / math.Pow(c.RopeTheta, float64(2*i)/float64(dim))
	}
	rs := c.RopeScaling
	if rs == nil {
		return r
	}
	low, high := yarnCorrectionRange(rs.BetaFast, rs.BetaSlow, dim, c.RopeTheta, float64(rs.OriginalMaxPositionEmbeddings))
	for i, f := range r.invFreq {
		smooth := 1 - linearRamp(low, high, i)
		r.invFreq[i] = f/rs.Factor*(1-smooth) + f*smooth
	}
	if rs.MScaleAllDim != 0 {
		r.mscale = float32(yarnMScale(rs.Factor, rs.MScale) / yarnMScale(rs.Factor, rs.MScaleAllDim))
	}
	return r
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

// rotate applies the rotation to x in place, on interleaved pairs (x[2i], x[2i+1])
// as the reference's apply_rotary_emb views them as complex numbers.
func rotate(x, cos, sin []float32) {
	for i := range cos {
		a, b := x[2*i], x[2*i+1]
		x[2*i] = a*cos[i] - b*sin[i]
		x[2*i+1] = a*sin[i] + b*cos[i]
	}
}
