package core

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/deepgo/deepgo/core/mmap"
)

// expertResidency keeps track of which routed experts' weights are in memory, so that a
// model whose experts exceed RAM runs from its memory-mapped files.
//
// The weights are views into read-only file mappings, so no expert is read before a token
// is routed to it. When the forward pass has routed a chunk through a MoE layer, it calls
// use with the chunk's distinct experts: those not resident are prefetched (WillNeed), and
// their pages are touched right away, timed, so the wait for them is one measured stall
// rather than page faults scattered over the worker threads. With a budget, the least
// recently used experts beyond it are released (DontNeed): the kernel drops their pages
// from the process (they stay in the page cache while memory allows) and the next use
// reads them again.
//
// use runs under the model's lock (one forward pass at a time); the counters are atomic,
// for Model.Stats from other goroutines. Nothing is allocated after construction.
type expertResidency struct {
	perLayer int     // routed experts per MoE layer
	base     []int32 // per model layer: index of its expert 0 in entries, -1 for dense layers
	moes     []*moe  // per model layer: its MoE (nil for dense layers), to find a layer by its moe
	entries  []expertEntry

	// Set by configure.
	budget int64 // resident expert bytes to keep under; 0 = no limit
	mapped bool  // the weights are file mappings: advise, touch and release them

	head, tail int32   // the resident entries, most recently used first; -1 when none
	tick       uint64  // counts use calls: an entry used by the current call has last == tick
	fresh      []int32 // the entries the current call made resident (capacity perLayer)
	routed     []int32 // useRuns' list of experts (capacity perLayer)
	sink       byte    // what touching pages read, kept so the reads happen
	err        error   // the first advice error; advice stops after it

	resident, residentBytes atomic.Int64
	hits, misses, pagedIn   atomic.Int64
	releases, releasedBytes atomic.Int64
	stallNanos              atomic.Int64
}

// expertEntry is one routed expert of one layer.
type expertEntry struct {
	data       [3][]byte // gate, up and down weights: views into the mapping
	bytes      int64     // their length, summed
	last       uint64    // tick of the last use; 0 = never used
	prev, next int32     // neighbours in the resident list
	resident   bool
}

// newExpertResidency makes the tracker of the routed experts of a config's first layers
// layers (the main ones, and the multi-token-prediction module's after them), their
// ranges still empty: bind records them with data, and Open calls configure.
func newExpertResidency(c *Config, layers int) *expertResidency {
	r := &expertResidency{perLayer: c.NRoutedExperts, head: -1, tail: -1}
	r.base = make([]int32, layers)
	r.moes = make([]*moe, layers)
	n := int32(0)
	for i := range r.base {
		r.base[i] = -1
		if c.IsMoELayer(i) {
			r.base[i] = n
			n += int32(c.NRoutedExperts)
		}
	}
	r.entries = make([]expertEntry, n)
	for i := range r.entries {
		r.entries[i].prev, r.entries[i].next = -1, -1
	}
	r.fresh = make([]int32, 0, c.NRoutedExperts)
	r.routed = make([]int32, 0, c.NRoutedExperts)
	return r
}

// data is where bind records the weight bytes of expert e of MoE layer layer.
func (r *expertResidency) data(layer, e int) *[3][]byte {
	return &r.entries[int(r.base[layer])+e].data
}

// configure sets the budget (bytes of resident experts; 0 = no limit) and whether the
// recorded ranges are file mappings that may be advised and released; bind has recorded them.
func (r *expertResidency) configure(budget int64, mapped bool) {
	r.budget, r.mapped = budget, mapped
	for i := range r.entries {
		e := &r.entries[i]
		e.bytes = int64(len(e.data[0]) + len(e.data[1]) + len(e.data[2]))
	}
}

// useRuns is prefetch for a MoE layer identified by its moe, with the chunk's experts given as
// the counting sort of moe.go leaves them: ends[ex] is the end of expert ex's run of
// (token, slot) pairs, which begins at ends[ex-1] (0 for ex 0); an expert is routed to
// if its run is not empty.
func (r *expertResidency) useRuns(e *moe, ends []int32) {
	if r == nil {
		return
	}
	layer := -1
	for i, x := range r.moes {
		if x == e {
			layer = i
			break
		}
	}
	if layer < 0 {
		return
	}
	routed := r.routed[:0]
	begin := int32(0)
	for ex, end := range ends[:min(len(ends), r.perLayer)] {
		if end > begin {
			routed = append(routed, int32(ex))
		}
		begin = end
	}
	r.routed = routed
	r.prefetch(layer, routed)
}

// use is prefetch and wait in one.
func (r *expertResidency) use(layer int, experts []int32) {
	r.prefetch(layer, experts)
	r.wait()
}

// prefetch records that a forward chunk routes tokens to experts (distinct expert numbers)
// of layer: it counts hits and misses, asks for the pages of the experts that were not
// resident (wait then waits for them), and releases the least recently used others while the resident
// experts exceed the budget. The experts of this call are never released by it, so a
// budget below one layer's working set is exceeded by that set.
func (r *expertResidency) prefetch(layer int, experts []int32) {
	if r == nil || layer < 0 || layer >= len(r.base) || r.base[layer] < 0 {
		return
	}
	base := r.base[layer]
	r.tick++
	var hits, misses, paged int64
	fresh := r.fresh[:0]
	for _, ex := range experts {
		if ex < 0 || int(ex) >= r.perLayer {
			continue
		}
		i := base + ex
		e := &r.entries[i]
		if e.last == r.tick {
			continue // listed twice
		}
		e.last = r.tick
		if e.resident {
			hits++
			r.unlink(i)
			r.pushFront(i)
			continue
		}
		misses++
		paged += e.bytes
		e.resident = true
		r.pushFront(i)
		r.resident.Add(1)
		r.residentBytes.Add(e.bytes)
		if r.mapped {
			for _, d := range e.data {
				r.advise(d, mmap.WillNeed)
			}
		}
		fresh = append(fresh, i)
	}
	r.fresh = fresh
	r.hits.Add(hits)
	r.misses.Add(misses)
	r.pagedIn.Add(paged)
	if r.budget > 0 && r.mapped {
		for r.residentBytes.Load() > r.budget && r.tail >= 0 && r.entries[r.tail].last != r.tick {
			r.release(r.tail)
		}
	}
}

// pending reports whether the last use prefetched experts that wait has not yet waited for.
func (r *expertResidency) pending() bool {
	return r != nil && r.mapped && len(r.fresh) > 0
}

// wait waits for the pages of the experts the last use prefetched (it touches one byte per
// page) and adds the time to the stall counter. Called after other work of the layer, the
// read-ahead has had that long to bring them in.
func (r *expertResidency) wait() {
	if !r.pending() {
		return
	}
	start := time.Now()
	for _, i := range r.fresh {
		for _, d := range r.entries[i].data {
			r.sink ^= mmap.Touch(d)
		}
	}
	r.fresh = r.fresh[:0]
	r.stallNanos.Add(int64(time.Since(start)))
}

// release drops resident entry i: its whole pages leave the process's memory.
func (r *expertResidency) release(i int32) {
	e := &r.entries[i]
	r.unlink(i)
	e.resident = false
	r.resident.Add(-1)
	r.residentBytes.Add(-e.bytes)
	r.releases.Add(1)
	r.releasedBytes.Add(e.bytes)
	if r.mapped {
		for _, d := range e.data {
			// Only the pages entirely inside the expert: a page it shares with a neighbour
			// (another expert, another tensor) stays.
			r.advise(d, mmap.DontNeed)
		}
	}
}

// advise passes advice to the system; after a failure (which a valid mapping does not
// give) the tracker keeps counting but advises no more.
func (r *expertResidency) advise(b []byte, a mmap.Advice) {
	if r.err != nil {
		return
	}
	if err := mmap.AdviseBytes(b, a); err != nil {
		r.err = fmt.Errorf("expert residency: %w", err)
		r.mapped = false
	}
}

func (r *expertResidency) pushFront(i int32) {
	e := &r.entries[i]
	e.prev, e.next = -1, r.head
	if r.head >= 0 {
		r.entries[r.head].prev = i
	} else {
		r.tail = i
	}
	r.head = i
}

func (r *expertResidency) unlink(i int32) {
	e := &r.entries[i]
	if e.prev >= 0 {
		r.entries[e.prev].next = e.next
	} else {
		r.head = e.next
	}
	if e.next >= 0 {
		r.entries[e.next].prev = e.prev
	} else {
		r.tail = e.prev
	}
	e.prev, e.next = -1, -1
}

// stats fills the expert fields of s.
func (r *expertResidency) stats(s *ModelStats) {
	if r == nil {
		return
	}
	s.ExpertsResident = r.resident.Load()
	s.ExpertBytesResident = r.residentBytes.Load()
	s.ExpertHits = r.hits.Load()
	s.ExpertMisses = r.misses.Load()
	s.ExpertBytesPagedIn = r.pagedIn.Load()
	s.ExpertReleases = r.releases.Load()
	s.ExpertBytesReleased = r.releasedBytes.Load()
	s.ExpertStall = time.Duration(r.stallNanos.Load())
}
