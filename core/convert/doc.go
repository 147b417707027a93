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
//	convert.go  Types, Options, Stats, Write; the type of each tensor (llama-quantize's
//	            choices, the Q4_K_M mixture), the encoders, the GGUF vocabulary
package convert
