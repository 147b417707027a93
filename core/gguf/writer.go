package gguf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// A Writer writes a GGUF version 3 file in llama.cpp's layout: header,
// metadata, tensor infos, padding to the alignment, then each tensor's data
// padded to the alignment.
//
// Declare everything first with AddKV and AddTensor; then write the data
// of every tensor, in the order the tensors were declared, with
// WriteTensorData, so that only one tensor needs to be in memory at a time.
// The header is written by the first WriteTensorData (or by WriteHeader or
// Close). Close checks that every tensor was written. The Writer needs no
// seeking and does not close the underlying writer.
type Writer struct {
	w         io.Writer
	alignment int64
	keys      []string
	kv        map[string]Value
	tensors   []TensorInfo
	index     map[string]int
	header    bool  // the header has been written
	next      int   // the tensor whose data come next
	partial   int64 // bytes of that tensor already written by WriteTensorChunk
	off       int64 // bytes written
	err       error // sticky write error
	closed    bool
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, alignment: DefaultAlignment, kv: make(map[string]Value), index: make(map[string]int)}
}

// AddKV adds a metadata key-value pair. x is a [Value] or any Go value
// [ValueOf] accepts; mind the Go type, which decides the GGUF type (a
// uint32 is written as uint32). general.alignment must be a uint32 power
// of two and sets the alignment. Keys are written in the order they are
// added; a key may not be added twice.
func (w *Writer) AddKV(key string, x any) error {
	if w.header {
		return errors.New("gguf: AddKV after the header was written")
	}
	if key == "" {
		return errors.New("gguf: AddKV: empty key")
	}
	if _, dup := w.kv[key]; dup {
		return fmt.Errorf("gguf: AddKV: duplicate key %q", key)
	}
	v, err := ValueOf(x)
	if err != nil {
		return fmt.Errorf("gguf: AddKV %q: %w", key, err)
	}
	if err := checkDepth(v, 0); err != nil {
		return fmt.Errorf("gguf: AddKV %q: %w", key, err)
	}
	if key == KeyAlignment {
		a, ok := v.x.(uint32)
		if !ok || a == 0 || a&(a-1) != 0 {
			return fmt.Errorf("gguf: AddKV %q: alignment must be a uint32 power of two, not %s %s", key, v.kind, v)
		}
		w.alignment = int64(a)
	}
	w.keys = append(w.keys, key)
	w.kv[key] = v
	return nil
}

func checkDepth(v Value, depth int) error {
	if depth > maxArrayDepth {
		return fmt.Errorf("arrays nested deeper than %d", maxArrayDepth)
	}
	if a, ok := v.x.([]Value); ok {
		for _, e := range a {
			if err := checkDepth(e, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// AddTensor declares a tensor of type t and shape ne (ne[0] first). Its
// data must later be written with WriteTensorData.
func (w *Writer) AddTensor(name string, t Type, ne []int64) error {
	if w.header {
		return errors.New("gguf: AddTensor after the header was written")
	}
	if name == "" || len(name) > MaxNameLen {
		return fmt.Errorf("gguf: AddTensor: tensor name %q is empty or longer than %d bytes", name, MaxNameLen)
	}
	if _, dup := w.index[name]; dup {
		return fmt.Errorf("gguf: AddTensor: duplicate tensor name %q", name)
	}
	if len(ne) < 1 || len(ne) > MaxDims {
		return fmt.Errorf("gguf: AddTensor %q: %d dimensions, want 1 to %d", name, len(ne), MaxDims)
	}
	if !t.Known() {
		return fmt.Errorf("gguf: AddTensor %q: unknown ggml type id %d", name, uint32(t))
	}
	size, err := t.TensorBytes(ne)
	if err != nil {
		return fmt.Errorf("gguf: AddTensor %q: %w", name, err)
	}
	w.index[name] = len(w.tensors)
	w.tensors = append(w.tensors, TensorInfo{Name: name, Type: t, Ne: append([]int64(nil), ne...), Size: size})
	return nil
}

func (w *Writer) pad(n int64) int64 { return (n + w.alignment - 1) / w.alignment * w.alignment }

func (w *Writer) write(p []byte) error {
	if w.err != nil {
		return w.err
	}
	n, err := w.w.Write(p)
	w.off += int64(n)
	if err != nil {
		w.err = fmt.Errorf("gguf: write: %w", err)
	}
	return w.err
}

func (w *Writer) writePadding() error {
	n := w.pad(w.off) - w.off
	if n == 0 {
		return w.err
	}
	return w.write(make([]byte, n))
}

// WriteHeader writes everything before the tensor data. It is called by
// the first WriteTensorData or by Close if needed; calling it again does
// nothing.
func (w *Writer) WriteHeader() error {
	if w.header {
		return w.err
	}
	w.header = true
	b := make([]byte, 0, 1<<16)
	le := binary.LittleEndian
	b = append(b, Magic...)
	b = le.AppendUint32(b, 3)
	b = le.AppendUint64(b, uint64(len(w.tensors)))
	b = le.AppendUint64(b, uint64(len(w.keys)))
	for _, k := range w.keys {
		b = appendString(b, k)
		v := w.kv[k]
		b = le.AppendUint32(b, uint32(v.kind))
		b = appendValue(b, v)
	}
	var rel int64
	for i := range w.tensors {
		t := &w.tensors[i]
		b = appendString(b, t.Name)
		b = le.AppendUint32(b, uint32(len(t.Ne)))
		for _, n := range t.Ne {
			b = le.AppendUint64(b, uint64(n))
		}
		b = le.AppendUint32(b, uint32(t.Type))
		b = le.AppendUint64(b, uint64(rel))
		t.Offset = rel // made absolute below
		rel = w.pad(rel + t.Size)
	}
	data := w.pad(int64(len(b)))
	for i := range w.tensors {
		w.tensors[i].Offset += data
	}
	if err := w.write(b); err != nil {
		return err
	}
	return w.writePadding()
}

// WriteTensorData writes the data of the named tensor, which must be the
// next declared tensor whose data are not written yet; len(data) must be
// its size in bytes.
func (w *Writer) WriteTensorData(name string, data []byte) error {
	if w.partial != 0 {
		return fmt.Errorf("gguf: WriteTensorData %q: the previous tensor is only partly written", name)
	}
	if t, ok := w.current(); ok && t.Name == name && int64(len(data)) != t.Size {
		return fmt.Errorf("gguf: WriteTensorData %q: %d bytes, want %d (%s %v)", name, len(data), t.Size, t.Type, t.Ne)
	}
	return w.WriteTensorChunk(name, data)
}

// WriteTensorChunk writes the next bytes of the named tensor's data, which must be the
// next declared tensor whose data are not complete. A tensor is complete when all its
// bytes have been written, in one call or many, so a large tensor can be streamed in parts.
func (w *Writer) WriteTensorChunk(name string, data []byte) error {
	if w.closed {
		return errors.New("gguf: WriteTensorData after Close")
	}
	if err := w.WriteHeader(); err != nil {
		return err
	}
	t, ok := w.current()
	if !ok {
		return fmt.Errorf("gguf: WriteTensorData %q: all declared tensors have been written", name)
	}
	if t.Name != name {
		return fmt.Errorf("gguf: WriteTensorData %q: the next tensor is %q (tensors must be written in the order they were added)", name, t.Name)
	}
	if w.partial+int64(len(data)) > t.Size {
		return fmt.Errorf("gguf: WriteTensorData %q: %d bytes past its %d (%s %v)", name, w.partial+int64(len(data))-t.Size, t.Size, t.Type, t.Ne)
	}
	if w.off != t.Offset+w.partial {
		return fmt.Errorf("gguf: WriteTensorData %q: at offset %d, want %d", name, w.off, t.Offset+w.partial)
	}
	if err := w.write(data); err != nil {
		return err
	}
	w.partial += int64(len(data))
	if w.partial < t.Size {
		return nil
	}
	w.partial = 0
	w.next++
	return w.writePadding()
}

// current is the tensor whose data come next.
func (w *Writer) current() (TensorInfo, bool) {
	if w.next >= len(w.tensors) {
		return TensorInfo{}, false
	}
	return w.tensors[w.next], true
}

// Close writes the header if it was not written, and checks that the data
// of every declared tensor were written. It does not close the underlying
// writer.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	if err := w.WriteHeader(); err != nil {
		return err
	}
	w.closed = true
	if w.next < len(w.tensors) {
		return fmt.Errorf("gguf: Close: the data of %d of %d tensors were not written (next: %q)",
			len(w.tensors)-w.next, len(w.tensors), w.tensors[w.next].Name)
	}
	return w.err
}

func appendString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

// appendValue appends the encoding of v, without its type.
func appendValue(b []byte, v Value) []byte {
	le := binary.LittleEndian
	switch x := v.x.(type) {
	case uint8:
		return append(b, x)
	case int8:
		return append(b, byte(x))
	case bool:
		if x {
			return append(b, 1)
		}
		return append(b, 0)
	case uint16:
		return le.AppendUint16(b, x)
	case int16:
		return le.AppendUint16(b, uint16(x))
	case uint32:
		return le.AppendUint32(b, x)
	case int32:
		return le.AppendUint32(b, uint32(x))
	case float32:
		return le.AppendUint32(b, math.Float32bits(x))
	case uint64:
		return le.AppendUint64(b, x)
	case int64:
		return le.AppendUint64(b, uint64(x))
	case float64:
		return le.AppendUint64(b, math.Float64bits(x))
	case string:
		return appendString(b, x)
	}
	// An array: element type, count, elements.
	b = le.AppendUint32(b, uint32(v.elem))
	n := v.Len()
	b = le.AppendUint64(b, uint64(n))
	switch a := v.x.(type) {
	case []uint8:
		return append(b, a...)
	case []string:
		for _, s := range a {
			b = appendString(b, s)
		}
		return b
	case []Value:
		for _, e := range a {
			b = appendValue(b, e)
		}
		return b
	}
	for i := range n {
		b = appendValue(b, v.Index(i))
	}
	return b
}
