package quant

import (
	"fmt"
	"math"
)

// fp8BlockMatrix is a matrix of E4M3 values with one float32 scale per
// blockRows×blockCols block.
type fp8BlockMatrix struct {
	rows, cols int
	data       []byte
	scale      []float32
	blockRows  int
	blockCols  int
	colBlocks  int // scales per block row: ceil(cols/blockCols)
}

// NewFP8Block returns a rows×cols matrix of E4M3 values, one byte each in
// data, scaled per block as in the official DeepSeek-V3 FP8 checkpoints:
// element (i, j) is
//
//	E4M3ToF32(data[i*cols+j]) * scale[(i/blockRows)*ceil(cols/blockCols) + j/blockCols]
//
// so scale is row-major with ceil(rows/blockRows)×ceil(cols/blockCols)
// entries, and blocks at the bottom and right edges may be partial. (In the
// DeepSeek-V3 checkpoints these are the weight_scale_inv tensors, with
// 128×128 blocks; despite the name, they multiply.) data and scale are
// kept, not copied.
//
// The products are computed from the E4M3 bytes in float32: for each row
// and column block, the unscaled products are summed in float32, then the
// sum is multiplied by the block's scale and added to the result.
//
// It returns an error if a dimension is not positive, a length does not
// match, or a scale is NaN or infinite.
func NewFP8Block(data []byte, rows, cols int, scale []float32, blockRows, blockCols int) (Matrix, error) {
	n, ok := matrixBytes(rows, cols, 1)
	if !ok {
		return nil, fmt.Errorf("quant: FP8 block matrix %dx%d: invalid dimensions", rows, cols)
	}
	if blockRows <= 0 || blockCols <= 0 {
		return nil, fmt.Errorf("quant: FP8 block matrix %dx%d: invalid block size %dx%d", rows, cols, blockRows, blockCols)
	}
	if len(data) != n {
		return nil, fmt.Errorf("quant: FP8 block matrix %dx%d needs %d bytes, have %d", rows, cols, n, len(data))
	}
	rowBlocks := ceilDiv(rows, blockRows)
	colBlocks := ceilDiv(cols, blockCols)
	if want := rowBlocks * colBlocks; len(scale) != want {
		return nil, fmt.Errorf("quant: FP8 block matrix %dx%d with %dx%d blocks needs %d (%dx%d) scales, have %d",
			rows, cols, blockRows, blockCols, want, rowBlocks, colBlocks, len(scale))
	}
	for k, s := range scale {
		if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
			return nil, fmt.Errorf("quant: FP8 block matrix %dx%d: scale[%d] (block %d,%d) is %v",
				rows, cols, k, k/colBlocks, k%colBlocks, s)
		}
	}
	return &fp8BlockMatrix{
		rows:      rows,
		cols:      cols,
		data:      data,
		scale:     scale,
		blockRows: blockRows,
		blockCols: blockCols,
		colBlocks: colBlocks,
	}, nil
}

func (m *fp8BlockMatrix) Rows() int    { return m.rows }
func (m *fp8BlockMatrix) Cols() int    { return m.cols }
func (m *fp8BlockMatrix) DType() DType { return F8E4M3 }

func (m *fp8BlockMatrix) MulVec(dst, x []float32, lo, hi int) {
	checkMulVec(m.rows, m.cols, dst, x, lo, hi)
	for i := lo; i < hi; i++ {
		dst[i] = m.dot(cpuKernels, i, x)
	}
}

func (m *fp8BlockMatrix) MulMat(dst []float32, dstStride int, x []float32, xStride int, n int, lo, hi int) {
	checkMulMat(m.rows, m.cols, dst, dstStride, x, xStride, n, lo, hi)
	m.mulMat(cpuKernels, dst, dstStride, x, xStride, n, lo, hi)
}

// mulMat is MulMat with k's kernels, its arguments checked.
func (m *fp8BlockMatrix) mulMat(k Kernels, dst []float32, dstStride int, x []float32, xStride int, n int, lo, hi int) {
	for i := lo; i < hi; i++ {
		for t := range n {
			xt := x[t*xStride:][:m.cols]
			dst[t*dstStride+i] = m.dot(k, i, xt)
		}
	}
}

// dot returns row(i)·x; len(x) == m.cols.
func (m *fp8BlockMatrix) dot(k Kernels, i int, x []float32) float32 {
	w := m.data[i*m.cols:][:m.cols]
	scale := m.scale[i/m.blockRows*m.colBlocks:][:m.colBlocks]
	bc := m.blockCols
	var sum float32
	for len(w) > bc {
		sum += k.dotE4M3(w[:bc], x[:bc]) * scale[0]
		w, x, scale = w[bc:], x[bc:], scale[1:]
	}
	return sum + k.dotE4M3(w, x[:len(w)])*scale[0]
}

func (m *fp8BlockMatrix) Row(dst []float32, i int) {
	checkRow(m.rows, m.cols, dst, i)
	w := m.data[i*m.cols:][:m.cols]
	scale := m.scale[i/m.blockRows*m.colBlocks:][:m.colBlocks]
	for len(w) > 0 {
		k := min(m.blockCols, len(w))
		d, s := dst[:k], scale[0]
		for j := range d {
			d[j] = E4M3ToF32(w[j]) * s
		}
		w, dst, scale = w[k:], dst[k:], scale[1:]
	}
}

func (m *fp8BlockMatrix) MulInput(dst []float32, dstStride int, in *Input, lo, hi int) {
	checkInput(m.DType(), m.rows, m.cols, dst, dstStride, in, lo, hi)
	m.mulMat(in.kernels, dst, dstStride, in.x, in.stride, in.n, lo, hi)
}

// E4M3Blocks quantizes a row-major [rows, cols] matrix as the official DeepSeek-V3 FP8
// release stores its weights: E4M3 codes plus one float32 scale_inv per blk×blk block
// (edge blocks partial), with scale_inv = max|w| over the block / 448 (1/448 for an
// all-zero block) and w ≈ E4M3ToF32(code) · scale_inv.
func E4M3Blocks(v []float32, rows, cols, blk int) (codes []byte, scaleInv []float32) {
	sr, sc := (rows+blk-1)/blk, (cols+blk-1)/blk
	scaleInv = make([]float32, sr*sc)
	for i := range rows {
		for j := range cols {
			s := &scaleInv[(i/blk)*sc+j/blk]
			*s = max(*s, float32(math.Abs(float64(v[i*cols+j]))))
		}
	}
	for i := range scaleInv {
		if scaleInv[i] == 0 {
			scaleInv[i] = 1
		}
		scaleInv[i] /= e4m3Max
	}
	codes = make([]byte, rows*cols)
	for i := range rows {
		for j := range cols {
			codes[i*cols+j] = F32ToE4M3(v[i*cols+j] / scaleInv[(i/blk)*sc+j/blk])
		}
	}
	return codes, scaleInv
}
