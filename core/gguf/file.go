package gguf

import (
	"errors"
	"fmt"
	"slices"

	"github.com/deepgo/deepgo/core/mmap"
)

// A File is an opened GGUF model: one file, or all the parts of a split
// model presented as one set of tensors. Its methods may be called
// concurrently, except Close.
type File struct {
	parts   []part
	keys    []string
	kv      map[string]Value
	tensors []TensorInfo
	where   []int // part index of each tensor
	index   map[string]int
}

// part is one file of a (possibly split) model.
type part struct {
	h    *header
	m    *mmap.Map // nil for Parse
	data []byte
	copy *mmap.Map // Load: the copy data views (m still holds the header's bytes)
}

// Open memory-maps and validates the GGUF file at path. If the file is one
// part of a split model (it has split.count > 1 and is named
// NAME-0000i-of-0000n.gguf) Open opens and validates every part and
// presents their tensors as one set. Tensor data are views into the
// mappings, valid until Close.
func Open(path string) (*File, error) {
	p, err := openPart(path)
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			err = fmt.Errorf("gguf: %w", err)
		}
		return nil, err
	}
	n, no, err := splitInfo(p.h)
	if err != nil {
		p.m.Close()
		return nil, err
	}
	if n <= 1 {
		return newFile([]part{p})
	}
	return openSplit(path, p, n, no)
}

func openPart(path string) (part, error) {
	m, err := mmap.Open(path)
	if err != nil {
		return part{}, err
	}
	h, err := parse(path, m.Data())
	if err != nil {
		m.Close()
		return part{}, err
	}
	return part{h: h, m: m, data: m.Data()}, nil
}

// Parse validates the GGUF file held in data and returns it as a File
// whose tensor data are views into data; name is used in errors and as
// the File of every tensor. Parse does not look for the other parts of a
// split model: its split.* keys are returned as they are. Close is a no-op.
func Parse(name string, data []byte) (*File, error) {
	h, err := parse(name, data)
	if err != nil {
		return nil, err
	}
	return newFile([]part{{h: h, data: data}})
}

// newFile builds a File from its parts; metadata come from the first.
func newFile(parts []part) (*File, error) {
	f := &File{parts: parts, keys: parts[0].h.keys, kv: parts[0].h.kv, index: make(map[string]int)}
	for pi, p := range parts {
		for _, t := range p.h.tensors {
			if j, dup := f.index[t.Name]; dup {
				f.Close()
				return nil, &FormatError{File: t.File, Offset: -1, Tensor: t.Name,
					Err: fmt.Errorf("duplicate tensor name (also in %s)", f.tensors[j].File)}
			}
			f.index[t.Name] = len(f.tensors)
			f.tensors = append(f.tensors, t)
			f.where = append(f.where, pi)
		}
	}
	return f, nil
}

// Close releases the mappings of every part. Tensor data must not be used
// afterwards.
func (f *File) Close() error {
	var errs []error
	for _, p := range f.parts {
		if p.m != nil {
			errs = append(errs, p.m.Close())
		}
		if p.copy != nil {
			errs = append(errs, p.copy.Close())
		}
	}
	return errors.Join(errs...)
}

// Load reads every part into memory of the process's own (mmap.Load): the tensor data
// Tensor returns from then on are views into the copies, not into the mappings. Views
// taken before stay valid until Close. A File from Parse, or one already loaded, is left
// as it is. A part whose length changed since Open is an error, and the File is then as
// before.
func (f *File) Load() error {
	copies := make([]*mmap.Map, len(f.parts))
	for i, p := range f.parts {
		if p.m == nil || p.copy != nil {
			continue
		}
		c, err := mmap.Load(p.m.Path())
		if err == nil && c.Len() != len(p.data) {
			c.Close()
			err = fmt.Errorf("%s: %d bytes now, %d when opened: the file changed", p.m.Path(), c.Len(), len(p.data))
		}
		if err != nil {
			for _, c := range copies {
				if c != nil {
					c.Close()
				}
			}
			return fmt.Errorf("gguf: load: %w", err)
		}
		copies[i] = c
	}
	for i, c := range copies {
		if c != nil {
			f.parts[i].copy, f.parts[i].data = c, c.Data()
		}
	}
	return nil
}

// Version returns the GGUF version of the (first) file: 2 or 3.
func (f *File) Version() uint32 { return f.parts[0].h.version }

// Alignment returns the alignment of tensor data in the (first) file.
func (f *File) Alignment() int64 { return f.parts[0].h.alignment }

// DataOffset returns the absolute offset of the tensor data section of the
// (first) file.
func (f *File) DataOffset() int64 { return f.parts[0].h.dataOffset }

// Paths returns the path of every part, in order (one for a file that is
// not split).
func (f *File) Paths() []string {
	s := make([]string, len(f.parts))
	for i, p := range f.parts {
		s[i] = p.h.name
	}
	return s
}

// Keys returns the metadata keys in file order (those of the first part
// of a split model).
func (f *File) Keys() []string { return slices.Clone(f.keys) }

// Get returns the metadata value of key.
func (f *File) Get(key string) (Value, bool) {
	v, ok := f.kv[key]
	return v, ok
}

// Tensors returns the tensor infos in file order (part by part). The Ne
// slices must not be modified.
func (f *File) Tensors() []TensorInfo { return slices.Clone(f.tensors) }

// Tensor returns the info and the raw data of the named tensor. The data
// are a read-only view into the file's mapping, valid until Close.
func (f *File) Tensor(name string) (TensorInfo, []byte, bool) {
	i, ok := f.index[name]
	if !ok {
		return TensorInfo{}, nil, false
	}
	t := f.tensors[i]
	d := f.parts[f.where[i]].data
	return t, d[t.Offset : t.Offset+t.Size : t.Offset+t.Size], true
}

func (f *File) get(key string) (Value, error) {
	v, ok := f.kv[key]
	if !ok {
		return Value{}, fmt.Errorf("gguf: %s: key %q: %w", f.parts[0].h.name, key, ErrKeyNotFound)
	}
	return v, nil
}

func (f *File) typeErr(key string, v Value, want string) error {
	k := v.kind.String()
	if v.kind == Array {
		k = "array of " + v.elem.String()
	}
	return &FormatError{File: f.parts[0].h.name, Offset: -1, Key: key, Err: fmt.Errorf("has type %s (%s), want %s", k, v, want)}
}

// GetUint returns the value of key, an integer of any kind that is not
// negative.
func (f *File) GetUint(key string) (uint64, error) {
	v, err := f.get(key)
	if err != nil {
		return 0, err
	}
	if x, ok := v.Uint(); ok {
		return x, nil
	}
	return 0, f.typeErr(key, v, "a non-negative integer")
}

// GetInt returns the value of key, an integer of any kind that fits in an
// int64.
func (f *File) GetInt(key string) (int64, error) {
	v, err := f.get(key)
	if err != nil {
		return 0, err
	}
	if x, ok := v.Int(); ok {
		return x, nil
	}
	return 0, f.typeErr(key, v, "an integer")
}

// GetFloat returns the value of key, a float32 or float64.
func (f *File) GetFloat(key string) (float64, error) {
	v, err := f.get(key)
	if err != nil {
		return 0, err
	}
	if x, ok := v.Float(); ok {
		return x, nil
	}
	return 0, f.typeErr(key, v, "a float")
}

// GetBool returns the value of key, a bool.
func (f *File) GetBool(key string) (bool, error) {
	v, err := f.get(key)
	if err != nil {
		return false, err
	}
	if x, ok := v.Bool(); ok {
		return x, nil
	}
	return false, f.typeErr(key, v, "a bool")
}

// GetString returns the value of key, a string.
func (f *File) GetString(key string) (string, error) {
	v, err := f.get(key)
	if err != nil {
		return "", err
	}
	if x, ok := v.Str(); ok {
		return x, nil
	}
	return "", f.typeErr(key, v, "a string")
}

// GetStrings returns the value of key, an array of strings. The slice must
// not be modified.
func (f *File) GetStrings(key string) ([]string, error) {
	v, err := f.get(key)
	if err != nil {
		return nil, err
	}
	if x, ok := v.Strings(); ok {
		return x, nil
	}
	return nil, f.typeErr(key, v, "an array of strings")
}

// GetInts returns the value of key, an array of integers of any kind,
// converted to int64.
func (f *File) GetInts(key string) ([]int64, error) {
	v, err := f.get(key)
	if err != nil {
		return nil, err
	}
	if x, ok := v.Ints(); ok {
		return x, nil
	}
	return nil, f.typeErr(key, v, "an array of integers")
}

// GetFloats returns the value of key, an array of float32 or float64,
// converted to float64.
func (f *File) GetFloats(key string) ([]float64, error) {
	v, err := f.get(key)
	if err != nil {
		return nil, err
	}
	if x, ok := v.Floats(); ok {
		return x, nil
	}
	return nil, f.typeErr(key, v, "an array of floats")
}

// AdviseTensor gives the operating system advice a about the data of the
// named tensor (see [mmap.Map.Advise]); it is a no-op for a File from
// Parse and for a loaded part (File.Load).
func (f *File) AdviseTensor(name string, a mmap.Advice) error {
	i, ok := f.index[name]
	if !ok {
		return fmt.Errorf("gguf: AdviseTensor: no tensor %q", name)
	}
	m := f.parts[f.where[i]].m
	if m == nil || f.parts[f.where[i]].copy != nil {
		return nil
	}
	return m.Advise(f.tensors[i].Offset, f.tensors[i].Size, a)
}
