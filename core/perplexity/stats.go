package perplexity

import (
	"math"
	"slices"
)

// Result is what a run measured. Uncertainties are one standard error.
type Result struct {
	Ctx    int     `json:"ctx"`     // tokens per chunk
	Chunks int     `json:"chunks"`  // chunks scored
	Scored int     `json:"scored"`  // predictions scored: chunks × (ctx − 1 − ctx/2)
	NLL    float64 `json:"nll"`     // the mean negative log-likelihood, in nats
	PPL    float64 `json:"ppl"`     // exp(NLL)
	PPLErr float64 `json:"ppl_err"` // PPL × the standard error of NLL
	KL     *KL     `json:"kl,omitempty"`
}

// KL compares the model with the base of a logits file, over the same predictions.
type KL struct {
	PPLBase     float64 `json:"ppl_base"`
	PPLBaseErr  float64 `json:"ppl_base_err"`
	Correlation float64 `json:"ln_ppl_correlation"` // of the two mean NLLs' errors
	LnRatio     float64 `json:"ln_ppl_ratio"`       // ln(PPL / PPL(base))
	LnRatioErr  float64 `json:"ln_ppl_ratio_err"`
	Ratio       float64 `json:"ppl_ratio"` // PPL / PPL(base)
	RatioErr    float64 `json:"ppl_ratio_err"`
	Diff        float64 `json:"ppl_diff"` // PPL − PPL(base)
	DiffErr     float64 `json:"ppl_diff_err"`

	Mean      float64    `json:"kld"` // the mean KL divergence KL(base ‖ model), in nats
	MeanErr   float64    `json:"kld_err"`
	Quantiles *Quantiles `json:"kld_quantiles,omitempty"`

	// Δp: the model's probability of the right token minus the base's.
	DpMean      float64    `json:"dp_mean"`
	DpMeanErr   float64    `json:"dp_mean_err"`
	DpRMS       float64    `json:"dp_rms"`
	DpRMSErr    float64    `json:"dp_rms_err"`
	DpQuantiles *Quantiles `json:"dp_quantiles,omitempty"`

	SameTop    float64 `json:"same_top"` // the share of predictions whose most likely token is the base's
	SameTopErr float64 `json:"same_top_err"`
}

// Quantiles of the per-prediction values (interpolated between neighbours, as llama-perplexity
// interpolates).
type Quantiles struct {
	Max    float64 `json:"max"`
	P99_9  float64 `json:"99.9%"`
	P99    float64 `json:"99%"`
	P95    float64 `json:"95%"`
	P90    float64 `json:"90%"`
	P75    float64 `json:"75%"`
	Median float64 `json:"median"`
	P25    float64 `json:"25%"`
	P10    float64 `json:"10%"`
	P5     float64 `json:"5%"`
	P1     float64 `json:"1%"`
	P0_1   float64 `json:"0.1%"`
	Min    float64 `json:"min"`
}

// moments accumulates the sums of a value and of its square.
type moments struct{ sum, sum2 float64 }

func (m *moments) add(x float64) { m.sum, m.sum2 = m.sum+x, m.sum2+x*x }

// mean is the mean of n values and its standard error.
func (m moments) mean(n int) (mean, err float64) {
	if n == 0 {
		return 0, 0
	}
	mean = m.sum / float64(n)
	if v := m.sum2/float64(n) - mean*mean; v > 0 && n > 1 {
		err = math.Sqrt(v / float64(n-1))
	}
	return mean, err
}

// sums holds what a run accumulates, prediction by prediction.
type sums struct {
	n   int
	nll moments
	// Against a base.
	base             bool
	nllBase, kl, dp  moments
	dp2              moments // of Δp², for the error of the RMS
	nllNLLBase       float64 // Σ NLL × NLL(base), for their covariance
	sameTop          int
	klValues, dpVals []float32
}

func newSums(base bool, predictions int) *sums {
	s := &sums{base: base}
	if base {
		s.klValues, s.dpVals = make([]float32, 0, predictions), make([]float32, 0, predictions)
	}
	return s
}

// add counts a prediction of negative log-likelihood nll.
func (s *sums) add(nll float64) {
	s.n++
	s.nll.add(nll)
}

// addBase counts a prediction against the base: lp and base are the two rows of
// log-probabilities, target the right token.
func (s *sums) addBase(lp, base []float32, target int) {
	nll, nllBase := float64(-lp[target]), float64(-base[target])
	s.add(nll)
	s.nllBase.add(nllBase)
	s.nllNLLBase += nll * nllBase
	kl := klDivergence(base, lp)
	s.kl.add(kl)
	dp := math.Exp(-nll) - math.Exp(-nllBase)
	s.dp.add(dp)
	s.dp2.add(dp * dp)
	if argmax(lp) == argmax(base) {
		s.sameTop++
	}
	s.klValues = append(s.klValues, float32(kl))
	s.dpVals = append(s.dpVals, float32(dp))
}

// result makes the estimates; the quantiles (which sort every value) only when asked.
func (s *sums) result(ctx, chunks int, quantiles bool) Result {
	r := Result{Ctx: ctx, Chunks: chunks, Scored: s.n}
	var nllErr float64
	r.NLL, nllErr = s.nll.mean(s.n)
	r.PPL = math.Exp(r.NLL)
	r.PPLErr = r.PPL * nllErr
	if !s.base {
		return r
	}
	k := &KL{}
	nllBase, nllBaseErr := s.nllBase.mean(s.n)
	k.PPLBase = math.Exp(nllBase)
	k.PPLBaseErr = k.PPLBase * nllBaseErr
	// The covariance of the two means, from that of the two NLLs.
	var cov float64
	if s.n > 1 {
		n := float64(s.n)
		cov = (s.nllNLLBase/n - s.nll.sum/n*s.nllBase.sum/n) / (n - 1)
	}
	if nllErr > 0 && nllBaseErr > 0 {
		k.Correlation = cov / (nllErr * nllBaseErr)
	}
	k.LnRatio = r.NLL - nllBase
	k.LnRatioErr = math.Sqrt(max(0, nllErr*nllErr+nllBaseErr*nllBaseErr-2*cov))
	k.Ratio = math.Exp(k.LnRatio)
	k.RatioErr = k.Ratio * k.LnRatioErr
	k.Diff = r.PPL - k.PPLBase
	k.DiffErr = math.Sqrt(max(0, r.PPLErr*r.PPLErr+k.PPLBaseErr*k.PPLBaseErr-2*r.PPL*k.PPLBase*cov))
	k.Mean, k.MeanErr = s.kl.mean(s.n)
	k.DpMean, k.DpMeanErr = s.dp.mean(s.n)
	mse, mseErr := s.dp2.mean(s.n)
	k.DpRMS = math.Sqrt(mse)
	if k.DpRMS > 0 {
		k.DpRMSErr = mseErr / (2 * k.DpRMS)
	}
	if s.n > 0 {
		k.SameTop = float64(s.sameTop) / float64(s.n)
	}
	if s.n > 1 {
		k.SameTopErr = math.Sqrt(k.SameTop * (1 - k.SameTop) / float64(s.n-1))
	}
	if quantiles && s.n > 0 {
		k.Quantiles, k.DpQuantiles = quantilesOf(s.klValues), quantilesOf(s.dpVals)
	}
	r.KL = k
	return r
}

// quantilesOf sorts values and reads their quantiles.
func quantilesOf(values []float32) *Quantiles {
	v := slices.Clone(values)
	slices.Sort(v)
	at := func(q float64) float64 {
		p := q * float64(len(v)-1)
		i := int(p)
		j := min(i+1, len(v)-1)
		f := p - float64(i)
		return (1-f)*float64(v[i]) + f*float64(v[j])
	}
	return &Quantiles{
		Max: float64(v[len(v)-1]), P99_9: at(0.999), P99: at(0.99), P95: at(0.95), P90: at(0.90), P75: at(0.75),
		Median: at(0.5), P25: at(0.25), P10: at(0.10), P5: at(0.05), P1: at(0.01), P0_1: at(0.001), Min: float64(v[0]),
	}
}
