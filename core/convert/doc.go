// Package convert writes an opened model as a llama.cpp GGUF file — deepseek2, or qwen2,
// llama or qwen3 for the dense R1 distills (core.Model.Export): the names, shapes, metadata
// and tensor types llama.cpp's own converter and llama-quantize produce,
// with the tokenizer's vocabulary as tokenizer.ggml.* keys when one is given. Any model
// core opens (a Hugging Face checkpoint or a GGUF file) converts: deepgo convert, deepgo
// quantize and deepgo synth (for a .gguf) all write through Write.
//
// The tensors stream one at a time: each tensor's parts are filled from the model
// (core.Model.Export) and encoded in parallel, then written in order, so at most
// GOMAXPROCS parts of one tensor are in memory at once. The file is written under a
// temporary name and renamed when done.
//
// The --type names are one table (types.go): each name's general.file_type code, the type
// of its weight matrices and, for llama.cpp's K-quant mixtures (q3_k_m, q4_k_m, q5_k_m), the
// types of the tensors the mixture gives more bits, as llama-quantize's llama_tensor_get_type
// chooses them for deepseek2 and the dense architectures (attn_v's rules, llama.cpp's 70B
// type, token_embd as the output when tied); then the fallback where a row does not fill
// whole blocks. The other names are pure (llama-quantize --pure). The tests check the types
// against llama-quantize's (testdata/llama-quantize-*types.json) and the dense conversions
// against llama.cpp's own logits on the same files (testdata/llamacpp-dense.json; with
// DEEPGO_LLAMA_CPP set to llama.cpp's build/bin, TestLlamaCppDense and
// TestLlamaQuantizeDenseTypes run llama.cpp live and DEEPGO_RECORD=1 rewrites those files).
//
//	convert.go  Options, Stats, Write; the encoders, the GGUF vocabulary
//	types.go    Types and the table of --type names; the type of each tensor (mixture
//	            rules, useMoreBits, the fallbacks)
package convert
