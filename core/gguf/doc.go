// Package gguf reads and writes GGUF files, the model file format of
// llama.cpp and ggml.
//
// A GGUF file (versions 2 and 3; all integers little-endian) is:
//
//	magic "GGUF", version uint32, tensor count uint64, key-value count uint64
//	key-value pairs: key (string), value type (uint32), value
//	tensor infos: name (string), n_dims (uint32), ne[n_dims] (uint64),
//	              ggml type (uint32), data offset (uint64)
//	padding to the alignment
//	tensor data, each tensor at its offset from the start of this section
//
// A string is a uint64 length and that many bytes; an array value is an
// element type (uint32), a uint64 count and the elements. The alignment is
// 32 unless the uint32 key general.alignment says otherwise.
//
// [Open] memory-maps a file (see github.com/deepgo/deepgo/core/mmap),
// validates all of it strictly before returning (counts and lengths
// against the file size and [MaxHeaderSize], shapes, type ids, alignment,
// data bounds, overlaps, duplicates; a path that is not a regular file is
// refused without being read) and gives access to the metadata ([File.Get] and
// the typed getters) and to each tensor's raw bytes as a view into the
// mapping ([File.Tensor]). It also opens split models
// (NAME-00001-of-0000N.gguf). [Parse] does the same for a file held in
// memory. Errors about the content of a file are [*FormatError]s.
//
// [Writer] writes a GGUF v3 file in llama.cpp's layout (re-writing a file
// written by llama.cpp gives identical bytes), streaming the tensor data one
// tensor at a time; [SplitWriter] writes a split model like llama.cpp's
// gguf-split.
//
// The package does no arithmetic on tensor data: [Type] describes each
// ggml type's block layout, and decoding quantized blocks is left to the
// caller.
//
// The files:
//
//	reader.go       the format's constants and limits, TensorInfo, and parse: decoding and
//	                validating one file's header, metadata and tensor infos
//	file.go         File: Open, Parse, the metadata getters, Tensor (views into the mapping),
//	                AdviseTensor
//	split.go        the split.* keys, SplitPath, and opening every part of a split model
//	value.go        Kind and Value: typed metadata values (ValueOf, the accessors, String)
//	types.go        Type: the ggml tensor types, their block sizes and byte sizes
//	errors.go       FormatError and ErrKeyNotFound
//	writer.go       Writer: a GGUF v3 file, one tensor (or chunk of one) at a time
//	splitwriter.go  SplitWriter: a split model, as llama.cpp's gguf-split writes it
package gguf
