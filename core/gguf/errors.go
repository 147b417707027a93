package gguf

import (
	"errors"
	"fmt"
)

// ErrKeyNotFound is returned (wrapped) by the typed getters of [File] when
// the key is absent.
var ErrKeyNotFound = errors.New("key not found")

// A FormatError reports a malformed or unsupported GGUF file.
type FormatError struct {
	File   string // the file's path or name
	Offset int64  // byte offset in the file where the problem was found, or -1
	Key    string // the metadata key concerned, if any
	Tensor string // the tensor concerned, if any
	Err    error  // what is wrong
}

func (e *FormatError) Error() string {
	s := "gguf: " + e.File
	if e.Tensor != "" {
		s += fmt.Sprintf(": tensor %q", e.Tensor)
	}
	if e.Key != "" {
		s += fmt.Sprintf(": key %q", e.Key)
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf(" (offset %d)", e.Offset)
	}
	return s + ": " + e.Err.Error()
}

func (e *FormatError) Unwrap() error { return e.Err }
