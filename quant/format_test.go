package quant

import "testing"

// TestFormats holds the table of formats to ggml-common.h's block sizes and ggml.h's type
// ids, and checks that each entry's kernels hang together.
func TestFormats(t *testing.T) {
	for _, c := range []struct {
		t                DType
		block, bytes, id int
		input            inputKind
		x4, x16          bool
	}{
		{F32, 1, 4, 0, inputF32, false, false},
		{F16, 1, 2, 1, inputF32, false, false},
		{BF16, 1, 2, 30, inputF32, false, false},
		{F8E4M3, 1, 1, noGGUF, inputF32, false, false},
		{Q8_0, 32, 34, 8, inputQ8_0, true, true},
		{Q4_0, 32, 18, 2, inputQ8_0, true, false},
		{Q4_1, 32, 20, 3, inputF32, false, false},
		{Q5_0, 32, 22, 6, inputQ8_0, true, true},
		{Q5_1, 32, 24, 7, inputF32, false, false},
		{Q2_K, 256, 84, 10, inputQ8_K, false, false},
		{Q3_K, 256, 110, 11, inputQ8_K, false, false},
		{Q4_K, 256, 144, 12, inputQ8_K, true, true},
		{Q5_K, 256, 176, 13, inputQ8_K, true, false},
		{Q6_K, 256, 210, 14, inputQ8_K, true, false},
	} {
		t.Run(c.t.String(), func(t *testing.T) {
			f := c.t.format()
			if c.t.BlockSize() != c.block || c.t.BlockBytes() != c.bytes {
				t.Errorf("block %d values in %d bytes, want %d in %d", c.t.BlockSize(), c.t.BlockBytes(), c.block, c.bytes)
			}
			id, ok := c.t.GGUFType()
			if ok != (c.id != noGGUF) || ok && int(id) != c.id {
				t.Errorf("GGUFType() = %d, %v; want %d", id, ok, c.id)
			}
			if got, ok := ParseDType(c.t.String()); !ok || got != c.t {
				t.Errorf("ParseDType(%q) = %v, %v", c.t.String(), got, ok)
			}
			block := c.block > 1
			if (f.quantize != nil) != block || (f.dequant != nil) != block || (f.dot != nil) != block {
				t.Errorf("quantize/dequant/dot set %v %v %v, want %v", f.quantize != nil, f.dequant != nil, f.dot != nil, block)
			}
			if f.input != c.input {
				t.Errorf("input kind %d, want %d", f.input, c.input)
			}
			integer := c.input != inputF32
			if (f.qdot != nil) != integer || (f.qdotRows != nil) != integer {
				t.Errorf("qdot/qdotRows set %v %v, want %v", f.qdot != nil, f.qdotRows != nil, integer)
			}
			if (f.qdotx4Rows != nil) != c.x4 || (f.x16.rows != nil) != c.x16 {
				t.Errorf("x4/x16 kernels %v %v, want %v %v", f.qdotx4Rows != nil, f.x16.rows != nil, c.x4, c.x16)
			}
			if c.x16 && f.x16.needs == 0 {
				t.Error("a sixteen-vector kernel that needs no extension would interleave for the portable kernels")
			}
		})
	}
	if _, ok := DType(0).GGUFType(); ok {
		t.Error("DType(0) has a GGUF type")
	}
	if got := len(formats); got != int(Q6_K)+1 {
		t.Errorf("%d formats, want %d (one per DType)", got, Q6_K+1)
	}
}
