package sample

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// vocabV3 is the vocabulary size of DeepSeek-V3.
const vocabV3 = 129280

// benchParams are the configurations of the allocation test and the benchmarks.
var benchParams = []struct {
	name string
	p    Params
}{
	{"greedy", Params{}},
	{"greedy_logprobs5", Params{LogProbs: 5}},
	{"temp0.7", Params{Temperature: 0.7}},
	{"topk40_topp0.9_temp0.7", Params{Temperature: 0.7, TopK: 40, TopP: 0.9}},
	{"topk40_topp0.9_temp0.7_logprobs5", Params{Temperature: 0.7, TopK: 40, TopP: 0.9, LogProbs: 5}},
	{"topp0.9_temp0.7", Params{Temperature: 0.7, TopP: 0.9}},
	{"minp0.05_temp0.7", Params{Temperature: 0.7, MinP: 0.05}},
	{"topp0.9_minp0.05_temp0.7_logprobs20", Params{Temperature: 0.7, TopP: 0.9, MinP: 0.05, LogProbs: 20}},
	{"penalties_topk40_topp0.9_temp0.7_logprobs5", Params{Temperature: 0.7, TopK: 40, TopP: 0.9, LogProbs: 5,
		RepetitionPenalty: 1.1, PresencePenalty: 0.5, FrequencyPenalty: 0.5, PenaltyWindow: 256}},
	{"logitbias_topp0.9_temp0.7", Params{Temperature: 0.7, TopP: 0.9, LogitBias: []Bias{{11, -100}, {42, 5}, {vocabV3 - 1, 2.5}}}},
}

// modelLogits returns a row of logits shaped roughly like a language model's: a broad
// body and a few strong candidates.
func modelLogits(v int) []float32 {
	r := rand.New(rand.NewPCG(9, 10))
	l := make([]float32, v)
	for i := range l {
		l[i] = float32(r.NormFloat64() * 2)
	}
	for range 20 {
		l[r.IntN(v)] = 8 + float32(r.NormFloat64()*2)
	}
	return l
}

func modelHistory(v, n int) []int {
	r := rand.New(rand.NewPCG(11, 12))
	h := make([]int, n)
	for i := range h {
		h[i] = r.IntN(v / 100)
	}
	return h
}

func TestSampleAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("vocabulary-sized")
	}
	logits := modelLogits(vocabV3)
	history := modelHistory(vocabV3, 1000)
	for _, bp := range benchParams {
		t.Run(bp.name, func(t *testing.T) {
			s, err := New(bp.p, vocabV3)
			if err != nil {
				t.Fatal(err)
			}
			allocs := testing.AllocsPerRun(10, func() {
				s.Sample(logits, history)
				s.LogProb()
				s.TopLogProbs()
			})
			if allocs != 0 {
				t.Errorf("%g allocations per Sample, want 0", allocs)
			}
			if n := len(s.TopLogProbs()); n != bp.p.LogProbs {
				t.Errorf("%d top log-probabilities, want %d", n, bp.p.LogProbs)
			}
			mask := modelMask(vocabV3)
			work := make([]float32, vocabV3)
			allocs = testing.AllocsPerRun(10, func() {
				copy(work, logits)
				s.SampleMasked(work, history, mask)
				s.LogProb()
				s.TopLogProbs()
			})
			if allocs != 0 {
				t.Errorf("%g allocations per SampleMasked, want 0", allocs)
			}
		})
	}
}

// modelMask allows every third id, as a grammar's mask might.
func modelMask(v int) []uint64 {
	m := make([]uint64, (v+63)/64)
	for id := 0; id < v; id += 3 {
		m[id/64] |= 1 << (id % 64)
	}
	return m
}

func BenchmarkSample(b *testing.B) {
	logits := modelLogits(vocabV3)
	history := modelHistory(vocabV3, 1000)
	for _, bp := range benchParams {
		b.Run(fmt.Sprintf("%s_vocab%d", bp.name, vocabV3), func(b *testing.B) {
			s, err := New(bp.p, vocabV3)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				s.Sample(logits, history)
				if bp.p.LogProbs > 0 {
					s.LogProb()
					s.TopLogProbs()
				}
			}
		})
	}
}
