package openai

import (
	"math"

	"github.com/deepgo/deepgo/core/serving"
)

// logProb is the OpenAI form of a chunk's log-probabilities.
func (j *job) logProb(c serving.Chunk) TokenLogProb {
	tok := j.b.tok
	text, bs := tokenText(tok.AppendDecode(nil, c.ID))
	e := TokenLogProb{Token: text, LogProb: floorLogProb(c.LogProb), Bytes: bs, TopLogProbs: []TopLogProb{}}
	for _, t := range c.TopLogProbs {
		s, b := tokenText(tok.AppendDecode(nil, t.ID))
		e.TopLogProbs = append(e.TopLogProbs, TopLogProb{Token: s, LogProb: floorLogProb(t.LogProb), Bytes: b})
	}
	return e
}

// minLogProb is the least log-probability a reply reports, as OpenAI's API does for
// tokens it deems impossible.
const minLogProb = -9999

// floorLogProb makes a log-probability fit JSON: the sampler's −Inf (a probability that
// underflowed, as at a temperature near 0) and NaN become minLogProb.
func floorLogProb(x float32) float32 {
	switch {
	case !(x >= minLogProb): // also NaN
		return minLogProb
	case math.IsInf(float64(x), 1):
		return 0
	}
	return x
}

func tokenText(raw []byte) (string, []int) {
	bs := make([]int, len(raw))
	for i, x := range raw {
		bs[i] = int(x)
	}
	return string(raw), bs
}

// add appends a token to the legacy log-probabilities; in a stream each chunk carries its own.
func (l *CompletionLogProbs) add(e TokenLogProb, offset int) {
	l.Tokens = append(l.Tokens, e.Token)
	l.TokenLogProbs = append(l.TokenLogProbs, e.LogProb)
	top := make(map[string]float32, len(e.TopLogProbs))
	for _, t := range e.TopLogProbs {
		top[t.Token] = t.LogProb
	}
	l.TopLogProbs = append(l.TopLogProbs, top)
	l.TextOffset = append(l.TextOffset, offset)
}
