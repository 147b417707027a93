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
