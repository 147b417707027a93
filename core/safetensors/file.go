package safetensors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/deepgo/deepgo/core/mmap"
)

// File is one memory-mapped safetensors file.
//
// Its methods may be called concurrently, except [File.Close], which must
// not run concurrently with any other use of the File or of the data of
// its tensors.
type File struct {
	path   string
	m      *mmap.Map
	data   []byte    // the data section, a view into m, or into copy once loaded
	copy   *mmap.Map // Load: the file read into memory (m still holds the header's bytes)
	header *Header
	index  map[string]int // tensor name -> index in header.Tensors
	closed bool
}

// Open memory-maps the safetensors file at path and validates its header
// (see [ParseHeader]). The file must not be modified while it is open.
func Open(path string) (*File, error) {
	m, err := mmap.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	f, err := newFile(path, m)
	if err != nil {
		m.Close()
		return nil, err
	}
	return f, nil
}

// newFile validates the mapped file m.
func newFile(path string, m *mmap.Map) (*File, error) {
	b := m.Data()
	size := int64(len(b))
	if size < 8 {
		return nil, &FormatError{File: path, Err: fmt.Errorf("truncated file: %d bytes, too short for the 8-byte header length", size)}
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(size-8) {
		return nil, &FormatError{File: path, Err: fmt.Errorf("header length %d past end of file (size %d)", n, size)}
	}
	hdr, err := parseHeader(path, b[8:8+n], size-8-int64(n))
	if err != nil {
		return nil, err
	}
	index := make(map[string]int, len(hdr.Tensors))
	for i, t := range hdr.Tensors {
		index[t.Name] = i
	}
	return &File{path: path, m: m, data: b[8+n:], header: hdr, index: index}, nil
}

// Path returns the path the file was opened with.
func (f *File) Path() string { return f.path }

// Header returns the file's parsed header. It must not be modified.
func (f *File) Header() *Header { return f.header }

// Tensor returns the tensor called name, whose Data is a view into the
// mapping, and whether the file has it. A closed file has no tensors.
func (f *File) Tensor(name string) (Tensor, bool) {
	i, ok := f.index[name]
	if !ok || f.closed {
		return Tensor{}, false
	}
	t := &f.header.Tensors[i]
	return Tensor{
		Name:  t.Name,
		DType: t.DType,
		Shape: slices.Clone(t.Shape),
		Data:  f.data[t.Begin:t.End:t.End],
		File:  f.path,
	}, true
}

// Advise passes advice a about the data of tensor name to the operating
// system (see [mmap.Map.Advise]); it is a no-op for an unknown tensor or a
// closed file.
func (f *File) Advise(name string, a mmap.Advice) error {
	i, ok := f.index[name]
	if !ok || f.closed || f.copy != nil {
		return nil
	}
	t := &f.header.Tensors[i]
	base := int64(len(f.m.Data()) - len(f.data))
	if err := f.m.Advise(base+t.Begin, t.End-t.Begin, a); err != nil {
		return fmt.Errorf("safetensors: tensor %q: %w", name, err)
	}
	return nil
}

// Close unmaps the file. The data of its tensors must not be used
// afterwards. Close is idempotent.
func (f *File) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	f.data = nil
	err := f.m.Close()
	if f.copy != nil {
		err = errors.Join(err, f.copy.Close())
	}
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

// load reads the file into memory of the process's own (mmap.Load); it does not yet
// switch the tensors' data to the copy (use): Checkpoint.Load switches all its files or none.
func (f *File) load() (*mmap.Map, error) {
	c, err := mmap.Load(f.path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	if c.Len() != f.m.Len() {
		c.Close()
		return nil, fmt.Errorf("safetensors: %s: %d bytes now, %d when opened: the file changed", f.path, c.Len(), f.m.Len())
	}
	return c, nil
}

// use makes the tensors' data views into c, the copy load made.
func (f *File) use(c *mmap.Map) {
	f.copy, f.data = c, c.Data()[f.m.Len()-len(f.data):]
}
