package core

import (
	"math"
	"slices"
	"testing"
)

func TestRoute(t *testing.T) {
	logit := func(p float64) float32 { return float32(math.Log(p / (1 - p))) } // inverse sigmoid
	sig := []float32{logit(0.9), logit(0.8), logit(0.1), logit(0.2), logit(0.7), logit(0.3), logit(0.6), logit(0.5)}
	cases := []struct {
		name    string
		cfg     Config
		bias    []float32
		logits  []float32
		want    []int32
		weights []float32
	}{
		{
			name:   "greedy softmax, no normalisation, scaled",
			cfg:    Config{ScoringFunc: "softmax", TopKMethod: "greedy", NGroup: 1, RoutedScalingFactor: 2},
			logits: []float32{0, float32(math.Log(3)), float32(math.Log(2)), 0}, // softmax = 1/7, 3/7, 2/7, 1/7
			want:   []int32{1, 2}, weights: []float32{6.0 / 7, 4.0 / 7},
		},
		{
			name: "group-limited greedy: group max decides",
			cfg: Config{ScoringFunc: "sigmoid", TopKMethod: "group_limited_greedy", NGroup: 4, TopKGroup: 2,
				RoutedScalingFactor: 1},
			// groups {0.9,0.8} {0.1,0.2} {0.7,0.3} {0.6,0.5}: best max are groups 0 and 2.
			logits: sig, want: []int32{0, 1, 4}, weights: []float32{0.9, 0.8, 0.7},
		},
		{
			name: "noaux_tc: top-2 sum decides groups, bias decides experts, weights unbiased and normalised",
			cfg: Config{ModelType: "deepseek_v3", ScoringFunc: "sigmoid", TopKMethod: "noaux_tc", NGroup: 4, TopKGroup: 2,
				NormTopKProb: true, RoutedScalingFactor: 2.5},
			// Biased top-2 sums: 1.7, 0.3, 1.0, 1.6 → groups 0 and 3 (group 2's max 0.7 beats group 3's 0.6,
			// which would pick group 2 under group_limited_greedy).
			bias:   []float32{0, 0, 0, 0, 0, 0, 0.5, 0},
			logits: sig, want: []int32{6, 0, 1},
			weights: []float32{0.6 / 2.3 * 2.5, 0.9 / 2.3 * 2.5, 0.8 / 2.3 * 2.5},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.NRoutedExperts = len(c.logits)
			rs := newRouteScratch(&c.cfg)
			idx := make([]int32, len(c.want))
			w := make([]float32, len(c.want))
			route(&c.cfg, c.bias, c.logits, &rs, idx, w)
			if !slices.Equal(idx, c.want) {
				t.Fatalf("experts %v, want %v", idx, c.want)
			}
			for i := range w {
				if math.Abs(float64(w[i]-c.weights[i])) > 1e-5 {
					t.Errorf("weights %v, want %v", w, c.weights)
					break
				}
			}
		})
	}
}
