package quant

import "strconv"

// Matrix is a row-major [Rows, Cols] weight matrix stored in some format.
// Its bytes are a view (typically into a memory-mapped file) and are never
// copied.
//
// The methods do not allocate and only read the matrix, so they may be
// called concurrently, for example on disjoint row ranges writing disjoint
// parts of dst. They panic if their arguments are out of range.
type Matrix interface {
	Rows() int
	Cols() int
	DType() DType

	// MulVec computes dst[i] = row(i)·x for rows i in [lo, hi), with CPUKernels.
	// len(x) == Cols(); dst is indexed by i directly (len(dst) >= hi).
	MulVec(dst, x []float32, lo, hi int)

	// MulMat does the same for n vectors at once: for t in [0,n), i in
	// [lo,hi): dst[t*dstStride+i] = row(i)·x[t*xStride : t*xStride+Cols()].
	// It loops over rows outside and vectors inside, so each weight row is
	// read from memory once per call. It runs CPUKernels.
	MulMat(dst []float32, dstStride int, x []float32, xStride int, n int, lo, hi int)

	// Row dequantizes row i into dst[:Cols()] as float32.
	Row(dst []float32, i int)

	// MulInput is MulMat for vectors prepared by Input.Prepare for this matrix's type and
	// Cols(): dst[t*dstStride+i] = row(i)·vector t, for t < in.N() and i in [lo, hi).
	// Block formats with integer kernels (Q8_0, Q4_0, Q2_K…Q6_K) multiply the 8-bit
	// quantized vectors, as llama.cpp does: faster, and different from MulMat by that
	// quantization. Other formats compute what MulMat does. It runs the Kernels in was
	// prepared with.
	MulInput(dst []float32, dstStride int, in *Input, lo, hi int)
}

// checkInput panics unless in was prepared for a matrix of type t with cols columns.
func checkInput(t DType, rows, cols int, dst []float32, dstStride int, in *Input, lo, hi int) {
	if in.cols != cols || in.kind != inputKindOf(t) && in.kind != inputF32 {
		panicArg("MulInput: the input was prepared for another matrix")
	}
	checkMulMat(rows, cols, dst, dstStride, in.x, in.stride, in.n, lo, hi)
}

// matrixBytes returns rows*cols*elemSize, or false if rows or cols is not
// positive or the product overflows an int.
func matrixBytes(rows, cols, elemSize int) (int, bool) {
	const maxInt = int(^uint(0) >> 1)
	if rows <= 0 || cols <= 0 || elemSize <= 0 || rows > maxInt/cols || rows*cols > maxInt/elemSize {
		return 0, false
	}
	return rows * cols * elemSize, true
}

// ceilDiv returns a/b rounded up, for positive a and b.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// checkMulVec panics unless MulVec(dst, x, lo, hi) is in range for a
// rows×cols matrix.
func checkMulVec(rows, cols int, dst, x []float32, lo, hi int) {
	if lo < 0 || hi < lo || hi > rows {
		panicArg("MulVec: row range [" + strconv.Itoa(lo) + "," + strconv.Itoa(hi) + ") out of [0," + strconv.Itoa(rows) + ")")
	}
	if len(x) != cols {
		panicArg("MulVec: len(x) = " + strconv.Itoa(len(x)) + ", want " + strconv.Itoa(cols))
	}
	if len(dst) < hi {
		panicArg("MulVec: len(dst) = " + strconv.Itoa(len(dst)) + " < " + strconv.Itoa(hi))
	}
}

// checkMulMat panics unless MulMat(dst, dstStride, x, xStride, n, lo, hi)
// is in range for a rows×cols matrix.
func checkMulMat(rows, cols int, dst []float32, dstStride int, x []float32, xStride, n, lo, hi int) {
	if lo < 0 || hi < lo || hi > rows {
		panicArg("MulMat: row range [" + strconv.Itoa(lo) + "," + strconv.Itoa(hi) + ") out of [0," + strconv.Itoa(rows) + ")")
	}
	if n < 0 || dstStride < 0 || xStride < 0 {
		panicArg("MulMat: negative count or stride")
	}
	if n == 0 || lo == hi {
		return
	}
	// The last vector needs the largest indexes; divide rather than
	// multiply so that huge arguments cannot overflow.
	if len(x) < cols || xStride > 0 && n-1 > (len(x)-cols)/xStride {
		panicArg("MulMat: len(x) = " + strconv.Itoa(len(x)) + " too short for " + strconv.Itoa(n) + " vectors")
	}
	if len(dst) < hi || dstStride > 0 && n-1 > (len(dst)-hi)/dstStride {
		panicArg("MulMat: len(dst) = " + strconv.Itoa(len(dst)) + " too short for " + strconv.Itoa(n) + " vectors")
	}
}

// checkRow panics unless Row(dst, i) is in range for a rows×cols matrix.
func checkRow(rows, cols int, dst []float32, i int) {
	if i < 0 || i >= rows {
		panicArg("Row: index " + strconv.Itoa(i) + " out of [0," + strconv.Itoa(rows) + ")")
	}
	if len(dst) < cols {
		panicArg("Row: len(dst) = " + strconv.Itoa(len(dst)) + " < " + strconv.Itoa(cols))
	}
}

func panicArg(msg string) { panic("quant: " + msg) }
