package quant

// format is what the package knows of one storage format: one entry of formats, as ggml
// holds one of its type_traits (ggml.c: type_name, blck_size, type_size, to_float,
// from_float_ref) and type_traits_cpu (ggml-cpu.c: vec_dot, vec_dot_type) per ggml type.
// formats is keyed by DType, so no two lists have to stay in the same order: a format is
// all in its entry.
type format struct {
	name       string // as safetensors headers (F32, F16, BF16, F8_E4M3) or ggml (Q8_0, Q4_K…) spell it
	blockSize  int    // values per block: 1 for the element formats
	blockBytes int    // bytes per block: per value for the element formats
	ggufType   int    // the ggml_type id of GGUF tensor infos; noGGUF where there is none

	// The block formats' rows (nil for the element formats), portable Go as ggml has them.
	quantize func(dst []byte, src []float32)     // quantize_row_*_ref, without importance weights
	dequant  func(dst []float32, w []byte)       // dequantize_row_*
	dot      func(w []byte, x []float32) float32 // a row · float32 x

	// The integer kernels: a row, or consecutive rows, times vectors Input.Prepare
	// quantized to input (ggml's vec_dot_type). The formats without (Q4_1, Q5_1, the
	// element formats) have input inputF32 and nil kernels: they multiply float32 vectors.
	input      inputKind
	qdot       qdotFunc       // a row · one vector
	qdotRows   qdotRowsFunc   // consecutive rows · one vector
	qdotx4Rows qdotx4RowsFunc // consecutive rows · four vectors; nil: qdotRows a vector at a time
	x16        x16Kernel      // consecutive rows · sixteen interleaved vectors, where it runs
}

// groupsExact reports whether the several-vector kernels k runs for the format give each
// vector's product bit for bit as the one-vector kernel does: all but a sixteen-vector
// kernel that reorders, which runs only with Kernels.BatchVariant.
func (f *format) groupsExact(k Kernels) bool { return !f.x16.reorders || !f.x16.runs(k) }

// x16Kernel is a format's sixteen-vector kernel (dotqx16.go) and when it runs: with
// Kernels that have needs and not unless (where another kernel is faster). Where it runs,
// Input.Prepare interleaves batches of sixteen vectors or more for it (interleaveQ8_016,
// interleaveQ8K16: the layout follows the input kind).
type x16Kernel struct {
	rows          qdotx16RowsFunc // nil: the format has none
	needs, unless ext
	// reorders: it adds the blocks in another order than the one-vector kernel (Q8_0,
	// Q5_0: each block's exact sum, then the float part per vector), so that a vector's
	// product differs from its product alone by a rounding; such a kernel needs
	// extReorder (Kernels.BatchVariant).
	reorders bool
}

// runs reports whether k runs the kernel.
func (x x16Kernel) runs(k Kernels) bool {
	return x.rows != nil && k.has(x.needs) && k.ext&x.unless == 0
}

// noGGUF is the ggufType of a format GGUF files do not hold.
const noGGUF = -1

// Values per block: ggml's QK8_0, QK4_0, QK4_1, QK5_0, QK5_1 (qk) and QK_K (qkK).
const (
	qk  = 32
	qkK = 256
)

// Bytes per block of the block formats: sizeof(block_q8_0)… in ggml-common.h, field by
// field. Every architecture's kernels slice their rows and inputs with these.
const (
	blockBytesQ8_0 = 2 + qk                     // f16 d, 32 int8
	blockBytesQ4_0 = 2 + qk/2                   // f16 d, 32 nibbles
	blockBytesQ4_1 = 2 + 2 + qk/2               // f16 d and m, 32 nibbles
	blockBytesQ5_0 = 2 + 4 + qk/2               // f16 d, 32 high bits, 32 nibbles
	blockBytesQ5_1 = 2 + 2 + 4 + qk/2           // f16 d and m, 32 high bits, 32 nibbles
	blockBytesQ2_K = qkK/16 + qkK/4 + 2 + 2     // 16 scale/min bytes, 2-bit values, f16 d and dmin
	blockBytesQ3_K = qkK/8 + qkK/4 + 12 + 2     // high-bit mask, 2-bit values, 6-bit scales, f16 d
	blockBytesQ4_K = 2 + 2 + 12 + qkK/2         // f16 d and dmin, 6-bit scales and minimums, nibbles
	blockBytesQ5_K = 2 + 2 + 12 + qkK/8 + qkK/2 // as Q4_K, with the fifth bits before the nibbles
	blockBytesQ6_K = qkK/2 + qkK/4 + qkK/16 + 2 // low nibbles, high 2 bits, int8 scales, f16 d
)

// formats holds every format, keyed by DType; the zero entry stands for an unknown type.
var formats = [...]format{
	F32:    {name: "F32", blockSize: 1, blockBytes: 4, ggufType: 0},
	F16:    {name: "F16", blockSize: 1, blockBytes: 2, ggufType: 1},
	BF16:   {name: "BF16", blockSize: 1, blockBytes: 2, ggufType: 30},
	F8E4M3: {name: "F8_E4M3", blockSize: 1, blockBytes: 1, ggufType: noGGUF},

	Q8_0: {name: "Q8_0", blockSize: qk, blockBytes: blockBytesQ8_0, ggufType: 8,
		quantize: quantizeQ8_0, dequant: dequantQ8_0, dot: dotQ8_0,
		input: inputQ8_0, qdot: Kernels.dotQ8_0Q8, qdotRows: Kernels.dotQ8_0Q8Rows, qdotx4Rows: Kernels.dotQ8_0Q8x4Rows,
		// The VNNI four-vector kernel is faster still than the sixteen-vector one.
		x16: x16Kernel{rows: Kernels.dotQ8_0Q8x16Rows, needs: extAVX2Int | extReorder, unless: extVNNI, reorders: true}},
	Q4_0: {name: "Q4_0", blockSize: qk, blockBytes: blockBytesQ4_0, ggufType: 2,
		quantize: quantizeQ4_0, dequant: dequantQ4_0, dot: dotQ4_0,
		input: inputQ8_0, qdot: Kernels.dotQ4_0Q8, qdotRows: Kernels.dotQ4_0Q8Rows, qdotx4Rows: Kernels.dotQ4_0Q8x4Rows},
	Q4_1: {name: "Q4_1", blockSize: qk, blockBytes: blockBytesQ4_1, ggufType: 3,
		quantize: quantizeQ4_1, dequant: dequantQ4_1, dot: dotQ4_1},
	Q5_0: {name: "Q5_0", blockSize: qk, blockBytes: blockBytesQ5_0, ggufType: 6,
		quantize: quantizeQ5_0, dequant: dequantQ5_0, dot: dotQ5_0,
		input: inputQ8_0, qdot: Kernels.dotQ5_0Q8, qdotRows: Kernels.dotQ5_0Q8Rows, qdotx4Rows: Kernels.dotQ5_0Q8x4Rows,
		x16: x16Kernel{rows: Kernels.dotQ5_0Q8x16Rows, needs: extAVX2Int | extReorder, reorders: true}},
	Q5_1: {name: "Q5_1", blockSize: qk, blockBytes: blockBytesQ5_1, ggufType: 7,
		quantize: quantizeQ5_1, dequant: dequantQ5_1, dot: dotQ5_1},
	Q2_K: {name: "Q2_K", blockSize: qkK, blockBytes: blockBytesQ2_K, ggufType: 10,
		quantize: quantizeQ2_K, dequant: dequantQ2_K, dot: dotQ2_K,
		input: inputQ8_K, qdot: Kernels.dotQ2_KQ8K, qdotRows: Kernels.dotQ2_KQ8KRows},
	Q3_K: {name: "Q3_K", blockSize: qkK, blockBytes: blockBytesQ3_K, ggufType: 11,
		quantize: quantizeQ3_K, dequant: dequantQ3_K, dot: dotQ3_K,
		input: inputQ8_K, qdot: Kernels.dotQ3_KQ8K, qdotRows: Kernels.dotQ3_KQ8KRows},
	Q4_K: {name: "Q4_K", blockSize: qkK, blockBytes: blockBytesQ4_K, ggufType: 12,
		quantize: quantizeQ4_K, dequant: dequantQ4_K, dot: dotQ4_K,
		input: inputQ8_K, qdot: Kernels.dotQ4_KQ8K, qdotRows: Kernels.dotQ4_KQ8KRows, qdotx4Rows: Kernels.dotQ4_KQ8Kx4Rows,
		x16: x16Kernel{rows: Kernels.dotQ4_KQ8Kx16Rows, needs: extAVX2Int}},
	Q5_K: {name: "Q5_K", blockSize: qkK, blockBytes: blockBytesQ5_K, ggufType: 13,
		quantize: quantizeQ5_K, dequant: dequantQ5_K, dot: dotQ5_K,
		input: inputQ8_K, qdot: Kernels.dotQ5_KQ8K, qdotRows: Kernels.dotQ5_KQ8KRows, qdotx4Rows: Kernels.dotQ5_KQ8Kx4Rows},
	Q6_K: {name: "Q6_K", blockSize: qkK, blockBytes: blockBytesQ6_K, ggufType: 14,
		quantize: quantizeQ6_K, dequant: dequantQ6_K, dot: dotQ6_K,
		input: inputQ8_K, qdot: Kernels.dotQ6_KQ8K, qdotRows: Kernels.dotQ6_KQ8KRows, qdotx4Rows: Kernels.dotQ6_KQ8Kx4Rows},
}

// format returns t's entry of formats: the zero entry, with no name, for an unknown t.
func (t DType) format() *format {
	if int(t) < len(formats) {
		return &formats[t]
	}
	return &formats[0]
}

// qdotFunc is an integer kernel, run with k: a row's blocks · a vector quantized by
// Input.Prepare (its values q, a scale per block d and, for the K formats, sums of 16).
type qdotFunc func(k Kernels, w []byte, q []int8, d []float32, sums []int16) float32

// qdotRowsFunc is qdotFunc over several rows: it multiplies the rows consecutive rows in
// w (exactly their blocks) by the vector and stores row r's product at dst[r], as qdotFunc
// gives it, bit for bit. One call per block of rows saves a call, and the kernel's set-up,
// per row.
type qdotRowsFunc func(k Kernels, w []byte, rows int, q []int8, d []float32, sums []int16, dst []float32)

// qdotx4RowsFunc multiplies the rows consecutive rows in w (exactly their blocks) by four
// vectors stored one after another, as Input keeps them (q, d and sums each hold the four
// vectors' values, scales and sums, vector t's in the t-th quarter), and stores row r's
// four products at dst[r], dst[stride+r], dst[2*stride+r] and dst[3*stride+r]: what the
// format's qdotFunc gives for each vector (bit for bit for the K formats; to float
// summation order for Q8_0, Q4_0 and Q5_0).
type qdotx4RowsFunc func(k Kernels, w []byte, rows int, q []int8, d []float32, sums []int16, dst []float32, stride int)

// qdotx16RowsFunc multiplies the rows consecutive rows of w by sixteen vectors interleaved
// as interleaveQ8_016 or interleaveQ8K16 lays them out (qi, di, si), storing row r's
// products at dst[j*stride+r], j < 16.
type qdotx16RowsFunc func(k Kernels, w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int)

// qdotRowsBy computes a qdotRowsFunc product with the one-row kernel f.
func qdotRowsBy(f qdotFunc, k Kernels, w []byte, rows int, q []int8, d []float32, sums []int16, dst []float32) {
	if rows < 1 {
		return
	}
	rb := len(w) / rows
	for r := range rows {
		dst[r] = f(k, w[r*rb:][:rb], q, d, sums)
	}
}

// qdotx4RowsStatic runs type t's four-vector kernel (its formats entry's qdotx4Rows) by a
// static call. A slice passed through the table's function value escapes to the heap, so
// MulInput's padded group, whose results go through a buffer on its stack, calls this
// instead, and allocates nothing. TestQdotx4RowsStatic holds it to the table.
func (k Kernels) qdotx4RowsStatic(t DType, w []byte, rows int, q []int8, d []float32, sums []int16, dst []float32, stride int) {
	switch t {
	case Q8_0:
		k.dotQ8_0Q8x4Rows(w, rows, q, d, sums, dst, stride)
	case Q4_0:
		k.dotQ4_0Q8x4Rows(w, rows, q, d, sums, dst, stride)
	case Q5_0:
		k.dotQ5_0Q8x4Rows(w, rows, q, d, sums, dst, stride)
	case Q4_K:
		k.dotQ4_KQ8Kx4Rows(w, rows, q, d, sums, dst, stride)
	case Q5_K:
		k.dotQ5_KQ8Kx4Rows(w, rows, q, d, sums, dst, stride)
	case Q6_K:
		k.dotQ6_KQ8Kx4Rows(w, rows, q, d, sums, dst, stride)
	default:
		panicArg("qdotx4RowsStatic: " + t.String() + " has no four-vector kernel")
	}
}

// qdotx4RowsBy computes a qdotx4RowsFunc product with the one-vector kernel f, a row and
// a vector at a time.
func qdotx4RowsBy(f qdotFunc, k Kernels, w []byte, rows int, q []int8, d []float32, sums []int16, dst []float32, stride int) {
	if rows < 1 {
		return
	}
	rb := len(w) / rows
	nq, nd, ns := len(q)/4, len(d)/4, len(sums)/4
	for r := range rows {
		for t := range 4 {
			var s []int16
			if sums != nil {
				s = sums[t*ns:][:ns]
			}
			dst[t*stride+r] = f(k, w[r*rb:][:rb], q[t*nq:][:nq], d[t*nd:][:nd], s)
		}
	}
}
