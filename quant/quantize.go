package quant

import "fmt"

// Quantize converts the values in src to type t, one of the block formats
// Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K or Q6_K, writing
// the blocks to dst. The algorithms are those of ggml's reference
// quantizers (quantize_row_*_ref, without importance weights): rounding
// for the 32-value formats, an error-minimising search of scales and
// minimums for the K formats.
//
// It returns an error if t is not a block format, len(src) is not a
// multiple of t.BlockSize(), or len(dst) is not the size of the blocks.
func Quantize(t DType, dst []byte, src []float32) error {
	if !t.isBlock() {
		return fmt.Errorf("quant: cannot quantize to %v", t)
	}
	bs, bb := t.BlockSize(), t.BlockBytes()
	if len(src)%bs != 0 {
		return fmt.Errorf("quant: %d values are not a whole number of %v blocks of %d", len(src), t, bs)
	}
	if n := len(src) / bs * bb; len(dst) != n {
		return fmt.Errorf("quant: %d %v values need %d bytes, have %d", len(src), t, n, len(dst))
	}
	t.format().quantize(dst, src)
	return nil
}
