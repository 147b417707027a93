package gguf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/mmap"
)

// enc builds raw GGUF bytes.
type enc []byte

func (e enc) u8(x uint8) enc   { return append(e, x) }
func (e enc) u32(x uint32) enc { return binary.LittleEndian.AppendUint32(e, x) }
func (e enc) u64(x uint64) enc { return binary.LittleEndian.AppendUint64(e, x) }
func (e enc) str(s string) enc { return append(e.u64(uint64(len(s))), s...) }

// kv encodes a key, a value type and the raw value bytes.
func kv(key string, kind Kind, val enc) enc {
	return append(enc(nil).str(key).u32(uint32(kind)), val...)
}

type rawTensor struct {
	name string
	nd   int // n_dims written; len(ne) if 0
	ne   []uint64
	typ  uint32
	off  uint64
}

// spec describes a raw file; the zero fields of base() make a valid one.
type spec struct {
	magic       string
	version     uint32
	nTensors    uint64 // written counts; set from kvs/tensors by build if 0
	nKV         uint64
	kvs         []enc
	tensors     []rawTensor
	align       int
	data        int // bytes of tensor data after the padding
	overrideCnt bool
}

func base() spec {
	return spec{
		magic:   "GGUF",
		version: 3,
		kvs:     []enc{kv("general.architecture", String, enc(nil).str("test")), kv("k.u32", Uint32, enc(nil).u32(7))},
		tensors: []rawTensor{
			{name: "a", ne: []uint64{8}, typ: uint32(F32), off: 0},
			{name: "b", ne: []uint64{32, 2}, typ: uint32(Q8_0), off: 32},
		},
		align: 32,
		data:  32 + 68,
	}
}

func (s spec) build() []byte {
	e := enc(s.magic).u32(s.version)
	nt, nk := uint64(len(s.tensors)), uint64(len(s.kvs))
	if s.overrideCnt {
		nt, nk = s.nTensors, s.nKV
	}
	e = e.u64(nt).u64(nk)
	for _, k := range s.kvs {
		e = append(e, k...)
	}
	for _, t := range s.tensors {
		nd := t.nd
		switch {
		case nd < 0:
			nd = 0
		case nd == 0:
			nd = len(t.ne)
		}
		e = e.str(t.name).u32(uint32(nd))
		for _, n := range t.ne {
			e = e.u64(n)
		}
		e = e.u32(t.typ).u64(t.off)
	}
	for len(e)%s.align != 0 {
		e = e.u8(0)
	}
	return append(e, make([]byte, s.data)...)
}

func TestMalformed(t *testing.T) {
	if _, err := Parse("base", base().build()); err != nil {
		t.Fatalf("base file: %v", err)
	}
	withTensor := func(i int, f func(*rawTensor)) func(*spec) {
		return func(s *spec) { f(&s.tensors[i]) }
	}
	withKV := func(k enc) func(*spec) {
		return func(s *spec) { s.kvs = append(s.kvs, k) }
	}
	cases := []struct {
		name string
		mod  func(*spec)
		want string
	}{
		{"bad magic", func(s *spec) { s.magic = "GGUG" }, "bad magic"},
		{"ggml magic", func(s *spec) { s.magic = "lmgg" }, "not a GGUF file"},
		{"version 1", func(s *spec) { s.version = 1 }, "unsupported version 1"},
		{"version 99", func(s *spec) { s.version = 99 }, "unsupported version 99"},
		{"big endian", func(s *spec) { s.version = 3 << 24 }, "big-endian"},
		{"huge tensor count", func(s *spec) { s.overrideCnt, s.nTensors, s.nKV = true, 1<<63, 2 }, "tensor count 9223372036854775808 exceeds"},
		{"huge kv count", func(s *spec) { s.overrideCnt, s.nTensors, s.nKV = true, 2, 1<<63 }, "key-value count 9223372036854775808 exceeds"},
		{"max kv count", func(s *spec) { s.overrideCnt, s.nTensors, s.nKV = true, 2, math.MaxUint64 }, "key-value count 18446744073709551615 exceeds"},
		{"kv count too big", func(s *spec) { s.overrideCnt, s.nTensors, s.nKV = true, 2, 3 }, "gguf: bad.gguf"},
		{"huge key length", func(s *spec) { s.kvs[0] = enc(nil).u64(1 << 63) }, "key length 9223372036854775808 exceeds"},
		{"huge string length", func(s *spec) { s.kvs[0] = kv("s", String, enc(nil).u64(1<<62)) }, "string value length 4611686018427387904 exceeds"},
		{"huge array length", withKV(kv("arr", Array, enc(nil).u32(uint32(Uint32)).u64(1<<61))), "array length 2305843009213693952 exceeds"},
		{"huge string array", withKV(kv("arr", Array, enc(nil).u32(uint32(String)).u64(1<<40))), "array length 1099511627776 exceeds"},
		{"huge nested array", withKV(kv("arr", Array, enc(nil).u32(uint32(Array)).u64(1<<40))), "array length 1099511627776 exceeds"},
		{"huge array string", withKV(kv("arr", Array, enc(nil).u32(uint32(String)).u64(1).u64(1<<50))), "string array element length 1125899906842624 exceeds"},
		{"unknown value type", withKV(kv("x", Kind(13), nil)), "unknown value type 13"},
		{"unknown array type", withKV(kv("x", Array, enc(nil).u32(99).u64(0))), "unknown array element type 99"},
		{"bool 2", withKV(kv("x", Bool, enc(nil).u8(2))), "invalid bool value 2"},
		{"bool array 3", withKV(kv("x", Array, enc(nil).u32(uint32(Bool)).u64(2).u8(1).u8(3))), "invalid bool value 3 in array"},
		{"deep nesting", func(s *spec) {
			v := enc(nil)
			for range 20 {
				v = v.u32(uint32(Array)).u64(1)
			}
			v = v.u32(uint32(Uint8)).u64(0)
			s.kvs = append(s.kvs, kv("deep", Array, v))
		}, "nested deeper than 16"},
		{"duplicate key", withKV(kv("k.u32", Uint32, enc(nil).u32(8))), `key "k.u32" (offset`},
		{"empty key", withKV(kv("", Uint32, enc(nil).u32(8))), "empty key"},
		{"alignment 0", withKV(kv(KeyAlignment, Uint32, enc(nil).u32(0))), "alignment 0 is not a power of two"},
		{"alignment 3", withKV(kv(KeyAlignment, Uint32, enc(nil).u32(3))), "alignment 3 is not a power of two"},
		{"alignment uint64", withKV(kv(KeyAlignment, Uint64, enc(nil).u64(32))), "alignment has type uint64, want uint32"},
		{"n_dims 0", withTensor(0, func(t *rawTensor) { t.nd, t.ne = -1, nil }), "n_dims 0 out of range"},
		{"n_dims 5", withTensor(0, func(t *rawTensor) { t.ne = []uint64{8, 1, 1, 1, 1} }), "n_dims 5 out of range"},
		{"ne overflow", withTensor(0, func(t *rawTensor) { t.ne = []uint64{1 << 32, 1 << 32} }), "element count of shape [4294967296 4294967296] overflows"},
		{"size overflow", withTensor(0, func(t *rawTensor) { t.ne = []uint64{1 << 62, 1} }), "overflows int64"},
		{"negative ne", withTensor(0, func(t *rawTensor) { t.ne = []uint64{8, math.MaxUint64} }), "dimension 1 is negative"},
		{"ne0 not a block multiple", withTensor(1, func(t *rawTensor) { t.ne = []uint64{48, 1} }), "not a multiple of the Q8_0 block size 32"},
		{"unknown type id", withTensor(1, func(t *rawTensor) { t.typ = 4 }), `tensor "b" (offset`},
		{"unknown type id 99", withTensor(1, func(t *rawTensor) { t.typ = 99 }), "unknown ggml type id 99"},
		{"offset past the end", withTensor(1, func(t *rawTensor) { t.off = 1 << 20 }), "runs past the end of the file"},
		{"offset 2^64-32", withTensor(1, func(t *rawTensor) { t.off = math.MaxUint64 - 31 }), "past the end"},
		{"data past the end", func(s *spec) { s.data -= 1 }, `tensor "b": data [32, 100) of the data section runs past the end`},
		{"misaligned offset", withTensor(1, func(t *rawTensor) { t.off = 16 }), "not a multiple of the alignment 32"},
		{"overlapping tensors", withTensor(1, func(t *rawTensor) { t.off = 0 }), `overlaps tensor "a"`},
		{"overlapping tensors 2", func(s *spec) {
			s.tensors = append(s.tensors, rawTensor{name: "c", ne: []uint64{9}, typ: uint32(F32), off: 64})
		}, `tensor "c": data [`},
		{"duplicate tensor names", withTensor(1, func(t *rawTensor) { t.name = "a" }), `tensor "a" (offset`},
		{"empty tensor name", withTensor(1, func(t *rawTensor) { t.name = "" }), "empty name"},
		{"long tensor name", withTensor(1, func(t *rawTensor) { t.name = strings.Repeat("x", 64) }), "longer than 63"},
		{"no data section", func(s *spec) { s.data = 0; s.align = 1 }, "past the end"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := base()
			c.mod(&s)
			_, err := Parse("bad.gguf", s.build())
			if err == nil {
				t.Fatalf("parsed; want an error containing %q", c.want)
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.File != "bad.gguf" {
				t.Errorf("error %v is not a *FormatError naming the file", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestDuplicateTensorMessage(t *testing.T) {
	s := base()
	s.tensors[1].name = "a"
	_, err := Parse("x", s.build())
	if err == nil || !strings.Contains(err.Error(), "duplicate tensor name") {
		t.Errorf("got %v", err)
	}
	s = base()
	s.tensors[1].typ = 4
	_, err = Parse("x", s.build())
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Tensor != "b" || !strings.Contains(err.Error(), "unknown ggml type id 4") {
		t.Errorf("got %v", err)
	}
	s = base()
	s.kvs = append(s.kvs, kv("k.u32", Uint32, enc(nil).u32(8)))
	_, err = Parse("x", s.build())
	if !errors.As(err, &fe) || fe.Key != "k.u32" || !strings.Contains(err.Error(), "duplicate key") {
		t.Errorf("got %v", err)
	}
}

// TestTruncated parses every prefix of a valid file that lacks some of its
// tensor data.
func TestTruncated(t *testing.T) {
	b := buildFile(t, 0)
	f, err := Parse("full", b)
	if err != nil {
		t.Fatal(err)
	}
	var end int64
	for _, ti := range f.Tensors() {
		end = max(end, ti.Offset+ti.Size)
	}
	for n := range int(end) {
		_, err := Parse("trunc", b[:n])
		if err == nil {
			t.Fatalf("prefix of %d bytes parsed", n)
		}
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("prefix of %d bytes: %v is not a *FormatError", n, err)
		}
		if n < int(f.DataOffset())-32 && !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "exceed") {
			t.Errorf("prefix of %d bytes: %v", n, err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing.gguf")); err == nil {
		t.Error("opened a missing file")
	}
	p := filepath.Join(dir, "v1.gguf")
	s := base()
	s.version = 1
	if err := os.WriteFile(p, s.build(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(p)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.File != p || !strings.Contains(err.Error(), "unsupported version 1") {
		t.Errorf("got %v", err)
	}
	p = filepath.Join(dir, "empty.gguf")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("empty file: %v", err)
	}
	if _, err := Open(dir); err == nil || !errors.Is(err, mmap.ErrNotRegular) || !strings.Contains(err.Error(), dir+" is a directory, not a regular file") {
		t.Errorf("directory: %v", err)
	}
}

func TestTypes(t *testing.T) {
	cases := []struct {
		t          Type
		name       string
		bs, bb     int
		ne0, bytes int64
	}{
		{F32, "F32", 1, 4, 3, 12}, {F16, "F16", 1, 2, 3, 6}, {Q4_0, "Q4_0", 32, 18, 64, 36},
		{Q4_1, "Q4_1", 32, 20, 32, 20}, {Q5_0, "Q5_0", 32, 22, 32, 22}, {Q5_1, "Q5_1", 32, 24, 32, 24},
		{Q8_0, "Q8_0", 32, 34, 32, 34}, {Q8_1, "Q8_1", 32, 36, 32, 36}, {Q2_K, "Q2_K", 256, 84, 256, 84},
		{Q3_K, "Q3_K", 256, 110, 512, 220}, {Q4_K, "Q4_K", 256, 144, 256, 144}, {Q5_K, "Q5_K", 256, 176, 256, 176},
		{Q6_K, "Q6_K", 256, 210, 256, 210}, {Q8_K, "Q8_K", 256, 292, 256, 292}, {IQ2_XXS, "IQ2_XXS", 256, 66, 256, 66},
		{IQ4_NL, "IQ4_NL", 32, 18, 32, 18}, {I8, "I8", 1, 1, 5, 5}, {I16, "I16", 1, 2, 5, 10}, {I32, "I32", 1, 4, 1, 4},
		{I64, "I64", 1, 8, 1, 8}, {F64, "F64", 1, 8, 1, 8}, {IQ1_M, "IQ1_M", 256, 56, 256, 56}, {BF16, "BF16", 1, 2, 7, 14},
		{TQ1_0, "TQ1_0", 256, 54, 256, 54}, {TQ2_0, "TQ2_0", 256, 66, 256, 66}, {MXFP4, "MXFP4", 32, 17, 64, 34},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := c.t.RowBytes(c.ne0)
			if c.t.String() != c.name || c.t.BlockSize() != c.bs || c.t.BlockBytes() != c.bb || n != c.bytes || err != nil {
				t.Errorf("%v: %s %d %d %d %v", c.name, c.t, c.t.BlockSize(), c.t.BlockBytes(), n, err)
			}
		})
	}
	for _, id := range []Type{4, 5, 31, 32, 33, 36, 37, 38, 43, 1 << 31} {
		t.Run(fmt.Sprintf("unknown %d", uint32(id)), func(t *testing.T) {
			if id.Known() || id.BlockSize() != 0 {
				t.Errorf("type %d is known", id)
			}
			if _, err := id.RowBytes(32); err == nil {
				t.Errorf("RowBytes of type %d succeeded", id)
			}
		})
	}
	if Type(4).String() != "Type(4)" {
		t.Error(Type(4).String())
	}
	if _, err := Q4_K.RowBytes(128); err == nil {
		t.Error("Q4_K row of 128")
	}
}

func TestValue(t *testing.T) {
	v := mustValue([]int32{-1, 2})
	if _, ok := v.Ints(); !ok {
		t.Error("Ints")
	}
	if u, ok := v.Index(1).Uint(); !ok || u != 2 {
		t.Error("Uint")
	}
	if _, ok := v.Index(0).Uint(); ok {
		t.Error("Uint of -1")
	}
	if _, ok := mustValue(uint64(math.MaxUint64)).Int(); ok {
		t.Error("Int of MaxUint64")
	}
	if f, ok := mustValue([]float32{0.5}).Floats(); !ok || f[0] != 0.5 {
		t.Error("Floats")
	}
	if s := mustValue([]string{"a", "b"}).String(); s != `["a" "b"]` {
		t.Error(s)
	}
	if s := mustValue("q").String(); s != `"q"` {
		t.Error(s)
	}
	if _, err := ValueOf(Value{}); err == nil {
		t.Error("ValueOf(Value{})")
	}
	if !bytes.Equal(mustValue([]uint8{1}).Interface().([]uint8), []byte{1}) {
		t.Error("Interface")
	}
}

func TestVersion2(t *testing.T) {
	s := base()
	s.version = 2
	f, err := Parse("v2", s.build())
	if err != nil {
		t.Fatal(err)
	}
	if f.Version() != 2 || len(f.Tensors()) != 2 || f.DataOffset()%32 != 0 {
		t.Errorf("version %d, %d tensors", f.Version(), len(f.Tensors()))
	}
	if n, err := f.GetUint("k.u32"); err != nil || n != 7 {
		t.Error(n, err)
	}
	if f.Close() != nil {
		t.Error("Close")
	}
}

func TestCountsTogether(t *testing.T) {
	s := base()
	left := uint64(len(s.build()) - 24)
	s.overrideCnt = true
	s.nTensors = left / minTensorBytes
	s.nKV = (left-s.nTensors*minTensorBytes)/minKVBytes + 1
	_, err := Parse("x", s.build())
	if err == nil || !strings.Contains(err.Error(), "the counts exceed") {
		t.Errorf("got %v", err)
	}
}

// TestHeaderLimit: counts and lengths that would take the header past MaxHeaderSize are
// refused before anything is allocated, even where the file is large enough to hold them
// (here sparse files of 300 MB, mapped but never read past their first bytes).
func TestHeaderLimit(t *testing.T) {
	head := func(nKV uint64) enc { return enc("GGUF").u32(3).u64(0).u64(nKV) }
	cases := []struct {
		name   string
		header enc
		want   string
	}{
		{"key count", head(1 << 24), "metadata key-value count 16777216 exceeds what the 134217704 bytes left before the header limit of 134217728 bytes can hold"},
		{"string length", append(head(1), kv("big", String, enc(nil).u64(200<<20))...),
			`key "big" (offset 39): string value length 209715200 exceeds the 134217681 bytes left before the header limit of 134217728 bytes`},
		{"array length", append(head(1), kv("arr", Array, enc(nil).u32(uint32(String)).u64(1<<25))...),
			`key "arr" (offset 43): array length 33554432 exceeds what the 134217677 bytes left before the header limit`},
		{"uint8 array", append(head(1), kv("arr", Array, enc(nil).u32(uint32(Uint8)).u64(200<<20))...),
			"array length 209715200 exceeds what the 134217677 bytes left before the header limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "big.gguf")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write(c.header); err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(300 << 20); err != nil { // sparse: takes no room
				t.Fatal(err)
			}
			f.Close()
			_, err = Open(p)
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want a *FormatError containing %q", err, c.want)
			}
		})
	}
}
