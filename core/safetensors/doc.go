// Package safetensors reads and writes files in the Hugging Face
// safetensors format.
//
// A safetensors file is an 8-byte little-endian unsigned header length N,
// N bytes of UTF-8 JSON, and the data section:
//
//	{
//	  "__metadata__": {"format": "pt"},
//	  "model.embed_tokens.weight": {
//	    "dtype": "BF16", "shape": [8192, 256], "data_offsets": [0, 4194304]
//	  },
//	  ...
//	}
//
// data_offsets are [begin, end) byte offsets relative to the start of the
// data section, which immediately follows the header. Tensors are stored
// row-major in little-endian byte order.
//
// [Open] memory-maps a file (see package
// github.com/deepgo/deepgo/core/mmap) and validates its header with
// [ParseHeader]; the Data of every [Tensor] it returns is a read-only view
// into the mapping, valid until the file is closed. [OpenDir] opens every
// file of a Hugging Face checkpoint directory, sharded or not, as one
// [Checkpoint]. [WriteFile] writes a file.
//
// Tensor data views are not necessarily aligned to their element size:
// their address is the mapping's (page-aligned) address plus 8+N+begin.
//
// The files:
//
//	file.go        File: Open (one memory-mapped file), Tensor, Advise, Close
//	checkpoint.go  Checkpoint: OpenDir (index, single file or every *.safetensors), the
//	               bounded index read, Tensor across the shards
//	header.go      Header, TensorInfo, ParseHeader: the header's validation, and its limits
//	jsonobject.go  splitting JSON objects into members in order, so duplicate keys are seen
//	shape.go       a dtype and shape's byte size, checked for overflow
//	dtype.go       DType: the element types and their sizes
//	tensor.go      Tensor: name, dtype, shape and data
//	error.go       FormatError
//	writer.go      WriteFile: a header padded to 8 bytes, the data, through a temporary file
package safetensors
