package perplexity

import "math"

// logSoftmax writes the log-probabilities of logits to lp: the log-softmax in float64,
// rounded to float32. It reports false when they are not finite (a NaN or infinite logit).
func logSoftmax(lp, logits []float32) bool {
	mx := math.Inf(-1)
	for _, x := range logits {
		mx = max(mx, float64(x))
	}
	var sum float64
	for _, x := range logits {
		sum += math.Exp(float64(x) - mx)
	}
	lse := mx + math.Log(sum)
	if math.IsNaN(lse) || math.IsInf(lse, 0) {
		return false
	}
	for i, x := range logits {
		lp[i] = float32(float64(x) - lse)
	}
	return true
}

// argmax is the index of the first largest value.
func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// klDivergence is KL(base ‖ q) = Σ p_base (log p_base − log q) over the vocabulary, from two
// rows of log-probabilities.
func klDivergence(base, q []float32) float64 {
	var s float64
	for i, b := range base {
		if p := math.Exp(float64(b)); p > 0 {
			s += p * (float64(b) - float64(q[i]))
		}
	}
	return s
}
