package core

import (
	"math"

	"github.com/deepgo/deepgo/quant"
)

// moe holds a DeepSeekMoE layer (DeepSeek-V3 report §2.1.2; reference Gate and MoE):
// a router over fine-grained routed experts plus always-active shared experts.
type moe struct {
	gate    quant.Matrix // router [experts, hidden]
	bias    []float32    // e_score_correction_bias, for noaux_tc selection only
	experts []*mlp
	shared  *mlp // the n_shared_experts fused into one MLP; nil if none
}

// moe sets b.proj = Σ_k w_k·expert_k(xn) + shared(xn) for T tokens. Tokens are grouped by
// expert so each selected expert's weights are read once for the whole chunk.
func (b *batch) moe(e *moe, T int) {
	m, c := b.m, b.m.Config
	d, E, k := c.HiddenSize, c.NRoutedExperts, c.NumExpertsPerTok
	b.matmul(e.gate, b.router, b.xn, T)
	for t := range T {
		route(c, e.bias, b.router[t*E:(t+1)*E], &b.route, b.topIdx[t*k:(t+1)*k], b.topW[t*k:(t+1)*k])
	}
	// Counting sort of (token, slot) pairs by expert.
	start := b.expertStart
	clear(start)
	for _, ex := range b.topIdx[:T*k] {
		start[ex+1]++
	}
	for i := 1; i <= E; i++ {
		start[i] += start[i-1]
	}
	for i, ex := range b.topIdx[:T*k] {
		// Place pair i at the next free slot of its expert; start[ex] moves forward as we go.
		b.expertTokens[start[ex]] = int32(i)
		start[ex]++
	}
	// start[ex] now holds the end of expert ex's run; its beginning is the previous end.
	// The routed experts' pages are asked for now, if they are not resident (experts.go),
	// and waited for just before their products, after the shared expert's.
	m.residency.useRuns(e, start[:E])
	// Gather each expert's tokens, then compute every active expert (and the shared ones) in
	// two pool jobs: gate and up of all of them, then down of all of them. Each expert's
	// weights are read once for its tokens.
	ins, inter := b.expertIn, c.MoEIntermediateSize
	xe, ye := b.xe[:T*k*d], b.ye[:T*k*d]
	for j, pair := range b.expertTokens[:T*k] {
		t := int(pair) / k
		copy(xe[j*d:(j+1)*d], b.xn[t*d:(t+1)*d])
	}
	p := m.pool
	gate, up := b.gate, b.up
	var sInter int
	if sh := e.shared; sh != nil {
		sInter = sh.gate.Rows()
		b.prepare(&b.in, sh.gate, b.xn, T, d)
		b.multi.add(sh.gate, gate[:T*sInter], sInter, &b.in)
		b.multi.addShared(p, sh.up, up[:T*sInter], sInter, &b.in, sh.gate, &b.in2, b.xn, T)
		if m.residency.pending() {
			b.multi.run(p) // while the routed experts' pages come in
		}
	}
	m.residency.wait()
	off := T * sInter // the routed experts' hidden rows follow the shared ones'
	// gate and up share each expert's prepared input, unless their types want different
	// forms of it: then up runs in a job of its own.
	var mixed bool
	for _, f := range e.experts {
		mixed = !quant.SameInput(f.up.DType(), f.gate.DType())
		break
	}
	for pass := range 2 {
		begin := int32(0)
		for ex := range E {
			end := start[ex]
			n := int(end - begin)
			if n > 0 {
				f := e.experts[ex]
				h := off + int(begin)*inter
				if pass == 0 {
					m.stats.expertLoads.Add(1)
					m.stats.expertActivations.Add(int64(n))
					p.prepare(&ins[ex], f.gate, xe[int(begin)*d:], n, d, b.expertSingle(begin, end))
					b.multi.add(f.gate, gate[h:h+n*inter], inter, &ins[ex])
				} else {
					p.prepare(&ins[ex], f.up, xe[int(begin)*d:], n, d, b.expertSingle(begin, end))
				}
				if pass == 1 || !mixed {
					b.multi.add(f.up, up[h:h+n*inter], inter, &ins[ex])
				}
			}
			begin = end
		}
		b.multi.run(p)
		if !mixed {
			break
		}
	}
	p.kernels.SwiGLU(gate[:off+T*k*inter], up[:off+T*k*inter])

	proj := b.proj[:T*d]
	if sh := e.shared; sh != nil {
		b.prepare(&b.in, sh.down, gate, T, sInter)
		b.multi.add(sh.down, proj, d, &b.in)
	} else {
		clear(proj)
	}
	begin := int32(0)
	for ex := range E {
		end := start[ex]
		if n := int(end - begin); n > 0 {
			f := e.experts[ex]
			h := off + int(begin)*inter
			p.prepare(&ins[ex], f.down, gate[h:], n, inter, b.expertSingle(begin, end))
			b.multi.add(f.down, ye[int(begin)*d:int(end)*d], d, &ins[ex])
		}
		begin = end
	}
	b.multi.run(p)
	for j, pair := range b.expertTokens[:T*k] {
		t := int(pair) / k
		p.kernels.AxpyF32(proj[t*d:(t+1)*d], b.topW[pair], ye[j*d:(j+1)*d])
	}
}

// routeScratch is the router's per-token working space.
type routeScratch struct {
	scores, choice, group []float32
}

func newRouteScratch(c *Config) routeScratch {
	return routeScratch{
		scores: make([]float32, c.NRoutedExperts),
		choice: make([]float32, c.NRoutedExperts),
		group:  make([]float32, max(c.NGroup, 1)),
	}
}

// route picks the experts of one token from its router logits and sets their mixing weights
// (reference Gate.forward, with HF's topk_method and norm_topk_prob):
//   - scores: softmax or sigmoid of the logits;
//   - choice = scores + e_score_correction_bias (noaux_tc) — for selection only;
//   - group limit: keep the topk_group groups with the best group score (sum of the top two
//     choices for noaux_tc, the max for group_limited_greedy), then the top k experts;
//   - weights come from the unbiased scores, optionally normalised, times routed_scaling_factor.
func route(c *Config, bias, logits []float32, rs *routeScratch, idx []int32, w []float32) {
	scores, choice := rs.scores, rs.choice
	copy(scores, logits)
	if c.ScoringFunc == "sigmoid" {
		for i, v := range scores {
			scores[i] = sigmoid(v)
		}
	} else {
		softmax(scores)
	}
	copy(choice, scores)
	for i := range bias {
		choice[i] += bias[i]
	}
	if c.TopKMethod != "greedy" && c.NGroup > 1 {
		limitGroups(c, choice, rs.group)
	}
	k := len(idx)
	for j := range k {
		best := -1
		for i, v := range choice {
			if best < 0 || v > choice[best] {
				best = i
			}
		}
		idx[j] = int32(best)
		w[j] = scores[best]
		choice[best] = float32(math.Inf(-1))
	}
	scale := float32(c.RoutedScalingFactor)
	if c.NormTopKProb && k > 1 {
		var sum float32
		for _, v := range w[:k] {
			sum += v
		}
		inv := 1 / (sum + 1e-20)
		if !c.isV3() {
			// HF DeepseekV2MoEGate applies routed_scaling_factor only when not normalising.
			scale = 1
		}
		scale *= inv
	}
	for j := range w[:k] {
		w[j] *= scale
	}
}

// limitGroups masks (sets to -Inf) the experts outside the topk_group best groups.
func limitGroups(c *Config, choice, group []float32) {
	size := len(choice) / c.NGroup
	for g := range c.NGroup {
		part := choice[g*size : (g+1)*size]
		if c.TopKMethod == "noaux_tc" {
			// Sum of the two largest (torch.topk(2).sum()).
			a, b := float32(math.Inf(-1)), float32(math.Inf(-1))
			for _, v := range part {
				if v > a {
					a, b = v, a
				} else if v > b {
					b = v
				}
			}
			group[g] = a + b
		} else {
			mx := float32(math.Inf(-1))
			for _, v := range part {
				mx = max(mx, v)
			}
			group[g] = mx
		}
	}
	// Keep topk_group groups: repeatedly mark the best remaining group as kept (+Inf sentinel).
	for range c.TopKGroup {
		best := -1
		for g, v := range group {
			if !math.IsInf(float64(v), 1) && (best < 0 || v > group[best]) {
				best = g
			}
		}
		group[best] = float32(math.Inf(1))
	}
	for g, v := range group {
		if !math.IsInf(float64(v), 1) {
			part := choice[g*size : (g+1)*size]
			for i := range part {
				part[i] = float32(math.Inf(-1))
			}
		}
	}
}

// expertSingle is how many of an expert's gathered rows, pairs begin..end of
// b.expertTokens, are decoding rows to multiply one at a time: the pairs of each expert
// are in token order, so they are its last ones, those of the batch's last b.exact tokens.
func (b *batch) expertSingle(begin, end int32) int {
	if b.exact == 0 {
		return 0
	}
	k := int32(b.m.Config.NumExpertsPerTok)
	first := int32(len(b.tokens)-b.exact) * k // the first pair of a decoding row
	n := 0
	for j := end - 1; j >= begin && b.expertTokens[j] >= first; j-- {
		n++
	}
	return n
}
