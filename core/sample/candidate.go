package sample

import "math"

// cand is a candidate token: its id, its logit after penalties and, once the softmax has
// run, its weight exp((l-lmax)/T), an unnormalised probability.
type cand struct {
	id int32
	l  float32
	w  float32
}

// compareCand orders candidates best first: higher logit, then lower id.
func compareCand(a, b cand) int {
	switch {
	case a.l > b.l:
		return -1
	case a.l < b.l:
		return 1
	}
	return int(a.id - b.id)
}

// worse reports whether a comes after b in the order of compareCand.
func worse(a, b cand) bool {
	return a.l < b.l || (a.l == b.l && a.id > b.id)
}

// selectTop appends to h[:0] the k best tokens of x, best first, skipping −Inf, and returns
// it. It keeps a min-heap of the k best seen so far, so it costs O(len(x) log k) and never
// sorts x; h must have capacity for k candidates.
func selectTop(h []cand, x []float32, k int) []cand {
	h = h[:0]
	if k <= 0 {
		return h
	}
	negInf := float32(math.Inf(-1))
	i := 0
	for ; i < len(x) && len(h) < k; i++ {
		if x[i] == negInf {
			continue
		}
		h = append(h, cand{id: int32(i), l: x[i]})
		siftUp(h, len(h)-1)
	}
	if len(h) == k {
		// The root is the worst kept; a later token of equal logit has a higher id, so
		// only a strictly higher logit gets in.
		floor := h[0].l
		for ; i < len(x); i++ {
			if v := x[i]; v > floor {
				h[0] = cand{id: int32(i), l: v}
				siftDown(h, 0)
				floor = h[0].l
			}
		}
	}
	// Heap sort: move the worst to the end, one at a time.
	for n := len(h) - 1; n > 0; n-- {
		h[0], h[n] = h[n], h[0]
		siftDown(h[:n], 0)
	}
	return h
}

// siftUp restores the heap (worst at the root) after h[i] was set.
func siftUp(h []cand, i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !worse(h[i], h[parent]) {
			return
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

// siftDown restores the heap (worst at the root) after h[i] was set.
func siftDown(h []cand, i int) {
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if r := c + 1; r < n && worse(h[r], h[c]) {
			c = r
		}
		if !worse(h[c], h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}
