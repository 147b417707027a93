package openai

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/deepgo/deepgo/core/sample"
)

// maxLogitBias bounds the entries of logit_bias.
const maxLogitBias = 1024

// decodeLogitBias checks logit_bias — token ids, as strings, to a bias between −100 and
// 100 — and returns its entries in id order. The ids are checked against the vocabulary
// once the model is known (checkLogitBias).
func decodeLogitBias(m map[string]any) ([]sample.Bias, *Error) {
	if len(m) == 0 {
		return nil, nil
	}
	if len(m) > maxLogitBias {
		return nil, badRequest("logit_bias", "invalid_value", "logit_bias has %d entries: at most %d are allowed", len(m), maxLogitBias)
	}
	out := make([]sample.Bias, 0, len(m))
	for k, v := range m {
		id, err := strconv.Atoi(k)
		if err != nil || id < 0 || id > maxCount || strconv.Itoa(id) != k {
			return nil, badRequest("logit_bias", "invalid_value", "logit_bias key %q is not a token id: keys are token ids written as decimal strings, like \"1234\"", clip(k, 32))
		}
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) || f < -sample.MaxBias || f > sample.MaxBias {
			return nil, badRequest("logit_bias", "invalid_value", "logit_bias[%q] must be a number between -%d and %d", k, sample.MaxBias, sample.MaxBias)
		}
		out = append(out, sample.Bias{ID: id, Value: float32(f)})
	}
	slices.SortFunc(out, func(a, b sample.Bias) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// checkLogitBias refuses a logit_bias entry whose token is not in the vocabulary.
func checkLogitBias(bias []sample.Bias, vocab int) *Error {
	for _, b := range bias {
		if b.ID >= vocab {
			return badRequest("logit_bias", "invalid_value", "logit_bias names token %d, which is not in the vocabulary (0..%d)", b.ID, vocab-1)
		}
	}
	return nil
}

// clip shortens s to at most n bytes, for quoting client input in an error.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
