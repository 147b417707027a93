package quant

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestBatchInvariant: with any Kernels but BatchVariant ones, every vector's product through MulInput is bit for
// bit what the vector gets alone, whatever number of vectors share the Input (the one-,
// four- and sixteen-vector kernels, a padded last group of four) and whatever range of
// rows a call takes (as goroutines split a product). This is what makes a request's
// tokens independent of the batch it runs in, of a prompt's chunking and of the thread
// count. With BatchVariant Kernels the formats that reorder get within a rounding.
func TestBatchInvariant(t *testing.T) { forEachKernels(t, testBatchInvariant) }

func testBatchInvariant(t *testing.T, k Kernels) {
	r := rand.New(rand.NewPCG(71, 72))
	types := append([]DType{F32, F16, BF16}, intKernelTypes...)
	types = append(types, Q4_1, Q5_1)
	for _, typ := range types {
		t.Run(typ.String(), func(t *testing.T) {
			const rows, maxN = 23, 37
			cols := 4 * typ.BlockSize()
			if typ.BlockSize() == 1 {
				cols = 96
			}
			for _, nb := range []int{1, 5, 9} {
				c := cols * nb
				m := invariantMatrix(t, typ, rows, c, r)
				x := randomVector(maxN*c, r, 1)
				alone := make([]float32, maxN*rows)
				var in Input
				for v := range maxN {
					in.Prepare(k, typ, x[v*c:], 1, c, c)
					m.MulInput(alone[v*rows:], rows, &in, 0, rows)
				}
				for _, n := range invariantCounts {
					got := make([]float32, n*rows)
					in.Prepare(k, typ, x, n, c, c)
					for _, split := range [][2]int{{0, rows}, {0, 5}, {5, 6}, {6, 19}, {19, rows}} {
						m.MulInput(got, rows, &in, split[0], split[1])
					}
					for v := range n {
						for i, g := range got[v*rows : (v+1)*rows] {
							w := alone[v*rows+i]
							if !typ.format().groupsExact(k) {
								if math.Abs(float64(g-w)) > 1e-4*math.Max(1, math.Abs(float64(w))) {
									t.Fatalf("%d cols, %d vectors (batch-variant): vector %d row %d = %g, alone %g", c, n, v, i, g, w)
								}
								continue
							}
							if g != w && !(g != g && w != w) {
								t.Fatalf("%d cols, %d vectors: vector %d row %d = %g, alone %g", c, n, v, i, g, w)
							}
						}
					}
				}
			}
		})
	}
}

// invariantCounts are the numbers of vectors TestBatchInvariant multiplies together: every
// way MulInput splits them (groups of sixteen and four, a padded group of two or three, one
// at a time) and their combinations.
var invariantCounts = []int{1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 18, 19, 21, 31, 32, 35, 37}

// invariantMatrix is a rows×cols matrix of type t with random weights.
func invariantMatrix(t *testing.T, typ DType, rows, cols int, r *rand.Rand) Matrix {
	t.Helper()
	if typ.BlockSize() > 1 {
		return x4Matrix(t, typ, rows, cols, r)
	}
	data := make([]byte, rows*cols*typ.BlockBytes())
	for i := range rows * cols {
		v := float32(r.NormFloat64())
		switch typ {
		case F32:
			binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
		case F16:
			putF16(data[2*i:], v)
		case BF16:
			binary.LittleEndian.PutUint16(data[2*i:], F32ToBF16(v))
		default:
			panic(fmt.Sprint("invariantMatrix: ", typ))
		}
	}
	m, err := NewDense(typ, data, rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
