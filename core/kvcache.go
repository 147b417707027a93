package core

// kvCache is MLA's compressed KV cache (DeepSeek-V2 paper, eq. 9–11): for every layer and
// position it keeps only the normalised latent c_kv (kv_lora_rank values) followed by the
// rotated shared key k_pe (qk_rope_head_dim values). Keys and values of all heads are
// recovered from c_kv through kv_b_proj, or folded into the query and output (absorbed path).
type kvCache struct {
	latent int         // kv_lora_rank
	width  int         // kv_lora_rank + qk_rope_head_dim
	cap    int         // positions
	layers [][]float32 // [layer][position*width]
}

func newKVCache(c *Config, capacity int) kvCache {
	kv := kvCache{latent: c.KVLoRARank, width: c.KVLoRARank + c.QKRopeHeadDim, cap: capacity}
	kv.layers = make([][]float32, c.NumHiddenLayers)
	for i := range kv.layers {
		kv.layers[i] = make([]float32, capacity*kv.width)
	}
	return kv
}

// row is the cache entry of one layer at one position: c_kv then k_pe.
func (kv *kvCache) row(layer, pos int) []float32 {
	return kv.layers[layer][pos*kv.width : (pos+1)*kv.width]
}

// Bytes is the memory the cache holds.
func (kv *kvCache) Bytes() int64 {
	return int64(len(kv.layers)) * int64(kv.cap) * int64(kv.width) * 4
}
