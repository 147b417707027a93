package quant

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkTmpQ8x4L1(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	const nb = 64
	for _, rows := range []int{1, 16, 64, 512} {
		w := make([]byte, 34*nb*rows)
		for i := range w {
			w[i] = byte(r.IntN(200))
		}
		for i := 0; i < nb*rows; i++ {
			w[34*i] = 0
			w[34*i+1] = 0x3c
		}
		q := make([]int8, 4*32*nb)
		for i := range q {
			q[i] = int8(r.IntN(255) - 127)
		}
		d := make([]float32, 4*nb)
		dst := make([]float32, 4*rows)
		b.Run("rows"+string(rune('0'+rows%10))+"_"+itoa(rows), func(b *testing.B) {
			for b.Loop() {
				dotQ8_0Q8x4RowsAVX2(w, rows, q, d, dst, rows)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())*2.92/float64(b.N*nb*4*rows), "cyc/blocktok")
		})
	}
}

func itoa(i int) string {
	s := ""
	for i > 0 {
		s = string(rune('0'+i%10)) + s
		i /= 10
	}
	return s
}
