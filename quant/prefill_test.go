package quant

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// prefillShapes are matrix products of a prompt chunk: the shapes of a Q4_K_M file's
// tensors (short Q5_0 rows of the attention projections, square Q8_0 and Q4_K ones) by
// 64 and 512 tokens, and by 3 tokens (the remainder of a group of four) or 1 (decoding).
var prefillShapes = []struct {
	typ           DType
	rows, cols, n int
}{
	{Q5_0, 2048, 128, 64},
	{Q5_0, 2048, 512, 64},
	{Q5_0, 2048, 128, 512},
	{Q8_0, 2048, 2048, 64},
	{Q8_0, 2048, 2048, 512},
	{Q4_K, 2048, 2048, 64},
	{Q4_K, 2048, 2048, 512},
	{Q4_K, 512, 14336, 64},
	{Q5_0, 2048, 128, 3},
	{Q8_0, 2048, 2048, 1},
	{Q4_K, 2048, 2048, 3},
}

// BenchmarkPrefill times MulInput on prefillShapes, all rows on one goroutine; the
// reported throughput is of weight bytes times vectors.
func BenchmarkPrefill(b *testing.B) {
	r := rand.New(rand.NewPCG(49, 50))
	for _, s := range prefillShapes {
		m := x4Matrix(b, s.typ, s.rows, s.cols, r)
		x := randomVector(s.n*s.cols, r, 1)
		var in Input
		in.Prepare(CPUKernels(), s.typ, x, s.n, s.cols, s.cols)
		dst := make([]float32, s.n*s.rows)
		b.Run(fmt.Sprintf("%v/%dx%d/n=%d", s.typ, s.rows, s.cols, s.n), func(b *testing.B) {
			b.SetBytes(int64(len(m.data) * s.n))
			b.ReportAllocs()
			for b.Loop() {
				m.MulInput(dst, s.rows, &in, 0, s.rows)
			}
		})
	}
}
