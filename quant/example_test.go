package quant_test

import (
	"encoding/binary"
	"fmt"

	"github.com/deepgo/deepgo/quant"
)

func ExampleNewDense() {
	// A 2×3 BF16 matrix, as it would lie in a safetensors file.
	var data []byte
	for _, v := range []float32{1, 2, 3, 4, 5, 6} {
		data = binary.LittleEndian.AppendUint16(data, quant.F32ToBF16(v))
	}
	m, err := quant.NewDense(quant.BF16, data, 2, 3)
	if err != nil {
		panic(err)
	}
	y := make([]float32, m.Rows())
	m.MulVec(y, []float32{1, 0, -1}, 0, m.Rows())
	fmt.Println(m.DType(), y)
	// Output: BF16 [-2 -2]
}

func ExampleNewFP8Block() {
	// A 2×3 E4M3 matrix with 1×2 blocks: each row has a block of two
	// columns and a partial block of one, so there are 2×2 scales.
	var data []byte
	for _, v := range []float32{1, 2, 3, -1, 0.5, 4} {
		data = append(data, quant.F32ToE4M3(v))
	}
	scale := []float32{
		0.5, 2, // row 0: columns 0-1, column 2
		1, 0.25, // row 1
	}
	m, err := quant.NewFP8Block(data, 2, 3, scale, 1, 2)
	if err != nil {
		panic(err)
	}
	y := make([]float32, 2)
	m.MulVec(y, []float32{1, 1, 1}, 0, 2)
	row := make([]float32, 3)
	m.Row(row, 0)
	fmt.Println(y, row)
	// Output: [7.5 0.5] [0.5 1 6]
}

func ExampleNewBlock() {
	// Quantize two rows of 32 values to Q8_0 and multiply by a vector.
	src := make([]float32, 64)
	for i := range src {
		src[i] = float32(i%32) / 8
	}
	data := make([]byte, len(src)/quant.Q8_0.BlockSize()*quant.Q8_0.BlockBytes())
	if err := quant.Quantize(quant.Q8_0, data, src); err != nil {
		panic(err)
	}
	m, err := quant.NewBlock(quant.Q8_0, data, 2, 32)
	if err != nil {
		panic(err)
	}
	x := make([]float32, 32)
	x[8] = 1 // picks column 8: 1, stored as 33 × f16(3.875/127)
	y := make([]float32, 2)
	m.MulVec(y, x, 0, 2)
	fmt.Printf("%v %d bytes %.3f\n", m.DType(), len(data), y)
	// Output: Q8_0 68 bytes [1.007 1.007]
}
