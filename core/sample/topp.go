package sample

// slack is the tolerance of the top-p and min-p thresholds (see the package documentation).
const slack = 1e-6

// The top-p histogram: bucket b holds the tokens whose scaled logit x = (l-lmax)/T lies in
// (−(b+1)/bucketScale, −b/bucketScale]; the last bucket also holds everything below.
const (
	nBuckets    = 1024
	bucketScale = 32 // buckets per nat: neighbours in a bucket differ in probability by < 3.2%
)

// bucket returns the histogram bucket of scaled logit x ≤ 0. It is monotone in x, so the
// tokens of the first b buckets are the best tokens in the order of compareCand.
func bucket(x float32) int {
	f := -x * bucketScale
	if f >= nBuckets-1 {
		return nBuckets - 1
	}
	return int(f)
}

// cutTopP returns how many of the candidates c, sorted best first, top-p keeps: up to and
// including the first at which the cumulative weight reaches p of z, the weight of the
// whole distribution.
func cutTopP(c []cand, z float64, p float32) int {
	target := (float64(p) - slack) * z
	var cum float64
	for i := range c {
		cum += float64(c[i].w)
		if cum >= target {
			return i + 1
		}
	}
	return len(c)
}

// gatherTopP collects into s.cand, unsorted, the tokens that may survive top-p when there
// is no top-k: those of the histogram buckets up to the one in which the cumulative weight
// reaches TopP of z. s.mass must hold the histogram of s.e and z its sum.
func (s *Sampler) gatherTopP(z float64) []cand {
	target := (float64(s.p.TopP) - slack) * z
	last := nBuckets - 1
	var cum float64
	for b, m := range s.mass {
		cum += m
		if cum >= target {
			last = b
			break
		}
	}
	lmax, t := s.lmax, s.temp
	c := s.cand[:0]
	x := s.x[:len(s.e)]
	for i, w := range s.e {
		if w == 0 {
			continue
		}
		if l := x[i]; bucket((l-lmax)/t) <= last {
			c = append(c, cand{id: int32(i), l: l, w: w})
		}
	}
	return c
}
