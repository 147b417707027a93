package gguf

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

// allKinds is metadata holding every value kind, arrays of every kind,
// empty arrays and nested arrays.
var allKinds = []struct {
	key string
	x   any
}{
	{"general.architecture", "test"},
	{"k.u8", uint8(200)},
	{"k.i8", int8(-100)},
	{"k.u16", uint16(60000)},
	{"k.i16", int16(-30000)},
	{"k.u32", uint32(4000000000)},
	{"k.i32", int32(-2000000000)},
	{"k.f32", float32(0.1)},
	{"k.bool", true},
	{"k.false", false},
	{"k.str", "héllo\x00world"},
	{"k.empty", ""},
	{"k.u64", uint64(1) << 63},
	{"k.i64", int64(-1) << 62},
	{"k.f64", 1e-300},
	{"a.u8", []uint8{1, 2, 255}},
	{"a.i8", []int8{-1, 2}},
	{"a.u16", []uint16{1, 65535}},
	{"a.i16", []int16{-1, 3}},
	{"a.u32", []uint32{7}},
	{"a.i32", []int32{-7, 3, 1}},
	{"a.f32", []float32{1.5, -2}},
	{"a.bool", []bool{true, false, true}},
	{"a.str", []string{"a", "", "ccc"}},
	{"a.u64", []uint64{1 << 40}},
	{"a.i64", []int64{-1 << 40}},
	{"a.f64", []float64{3.25}},
	{"a.empty", []int32{}},
	{"a.nested", []Value{mustValue([]string{"x", "y"}), mustValue([]uint8{}), mustValue([]Value{mustValue([]int64{5})})}},
	{"a.nested_empty", []Value{}},
}

func mustValue(x any) Value {
	v, err := ValueOf(x)
	if err != nil {
		panic(err)
	}
	return v
}

type testTensor struct {
	name string
	typ  Type
	ne   []int64
}

var testTensors = []testTensor{
	{"a", F32, []int64{3}},
	{"b", Q4_0, []int64{64, 2}},
	{"c", Q6_K, []int64{256, 1, 2}},
	{"d", F16, []int64{1, 1, 1, 5}},
	{"e", I8, []int64{0}},
}

// buildFile writes a small valid file with allKinds metadata (with
// alignment al, 0 for the default) and testTensors.
func buildFile(t testing.TB, al uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if al != 0 {
		if err := w.AddKV(KeyAlignment, al); err != nil {
			t.Fatal(err)
		}
	}
	for _, kv := range allKinds {
		if err := w.AddKV(kv.key, kv.x); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range testTensors {
		if err := w.AddTensor(tt.name, tt.typ, tt.ne); err != nil {
			t.Fatal(err)
		}
	}
	for i, tt := range testTensors {
		n, _ := tt.typ.TensorBytes(tt.ne)
		if err := w.WriteTensorData(tt.name, bytes.Repeat([]byte{byte(i + 1)}, int(n))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriterRoundTrip(t *testing.T) {
	for _, al := range []uint32{0, 1, 64, 4096} {
		t.Run(fmt.Sprintf("alignment %d", al), func(t *testing.T) {
			b := buildFile(t, al)
			f, err := Parse("mem", b)
			if err != nil {
				t.Fatalf("alignment %d: %v", al, err)
			}
			wantAl := int64(al)
			if al == 0 {
				wantAl = DefaultAlignment
			}
			if f.Alignment() != wantAl || f.Version() != 3 || int64(len(b))%wantAl != 0 {
				t.Errorf("alignment %d, version %d, size %d", f.Alignment(), f.Version(), len(b))
			}
			keys := f.Keys()
			off := 0
			if al != 0 {
				off = 1
			}
			if len(keys) != len(allKinds)+off {
				t.Fatalf("%d keys", len(keys))
			}
			for i, kv := range allKinds {
				if keys[i+off] != kv.key {
					t.Errorf("key %d = %q, want %q", i, keys[i+off], kv.key)
				}
				v, _ := f.Get(kv.key)
				want := mustValue(kv.x)
				if !reflect.DeepEqual(v, want) {
					t.Errorf("%s = %#v, want %#v", kv.key, v, want)
				}
			}
			for i, tt := range testTensors {
				ti, data, ok := f.Tensor(tt.name)
				if !ok || ti.Type != tt.typ || !equalInts(ti.Ne, tt.ne) || ti.Offset%wantAl != 0 || int64(len(data)) != ti.Size {
					t.Errorf("tensor %s = %+v", tt.name, ti)
				}
				for _, c := range data {
					if c != byte(i+1) {
						t.Fatalf("tensor %s: wrong data", tt.name)
					}
				}
			}
			// Writing the parsed file again gives the same bytes.
			if b2 := rewrite(t, f); !bytes.Equal(b, b2) {
				t.Errorf("alignment %d: rewrite differs", al)
			}
		})
	}
}

// rewrite writes f's metadata and tensors with a Writer.
func rewrite(t testing.TB, f *File) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, k := range f.Keys() {
		v, _ := f.Get(k)
		if err := w.AddKV(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, ti := range f.Tensors() {
		if err := w.AddTensor(ti.Name, ti.Type, ti.Ne); err != nil {
			t.Fatal(err)
		}
	}
	for _, ti := range f.Tensors() {
		_, data, _ := f.Tensor(ti.Name)
		if err := w.WriteTensorData(ti.Name, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRewriteFixtures checks that re-writing a file written by llama.cpp
// gives the identical bytes.
func TestRewriteFixtures(t *testing.T) {
	for name, path := range fixturePaths(t) {
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		b := rewrite(t, f)
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, orig) {
			n := 0
			for n < min(len(b), len(orig)) && b[n] == orig[n] {
				n++
			}
			t.Errorf("%s: rewritten file differs (%d vs %d bytes, first difference at %d)", name, len(b), len(orig), n)
		}
		f.Close()
	}
}

func TestWriterErrors(t *testing.T) {
	w := NewWriter(&bytes.Buffer{})
	check := func(err error, sub string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), sub) {
			t.Errorf("error %v, want one containing %q", err, sub)
		}
	}
	check(w.AddKV("x", 1), "unsupported metadata value type int")
	check(w.AddKV("", "v"), "empty key")
	check(w.AddKV(KeyAlignment, uint32(3)), "power of two")
	check(w.AddKV(KeyAlignment, uint64(32)), "power of two")
	check(w.AddKV("n", []Value{mustValue("s")}), "not an array")
	if err := w.AddKV("x", "v"); err != nil {
		t.Fatal(err)
	}
	check(w.AddKV("x", "v"), "duplicate key")
	check(w.AddTensor("t", Type(4), []int64{32}), "unknown ggml type id 4")
	check(w.AddTensor("t", Q4_0, []int64{33}), "not a multiple")
	check(w.AddTensor("t", F32, nil), "0 dimensions")
	check(w.AddTensor("t", F32, []int64{1, 1, 1, 1, 1}), "5 dimensions")
	check(w.AddTensor("t", F32, []int64{1 << 40, 1 << 40}), "overflows")
	check(w.AddTensor(strings.Repeat("n", 64), F32, []int64{1}), "longer than")
	if err := w.AddTensor("t", F32, []int64{2}); err != nil {
		t.Fatal(err)
	}
	if err := w.AddTensor("u", F32, []int64{2}); err != nil {
		t.Fatal(err)
	}
	check(w.AddTensor("t", F32, []int64{2}), "duplicate tensor name")
	check(w.WriteTensorData("u", make([]byte, 8)), "the next tensor is \"t\"")
	check(w.WriteTensorData("t", make([]byte, 7)), "7 bytes, want 8")
	if err := w.WriteTensorData("t", make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
	check(w.AddKV("late", "v"), "after the header")
	check(w.Close(), "1 of 2 tensors were not written")
}

// TestWriteTensorChunks: a tensor written in pieces gives the same file as one written whole,
// and too many bytes or an interleaved tensor are refused.
func TestWriteTensorChunks(t *testing.T) {
	src := make([]byte, 8*64) // room for chunks that run past the tensor
	for i := range src {
		src[i] = byte(i)
	}
	data := src[:4*64]
	build := func(chunks ...int) ([]byte, error) {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		if err := w.AddKV("general.architecture", "test"); err != nil {
			return nil, err
		}
		for _, n := range []string{"a", "b"} {
			if err := w.AddTensor(n, F32, []int64{64}); err != nil {
				return nil, err
			}
		}
		off := 0
		for _, c := range chunks {
			if err := w.WriteTensorChunk("a", src[off:off+c]); err != nil {
				return nil, err
			}
			off += c
		}
		if err := w.WriteTensorData("b", data); err != nil {
			return nil, err
		}
		return buf.Bytes(), w.Close()
	}
	whole, err := build(256)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := build(100, 56, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(whole, parts) {
		t.Error("chunked tensor data differ from whole")
	}
	if _, err := build(200, 100); err == nil {
		t.Error("chunks past the tensor's size: no error")
	}
	if _, err := build(100); err == nil {
		t.Error("a partly written tensor followed by the next: no error")
	}
}
