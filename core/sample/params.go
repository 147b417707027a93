package sample

import (
	"errors"
	"fmt"
	"math"
)

// MaxLogProbs is the largest number of alternatives [Params.LogProbs] may ask for.
const MaxLogProbs = 20

// Params choose how a [Sampler] picks tokens. The zero value is greedy decoding with no
// penalties.
type Params struct {
	Temperature       float32 // 0 = greedy (argmax; ties → lowest id)
	TopK              int     // 0 = off
	TopP              float32 // 0 or 1 = off
	MinP              float32 // 0 = off: drop tokens with p < MinP * p_max
	PresencePenalty   float32 // OpenAI: logit -= presence if token appeared in the generated (or penalised) history
	FrequencyPenalty  float32 // OpenAI: logit -= frequency * count
	RepetitionPenalty float32 // 1 or 0 = off; CTRL/HF style: positive logit /= r, negative *= r, for tokens in history
	PenaltyWindow     int     // last N tokens considered for penalties; 0 = all
	Seed              uint64  // reproducible; the same seed, params and logits give the same tokens
	LogProbs          int     // top-N log-probabilities to report for each chosen token (0..20)
	// LogitBias is added to the logits before every other stage (bias.go); nil = none.
	// The Sampler keeps the slice: do not change it while the Sampler is in use.
	LogitBias []Bias
}

// Validate reports every parameter that is out of range, joined into one error, or nil.
func (p Params) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("sample: "+format, args...))
	}
	switch t := p.Temperature; {
	case isNaN(t):
		bad("temperature is NaN")
	case t < 0:
		bad("temperature %g is negative (0 means greedy)", t)
	case isInf(t):
		bad("temperature is +Inf")
	}
	if p.TopK < 0 {
		bad("top_k %d is negative (0 means off)", p.TopK)
	}
	if v := p.TopP; isNaN(v) || v < 0 || v > 1 {
		bad("top_p %g is outside [0, 1]", v)
	}
	if v := p.MinP; isNaN(v) || v < 0 || v > 1 {
		bad("min_p %g is outside [0, 1]", v)
	}
	if v := p.PresencePenalty; isNaN(v) || isInf(v) {
		bad("presence_penalty %g is not finite", v)
	}
	if v := p.FrequencyPenalty; isNaN(v) || isInf(v) {
		bad("frequency_penalty %g is not finite", v)
	}
	if v := p.RepetitionPenalty; isNaN(v) || isInf(v) || v < 0 {
		bad("repetition_penalty %g must be finite and positive (0 or 1 means off)", v)
	}
	if p.PenaltyWindow < 0 {
		bad("penalty window %d is negative (0 means the whole history)", p.PenaltyWindow)
	}
	if p.LogProbs < 0 || p.LogProbs > MaxLogProbs {
		bad("logprobs %d is outside [0, %d]", p.LogProbs, MaxLogProbs)
	}
	p.validateBias(bad)
	return errors.Join(errs...)
}

func isNaN(v float32) bool { return v != v }

func isInf(v float32) bool { return math.IsInf(float64(v), 0) }

// Greedy reports whether p picks the argmax (Temperature 0): its choices need no draw.
func (p Params) Greedy() bool { return p.greedy() }

// greedy reports whether p picks the argmax.
func (p Params) greedy() bool { return p.Temperature == 0 }

// topP reports whether top-p is on.
func (p Params) topP() bool { return p.TopP > 0 && p.TopP < 1 }

// repetition reports whether the repetition penalty is on.
func (p Params) repetition() bool { return p.RepetitionPenalty != 0 && p.RepetitionPenalty != 1 }

// penalised reports whether any penalty is on.
func (p Params) penalised() bool {
	return p.repetition() || p.PresencePenalty != 0 || p.FrequencyPenalty != 0
}
