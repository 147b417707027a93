package gguf

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"unsafe"
)

// Magic is the first four bytes of a GGUF file.
const Magic = "GGUF"

// DefaultAlignment is the alignment of tensor data when a file has no
// general.alignment key.
const DefaultAlignment = 32

// KeyAlignment is the metadata key overriding the alignment (a uint32,
// a power of two).
const KeyAlignment = "general.alignment"

// MaxDims is the largest number of dimensions of a tensor (GGML_MAX_DIMS).
const MaxDims = 4

// MaxNameLen is the longest tensor name in bytes (GGML_MAX_NAME less the
// terminating NUL).
const MaxNameLen = 63

// MaxHeaderSize bounds a file's header, its metadata and tensor infos, which are decoded
// into memory (unlike the tensor data): a count or a length that would take the header
// past it is refused before anything is allocated. The largest published headers (a
// 262k-token vocabulary with its merges, scores and token types) are about 16 MB.
const MaxHeaderSize = 128 << 20

// maxArrayDepth bounds the nesting of arrays in metadata values.
const maxArrayDepth = 16

// Minimum encoded sizes, used to bound counts by the bytes left before
// anything is allocated.
const (
	minKVBytes     = 8 + 4 + 1         // key length, type, smallest value
	minTensorBytes = 8 + 4 + 8 + 4 + 8 // name length, n_dims, ne0, type, offset
)

// TensorInfo describes one tensor of a GGUF file.
type TensorInfo struct {
	Name string
	Type Type
	// Ne is the shape, ne[0] first: ne[0] is the row length (the
	// contiguous axis). A NumPy or PyTorch shape is the reverse.
	Ne []int64
	// Offset is the absolute byte offset of the data in File, and Size
	// its length in bytes.
	Offset int64
	Size   int64
	// File is the path (or name) of the file holding the data.
	File string
}

// Elements returns the number of elements of the tensor.
func (t TensorInfo) Elements() int64 {
	n := int64(1)
	for _, x := range t.Ne {
		n *= x
	}
	return n
}

// header is the parsed, validated content of one GGUF file.
type header struct {
	name       string
	version    uint32
	alignment  int64
	dataOffset int64
	keys       []string
	kv         map[string]Value
	tensors    []TensorInfo
}

// decoder reads little-endian GGUF primitives from a byte slice.
type decoder struct {
	name string
	b    []byte
	off  int
	err  error
	key  string // key being decoded, for errors
	ten  string // tensor being decoded, for errors
	// capped is set when b is the first MaxHeaderSize bytes of a longer file.
	capped bool
}

// where says where the bytes left are, for errors.
func (d *decoder) where() string {
	if d.capped {
		return fmt.Sprintf("before the header limit of %d bytes", MaxHeaderSize)
	}
	return "in the file"
}

func (d *decoder) fail(off int, format string, args ...any) {
	if d.err == nil {
		d.err = &FormatError{File: d.name, Offset: int64(off), Key: d.key, Tensor: d.ten, Err: fmt.Errorf(format, args...)}
	}
}

func (d *decoder) left() int { return len(d.b) - d.off }

func (d *decoder) bytes(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.left() {
		err := fmt.Errorf("truncated file: %s needs %d bytes, %d left: %w", what, n, d.left(), io.ErrUnexpectedEOF)
		if d.capped {
			err = fmt.Errorf("header longer than the limit of %d bytes: %s needs %d bytes, %d left", MaxHeaderSize, what, n, d.left())
		}
		d.err = &FormatError{File: d.name, Offset: int64(d.off), Key: d.key, Tensor: d.ten, Err: err}
		return nil
	}
	p := d.b[d.off : d.off+n]
	d.off += n
	return p
}

func (d *decoder) u8(what string) uint8 {
	if p := d.bytes(1, what); p != nil {
		return p[0]
	}
	return 0
}

func (d *decoder) u16(what string) uint16 {
	if p := d.bytes(2, what); p != nil {
		return binary.LittleEndian.Uint16(p)
	}
	return 0
}

func (d *decoder) u32(what string) uint32 {
	if p := d.bytes(4, what); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (d *decoder) u64(what string) uint64 {
	if p := d.bytes(8, what); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

// count reads a uint64 element count and checks that count elements of at
// least minSize bytes each fit in the bytes left.
func (d *decoder) count(what string, minSize int) int {
	off := d.off
	n := d.u64(what)
	if d.err != nil {
		return 0
	}
	if n > uint64(d.left()/minSize) {
		d.fail(off, "%s %d exceeds what the %d bytes left %s can hold", what, n, d.left(), d.where())
		return 0
	}
	return int(n)
}

func (d *decoder) str(what string) string {
	off := d.off
	n := d.u64(what + " length")
	if d.err != nil {
		return ""
	}
	if n > uint64(d.left()) {
		d.fail(off, "%s length %d exceeds the %d bytes left %s", what, n, d.left(), d.where())
		return ""
	}
	return string(d.bytes(int(n), what))
}

// strings decodes n strings. Their bytes share one allocation: a vocabulary's arrays hold
// a hundred thousand strings or more, and one allocation instead of one each makes
// opening a file several times faster. The first pass checks the lengths; nothing is
// allocated for a truncated array.
func (d *decoder) strings(n int) []string {
	start, total := d.off, 0
	for range n {
		off := d.off
		l := d.u64("string array element length")
		if d.err == nil && l > uint64(d.left()) {
			d.fail(off, "string array element length %d exceeds the %d bytes left %s", l, d.left(), d.where())
		}
		if d.err != nil {
			return nil
		}
		d.off += int(l)
		total += int(l)
	}
	d.off = start
	buf := make([]byte, 0, total) // never grows: the strings below point into it
	a := make([]string, n)
	for i := range a {
		p := d.bytes(int(d.u64("string array element length")), "string array element")
		if len(p) > 0 {
			at := len(buf)
			buf = append(buf, p...)
			a[i] = unsafe.String(&buf[at], len(p))
		}
	}
	return a
}

func (d *decoder) kind(what string) Kind {
	off := d.off
	k := Kind(d.u32(what))
	if d.err == nil && !k.valid() {
		d.fail(off, "unknown %s %d", what, uint32(k))
	}
	return k
}

// value decodes a value of kind k.
func (d *decoder) value(k Kind, depth int) Value {
	off := d.off
	switch k {
	case Uint8:
		return Value{kind: k, x: d.u8("uint8 value")}
	case Int8:
		return Value{kind: k, x: int8(d.u8("int8 value"))}
	case Uint16:
		return Value{kind: k, x: d.u16("uint16 value")}
	case Int16:
		return Value{kind: k, x: int16(d.u16("int16 value"))}
	case Uint32:
		return Value{kind: k, x: d.u32("uint32 value")}
	case Int32:
		return Value{kind: k, x: int32(d.u32("int32 value"))}
	case Float32:
		return Value{kind: k, x: math.Float32frombits(d.u32("float32 value"))}
	case Bool:
		b := d.u8("bool value")
		if b > 1 {
			d.fail(off, "invalid bool value %d", b)
		}
		return Value{kind: k, x: b == 1}
	case String:
		return Value{kind: k, x: d.str("string value")}
	case Uint64:
		return Value{kind: k, x: d.u64("uint64 value")}
	case Int64:
		return Value{kind: k, x: int64(d.u64("int64 value"))}
	case Float64:
		return Value{kind: k, x: math.Float64frombits(d.u64("float64 value"))}
	case Array:
		if depth >= maxArrayDepth {
			d.fail(off, "arrays nested deeper than %d", maxArrayDepth)
			return Value{}
		}
		return d.array(depth + 1)
	}
	d.fail(off, "unknown value type %d", uint32(k))
	return Value{}
}

func (d *decoder) array(depth int) Value {
	elem := d.kind("array element type")
	if d.err != nil {
		return Value{}
	}
	minSize := elem.size()
	switch elem {
	case String:
		minSize = 8
	case Array:
		minSize = 4 + 8
	}
	n := d.count("array length", minSize)
	if d.err != nil {
		return Value{}
	}
	v := Value{kind: Array, elem: elem}
	if sz := elem.size(); sz != 0 {
		p := d.bytes(n*sz, "array data")
		if d.err != nil {
			return Value{}
		}
		v.x = decodeFixed(elem, p, n)
		if elem == Bool {
			for i, b := range p {
				if b > 1 {
					d.fail(d.off-len(p)+i, "invalid bool value %d in array", b)
					return Value{}
				}
			}
		}
		return v
	}
	if elem == String {
		v.x = d.strings(n)
	} else {
		a := make([]Value, 0, capHint(uint64(n)))
		for range n {
			if a = append(a, d.value(Array, depth)); d.err != nil {
				break
			}
		}
		v.x = a
	}
	if d.err != nil {
		return Value{}
	}
	return v
}

// capHint returns n capped, as an allocation hint for n decoded items.
func capHint(n uint64) int { return int(min(n, 1<<12)) }

// decodeFixed decodes n little-endian elements of fixed-size kind k.
func decodeFixed(k Kind, p []byte, n int) any {
	le := binary.LittleEndian
	switch k {
	case Uint8:
		return slices.Clone(p)
	case Int8:
		a := make([]int8, n)
		for i := range a {
			a[i] = int8(p[i])
		}
		return a
	case Bool:
		a := make([]bool, n)
		for i := range a {
			a[i] = p[i] != 0
		}
		return a
	case Uint16:
		a := make([]uint16, n)
		for i := range a {
			a[i] = le.Uint16(p[2*i:])
		}
		return a
	case Int16:
		a := make([]int16, n)
		for i := range a {
			a[i] = int16(le.Uint16(p[2*i:]))
		}
		return a
	case Uint32:
		a := make([]uint32, n)
		for i := range a {
			a[i] = le.Uint32(p[4*i:])
		}
		return a
	case Int32:
		a := make([]int32, n)
		for i := range a {
			a[i] = int32(le.Uint32(p[4*i:]))
		}
		return a
	case Float32:
		a := make([]float32, n)
		for i := range a {
			a[i] = math.Float32frombits(le.Uint32(p[4*i:]))
		}
		return a
	case Uint64:
		a := make([]uint64, n)
		for i := range a {
			a[i] = le.Uint64(p[8*i:])
		}
		return a
	case Int64:
		a := make([]int64, n)
		for i := range a {
			a[i] = int64(le.Uint64(p[8*i:]))
		}
		return a
	case Float64:
		a := make([]float64, n)
		for i := range a {
			a[i] = math.Float64frombits(le.Uint64(p[8*i:]))
		}
		return a
	}
	panic("unreachable")
}

// parse decodes and validates the GGUF file held in b; name is used in
// errors and as the File of every tensor.
func parse(name string, b []byte) (*header, error) {
	d := &decoder{name: name, b: b[:min(len(b), MaxHeaderSize)], capped: len(b) > MaxHeaderSize}
	magic := d.bytes(4, "magic")
	if d.err != nil {
		return nil, d.err
	}
	if string(magic) != Magic {
		d.fail(0, "bad magic %q, want %q (not a GGUF file)", magic, Magic)
		return nil, d.err
	}
	h := &header{name: name, alignment: DefaultAlignment}
	h.version = d.u32("version")
	if d.err != nil {
		return nil, d.err
	}
	if h.version != 2 && h.version != 3 {
		hint := ""
		if h.version&0xffff == 0 && h.version != 0 {
			hint = " (a big-endian file?)"
		}
		d.fail(4, "unsupported version %d%s: only versions 2 and 3 are supported", h.version, hint)
		return nil, d.err
	}
	nTensorsOff := d.off
	nTensors := d.u64("tensor count")
	nKVOff := d.off
	nKV := d.u64("metadata key-value count")
	if d.err != nil {
		return nil, d.err
	}
	if nKV > uint64(d.left()/minKVBytes) {
		d.fail(nKVOff, "metadata key-value count %d exceeds what the %d bytes left %s can hold", nKV, d.left(), d.where())
		return nil, d.err
	}
	if nTensors > uint64(d.left()/minTensorBytes) {
		d.fail(nTensorsOff, "tensor count %d exceeds what the %d bytes left %s can hold", nTensors, d.left(), d.where())
		return nil, d.err
	}

	if nKV*minKVBytes+nTensors*minTensorBytes > uint64(d.left()) {
		d.fail(nKVOff, "%d key-value pairs and %d tensor infos: the counts exceed what the %d bytes left %s can hold", nKV, nTensors, d.left(), d.where())
		return nil, d.err
	}

	// Preallocations are capped: memory grows only with what is decoded.
	h.keys = make([]string, 0, capHint(nKV))
	h.kv = make(map[string]Value, capHint(nKV))
	for range nKV {
		off := d.off
		key := d.str("key")
		if d.err != nil {
			return nil, d.err
		}
		d.key = key
		if key == "" {
			d.fail(off, "empty key")
			return nil, d.err
		}
		if _, dup := h.kv[key]; dup {
			d.fail(off, "duplicate key")
			return nil, d.err
		}
		k := d.kind("value type")
		v := d.value(k, 0)
		if d.err != nil {
			return nil, d.err
		}
		if key == KeyAlignment {
			a, ok := v.x.(uint32)
			if !ok {
				d.fail(off, "alignment has type %s, want uint32", v.kind)
				return nil, d.err
			}
			if a == 0 || a&(a-1) != 0 {
				d.fail(off, "alignment %d is not a power of two", a)
				return nil, d.err
			}
			h.alignment = int64(a)
		}
		h.keys = append(h.keys, key)
		h.kv[key] = v
		d.key = ""
	}

	h.tensors = make([]TensorInfo, 0, capHint(nTensors))
	rel := make([]uint64, 0, capHint(nTensors))
	names := make(map[string]bool, capHint(nTensors))
	for i := range nTensors {
		off := d.off
		tname := d.str("tensor name")
		if d.err != nil {
			return nil, d.err
		}
		d.ten = tname
		switch {
		case tname == "":
			d.fail(off, "tensor %d has an empty name", i)
		case len(tname) > MaxNameLen:
			d.fail(off, "tensor name is %d bytes long, longer than %d", len(tname), MaxNameLen)
		case names[tname]:
			d.fail(off, "duplicate tensor name")
		}
		names[tname] = true
		ndOff := d.off
		nd := d.u32("n_dims")
		if d.err != nil {
			return nil, d.err
		}
		if nd < 1 || nd > MaxDims {
			d.fail(ndOff, "n_dims %d out of range [1, %d]", nd, MaxDims)
			return nil, d.err
		}
		ne := make([]int64, nd)
		for j := range ne {
			ne[j] = int64(d.u64("dimension"))
		}
		tOff := d.off
		t := Type(d.u32("tensor type"))
		offOff := d.off
		o := d.u64("tensor data offset")
		if d.err != nil {
			return nil, d.err
		}
		if !t.Known() {
			d.fail(tOff, "unknown ggml type id %d", uint32(t))
			return nil, d.err
		}
		size, err := t.TensorBytes(ne)
		if err != nil {
			d.fail(ndOff, "shape %v of type %s: %v", ne, t, err)
			return nil, d.err
		}
		if o%uint64(h.alignment) != 0 {
			d.fail(offOff, "data offset %d is not a multiple of the alignment %d (misaligned)", o, h.alignment)
			return nil, d.err
		}
		if o > math.MaxInt64 {
			d.fail(offOff, "data offset %d past the end of the file", o)
			return nil, d.err
		}
		h.tensors = append(h.tensors, TensorInfo{Name: tname, Type: t, Ne: ne, Size: size, File: name})
		rel = append(rel, o)
		d.ten = ""
	}

	// The data section starts at the next multiple of the alignment.
	end := int64(d.off)
	h.dataOffset = (end + h.alignment - 1) / h.alignment * h.alignment
	if len(h.tensors) > 0 && h.dataOffset > int64(len(b)) {
		d.fail(d.off, "truncated file: the tensor data section starts at %d, past the end (%d bytes): %w", h.dataOffset, len(b), io.ErrUnexpectedEOF)
		return nil, d.err
	}
	avail := uint64(int64(len(b)) - min(h.dataOffset, int64(len(b))))
	for i := range h.tensors {
		t := &h.tensors[i]
		if rel[i] > avail || uint64(t.Size) > avail-rel[i] {
			return nil, &FormatError{File: name, Offset: -1, Tensor: t.Name,
				Err: fmt.Errorf("data [%d, %d) of the data section runs past the end of the file (%d bytes of data)",
					rel[i], rel[i]+uint64(t.Size), avail)}
		}
		t.Offset = h.dataOffset + int64(rel[i])
	}
	if err := checkOverlap(name, h.tensors); err != nil {
		return nil, err
	}
	return h, nil
}

// checkOverlap reports two tensors whose data overlap.
func checkOverlap(name string, ts []TensorInfo) error {
	idx := make([]int, 0, len(ts))
	for i := range ts {
		if ts[i].Size > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(ts[a].Offset, ts[b].Offset) })
	for k := 1; k < len(idx); k++ {
		p, q := &ts[idx[k-1]], &ts[idx[k]]
		if q.Offset < p.Offset+p.Size {
			return &FormatError{File: name, Offset: -1, Tensor: q.Name,
				Err: fmt.Errorf("data [%d, %d) overlaps tensor %q [%d, %d)", q.Offset, q.Offset+q.Size, p.Name, p.Offset, p.Offset+p.Size)}
		}
	}
	return nil
}
