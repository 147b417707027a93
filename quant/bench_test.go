package quant

import (
	"fmt"
	"testing"
)

// BenchmarkMulVec multiplies a 2048×2048 matrix by a vector; the reported
// throughput is of weight bytes (scales included).
func BenchmarkMulVec(b *testing.B) {
	const rows, cols = 2048, 2048
	for _, k := range testKinds[:5] {
		for _, off := range []int{0, 1} {
			if off == 1 && k.dtype != F32 {
				continue // only F32 has an aligned fast path
			}
			name := k.name
			if off != 0 {
				name += "/unaligned"
			}
			b.Run(name, func(b *testing.B) {
				m := newTestMatrix(b, k, rows, cols, off)
				x := randVec(cols, 1)
				dst := make([]float32, rows)
				b.SetBytes(int64(len(m.data) + 4*len(m.scale)))
				b.ReportAllocs()
				for b.Loop() {
					m.MulVec(dst, x, 0, rows)
				}
			})
		}
	}
}

// BenchmarkMulMat multiplies a 2048×2048 matrix by n vectors.
func BenchmarkMulMat(b *testing.B) {
	const rows, cols = 2048, 2048
	for _, k := range testKinds[:5] {
		for _, n := range []int{4, 16} {
			b.Run(fmt.Sprintf("%s/n=%d", k.name, n), func(b *testing.B) {
				m := newTestMatrix(b, k, rows, cols, 0)
				x := randVec(n*cols, 1)
				dst := make([]float32, n*rows)
				b.SetBytes(int64(len(m.data) + 4*len(m.scale)))
				b.ReportAllocs()
				for b.Loop() {
					m.MulMat(dst, rows, x, cols, n, 0, rows)
				}
			})
		}
	}
}

func BenchmarkRow(b *testing.B) {
	const rows, cols = 16, 7168
	for _, k := range testKinds[:5] {
		b.Run(k.name, func(b *testing.B) {
			m := newTestMatrix(b, k, rows, cols, 0)
			dst := make([]float32, cols)
			b.SetBytes(int64(cols * k.dtype.ElemSize()))
			b.ReportAllocs()
			for b.Loop() {
				m.Row(dst, 3)
			}
		})
	}
}
