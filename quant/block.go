package quant

import (
	"encoding/binary"
	"fmt"
	"math"
)

// blockMatrix is a matrix in one of the GGUF block formats: each row is
// Cols()/BlockSize() consecutive blocks. Its kernels are those of its format's entry of
// formats, copied.
type blockMatrix struct {
	dtype      DType
	rows, cols int
	rowBytes   int
	rowBlock   int // rows per block of MulInput: rowBlockBytes of them, at least one
	data       []byte
	dot        func(w []byte, x []float32) float32 // a row's blocks · x
	dequant    func(dst []float32, w []byte)       // a row's blocks into dst
	qdot       qdotFunc                            // a row's blocks · a quantized input; nil if none
	qdotRows   qdotRowsFunc                        // rows' blocks · a quantized input; nil if none
	qdotx4Rows qdotx4RowsFunc                      // rows' blocks · four quantized inputs; nil if none
	x16        x16Kernel                           // rows' blocks · sixteen interleaved inputs
}

// NewBlock returns a rows×cols matrix of type t, one of the GGUF block
// formats (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K), whose
// rows are consecutive blocks in data, laid out as ggml writes them. data is
// kept, not copied.
//
// Row dequantizes exactly as ggml does. MulVec and MulMat compute each
// product from the blocks directly, in float32.
//
// It returns an error if t is not a block format, rows or cols is not
// positive, cols is not a multiple of t.BlockSize(), or len(data) is not
// rows*cols/t.BlockSize()*t.BlockBytes().
func NewBlock(t DType, data []byte, rows, cols int) (Matrix, error) {
	if !t.isBlock() {
		return nil, fmt.Errorf("quant: block matrix of unsupported type %v", t)
	}
	bs, bb := t.BlockSize(), t.BlockBytes()
	if rows <= 0 || cols <= 0 {
		return nil, fmt.Errorf("quant: %v matrix %dx%d: invalid dimensions", t, rows, cols)
	}
	if cols%bs != 0 {
		return nil, fmt.Errorf("quant: %v matrix %dx%d: %d columns is not a multiple of the block size %d", t, rows, cols, cols, bs)
	}
	n, ok := matrixBytes(rows, cols/bs, bb)
	if !ok {
		return nil, fmt.Errorf("quant: %v matrix %dx%d: invalid dimensions", t, rows, cols)
	}
	if len(data) != n {
		return nil, fmt.Errorf("quant: %v matrix %dx%d needs %d bytes, have %d", t, rows, cols, n, len(data))
	}
	f := t.format()
	rowBytes := cols / bs * bb
	return &blockMatrix{
		dtype:      t,
		rows:       rows,
		cols:       cols,
		rowBytes:   rowBytes,
		rowBlock:   max(1, rowBlockBytes/rowBytes),
		data:       data,
		dot:        f.dot,
		dequant:    f.dequant,
		qdot:       f.qdot,
		qdotRows:   f.qdotRows,
		qdotx4Rows: f.qdotx4Rows,
		x16:        f.x16,
	}, nil
}

func (m *blockMatrix) Rows() int    { return m.rows }
func (m *blockMatrix) Cols() int    { return m.cols }
func (m *blockMatrix) DType() DType { return m.dtype }

func (m *blockMatrix) row(i int) []byte { return m.data[i*m.rowBytes:][:m.rowBytes] }

func (m *blockMatrix) MulVec(dst, x []float32, lo, hi int) {
	checkMulVec(m.rows, m.cols, dst, x, lo, hi)
	for i := lo; i < hi; i++ {
		dst[i] = m.dot(m.row(i), x)
	}
}

func (m *blockMatrix) MulMat(dst []float32, dstStride int, x []float32, xStride int, n int, lo, hi int) {
	checkMulMat(m.rows, m.cols, dst, dstStride, x, xStride, n, lo, hi)
	for i := lo; i < hi; i++ {
		w := m.row(i)
		for t := range n {
			dst[t*dstStride+i] = m.dot(w, x[t*xStride:][:m.cols])
		}
	}
}

// rowBlockBytes is the size of the blocks of weight rows MulInput works through: it
// multiplies a block by every group of four vectors before it moves on, so the block stays
// in L2 (512 KiB per core on Zen 3) while each group (4·cols bytes) stays in L1, instead of
// all the vectors streaming from L3 for every row.
const rowBlockBytes = 128 << 10

func (m *blockMatrix) MulInput(dst []float32, dstStride int, in *Input, lo, hi int) {
	checkInput(m.dtype, m.rows, m.cols, dst, dstStride, in, lo, hi)
	if in.kind == inputF32 || m.qdot == nil {
		m.MulMat(dst, dstStride, in.x, in.stride, in.n, lo, hi)
		return
	}
	// Vectors t..t+3 lie one after another in in.q, in.d and in.sums: the four-vector
	// kernel takes them together, sharing each row's loads and decoding; the rest go one
	// at a time. Either kernel takes a block of rows per call.
	n4 := 0
	if m.qdotx4Rows != nil {
		n4 = (in.n - in.alone) &^ 3
	}
	for r0 := lo; r0 < hi; r0 += m.rowBlock {
		m.mulRowBlock(dst, dstStride, in, r0, min(hi, r0+m.rowBlock), n4)
	}
}

// mulRowBlock multiplies rows r0..r1 by every vector of in, with in's kernels: the vectors
// Prepare interleaved (in.n16, where the type's sixteen-vector kernel runs) in groups of
// sixteen first, then the others up to n4 in groups of four, then the rest (two or three
// before the single ones as a padded group of four), one at a time.
func (m *blockMatrix) mulRowBlock(dst []float32, dstStride int, in *Input, r0, r1, n4 int) {
	k := in.kernels
	c, bs := in.cols, qk
	if in.kind == inputQ8_K {
		bs = qkK
	}
	w := m.data[r0*m.rowBytes : r1*m.rowBytes]
	t0 := 0
	if in.n16 > 0 && m.x16.runs(k) {
		for t := 0; t < in.n16; t += 16 {
			qi, di, si := in.qi[t*c:][:16*c], in.di[t*c/bs:][:16*c/bs], in.si[t*c/32:][:16*c/32]
			m.x16.rows(k, w, r1-r0, qi, di, si, dst[t*dstStride+r0:], dstStride)
		}
		t0 = in.n16
	}
	for t := t0; t < n4; t += 4 {
		q := in.q[t*c:][:4*c]
		d := in.d[t*c/bs:][:4*c/bs]
		var sums []int16
		if in.kind == inputQ8_K {
			sums = in.sums[t*c/16:][:4*c/16]
		}
		m.qdotx4Rows(k, w, r1-r0, q, d, sums, dst[t*dstStride+r0:], dstStride)
	}
	one := n4 // the first vector taken one at a time
	if rest := in.n - in.alone - n4; rest >= padFrom && m.qdotx4Rows != nil && n4+4 <= len(in.d)*bs/c {
		// Two or three left: one four-vector pass over a padded group costs less than
		// that many one-vector passes. Its results go through a buffer on the stack, as
		// dst has no room for the padding.
		q, d := in.q[n4*c:][:4*c], in.d[n4*c/bs:][:4*c/bs]
		var sums []int16
		if in.kind == inputQ8_K {
			sums = in.sums[n4*c/16:][:4*c/16]
		}
		var tmp [4 * padRows]float32
		for a := r0; a < r1; a += padRows {
			b := min(r1, a+padRows)
			k.qdotx4RowsStatic(m.dtype, m.data[a*m.rowBytes:b*m.rowBytes], b-a, q, d, sums, tmp[:], padRows)
			for k := range rest {
				copy(dst[(n4+k)*dstStride+a:][:b-a], tmp[k*padRows:][:b-a])
			}
		}
		one += rest
	}
	for t := one; t < in.n; t++ {
		q, d, sums := in.vec(t)
		m.qdotRows(k, w, r1-r0, q, d, sums, dst[t*dstStride+r0:][:r1-r0])
	}
}

// padFrom is the fewest vectors left after the groups of four that MulInput runs as one
// padded group of four rather than one at a time; padRows is how many rows it takes at once
// then (a 4 KiB buffer on the stack).
const (
	padFrom = 2
	padRows = 256
)

func (m *blockMatrix) Row(dst []float32, i int) {
	checkRow(m.rows, m.cols, dst, i)
	m.dequant(dst[:m.cols], m.row(i))
}

// DequantizeRow converts the len(dst) values of type t in src to float32,
// exactly as ggml does. t may be any format (F8E4M3 values are unscaled);
// for a block format, len(dst) must be a multiple of t.BlockSize(). It
// panics if t is unknown or len(src) is not the size of len(dst) values.
func DequantizeRow(t DType, dst []float32, src []byte) {
	bs, bb := t.BlockSize(), t.BlockBytes()
	if bs == 0 {
		panicArg("DequantizeRow: unsupported type " + t.String())
	}
	if len(dst)%bs != 0 || len(src) != len(dst)/bs*bb {
		panicArg(fmt.Sprintf("DequantizeRow: %d bytes of %v for %d values", len(src), t, len(dst)))
	}
	switch t {
	case F32:
		for j := range dst {
			dst[j] = f32le(src[4*j:])
		}
	case F16:
		for j := range dst {
			dst[j] = f16Table[binary.LittleEndian.Uint16(src[2*j:])]
		}
	case BF16:
		for j := range dst {
			dst[j] = BF16ToF32(binary.LittleEndian.Uint16(src[2*j:]))
		}
	case F8E4M3:
		for j := range dst {
			dst[j] = E4M3ToF32(src[j])
		}
	default:
		t.format().dequant(dst, src)
	}
}

// f16at returns the little-endian half at b[0:2] as float32, exactly.
func f16at(b []byte) float32 { return f16Table[binary.LittleEndian.Uint16(b)] }

// putF16 stores f rounded to half at b[0:2].
func putF16(b []byte, f float32) { binary.LittleEndian.PutUint16(b, F32ToF16(f)) }

// absMax returns the largest magnitude in x.
func absMax(x []float32) float32 {
	var m float32
	for _, v := range x {
		m = max(m, float32(math.Abs(float64(v))))
	}
	return m
}
