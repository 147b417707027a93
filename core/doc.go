// Package core is deepgo's inference engine: a forward pass of the DeepSeek-V3 architecture
// (and DeepSeek-V2, which it generalises) that reads top to bottom next to the papers and the
// official reference code (deepseek-ai/DeepSeek-V3 inference/model.py), and of the dense
// transformers the DeepSeek-R1 distills are (Qwen2, Llama, Qwen3: Hugging Face's
// modeling_qwen2.py, modeling_llama.py, modeling_qwen3.py), which share everything but
// attention and the MLP-only layers. It knows weights and
// tokens, not text: the tokenizer, chat templates, samplers and the serving policy built on
// them are in core/serving and the text packages (core/tokenizer, core/chat, core/sample).
//
// The parts, one file each:
//
//	model.go       Model and Options: Open (a checkpoint directory or a GGUF file), Close, Stats
//	config.go      the Hugging Face config.json of DeepseekV2/V3ForCausalLM, every field range-checked
//	config_gguf.go the same Config from llama.cpp's deepseek2.* GGUF keys
//	config_dense.go the dense families (Family): their config.json fields, defaults and ranges
//	config_gguf_dense.go a dense Config from llama.cpp's qwen2.*, llama.* and qwen3.* keys
//	bind.go        the weights by role, checked against the config, through a file format's source
//	load_hf.go     Hugging Face tensor names (safetensors, memory-mapped, FP8 block scales)
//	load_gguf.go   llama.cpp tensor names (stacked experts, split attn_k_b / attn_v_b)
//	open_gguf.go   opening a GGUF file (single or split) as a Model; what a dense file's tensors say
//	               of its config (tied head, biases, rotary layout, rope_freqs)
//	kernels.go     which quant kernels a model runs (Options.Kernels, DEEPGO_KERNELS)
//	sequence.go    Sequence: one conversation's KV cache and position; Forward, ForwardHidden
//	copyprefix.go  Sequence.CopyPrefix: another sequence's first tokens, their KV cache copied
//	batcher.go     joining the Forward calls of many sequences into shared passes (ForwardBatch)
//	batch.go       one pass's rows (their sequences and positions) and the model's activation buffers
//	forward.go     one pass through embedding, blocks, final norm and lm_head
//	mtp.go         the multi-token-prediction module (V3 §2.2): binding, MTPSequence, its pass
//	mla.go         Multi-head Latent Attention, naive and weight-absorbed paths; attendCached, the
//	               online softmax over cached positions that both attentions use
//	gqa.go         grouped-query attention of the dense families (biases, Qwen3's head norms)
//	kvcache.go     the KV cache, paged: MLA's compressed latent (kv_lora_rank + qk_rope_head_dim per
//	               position), or a dense model's key and value heads
//	rope.go        rotary embeddings: interleaved or rotate-half pairs, YaRN or Llama-3 frequency scaling
//	moe.go         DeepSeekMoE routing (softmax/sigmoid, group-limited, noaux_tc bias) and experts
//	mlp.go         SwiGLU feed-forward (dense layers, routed and shared experts)
//	experts.go     which routed experts are in memory: paging in on use, releasing beyond a budget
//	ops.go         RMSNorm, softmax, and several matrix products run as one pool task
//	pool.go        the persistent worker pool that splits matrix work over threads
//	eval.go        Eval, EvalMTP: the reference protocols (prefill, then one decode per id) for deepgo eval
//	export.go      an opened model's tensors in llama.cpp's layout, for converters; and in
//	               export_dense.go, the dense families' (qwen2/llama/qwen3 names and keys,
//	               Llama's q/k row permutation, rope_freqs from a Llama-3 rope_scaling)
//	footprint.go   the weight bytes a model holds and one decoded token reads
//
// The activation buffers belong to the model's batch (batch.go), allocated on the first
// pass and shared by every sequence; a sequence holds only its cache. Decode allocates
// nothing. Number formats and the dot-product kernels live in package quant; the file
// formats in core/safetensors, core/gguf and core/mmap beneath them.
package core
