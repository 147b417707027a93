// Package core is deepgo's inference engine: a forward pass of the DeepSeek-V3 architecture
// (and DeepSeek-V2, which it generalises) that reads top to bottom next to the papers and the
// official reference code (deepseek-ai/DeepSeek-V3 inference/model.py).
//
// The parts, one file each:
//
//	config.go    the Hugging Face config.json of DeepseekV2/V3ForCausalLM
//	load_hf.go   binding weights by Hugging Face tensor name (safetensors, memory-mapped)
//	forward.go   one chunk of tokens through embedding, blocks, final norm and lm_head
//	mla.go       Multi-head Latent Attention, naive and weight-absorbed paths
//	kvcache.go   the compressed latent KV cache (kv_lora_rank + qk_rope_head_dim per position)
//	rope.go      rotary embeddings with YaRN frequency blending
//	moe.go       DeepSeekMoE routing (softmax/sigmoid, group-limited, noaux_tc bias) and experts
//	mlp.go       SwiGLU feed-forward (dense layers, routed and shared experts)
//	experts.go   which routed experts are in memory: paging in on use, releasing beyond a budget
//	pool.go      the persistent worker pool that splits matrix work over threads
//	sequence.go  per-conversation state and buffers (allocated once; decode allocates nothing)
//
// Number formats and the dot-product kernels live in package quant; the file formats in
// core/safetensors (and core/mmap beneath it).
package core
