package safetensors

import (
	"strings"
	"testing"
)

// FuzzParseHeader checks that ParseHeader never panics and that every
// header it accepts satisfies its documented invariants.
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
			n := int64(ti.DType.Size())
			for _, d := range ti.Shape {
				if d < 0 {
					t.Fatalf("tensor %q: negative dim", ti.Name)
				}
			}
			if size, err := byteSize(ti.DType, ti.Shape); err != nil || size != ti.End-ti.Begin {
				t.Fatalf("tensor %q: size %d (%v), span %d", ti.Name, size, err, ti.End-ti.Begin)
			}
			if ti.NumElements()*n != ti.End-ti.Begin {
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
	})
}
