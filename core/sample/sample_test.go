package sample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

var (
	lnTwo   = float32(math.Log(2))
	lnThree = float32(math.Log(3))
	lnFour  = float32(math.Log(4))
	nan     = float32(math.NaN())
	posInf  = float32(math.Inf(1))
	negInf  = float32(math.Inf(-1))
)

// lin1to4 are the logits of the probabilities .1, .2, .3, .4.
var ln1to4 = []float32{0, lnTwo, lnThree, lnFour}

// distTests give, for each set of parameters, the final distribution worked out by hand.
var distTests = []struct {
	name    string
	p       Params
	logits  []float32 // nil: ln1to4
	history []int
	want    []float64
}{
	// Temperature.
	{name: "temperature 1", p: Params{Temperature: 1}, want: []float64{.1, .2, .3, .4}},
	{name: "temperature 0.5", p: Params{Temperature: 0.5}, want: []float64{1. / 30, 4. / 30, 9. / 30, 16. / 30}},
	{name: "temperature 2", p: Params{Temperature: 2}, // p ∝ √k
		want: []float64{1 / 6.146264369941973, 1.4142135623730951 / 6.146264369941973, 1.7320508075688772 / 6.146264369941973, 2 / 6.146264369941973}},

	// Top-k.
	{name: "top-k 2", p: Params{Temperature: 1, TopK: 2}, want: []float64{0, 0, 3. / 7, 4. / 7}},
	{name: "top-k 2 temperature 0.5", p: Params{Temperature: 0.5, TopK: 2}, want: []float64{0, 0, 9. / 25, 16. / 25}},
	{name: "top-k 1", p: Params{Temperature: 1, TopK: 1}, want: []float64{0, 0, 0, 1}},
	{name: "top-k 4 is off", p: Params{Temperature: 1, TopK: 4}, want: []float64{.1, .2, .3, .4}},
	{name: "top-k 9 is off", p: Params{Temperature: 1, TopK: 9}, want: []float64{.1, .2, .3, .4}},
	{name: "top-k ties keep the lower id", p: Params{Temperature: 1, TopK: 2}, logits: []float32{lnTwo, lnTwo, 0, lnTwo},
		want: []float64{.5, .5, 0, 0}},

	// Top-p: sorted .4 .3 .2 .1, cumulative .4 .7 .9 1.
	{name: "top-p 0.5", p: Params{Temperature: 1, TopP: 0.5}, want: []float64{0, 0, 3. / 7, 4. / 7}},
	{name: "top-p 0.7 on the boundary", p: Params{Temperature: 1, TopP: 0.7}, want: []float64{0, 0, 3. / 7, 4. / 7}},
	{name: "top-p 0.75", p: Params{Temperature: 1, TopP: 0.75}, want: []float64{0, 2. / 9, 3. / 9, 4. / 9}},
	{name: "top-p 0.3", p: Params{Temperature: 1, TopP: 0.3}, want: []float64{0, 0, 0, 1}},
	{name: "top-p 1 is off", p: Params{Temperature: 1, TopP: 1}, want: []float64{.1, .2, .3, .4}},
	{name: "top-p ties keep the lower ids", p: Params{Temperature: 1, TopP: 0.5}, logits: []float32{1, 1, 1, 1},
		want: []float64{.5, .5, 0, 0}},

	// Min-p: p_max = .4.
	{name: "min-p 0.5 on the boundary", p: Params{Temperature: 1, MinP: 0.5}, want: []float64{0, 2. / 9, 3. / 9, 4. / 9}},
	{name: "min-p 0.6", p: Params{Temperature: 1, MinP: 0.6}, want: []float64{0, 0, 3. / 7, 4. / 7}},
	{name: "min-p 1", p: Params{Temperature: 1, MinP: 1}, want: []float64{0, 0, 0, 1}},
	{name: "min-p 0.5 temperature 0.5", p: Params{Temperature: 0.5, MinP: 0.5}, // keep p ≥ 8/30
		want: []float64{0, 0, 9. / 25, 16. / 25}},

	// Combinations.
	{name: "top-p after top-k", p: Params{Temperature: 1, TopK: 3, TopP: 0.75}, // top-k: 4/9 7/9 1
		want: []float64{0, 0, 3. / 7, 4. / 7}},
	{name: "top-p 0.9 then min-p 0.6", p: Params{Temperature: 1, TopP: 0.9, MinP: 0.6}, want: []float64{0, 0, 3. / 7, 4. / 7}},
	{name: "top-p 0.95 then min-p 0.25", p: Params{Temperature: 1, TopP: 0.95, MinP: 0.25}, want: []float64{.1, .2, .3, .4}},
	{name: "top-k 3 top-p 0.9 min-p 0.6 temperature 0.5", p: Params{Temperature: 0.5, TopK: 3, TopP: 0.9, MinP: 0.6},
		want: []float64{0, 0, 0, 1}}, // top-k: 4/29 9/29 16/29; top-p keeps 2; min-p drops 9 < .6·16

	// Penalties.
	{name: "presence", p: Params{Temperature: 1, PresencePenalty: lnTwo}, history: []int{3, 1, 3},
		want: []float64{1. / 7, 1. / 7, 3. / 7, 2. / 7}}, // weights 1 2/2 3 4/2
	{name: "frequency", p: Params{Temperature: 1, FrequencyPenalty: lnTwo}, history: []int{3, 3, 1},
		want: []float64{1. / 6, 1. / 6, 3. / 6, 1. / 6}}, // weights 1 2/2 3 4/4
	{name: "frequency and presence", p: Params{Temperature: 1, FrequencyPenalty: lnTwo, PresencePenalty: lnTwo}, history: []int{3, 3, 1},
		want: []float64{.2, .1, .6, .1}}, // weights 1 2/4 3 4/8
	{name: "repetition 2", p: Params{Temperature: 1, RepetitionPenalty: 2}, logits: []float32{-lnTwo, lnTwo, lnThree, lnFour}, history: []int{0, 3},
		want: []float64{1. / 29, 8. / 29, 12. / 29, 8. / 29}}, // weights 1/4 2 3 2: -lnTwo·2, lnFour/2
	{name: "repetition 0.5", p: Params{Temperature: 1, RepetitionPenalty: 0.5}, history: []int{1},
		want: []float64{1. / 12, 4. / 12, 3. / 12, 4. / 12}}, // lnTwo/0.5 = lnFour
	{name: "repetition 1 is off", p: Params{Temperature: 1, RepetitionPenalty: 1}, history: []int{3},
		want: []float64{.1, .2, .3, .4}},
	{name: "penalty window", p: Params{Temperature: 1, PresencePenalty: lnTwo, PenaltyWindow: 2}, history: []int{3, 1, 1, 2},
		want: []float64{2. / 15, 2. / 15, 3. / 15, 8. / 15}}, // window [1 2]: weights 1 1 1.5 4
	{name: "penalty window longer than history", p: Params{Temperature: 1, PresencePenalty: lnTwo, PenaltyWindow: 10}, history: []int{3},
		want: []float64{1. / 8, 2. / 8, 3. / 8, 2. / 8}},
	{name: "history ids out of range are ignored", p: Params{Temperature: 1, PresencePenalty: lnTwo}, history: []int{-1, 4, 99, 3},
		want: []float64{1. / 8, 2. / 8, 3. / 8, 2. / 8}},
	{name: "penalties top-k temperature", history: []int{3, 3, 2},
		p: Params{Temperature: 0.5, TopK: 3, RepetitionPenalty: 2, PresencePenalty: lnTwo, FrequencyPenalty: lnTwo},
		// weights after penalties 1 2 √3/4 1/4; top-k drops id 3; squared: 1 4 3/16.
		want: []float64{16. / 83, 64. / 83, 3. / 83, 0}},

	// Greedy.
	{name: "greedy", p: Params{}, want: []float64{0, 0, 0, 1}},
	{name: "greedy ties pick the lowest id", p: Params{}, logits: []float32{1, 3, 3, 2}, want: []float64{0, 1, 0, 0}},
	{name: "greedy after penalties", p: Params{PresencePenalty: 1}, history: []int{3}, want: []float64{0, 0, 1, 0}},
	{name: "greedy ignores truncation", p: Params{TopK: 1, TopP: 0.1, MinP: 0.9}, logits: []float32{5, 1, 7, 7},
		want: []float64{0, 0, 1, 0}},

	// NaN and infinities.
	{name: "NaN and -Inf are impossible", p: Params{Temperature: 1}, logits: []float32{nan, lnTwo, negInf, lnTwo},
		want: []float64{0, .5, 0, .5}},
	{name: "NaN and -Inf with top-k", p: Params{Temperature: 1, TopK: 3}, logits: []float32{negInf, lnTwo, nan, lnFour},
		want: []float64{0, 1. / 3, 0, 2. / 3}},
	{name: "NaN and -Inf with top-p", p: Params{Temperature: 1, TopP: 0.99}, logits: []float32{negInf, lnTwo, nan, lnFour},
		want: []float64{0, 1. / 3, 0, 2. / 3}},
	{name: "+Inf takes all", p: Params{Temperature: 1}, logits: []float32{1, posInf, 3, posInf},
		want: []float64{0, .5, 0, .5}},
	{name: "+Inf greedy", p: Params{}, logits: []float32{1, posInf, 3, posInf}, want: []float64{0, 1, 0, 0}},
	{name: "+Inf with penalties", p: Params{Temperature: 1, PresencePenalty: 1, RepetitionPenalty: 2}, history: []int{1},
		logits: []float32{1, posInf, 3, posInf}, want: []float64{0, .5, 0, .5}},
	{name: "all impossible", p: Params{Temperature: 1}, logits: []float32{nan, negInf, negInf, nan}, want: []float64{1, 0, 0, 0}},
	{name: "all impossible greedy", p: Params{}, logits: []float32{negInf, nan, negInf, negInf}, want: []float64{1, 0, 0, 0}},
	{name: "all impossible top-k top-p", p: Params{Temperature: 1, TopK: 2, TopP: 0.5}, logits: []float32{negInf, negInf, nan, negInf},
		want: []float64{1, 0, 0, 0}},
	{name: "+Inf survives penalties", p: Params{Temperature: 1, RepetitionPenalty: 2}, history: []int{1},
		logits: []float32{negInf, posInf, negInf, negInf}, want: []float64{0, 1, 0, 0}},
	{name: "all impossible after penalties", p: Params{Temperature: 1, RepetitionPenalty: 2}, history: []int{1},
		logits: []float32{negInf, -3e38, negInf, nan}, want: []float64{1, 0, 0, 0}}, // -3e38·2 overflows to -Inf
}

func logitsOf(l []float32) []float32 {
	if l == nil {
		l = ln1to4
	}
	return slices.Clone(l)
}

func TestProbs(t *testing.T) {
	for _, tt := range distTests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.p, 4)
			if err != nil {
				t.Fatal(err)
			}
			got := s.probs(logitsOf(tt.logits), tt.history)
			for i := range tt.want {
				if math.Abs(float64(got[i])-tt.want[i]) > 1e-6 {
					t.Fatalf("Probs = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestFrequencies checks that the draws follow the distribution: over many seeded draws
// every token's frequency is within 0.004 of its probability (about 4 standard deviations
// at p = .5; the seed is fixed, so the test is deterministic).
func TestFrequencies(t *testing.T) {
	const draws = 250000
	for _, tt := range distTests {
		t.Run(tt.name, func(t *testing.T) {
			tt.p.Seed = 1
			s, err := New(tt.p, 4)
			if err != nil {
				t.Fatal(err)
			}
			src, logits := logitsOf(tt.logits), make([]float32, 4)
			var n [4]int
			for range draws {
				copy(logits, src)
				n[s.Sample(logits, tt.history)]++
			}
			for i, want := range tt.want {
				if got := float64(n[i]) / draws; math.Abs(got-want) > 0.004 {
					t.Fatalf("frequencies %v, want %v", n, tt.want)
				}
			}
		})
	}
}

// generate samples n tokens from s, feeding them back as history, with logits that depend
// on the history so that one different token changes the rest.
func generate(s *Sampler, base []float32, n int) []int {
	var history []int
	logits := make([]float32, len(base))
	for range n {
		copy(logits, base)
		if k := len(history); k > 0 {
			logits[(history[k-1]*7+3)%len(logits)] += 2
		}
		history = append(history, s.Sample(logits, history))
	}
	return history
}

func TestReproducible(t *testing.T) {
	const v = 2000
	base := randomLogits(rand.New(rand.NewPCG(7, 8)), v)
	for _, tt := range []struct {
		name string
		p    Params
	}{
		{"temperature", Params{Temperature: 1}},
		{"top-p", Params{Temperature: 0.8, TopP: 0.95}},
		{"top-k top-p min-p penalty", Params{Temperature: 0.7, TopK: 40, TopP: 0.9, MinP: 0.05, RepetitionPenalty: 1.1, LogProbs: 3}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.p.Seed = 42
			a, _ := New(tt.p, v)
			b, _ := New(tt.p, v)
			first := generate(a, base, 200)
			if second := generate(b, base, 200); !slices.Equal(first, second) {
				t.Errorf("%+v: two samplers seeded alike differ:\n%v\n%v", tt.p, first, second)
			}
			a.Reset(42)
			if again := generate(a, base, 200); !slices.Equal(first, again) {
				t.Errorf("%+v: Reset(42) does not replay:\n%v\n%v", tt.p, first, again)
			}
			c, _ := New(Params{Temperature: tt.p.Temperature, TopK: tt.p.TopK, TopP: tt.p.TopP, MinP: tt.p.MinP,
				RepetitionPenalty: tt.p.RepetitionPenalty, Seed: 43}, v)
			if other := generate(c, base, 200); slices.Equal(first, other) {
				t.Errorf("%+v: seeds 42 and 43 give the same tokens", tt.p)
			}
			b.Reset(43)
			if other := generate(b, base, 200); slices.Equal(first, other) {
				t.Errorf("%+v: Reset(43) gives the tokens of seed 42", tt.p)
			}
		})
	}
}

func TestGreedyDrawsNothing(t *testing.T) {
	a, _ := New(Params{Seed: 1}, 4)
	b, _ := New(Params{Seed: 2}, 4)
	for range 10 {
		if x, y := a.Sample([]float32{1, 3, 3, 2}, nil), b.Sample([]float32{1, 3, 3, 2}, nil); x != 1 || y != 1 {
			t.Fatalf("greedy chose %d and %d, want 1", x, y)
		}
	}
}

func TestSampleLeavesHistory(t *testing.T) {
	s, _ := New(Params{Temperature: 1, RepetitionPenalty: 1.3, FrequencyPenalty: 1, PenaltyWindow: 3}, 4)
	history := []int{3, 3, 1, 2, 3}
	for range 100 {
		s.Sample(logitsOf(nil), history)
	}
	if !slices.Equal(history, []int{3, 3, 1, 2, 3}) {
		t.Errorf("history changed to %v", history)
	}
	// The counts must be cleared between calls: the same input gives the same distribution.
	first := s.probs(logitsOf(nil), history)
	if again := s.probs(logitsOf(nil), history); !slices.Equal(first, again) {
		t.Errorf("Probs changed between calls: %v then %v", first, again)
	}
}

func TestSampleWrongLength(t *testing.T) {
	s, _ := New(Params{}, 4)
	defer func() {
		if recover() == nil {
			t.Error("Sample of 3 logits for a vocabulary of 4 did not panic")
		}
	}()
	s.Sample(make([]float32, 3), nil)
}
