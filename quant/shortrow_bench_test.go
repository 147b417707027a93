package quant

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkShortRows multiplies matrices of short rows (the default model's: 96 to 768
// columns) and longer ones by 1, 2 and 4 vectors, with each kernel choice: the kernels'
// costs per row and per call, where the Q8_0 VNNI kernels stop paying (q8VNNI).
func BenchmarkShortRows(b *testing.B) {
	r := rand.New(rand.NewPCG(81, 82))
	for _, typ := range []DType{Q8_0, Q4_K, Q6_K} {
		for _, s := range []struct{ rows, cols, n int }{{1024, 256, 1}, {256, 96, 1}, {4096, 256, 1}, {1024, 256, 2}, {1024, 256, 4},
			{1024, 512, 1}, {1024, 512, 4}, {1024, 1024, 1}, {1024, 1024, 4}, {1024, 2048, 1}, {1024, 2048, 4}, {256, 96, 4},
			{16384, 2048, 1}, {16384, 2048, 4}} {
			cols := s.cols
			if cols%typ.BlockSize() != 0 {
				continue
			}
			m := x4Matrix(b, typ, s.rows, cols, r)
			x := randomVector(s.n*cols, r, 1)
			for _, k := range implementations() {
				if k.has(extReorder) {
					continue
				}
				var in Input
				in.Prepare(k, typ, x, s.n, cols, cols)
				dst := make([]float32, s.n*s.rows)
				b.Run(fmt.Sprintf("%v/%dx%d/n=%d/%v", typ, s.rows, cols, s.n, k), func(b *testing.B) {
					for b.Loop() {
						m.MulInput(dst, s.rows, &in, 0, s.rows)
					}
				})
			}
		}
	}
}
