package quant

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkDecodeRows multiplies K-format matrices by one vector through MulInput, as a
// decoding step does: 2048×2048 (the weights stay in L3: the kernels' compute speed) and a
// 32768×1024 Q6_K output head (32 MiB and more: the weights stream from memory). The
// throughput is of weight bytes.
func BenchmarkDecodeRows(b *testing.B) {
	cases := []struct {
		t          DType
		rows, cols int
	}{
		{Q6_K, 256, 2048},
		{Q4_K, 256, 2048},
		{Q6_K, 2048, 2048},
		{Q4_K, 2048, 2048},
		{Q6_K, 32768, 1024},
		{Q4_K, 32768, 1024},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("%v/%dx%d", c.t, c.rows, c.cols), func(b *testing.B) {
			data := randKBlocks(c.t, c.rows*c.cols/256, 1)
			m, err := NewBlock(c.t, data, c.rows, c.cols)
			if err != nil {
				b.Fatal(err)
			}
			x := randVec(c.cols, 2)
			var in Input
			in.Prepare(CPUKernels(), c.t, x, 1, c.cols, c.cols)
			dst := make([]float32, c.rows)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				m.MulInput(dst, c.rows, &in, 0, c.rows)
			}
		})
	}
}

// randKBlocks returns n super-blocks of type t (Q4_K or Q6_K) of random bytes with small
// finite f16 scales.
func randKBlocks(t DType, n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 3))
	size := map[DType]int{Q4_K: 144, Q6_K: 210}[t]
	data := make([]byte, n*size)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for b := range n {
		blk := data[b*size:][:size]
		switch t {
		case Q4_K:
			putF16(blk[0:], 0.001*float32(1+r.IntN(100)))
			putF16(blk[2:], 0.001*float32(1+r.IntN(100)))
		case Q6_K:
			putF16(blk[208:], 0.001*float32(1+r.IntN(100)))
		}
	}
	return data
}
