package grammar

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sync"
)

const (
	// maxStacks bounds the stacks of one state: a grammar so ambiguous that more are alive
	// at once is refused where that happens (the token is not allowed).
	maxStacks = 1024
	// maxExpand bounds the work of moving a state over one byte: rules entered and left.
	// A grammar whose alternatives multiply beyond it is refused there, like one with too
	// many stacks.
	maxExpand = 1 << 14
	// maxCached bounds the masks a Matcher keeps, one per state it has seen.
	maxCached = 64
	// maxPositions bounds the local masks a Bound keeps, one per top position.
	maxPositions = 1024
	// sentinel stands, below the top frames, for the frames a local mask does not know.
	sentinel = -2
	// localFrames is how many frames from the top a local mask is keyed by: enough to
	// hold the small rules a string or a number is made of, so that most tokens are
	// taken without returning below them.
	localFrames = 4
)

// ErrRejected is wrapped by the error of Accept when the grammar does not allow the token.
var ErrRejected = errors.New("grammar: token not allowed")

// node is one frame of a stack: pos is where matching goes on in the program, next the
// frame below (-1 at the bottom). The top frame of a live stack is at a byte set, or at
// the start of a lazy rule r, as pos -1-r.
type node struct{ pos, next int32 }

// A Matcher runs a Grammar over the tokens of a Vocab: it says which tokens may come next
// (Mask) and advances by the one chosen (Accept). Its state is the set of stacks of a
// pushdown recognizer: each stack's top is a byte set the next byte must be in, the
// frames below it the places to return to when a rule ends. Masks are cached by state.
// A Matcher is one generation's: not safe for concurrent use.
type Matcher struct {
	b        *Bound
	g        *Grammar
	v        *Vocab
	specials []int32 // special ids the grammar names

	state    []int32 // the stacks, each as its length, then its positions top first
	spare    []int32
	complete bool // the grammar may end here
	ended    bool // an end id was accepted

	// Scratch of the trie walk and of Accept: frames and the tops of the stacks of the
	// states on the way down the trie, truncated on the way back.
	nodes []node
	tops  []int32

	budget   int     // expansion steps left for this byte
	overflow bool    // the budget or maxStacks ran out: the state is refused
	popped   bool    // a local walk returned below its top frame
	pops     []int32 // trie nodes where that happened, during a local walk

	dense []uint64 // scratch of a local mask
	key   []byte   // of the state, for cache
	lkey  []byte   // of top frames, for the Bound's local masks
	cache map[string]cachedMask
}

// A Bound is a Grammar bound to a Vocab: the Matchers it makes share its masks by top
// position. The mask of a state is the union, over its stacks, of what the top frame's
// rule accepts without returning (the local mask of the top's position, the same
// whatever is below) and of the tokens that return from it at some trie node and go on
// with the frames below (walked from that node for the state at hand). Local masks are
// computed once per position and kept. A Bound is safe for concurrent use.
type Bound struct {
	g        *Grammar
	v        *Vocab
	specials []int32

	mu    sync.Mutex
	local map[string]*localMask // by the positions of the top frames
}

// localMask is what the rules of the top frames accept: the tokens taken without
// returning below them — the mask's words that are not zero, and where they are — and
// the trie nodes after whose bytes they may return.
type localMask struct {
	at    []int32
	words []uint64
	pops  []int32
}

// Bind returns g bound to v.
func Bind(g *Grammar, v *Vocab) *Bound {
	b := &Bound{g: g, v: v, local: map[string]*localMask{}}
	for _, t := range g.specials {
		for id, sp := range v.special {
			if sp && string(v.text[id]) == t && !slices.Contains(b.specials, int32(id)) {
				b.specials = append(b.specials, int32(id))
			}
		}
	}
	return b
}

// NewMatcher returns a Matcher at the start of the grammar.
func (b *Bound) NewMatcher() *Matcher {
	// Room for what a token usually needs, so that the scratch rarely grows.
	m := &Matcher{b: b, g: b.g, v: b.v, specials: b.specials, cache: map[string]cachedMask{},
		nodes: make([]node, 0, 4096), tops: make([]int32, 0, 1024), state: make([]int32, 0, 256),
		spare: make([]int32, 0, 256), key: make([]byte, 0, 1024), lkey: make([]byte, 0, 64)}
	m.Reset()
	return m
}

// cachedMask is the mask of one state and whether it allows any token.
type cachedMask struct {
	words []uint64
	any   bool
}

// NewMatcher returns a Matcher at the start of g for the tokens of v: Bind(g, v).NewMatcher().
func NewMatcher(g *Grammar, v *Vocab) *Matcher { return Bind(g, v).NewMatcher() }

// Reset puts m back at the start of its grammar; the cached masks stay.
func (m *Matcher) Reset() {
	m.nodes, m.tops = m.nodes[:0], m.tops[:0]
	m.complete, m.ended = false, false
	m.budget, m.overflow = maxExpand, false
	for _, a := range m.g.alts[m.g.root] {
		m.complete = m.expand(a, -1) || m.complete
	}
	if m.overflow { // nothing is allowed
		m.complete, m.tops = false, m.tops[:0]
	}
	m.flatten(0, len(m.tops))
}

// Complete reports whether the grammar may end here: an end id is allowed.
func (m *Matcher) Complete() bool { return m.complete }

// Done reports whether nothing may follow: the grammar is complete and allows no more
// bytes, or an end id was accepted.
func (m *Matcher) Done() bool { return m.ended || (m.complete && len(m.state) == 0) }

// expand adds the stacks that continue at pos with the frames from next below, their tops
// at byte sets, to m.tops. It reports whether the grammar may end there.
func (m *Matcher) expand(pos, next int32) bool {
	g := m.g
	for {
		if m.budget--; m.budget < 0 {
			m.overflow = true
			return false
		}
		e := g.elems[pos]
		switch e.op {
		case opSet:
			m.nodes = append(m.nodes, node{pos, next})
			m.tops = append(m.tops, int32(len(m.nodes)-1))
			return false
		case opEnd:
			if next == sentinel {
				m.popped = true
				return false
			}
			if next < 0 {
				return true
			}
			n := m.nodes[next]
			pos, next = n.pos, n.next
			continue
		}
		ret := next
		if g.elems[pos+1].op != opEnd { // a reference in tail position returns to next
			m.nodes = append(m.nodes, node{pos + 1, next})
			ret = int32(len(m.nodes) - 1)
		}
		if g.lazy[e.arg] { // one stack, at the rule, until the byte picks alternatives
			m.nodes = append(m.nodes, node{-1 - e.arg, ret})
			m.tops = append(m.tops, int32(len(m.nodes)-1))
			return false
		}
		complete := false
		for _, a := range g.alts[e.arg] {
			complete = m.expand(a, ret) || complete
		}
		return complete
	}
}

// advance moves the stacks of m.tops[lo:hi] over byte b: the new stacks are m.tops[nlo:nhi].
// It reports whether the grammar may end after b.
func (m *Matcher) advance(lo, hi int, b byte) (nlo, nhi int, complete bool) {
	nlo = len(m.tops)
	m.budget, m.overflow = maxExpand, false
	g := m.g
	for i := lo; i < hi; i++ {
		n := m.nodes[m.tops[i]]
		if n.pos < 0 { // a lazy rule: the alternatives that start with b
			r := -1 - n.pos
			if !g.first[r].has(b) {
				continue
			}
			for _, a := range g.alts[r] {
				if g.sets[g.elems[a].arg].has(b) {
					complete = m.expand(a+1, n.next) || complete
				}
			}
			continue
		}
		if g.sets[g.elems[n.pos].arg].has(b) {
			complete = m.expand(n.pos+1, n.next) || complete
		}
	}
	if len(m.tops)-nlo > maxStacks {
		m.overflow = true
	}
	return nlo, len(m.tops), complete
}

// load turns m.state into frames and tops, and returns the range of its tops.
func (m *Matcher) load() (lo, hi int) {
	m.nodes, m.tops = m.nodes[:0], m.tops[:0]
	for i := 0; i < len(m.state); {
		n := int(m.state[i])
		stack := m.state[i+1 : i+1+n]
		next := int32(-1)
		for j := n - 1; j >= 0; j-- {
			m.nodes = append(m.nodes, node{stack[j], next})
			next = int32(len(m.nodes) - 1)
		}
		m.tops = append(m.tops, next)
		i += 1 + n
	}
	return 0, len(m.tops)
}

// flatten makes the stacks of m.tops[lo:hi] the state, without duplicates.
func (m *Matcher) flatten(lo, hi int) {
	s := m.spare[:0]
	var starts [maxStacks]int32
	ns := 0
	for i := lo; i < hi; i++ {
		start := len(s)
		s = append(s, 0)
		for f := m.tops[i]; f >= 0; f = m.nodes[f].next {
			s = append(s, m.nodes[f].pos)
		}
		s[start] = int32(len(s) - start - 1)
		dup := false
		for _, o := range starts[:ns] {
			if slices.Equal(s[o:o+1+s[o]], s[start:]) {
				dup = true
				break
			}
		}
		if dup || ns == maxStacks {
			s = s[:start]
			continue
		}
		starts[ns] = int32(start)
		ns++
	}
	m.spare, m.state = m.state, s
}

// allowed reports whether id may be matched as text.
func (m *Matcher) allowed(id int32) bool {
	return !m.v.special[id] || slices.Contains(m.specials, id)
}

// Accept advances m over token id. An end id is accepted where the grammar is complete;
// any other token must be allowed by the grammar, or Accept returns an error that wraps
// ErrRejected and leaves m as it was.
func (m *Matcher) Accept(id int) error {
	v := m.v
	if id < 0 || id >= v.size {
		return fmt.Errorf("%w: id %d is outside the vocabulary", ErrRejected, id)
	}
	if m.ended {
		return fmt.Errorf("%w: the grammar has ended", ErrRejected)
	}
	if slices.Contains(v.ends, id) {
		if !m.complete {
			return fmt.Errorf("%w: end of sequence before the grammar is complete", ErrRejected)
		}
		m.ended = true
		return nil
	}
	text := v.text[id]
	if len(text) == 0 || !m.allowed(int32(id)) {
		return fmt.Errorf("%w: id %d", ErrRejected, id)
	}
	lo, hi := m.load()
	complete := false
	for _, b := range text {
		if hi == lo {
			return fmt.Errorf("%w: id %d", ErrRejected, id)
		}
		lo, hi, complete = m.advance(lo, hi, b)
		if m.overflow {
			return fmt.Errorf("%w: id %d makes the grammar too ambiguous (more than %d parses or %d steps)", ErrRejected, id, maxStacks, maxExpand)
		}
	}
	if hi == lo && !complete {
		return fmt.Errorf("%w: id %d", ErrRejected, id)
	}
	m.complete = complete
	m.flatten(lo, hi)
	return nil
}

// Mask sets dst, of v.MaskWords() words, to the tokens the grammar allows next: bit id%64
// of word id/64 for id. End ids are allowed where the grammar is complete, special tokens
// only where the grammar names them. It reports whether any token is allowed. A mask
// computed once for a state is kept, and copied when the state comes again.
func (m *Matcher) Mask(dst []uint64) bool {
	dst = dst[:m.v.MaskWords()]
	if m.ended {
		clear(dst)
		return false
	}
	m.key = m.key[:0]
	if m.complete {
		m.key = append(m.key, 1)
	} else {
		m.key = append(m.key, 0)
	}
	for _, p := range m.state {
		m.key = binary.LittleEndian.AppendUint32(m.key, uint32(p))
	}
	if c, ok := m.cache[string(m.key)]; ok {
		copy(dst, c.words)
		return c.any
	}
	clear(dst)
	for i := 0; i < len(m.state); {
		n := int(m.state[i])
		m.stackMask(m.state[i+1:i+1+n], dst)
		i += 1 + n
	}
	if m.complete {
		for _, e := range m.v.ends {
			dst[e>>6] |= 1 << (e & 63)
		}
	}
	anyOK := false
	for _, w := range dst {
		if w != 0 {
			anyOK = true
			break
		}
	}
	if len(m.cache) >= maxCached {
		clear(m.cache)
	}
	m.cache[string(m.key)] = cachedMask{words: slices.Clone(dst), any: anyOK}
	return anyOK
}

// stackMask adds to dst the tokens one stack accepts (its positions, top first): the local
// mask of its top, and the tokens that return below the top frame, walked from where
// they do with the frames below.
func (m *Matcher) stackMask(stack []int32, dst []uint64) {
	k := min(localFrames, len(stack))
	lm := m.localMask(stack[:k])
	for i, w := range lm.words {
		dst[lm.at[i]] |= w
	}
	if len(lm.pops) == 0 {
		return
	}
	m.nodes, m.tops = m.nodes[:0], m.tops[:0]
	next := int32(-1)
	for j := len(stack) - 1; j >= k; j-- {
		m.nodes = append(m.nodes, node{stack[j], next})
		next = int32(len(m.nodes) - 1)
	}
	complete := true
	if next >= 0 {
		f := m.nodes[next]
		m.budget, m.overflow = maxExpand, false
		if complete = m.expand(f.pos, f.next); m.overflow {
			return
		}
	}
	lo, hi := 0, len(m.tops)
	if hi == lo && !complete {
		return
	}
	v := m.v
	for _, tn := range lm.pops {
		for _, id := range v.tokens[v.tokOff[tn]:v.tokOff[tn+1]] {
			if m.allowed(id) {
				dst[id>>6] |= 1 << (id & 63)
			}
		}
		if hi > lo {
			m.walk(tn, lo, hi, dst)
		}
	}
}

// localMask returns the local mask of the top frames (positions, top first), computing it
// the first time.
func (m *Matcher) localMask(frames []int32) *localMask {
	b := m.b
	m.lkey = m.lkey[:0]
	for _, p := range frames {
		m.lkey = binary.LittleEndian.AppendUint32(m.lkey, uint32(p))
	}
	b.mu.Lock()
	lm, ok := b.local[string(m.lkey)]
	b.mu.Unlock()
	if ok {
		return lm
	}
	key := string(m.lkey)
	if m.dense == nil {
		m.dense = make([]uint64, m.v.MaskWords())
	}
	clear(m.dense)
	m.nodes, m.tops = m.nodes[:0], m.tops[:0]
	next := int32(sentinel)
	for j := len(frames) - 1; j >= 0; j-- {
		m.nodes = append(m.nodes, node{frames[j], next})
		next = int32(len(m.nodes) - 1)
	}
	m.tops = append(m.tops, next)
	m.pops = m.pops[:0]
	m.walk(0, 0, 1, m.dense)
	lm = &localMask{pops: slices.Clone(m.pops)}
	for i, w := range m.dense {
		if w != 0 {
			lm.at, lm.words = append(lm.at, int32(i)), append(lm.words, w)
		}
	}
	b.mu.Lock()
	if len(b.local) >= maxPositions {
		clear(b.local)
	}
	b.local[key] = lm
	b.mu.Unlock()
	return lm
}

// walk marks in dst every token below trie node tn that the stacks m.tops[lo:hi] accept.
func (m *Matcher) walk(tn int32, lo, hi int, dst []uint64) {
	g, v := m.g, m.v
	var first byteSet
	for i := lo; i < hi; i++ {
		var s *byteSet
		if p := m.nodes[m.tops[i]].pos; p < 0 {
			s = &g.first[-1-p]
		} else {
			s = &g.sets[g.elems[p].arg]
		}
		first[0] |= s[0]
		first[1] |= s[1]
		first[2] |= s[2]
		first[3] |= s[3]
	}
	for e := v.first[tn]; e < v.first[tn+1]; e++ {
		b := v.edgeByte[e]
		if !first.has(b) {
			continue
		}
		nn, nt := len(m.nodes), len(m.tops)
		m.popped = false
		nlo, nhi, complete := m.advance(lo, hi, b)
		child := v.edgeNode[e]
		if m.popped {
			m.pops = append(m.pops, child)
		}
		if !m.overflow && (nhi > nlo || complete) {
			for _, id := range v.tokens[v.tokOff[child]:v.tokOff[child+1]] {
				if m.allowed(id) {
					dst[id>>6] |= 1 << (id & 63)
				}
			}
			if nhi > nlo {
				m.walk(child, nlo, nhi, dst)
			}
		}
		m.nodes, m.tops = m.nodes[:nn], m.tops[:nt]
	}
}

// Allowed reports whether bit id of mask is set.
func Allowed(mask []uint64, id int) bool {
	return id >= 0 && id>>6 < len(mask) && mask[id>>6]&(1<<(id&63)) != 0
}

// Count returns the number of ids mask allows.
func Count(mask []uint64) int {
	n := 0
	for _, w := range mask {
		n += bits.OnesCount64(w)
	}
	return n
}

// Vocab returns the vocabulary m masks.
func (m *Matcher) Vocab() *Vocab { return m.v }
