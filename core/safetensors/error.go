package safetensors

import "strconv"

// FormatError reports a malformed safetensors file or header.
type FormatError struct {
	File   string // the file, or "" when the header was parsed on its own
	Tensor string // the tensor concerned, or "" for an error about the whole header
	Err    error  // what is wrong
}

// Error returns a message such as
// `safetensors: model.safetensors: tensor "w": unknown dtype "Q4"`.
func (e *FormatError) Error() string {
	s := "safetensors: "
	if e.File != "" {
		s += e.File + ": "
	}
	if e.Tensor != "" {
		s += "tensor " + strconv.Quote(e.Tensor) + ": "
	}
	return s + e.Err.Error()
}

// Unwrap returns e.Err.
func (e *FormatError) Unwrap() error { return e.Err }
