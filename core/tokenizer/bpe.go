package tokenizer

import (
	"fmt"
	"math"
	"math/bits"
	"unicode/utf8"
)

// noRank is the rank of a pair that has no merge.
const noRank = math.MaxInt32

// mergeTable maps a pair of token ids to the rank of their merge. It is an open-addressing
// hash table of single words, key and rank packed together, which keeps the hot lookup to one
// cache line; merged[rank] is the id of the merged token.
type mergeTable struct {
	slots  []uint64 // key(a, b)<<idBits | rank, or 0 for an empty slot
	merged []int32  // rank → merged id
	idBits uint     // bits per id or rank
	shift  uint
	mask   uint64
}

func newMergeTable(vocabSize, merges int) (mergeTable, error) {
	idBits := uint(bits.Len(uint(max(vocabSize, merges))))
	if 3*idBits+1 > 64 {
		return mergeTable{}, fmt.Errorf("tokenizer: %d tokens and %d merges are more than the merge table holds", vocabSize, merges)
	}
	size := 1 << bits.Len(uint(2*merges+1)) // load factor at most 1/2
	return mergeTable{
		slots:  make([]uint64, size),
		merged: make([]int32, 0, merges),
		idBits: idBits,
		shift:  uint(64 - bits.Len(uint(size-1))),
		mask:   uint64(size - 1),
	}, nil
}

// key packs a pair; it is never 0.
func (m *mergeTable) key(a, b int32) uint64 {
	return (uint64(uint32(a))<<m.idBits | uint64(uint32(b))) + 1
}

func (m *mergeTable) slot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> m.shift }

// add adds the merge of a and b into id with the next rank; a pair already present takes the
// new rank (the later merge wins, as in Hugging Face).
func (m *mergeTable) add(a, b, id int32) {
	k := m.key(a, b)
	rank := uint64(len(m.merged))
	m.merged = append(m.merged, id)
	for i := m.slot(k); ; i = (i + 1) & m.mask {
		if v := m.slots[i]; v == 0 || v>>m.idBits == k {
			m.slots[i] = k<<m.idBits | rank
			return
		}
	}
}

// rank returns the rank of merging a and b, or noRank.
func (m *mergeTable) rank(a, b int32) int32 {
	k := m.key(a, b)
	for i := m.slot(k); ; i = (i + 1) & m.mask {
		v := m.slots[i]
		if v>>m.idBits == k {
			return int32(v & (1<<m.idBits - 1))
		}
		if v == 0 {
			return noRank
		}
	}
}

// smallWord is the length (in bytes) up to which a word is merged by rescanning an array of
// pair ranks, which is faster for short words than a heap; longer words use the heap.
const smallWord = 32

// bpe appends the ids of one pre-tokenized piece. The piece's bytes start as the byte-level
// tokens; then, as long as any adjacent pair has a merge, the pair with the lowest rank (the
// leftmost of equals) is merged, as Hugging Face's BPE model does.
func (e *encoder) bpe(w string) {
	if e.pieces != nil {
		*e.pieces = append(*e.pieces, w)
		return
	}
	t := e.t
	if len(w) == 1 {
		e.out = append(e.out, int(t.byteTok[w[0]]))
		return
	}
	if t.pipe.ignoreMerges && e.wholeToken(w) {
		return
	}
	if len(w) > smallWord {
		e.bpeHeap(w)
		return
	}
	var ce *cacheEntry
	if len(w) <= cacheWordMax {
		ce = e.cacheSlot(w)
		var hit bool
		if e.out, hit = ce.get(e.out, w); hit {
			return
		}
	}
	syms := e.syms[:0]
	for i := 0; i < len(w); i++ {
		syms = append(syms, t.byteTok[w[i]])
	}
	ranks := e.ranks[:0]
	for i := 0; i+1 < len(syms); i++ {
		ranks = append(ranks, t.merges.rank(syms[i], syms[i+1]))
	}
	for {
		best, bestRank := -1, int32(noRank)
		for i, r := range ranks {
			if r < bestRank {
				best, bestRank = i, r
			}
		}
		if best < 0 {
			break
		}
		// Merge syms[best] and syms[best+1]; pairs best-1 and best change, pair best+1 becomes
		// pair best.
		syms[best] = t.merges.merged[bestRank]
		syms = append(syms[:best+1], syms[best+2:]...)
		ranks = append(ranks[:best], ranks[best+1:]...)
		if best > 0 {
			ranks[best-1] = t.merges.rank(syms[best-1], syms[best])
		}
		if best < len(ranks) {
			ranks[best] = t.merges.rank(syms[best], syms[best+1])
		}
	}
	for _, s := range syms {
		e.out = append(e.out, int(s))
	}
	if ce != nil {
		ce.put(w, syms)
	}
	e.syms, e.ranks = syms, ranks
}

// mergeCand is a pair waiting in the heap: the symbols at pos and at its right neighbour, which
// had ids left and right when it was pushed.
type mergeCand struct {
	rank, pos, left, right int32
}

func (a mergeCand) less(b mergeCand) bool {
	return a.rank < b.rank || a.rank == b.rank && a.pos < b.pos
}

// bpeHeap is bpe for long words: symbols in a linked list, candidate pairs in a min-heap by
// (rank, position), so a word of n bytes takes O(n log n). A popped candidate is stale, and
// skipped, if either symbol has changed since it was pushed: a merge always gives the left
// symbol a new, longer token and removes the right one, so comparing ids is enough.
func (e *encoder) bpeHeap(w string) {
	t := e.t
	n := len(w)
	syms, next, prev := e.syms[:0], e.next[:0], e.prev[:0]
	for i := 0; i < n; i++ {
		syms = append(syms, t.byteTok[w[i]])
		next = append(next, int32(i+1))
		prev = append(prev, int32(i-1))
	}
	next[n-1] = -1
	h := e.heap[:0]
	push := func(pos int32) {
		q := next[pos]
		if q < 0 {
			return
		}
		r := t.merges.rank(syms[pos], syms[q])
		if r == noRank {
			return
		}
		h = append(h, mergeCand{r, pos, syms[pos], syms[q]})
		// sift up
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !h[i].less(h[p]) {
				break
			}
			h[i], h[p] = h[p], h[i]
			i = p
		}
	}
	for i := 0; i+1 < n; i++ {
		push(int32(i))
	}
	for len(h) > 0 {
		top := h[0]
		last := len(h) - 1
		h[0] = h[last]
		h = h[:last]
		// sift down
		for i := 0; ; {
			l := 2*i + 1
			if l >= len(h) {
				break
			}
			m := l
			if r := l + 1; r < len(h) && h[r].less(h[l]) {
				m = r
			}
			if !h[m].less(h[i]) {
				break
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}

		p := top.pos
		q := next[p]
		if syms[p] != top.left || q < 0 || syms[q] != top.right {
			continue
		}
		syms[p] = t.merges.merged[top.rank]
		syms[q] = -1
		nq := next[q]
		next[p] = nq
		if nq >= 0 {
			prev[nq] = p
		}
		if pp := prev[p]; pp >= 0 {
			push(pp)
		}
		push(p)
	}
	for i := int32(0); i >= 0; i = next[i] {
		e.out = append(e.out, int(syms[i]))
	}
	e.syms, e.next, e.prev, e.heap = syms, next, prev, h
}

// wholeToken encodes w as one id if its byte-level form is a token of the BPE vocabulary (not
// an added token), as BPE with ignore_merges does before merging, and reports whether it did.
func (e *encoder) wholeToken(w string) bool {
	bl := e.bl[:0]
	for i := 0; i < len(w); i++ {
		bl = utf8.AppendRune(bl, byteRune[w[i]])
	}
	e.bl = bl
	id, ok := e.t.ids[string(bl)] // no allocation: the compiler looks up the bytes
	if !ok || e.t.isAdded[id] {
		return false
	}
	e.out = append(e.out, int(id))
	return true
}
