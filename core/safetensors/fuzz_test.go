package safetensors

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseHeader checks that ParseHeader never panics, that every header
// it accepts satisfies its documented invariants, and that it reads the same
// tensors as a plain encoding/json decoding.
func FuzzParseHeader(f *testing.F) {
	f.Add([]byte(`{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}`), int64(16))
	f.Add([]byte(`{"__metadata__":{"format":"pt"}}`), int64(0))
	f.Fuzz(func(t *testing.T, header []byte, dataLen int64) {
		h, err := ParseHeader(header, dataLen)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "safetensors: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			return
		}
		checkHeader(t, h, dataLen)
		checkAgainstJSON(t, header, h)
	})
}

// checkHeader checks the invariants of a header ParseHeader accepted.
func checkHeader(t *testing.T, h *Header, dataLen int64) {
	t.Helper()
	if h.Metadata == nil {
		t.Fatal("nil Metadata")
	}
	names := make(map[string]bool)
	var prev *TensorInfo
	var lastEnd int64
	for i := range h.Tensors {
		ti := &h.Tensors[i]
		if ti.Name == "" || ti.Name == metadataKey || names[ti.Name] {
			t.Fatalf("bad or duplicate name %q", ti.Name)
		}
		names[ti.Name] = true
		if ti.DType.Size() == 0 || len(ti.Shape) > MaxDims {
			t.Fatalf("tensor %q: dtype %q, %d dims", ti.Name, ti.DType, len(ti.Shape))
		}
		if ti.Begin < 0 || ti.Begin > ti.End || ti.End > dataLen {
			t.Fatalf("tensor %q: offsets [%d, %d] outside [0, %d]", ti.Name, ti.Begin, ti.End, dataLen)
		}
		if size, err := byteSize(ti.DType, ti.Shape); err != nil || size != ti.End-ti.Begin {
			t.Fatalf("tensor %q: size %d (%v), span %d", ti.Name, size, err, ti.End-ti.Begin)
		}
		if n := int64(ti.DType.Size()); ti.NumElements()*n != ti.End-ti.Begin {
			t.Fatalf("tensor %q: %d elements of %d bytes, span %d", ti.Name, ti.NumElements(), n, ti.End-ti.Begin)
		}
		if prev != nil && ti.Begin < prev.Begin {
			t.Fatalf("tensors not sorted: %q after %q", ti.Name, prev.Name)
		}
		if ti.Begin < ti.End {
			if ti.Begin < lastEnd {
				t.Fatalf("tensor %q overlaps an earlier tensor", ti.Name)
			}
			lastEnd = ti.End
		}
		prev = ti
	}
}

// checkAgainstJSON decodes an accepted header with encoding/json and
// compares the result with h.
func checkAgainstJSON(t *testing.T, header []byte, h *Header) {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(header, &top); err != nil {
		t.Fatalf("ParseHeader accepted a header encoding/json rejects: %v", err)
	}
	if len(top) != len(h.Tensors)+min(1, len(top[metadataKey])) {
		t.Fatalf("encoding/json finds %d members, ParseHeader %d tensors", len(top), len(h.Tensors))
	}
	if raw, ok := top[metadataKey]; ok {
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil || len(m) != len(h.Metadata) {
			t.Fatalf("metadata: encoding/json finds %v (%v), ParseHeader %v", m, err, h.Metadata)
		}
		for k, v := range m {
			if h.Metadata[k] != v {
				t.Fatalf("metadata %q: encoding/json finds %q, ParseHeader %q", k, v, h.Metadata[k])
			}
		}
	}
	for _, ti := range h.Tensors {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(top[ti.Name], &fields); err != nil {
			t.Fatalf("tensor %q: encoding/json: %v", ti.Name, err)
		}
		var (
			dtype   string
			shape   []int
			offsets []int64
		)
		if json.Unmarshal(fields["dtype"], &dtype) != nil ||
			json.Unmarshal(fields["shape"], &shape) != nil ||
			json.Unmarshal(fields["data_offsets"], &offsets) != nil {
			t.Fatalf("tensor %q: encoding/json cannot decode %s", ti.Name, top[ti.Name])
		}
		if DType(dtype) != ti.DType || !slices.Equal(shape, ti.Shape) || !slices.Equal(offsets, []int64{ti.Begin, ti.End}) {
			t.Fatalf("tensor %q: encoding/json finds %s %v %v, ParseHeader %+v", ti.Name, dtype, shape, offsets, ti)
		}
	}
}

// FuzzObjectMembers checks objectMembers against encoding/json's decoder.
func FuzzObjectMembers(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { "a" : 1 , "b" : [ 1 , { "c" : "]}" } ] } `, `{"a\"\\":"\u0041","":null,"x":true}`,
		`[1]`, `"s"`, `{"a":1,}`, `{"a":1}{}`, `{"a":-1.5e3,"b":{"c":[]},"d":false}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		members, err := objectMembers(data)
		if !utf8.Valid(data) {
			if err == nil {
				t.Fatalf("objectMembers accepted invalid UTF-8 %q", data)
			}
			return
		}
		var want map[string]json.RawMessage
		werr := json.Unmarshal(data, &want)
		if werr != nil || want == nil {
			if err == nil {
				t.Fatalf("objectMembers accepted %q, encoding/json: %v", data, werr)
			}
			return
		}
		if err != nil {
			t.Fatalf("objectMembers(%q): %v", data, err)
		}
		// Compare in document order with the decoder's tokens.
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.Token()
		for i := 0; dec.More(); i++ {
			tok, _ := dec.Token()
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if i >= len(members) || members[i].key != tok.(string) || !bytes.Equal(members[i].value, v) {
				t.Fatalf("member %d of %q: got %+v, want %q: %s", i, data, members, tok, v)
			}
		}
	})
}
