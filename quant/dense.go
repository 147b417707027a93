package quant

import (
	"encoding/binary"
	"fmt"
)

// denseMatrix is a matrix stored one element per value, without scales.
type denseMatrix struct {
	dtype      DType
	rows, cols int
	rowBytes   int
	data       []byte
	f32        []float32 // F32 data viewed in place, if aligned; else nil
}

// NewDense returns a rows×cols matrix of type t whose row-major,
// little-endian elements are data, which it keeps and does not copy. t may
// be F32, F16, BF16 or F8E4M3; E4M3 values are used unscaled.
//
// It returns an error if t is unknown, rows or cols is not positive, or
// len(data) is not rows*cols*t.ElemSize().
func NewDense(t DType, data []byte, rows, cols int) (Matrix, error) {
	size := t.ElemSize()
	if size == 0 {
		return nil, fmt.Errorf("quant: dense matrix of unsupported type %v", t)
	}
	n, ok := matrixBytes(rows, cols, size)
	if !ok {
		return nil, fmt.Errorf("quant: %v matrix %dx%d: invalid dimensions", t, rows, cols)
	}
	if len(data) != n {
		return nil, fmt.Errorf("quant: %v matrix %dx%d needs %d bytes, have %d", t, rows, cols, n, len(data))
	}
	m := &denseMatrix{
		dtype:    t,
		rows:     rows,
		cols:     cols,
		rowBytes: cols * size,
		data:     data,
	}
	if t == F32 {
		m.f32 = float32View(data)
	}
	return m, nil
}

func (m *denseMatrix) Rows() int    { return m.rows }
func (m *denseMatrix) Cols() int    { return m.cols }
func (m *denseMatrix) DType() DType { return m.dtype }

func (m *denseMatrix) MulVec(dst, x []float32, lo, hi int) {
	checkMulVec(m.rows, m.cols, dst, x, lo, hi)
	for i := lo; i < hi; i++ {
		dst[i] = m.dot(cpuKernels, i, x)
	}
}

func (m *denseMatrix) MulMat(dst []float32, dstStride int, x []float32, xStride int, n int, lo, hi int) {
	checkMulMat(m.rows, m.cols, dst, dstStride, x, xStride, n, lo, hi)
	m.mulMat(cpuKernels, dst, dstStride, x, xStride, n, lo, hi)
}

// mulMat is MulMat with k's kernels, its arguments checked.
func (m *denseMatrix) mulMat(k Kernels, dst []float32, dstStride int, x []float32, xStride int, n int, lo, hi int) {
	for i := lo; i < hi; i++ {
		for t := range n {
			xt := x[t*xStride:][:m.cols]
			dst[t*dstStride+i] = m.dot(k, i, xt)
		}
	}
}

// dot returns row(i)·x; len(x) == m.cols.
func (m *denseMatrix) dot(k Kernels, i int, x []float32) float32 {
	w := m.data[i*m.rowBytes:][:m.rowBytes]
	switch m.dtype {
	case F32:
		if m.f32 != nil {
			return k.dotF32(m.f32[i*m.cols:][:m.cols], x)
		}
		return k.dotF32LE(w, x)
	case F16:
		return k.dotF16(w, x)
	case BF16:
		return k.dotBF16(w, x)
	default: // F8E4M3
		return k.dotE4M3(w, x)
	}
}

func (m *denseMatrix) Row(dst []float32, i int) {
	checkRow(m.rows, m.cols, dst, i)
	dst = dst[:m.cols]
	w := m.data[i*m.rowBytes:][:m.rowBytes]
	switch m.dtype {
	case F32:
		if m.f32 != nil {
			copy(dst, m.f32[i*m.cols:][:m.cols])
			return
		}
		for j := range dst {
			dst[j] = f32le(w[4*j:])
		}
	case F16:
		t := f16Table
		for j := range dst {
			dst[j] = t[binary.LittleEndian.Uint16(w[2*j:])]
		}
	case BF16:
		for j := range dst {
			dst[j] = BF16ToF32(binary.LittleEndian.Uint16(w[2*j:]))
		}
	default: // F8E4M3
		for j := range dst {
			dst[j] = E4M3ToF32(w[j])
		}
	}
}

func (m *denseMatrix) MulInput(dst []float32, dstStride int, in *Input, lo, hi int) {
	checkInput(m.DType(), m.rows, m.cols, dst, dstStride, in, lo, hi)
	m.mulMat(in.kernels, dst, dstStride, in.x, in.stride, in.n, lo, hi)
}
