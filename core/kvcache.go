package core

// kvCache is MLA's compressed KV cache (DeepSeek-V2 paper, eq. 9–11): for every layer and
// position it keeps only the normalised latent c_kv (kv_lora_rank values) followed by the
// rotated shared key k_pe (qk_rope_head_dim values). Keys and values of all heads are
// recovered from c_kv through kv_b_proj, or folded into the query and output (absorbed path).
// A dense model's cache keeps, per layer and position, its rotated key heads then its value
// heads (2 × num_key_value_heads × head_dim values; gqa.go).
//
// Memory is taken a page of positions at a time, as the sequence grows, so a cache costs
// what its tokens need rather than its capacity.
type kvCache struct {
	latent int // kv_lora_rank (0 in a dense model)
	width  int // values per layer and position: kv_lora_rank + qk_rope_head_dim, or 2 × kv heads × head_dim
	cap    int // positions
	layers int
	page   int         // positions per page
	pages  [][]float32 // pages[p]: positions [p*page, (p+1)*page) of every layer, [layer][position][width]
}

// kvPage is the most positions a cache page holds; a multiple of naiveTile and keyBlock, so
// a tile or block of positions never straddles two pages.
const kvPage = 256

// newKVCache makes an empty cache of capacity positions for the given number of layers
// (the model's, or the multi-token-prediction module's one).
func newKVCache(c *Config, layers, capacity int) kvCache {
	return kvCache{latent: c.KVLoRARank, width: c.kvWidth(), cap: capacity,
		layers: layers, page: min(kvPage, capacity)}
}

// row is the cache entry of one layer at one position: c_kv then k_pe. The position's page
// must have been allocated by grow.
func (kv *kvCache) row(layer, pos int) []float32 {
	return kv.span(layer, pos)[:kv.width]
}

// span is the cache of one layer from position pos to the end of its page, width values
// per position.
func (kv *kvCache) span(layer, pos int) []float32 {
	p := kv.pages[pos/kv.page]
	return p[(layer*kv.page+pos%kv.page)*kv.width : (layer+1)*kv.page*kv.width]
}

// grow allocates the pages holding positions [0, n).
func (kv *kvCache) grow(n int) {
	for len(kv.pages)*kv.page < n {
		kv.pages = append(kv.pages, make([]float32, kv.layers*kv.page*kv.width))
	}
}

// shrink releases the pages past the one holding position n-1.
func (kv *kvCache) shrink(n int) {
	keep := (n + kv.page - 1) / kv.page
	if keep < len(kv.pages) {
		clear(kv.pages[keep:])
		kv.pages = kv.pages[:keep]
	}
}

// Bytes is the memory the cache holds now.
func (kv *kvCache) Bytes() int64 { return int64(len(kv.pages)) * kv.pageBytes() }

// pageBytes is the memory of one page.
func (kv *kvCache) pageBytes() int64 { return int64(kv.layers) * int64(kv.page) * int64(kv.width) * 4 }

// KVCacheBytes is the memory of the KV cache of a sequence of the given capacity holding n
// tokens: what a scheduler reserves for it.
func (m *Model) KVCacheBytes(capacity, n int) int64 {
	kv := newKVCache(m.Config, m.Config.NumHiddenLayers, capacity)
	return kv.bytesFor(n)
}

// bytesFor is the memory the cache holds when it has room for n positions.
func (kv *kvCache) bytesFor(n int) int64 { return int64((n+kv.page-1)/kv.page) * kv.pageBytes() }
