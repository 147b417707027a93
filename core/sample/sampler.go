package sample

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// seedStream is the second word of the PCG seed: Seed chooses the state, this the stream.
const seedStream = 0x9e3779b97f4a7c15

// A Sampler picks tokens for one sequence. It holds the scratch memory of every stage,
// allocated once by [New], and the random source. A Sampler is not safe for concurrent use.
type Sampler struct {
	p       Params
	vocab   int
	greedy  bool
	temp    float32 // the temperature, or 1 when greedy (for log-probabilities)
	topK    int     // 0 when off or when it keeps the whole vocabulary
	topP    bool
	minP    bool
	minPThr float32 // ln(MinP) - slack
	rng     rand.PCG
	pen     penalties

	x    []float32      // logits after penalties and cleaning, by id
	e    []float32      // weights by id: drawn from without top-k, else scratch for LogProb
	cand []cand         // candidates: top-k, or the tokens gathered for top-p
	mass []float64      // the top-p histogram, without top-k
	heap []cand         // scratch for TopLogProbs
	top  []TokenLogProb // TopLogProbs' result

	// The state of the last Sample.
	lmax       float32 // the largest of x
	chosen     int     // the token returned, -1 before any
	impossible bool    // every token was impossible
	sorted     int     // cand[:sorted] are the best tokens of x, best first
	list       bool    // the draw is from cand[:n], otherwise from e
	n          int
	zk         float64 // the weight of the candidates drawn from
	logZ       float64 // log of the normaliser of the whole distribution, if haveLogZ
	haveLogZ   bool
	haveTop    bool
}

// New returns a Sampler for a vocabulary of vocab tokens, seeded with p.Seed, or the error
// of p.Validate. It allocates all the memory Sample needs: 8 bytes per token, 8 more with
// penalties and 12 more with top-p but no top-k.
func New(p Params, vocab int) (*Sampler, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if vocab <= 0 || vocab > math.MaxInt32 {
		return nil, fmt.Errorf("sample: vocabulary of %d tokens", vocab)
	}
	if err := p.checkBiasIDs(vocab); err != nil {
		return nil, err
	}
	s := &Sampler{
		p:      p,
		vocab:  vocab,
		greedy: p.greedy(),
		temp:   p.Temperature,
		pen:    newPenalties(p, vocab),
		x:      make([]float32, vocab),
		e:      make([]float32, vocab),
		heap:   make([]cand, 0, p.LogProbs),
		top:    make([]TokenLogProb, 0, p.LogProbs),
	}
	if s.greedy {
		s.temp = 1
	} else {
		s.topP = p.topP()
		s.minP = p.MinP > 0
		if s.minP {
			s.minPThr = float32(math.Log(float64(p.MinP))) - slack
		}
		if p.TopK > 0 && p.TopK < vocab {
			s.topK = p.TopK
			s.cand = make([]cand, 0, p.TopK)
		} else if s.topP {
			s.cand = make([]cand, 0, vocab)
			s.mass = make([]float64, nBuckets)
		}
	}
	s.Reset(p.Seed)
	return s, nil
}

// Reset starts a new sequence: it reseeds the random source with seed and forgets the last
// choice, so that LogProb reports −Inf until the next Sample.
func (s *Sampler) Reset(seed uint64) {
	s.rng.Seed(seed, seedStream)
	s.chosen, s.impossible = -1, false
}

// Sample returns the next token given logits, the scores of every token of the vocabulary
// (len(logits) must be the vocabulary size; Sample may modify logits), and history, the
// tokens generated so far, which the penalties look at. Sample retains neither slice. The
// stages are listed in the package documentation. Sample does not allocate. It panics if
// len(logits) is not the vocabulary size.
func (s *Sampler) Sample(logits []float32, history []int) int {
	id, done := s.process(logits, history)
	if !s.greedy {
		u := s.uniform() // one draw per token, even when the choice is forced
		if !done {
			id = s.draw(u)
		}
	}
	s.chosen = id
	return id
}

// uniform returns a number in [0, 1) from the random source, as rand.Float64 does.
func (s *Sampler) uniform() float64 {
	return float64(s.rng.Uint64()<<11>>11) / (1 << 53)
}

// process runs every stage before the draw. It returns the token and true when the choice
// needs no draw (greedy, or no possible token), and false when draw must choose.
func (s *Sampler) process(logits []float32, history []int) (int, bool) {
	if len(logits) != s.vocab {
		panic(fmt.Sprintf("sample: %d logits for a vocabulary of %d tokens", len(logits), s.vocab))
	}
	s.sorted, s.list, s.haveLogZ, s.haveTop = 0, false, false, false
	s.addBias(logits)
	best := s.clean(logits, history)
	s.impossible = best < 0
	switch {
	case best < 0:
		return 0, true
	case s.greedy:
		return best, true
	case s.topK > 0:
		s.cand = selectTop(s.cand, s.x, s.topK)
		s.sorted = len(s.cand)
		s.truncate(softmaxList(s.cand, s.lmax, s.temp))
		return 0, false
	}
	z := s.softmaxFull()
	s.logZ, s.haveLogZ = math.Log(z), true
	if s.topP {
		s.cand = s.gatherTopP(z)
		slices.SortFunc(s.cand, compareCand)
		s.sorted = len(s.cand)
		s.truncate(z)
	}
	return 0, false
}

// truncate applies top-p and min-p to the sorted candidates in s.cand, given z, the weight
// of the distribution they come from, and makes the survivors the ones to draw from.
func (s *Sampler) truncate(z float64) {
	n := len(s.cand)
	if s.topP {
		n = cutTopP(s.cand, z, s.p.TopP)
	}
	if s.minP {
		n = cutMinP(s.cand[:n], s.lmax, s.temp, s.minPThr)
	}
	var zk float64
	for _, c := range s.cand[:n] {
		zk += float64(c.w)
	}
	s.list, s.n, s.zk = true, n, zk
}

// draw returns the candidate at which the cumulative weight exceeds u times the total.
func (s *Sampler) draw(u float64) int {
	r := u * s.zk
	var cum float64
	if s.list {
		c := s.cand[:s.n]
		for _, k := range c {
			cum += float64(k.w)
			if cum > r {
				return int(k.id)
			}
		}
		return int(c[len(c)-1].id) // rounding: u·zk reached the total
	}
	last := 0
	for i, w := range s.e {
		if w == 0 {
			continue
		}
		cum += float64(w)
		if cum > r {
			return i
		}
		last = i
	}
	return last
}
