package gguf

import (
	"errors"
	"fmt"
	"os"
)

// A SplitWriter writes a model as a split GGUF model, in the layout of
// llama.cpp's gguf-split: files prefix-00001-of-0000N.gguf ..., each holding
// at most maxBytes of tensor data (a tensor larger than that gets a part of
// its own). The first part holds all the metadata; every part has the
// split.no (uint16), split.count (uint16) and split.tensors.count (int32)
// keys.
//
// Use it like a [Writer]: AddKV and AddTensor first, then WriteTensorData
// for every tensor in order, then Close. The parts are created when the
// first tensor data are written.
type SplitWriter struct {
	prefix   string
	maxBytes int64
	keys     []string
	vals     []any
	w        *Writer // metadata and tensor checks, and the current part
	tensors  []TensorInfo
	parts    [][]int // tensor indices of each part
	cur      int     // current part
	file     *os.File
	next     int
	closed   bool
}

// NewSplitWriter returns a SplitWriter writing the parts of a model to
// prefix-%05d-of-%05d.gguf, each part holding at most maxBytes of data.
func NewSplitWriter(prefix string, maxBytes int64) *SplitWriter {
	return &SplitWriter{prefix: prefix, maxBytes: maxBytes, w: NewWriter(nil), cur: -1}
}

// AddKV adds a metadata key-value pair to the first part; see
// [Writer.AddKV]. The split.* keys are set by the SplitWriter.
func (s *SplitWriter) AddKV(key string, x any) error {
	switch key {
	case KeySplitNo, KeySplitCount, KeySplitTensorsCount:
		return fmt.Errorf("gguf: AddKV: %s is set by the SplitWriter", key)
	}
	if s.parts != nil {
		return errors.New("gguf: AddKV after the first tensor data were written")
	}
	if err := s.w.AddKV(key, x); err != nil {
		return err
	}
	s.keys = append(s.keys, key)
	s.vals = append(s.vals, x)
	return nil
}

// AddTensor declares a tensor; see [Writer.AddTensor].
func (s *SplitWriter) AddTensor(name string, t Type, ne []int64) error {
	if s.parts != nil {
		return errors.New("gguf: AddTensor after the first tensor data were written")
	}
	if err := s.w.AddTensor(name, t, ne); err != nil {
		return err
	}
	s.tensors = append(s.tensors, s.w.tensors[len(s.w.tensors)-1])
	return nil
}

// plan assigns the tensors to parts.
func (s *SplitWriter) plan() {
	s.parts = [][]int{nil}
	var size int64
	for i, t := range s.tensors {
		p := (t.Size + s.w.alignment - 1) / s.w.alignment * s.w.alignment
		last := len(s.parts) - 1
		if len(s.parts[last]) > 0 && size+p > s.maxBytes {
			s.parts = append(s.parts, nil)
			last++
			size = 0
		}
		s.parts[last] = append(s.parts[last], i)
		size += p
	}
}

// openPart finishes the current part and starts part i.
func (s *SplitWriter) openPart(i int) error {
	if err := s.closePart(); err != nil {
		return err
	}
	n := len(s.parts)
	f, err := os.Create(SplitPath(s.prefix, i, n))
	if err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	s.file, s.cur = f, i
	s.w = NewWriter(f)
	if i == 0 {
		for j, k := range s.keys {
			if err := s.w.AddKV(k, s.vals[j]); err != nil {
				return err
			}
		}
	} else if a, ok := s.alignment(); ok {
		if err := s.w.AddKV(KeyAlignment, a); err != nil {
			return err
		}
	}
	for _, kv := range []struct {
		k string
		x any
	}{{KeySplitNo, uint16(i)}, {KeySplitCount, uint16(n)}, {KeySplitTensorsCount, int32(len(s.tensors))}} {
		if err := s.w.AddKV(kv.k, kv.x); err != nil {
			return err
		}
	}
	for _, ti := range s.parts[i] {
		t := s.tensors[ti]
		if err := s.w.AddTensor(t.Name, t.Type, t.Ne); err != nil {
			return err
		}
	}
	return s.w.WriteHeader()
}

// alignment returns the general.alignment value if one was added.
func (s *SplitWriter) alignment() (any, bool) {
	for j, k := range s.keys {
		if k == KeyAlignment {
			return s.vals[j], true
		}
	}
	return nil, false
}

func (s *SplitWriter) closePart() error {
	if s.file == nil {
		return nil
	}
	err := s.w.Close()
	if cerr := s.file.Close(); err == nil {
		err = cerr
	}
	s.file = nil
	return err
}

// WriteTensorData writes the data of the next tensor; see
// [Writer.WriteTensorData].
func (s *SplitWriter) WriteTensorData(name string, data []byte) error {
	if s.closed {
		return errors.New("gguf: WriteTensorData after Close")
	}
	if s.parts == nil {
		s.plan()
		if len(s.parts) > 99999 {
			return fmt.Errorf("gguf: %d parts, more than 99999", len(s.parts))
		}
	}
	if s.next >= len(s.tensors) {
		return fmt.Errorf("gguf: WriteTensorData %q: all declared tensors have been written", name)
	}
	part := s.cur
	for part < 0 || len(s.parts[part]) == 0 || s.parts[part][len(s.parts[part])-1] < s.next {
		part++
	}
	if part != s.cur {
		if err := s.openPart(part); err != nil {
			return err
		}
	}
	if err := s.w.WriteTensorData(name, data); err != nil {
		return err
	}
	s.next++
	return nil
}

// Close finishes the last part and checks that every tensor was written.
// It returns the paths of the parts written.
func (s *SplitWriter) Close() ([]string, error) {
	if s.closed {
		return nil, errors.New("gguf: SplitWriter already closed")
	}
	s.closed = true
	if s.parts == nil {
		s.plan()
	}
	if s.cur < 0 && len(s.tensors) == 0 {
		if err := s.openPart(0); err != nil {
			return nil, err
		}
	}
	if err := s.closePart(); err != nil {
		return nil, err
	}
	if s.next < len(s.tensors) {
		return nil, fmt.Errorf("gguf: Close: the data of %d of %d tensors were not written (next: %q)",
			len(s.tensors)-s.next, len(s.tensors), s.tensors[s.next].Name)
	}
	paths := make([]string, len(s.parts))
	for i := range paths {
		paths[i] = SplitPath(s.prefix, i, len(s.parts))
	}
	return paths, nil
}
