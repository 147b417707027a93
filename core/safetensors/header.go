package safetensors

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Limits enforced by [ParseHeader] and [WriteFile].
const (
	// MaxHeaderSize is the largest JSON header accepted, in bytes.
	MaxHeaderSize = 100 << 20
	// MaxDims is the largest number of dimensions a tensor may have.
	MaxDims = 8
)

// metadataKey is the header key of the free-form string metadata.
const metadataKey = "__metadata__"

// TensorInfo describes one tensor of a safetensors header.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int // row-major; empty for a scalar
	// Begin and End are the tensor's [Begin, End) byte offsets within the
	// data section.
	Begin, End int64
}

// NumElements returns the number of elements of the tensor: the product of
// its shape, 1 for a scalar.
func (t TensorInfo) NumElements() int64 { return numElements(t.Shape) }

// Header is a parsed and validated safetensors header.
type Header struct {
	// Tensors are sorted by Begin, then End, then Name.
	Tensors []TensorInfo
	// Metadata is the "__metadata__" map; it is empty, never nil, when the
	// header has none.
	Metadata map[string]string
}

// ParseHeader parses the JSON header of a safetensors file whose data
// section is dataLen bytes long, and validates it: the header is at most
// [MaxHeaderSize] bytes of UTF-8 holding one JSON object; every tensor has a
// known dtype, a shape of at most [MaxDims] non-negative dimensions, and
// exactly two data_offsets 0 <= begin <= end <= dataLen spanning exactly
// the tensor's size; names are non-empty and unique, and no two tensors
// overlap. Unknown fields in a tensor's entry are ignored. "__metadata__",
// if present, must map strings to strings.
//
// Errors are *[FormatError] and name the offending tensor.
func ParseHeader(header []byte, dataLen int64) (*Header, error) {
	return parseHeader("", header, dataLen)
}

// parseHeader is [ParseHeader]; file names the file in errors.
func parseHeader(file string, header []byte, dataLen int64) (*Header, error) {
	fail := func(tensor string, err error) error {
		return &FormatError{File: file, Tensor: tensor, Err: err}
	}
	if len(header) > MaxHeaderSize {
		return nil, fail("", fmt.Errorf("header is %d bytes, more than the limit of %d", len(header), MaxHeaderSize))
	}
	if dataLen < 0 {
		return nil, fail("", fmt.Errorf("negative data section length %d", dataLen))
	}
	h := new(Header)
	members, err := objectMembers(header)
	if err == nil {
		err = h.add(members, dataLen)
	}
	if err != nil {
		var m *errMember
		switch {
		case !errors.As(err, &m):
			return nil, fail("", err)
		case m.key == metadataKey:
			return nil, fail("", fmt.Errorf("%s: %w", metadataKey, m.err))
		default:
			return nil, fail(m.key, m.err)
		}
	}

	slices.SortFunc(h.Tensors, func(a, b TensorInfo) int {
		if c := cmp.Compare(a.Begin, b.Begin); c != 0 {
			return c
		}
		if c := cmp.Compare(a.End, b.End); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	// Sorted by Begin, non-empty tensors are disjoint if and only if each
	// begins at or after the end of the previous non-empty one.
	var last *TensorInfo
	for i := range h.Tensors {
		t := &h.Tensors[i]
		if t.Begin == t.End {
			continue
		}
		if last != nil && t.Begin < last.End {
			return nil, fail(t.Name, fmt.Errorf("data_offsets [%d, %d] overlap tensor %q [%d, %d]",
				t.Begin, t.End, last.Name, last.Begin, last.End))
		}
		last = t
	}
	return h, nil
}

// add decodes members of the header object into h. Errors are *errMember.
func (h *Header) add(members []member, dataLen int64) error {
	h.Metadata = make(map[string]string)
	h.Tensors = make([]TensorInfo, 0, len(members))
	seen := make(map[string]struct{}, len(members))
	for _, m := range members {
		if _, dup := seen[m.key]; dup {
			return &errMember{m.key, errors.New("duplicate name")}
		}
		seen[m.key] = struct{}{}
		if m.key == metadataKey {
			if err := decodeMetadata(m.value, h.Metadata); err != nil {
				return &errMember{m.key, err}
			}
			continue
		}
		t, err := parseTensorInfo(m.key, m.value, dataLen)
		if err != nil {
			return &errMember{m.key, err}
		}
		h.Tensors = append(h.Tensors, t)
	}
	return nil
}

// decodeMetadata decodes the valid JSON value of "__metadata__" into m.
func decodeMetadata(value []byte, m map[string]string) error {
	if isNull(value) {
		return nil
	}
	members, err := splitObject(value)
	if err != nil {
		return err
	}
	for _, kv := range members {
		if _, dup := m[kv.key]; dup {
			return fmt.Errorf("key %q: duplicate name", kv.key)
		}
		s, ok := stringValue(kv.value)
		if !ok {
			return fmt.Errorf("key %q: value is not a string", kv.key)
		}
		m[kv.key] = s
	}
	return nil
}

// parseTensorInfo decodes and validates the header entry of tensor name.
func parseTensorInfo(name string, value []byte, dataLen int64) (TensorInfo, error) {
	t := TensorInfo{Name: name}
	if name == "" {
		return t, errors.New("empty tensor name")
	}
	if isNull(value) {
		return t, errors.New("entry is null, want an object")
	}
	fields, err := splitObject(value)
	if err != nil {
		return t, errors.New("entry is not a JSON object")
	}
	var raw [3][]byte // dtype, shape, data_offsets; unknown fields are ignored
	for _, f := range fields {
		var i int
		switch f.key {
		case "dtype":
			i = 0
		case "shape":
			i = 1
		case "data_offsets":
			i = 2
		default:
			continue
		}
		if raw[i] != nil {
			return t, fmt.Errorf("duplicate field %q", f.key)
		}
		raw[i] = f.value
	}
	for i, key := range []string{"dtype", "shape", "data_offsets"} {
		if raw[i] == nil || isNull(raw[i]) {
			return t, fmt.Errorf("missing %s", key)
		}
	}
	dtype, ok := stringValue(raw[0])
	if !ok {
		return t, errors.New("invalid dtype: not a string")
	}
	shape, err := intArray(raw[1])
	if err != nil {
		return t, fmt.Errorf("invalid shape: %w", err)
	}
	offsets, err := intArray(raw[2])
	if err != nil {
		return t, fmt.Errorf("invalid data_offsets: %w", err)
	}

	t.DType = DType(dtype)
	size, err := byteSize(t.DType, shape)
	if err != nil {
		return t, err
	}
	t.Shape = make([]int, len(shape))
	for i, d := range shape {
		t.Shape[i] = int(d)
		if int64(t.Shape[i]) != d {
			return t, fmt.Errorf("shape %v: dimension %d does not fit in an int", shape, d)
		}
	}

	if len(offsets) != 2 {
		return t, fmt.Errorf("data_offsets has %d entries, want 2", len(offsets))
	}
	t.Begin, t.End = offsets[0], offsets[1]
	switch {
	case t.Begin < 0 || t.End < 0:
		return t, fmt.Errorf("negative data_offsets [%d, %d]", t.Begin, t.End)
	case t.End < t.Begin:
		return t, fmt.Errorf("data_offsets [%d, %d] end before they begin", t.Begin, t.End)
	case t.End > dataLen:
		return t, fmt.Errorf("data_offsets [%d, %d] past end of data section (%d bytes)", t.Begin, t.End, dataLen)
	case t.End-t.Begin != size:
		return t, fmt.Errorf("%s shape %v needs %d bytes but data_offsets [%d, %d] span %d",
			t.DType, shape, size, t.Begin, t.End, t.End-t.Begin)
	}
	return t, nil
}
