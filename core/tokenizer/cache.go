package tokenizer

import "hash/maphash"

// The word cache remembers the BPE result of recent short pieces. Each encoder (one per
// concurrent Encode, kept in the Tokenizer's sync.Pool) has its own, so it needs no locking; it
// is direct-mapped and fixed in size, so it never allocates after its creation and never grows.
const (
	cacheSlots   = 2048 // a power of two
	cacheWordMax = 15   // longest piece cached, in bytes; its ids are at most as many
)

type cacheEntry struct {
	n    uint8 // length of word; 0 for an empty entry
	k    uint8 // number of ids
	word [cacheWordMax]byte
	ids  [cacheWordMax]int32
}

type wordCache [cacheSlots]cacheEntry

// cacheSlot returns the entry for w (len(w) <= cacheWordMax), which may hold another word.
func (e *encoder) cacheSlot(w string) *cacheEntry {
	if e.cache == nil {
		e.cache = new(wordCache)
	}
	return &e.cache[maphash.String(e.t.seed, w)&(cacheSlots-1)]
}

// get appends the cached ids of w and reports whether it found them.
func (c *cacheEntry) get(out []int, w string) ([]int, bool) {
	if int(c.n) != len(w) || string(c.word[:c.n]) != w {
		return out, false
	}
	for _, id := range c.ids[:c.k] {
		out = append(out, int(id))
	}
	return out, true
}

// put caches ids as the encoding of w.
func (c *cacheEntry) put(w string, ids []int32) {
	c.n = uint8(copy(c.word[:], w))
	c.k = uint8(copy(c.ids[:], ids))
}
