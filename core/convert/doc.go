// Package convert writes an opened model as a llama.cpp deepseek2 GGUF file: the names,
// shapes, metadata and tensor types llama.cpp's own converter and llama-quantize produce,
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
// chooses them for a deepseek2 model; then the fallback where a row does not fill whole
// blocks. The other names are pure (llama-quantize --pure).
//
//	convert.go  Options, Stats, Write; the encoders, the GGUF vocabulary
//	types.go    Types and the table of --type names; the type of each tensor (mixture
//	            rules, useMoreBits, the fallbacks)
package convert
