package quant

import "math"

// Input is a batch of activation vectors prepared for a matrix's kernels. Block formats
// multiply with integers: their Input holds the vectors quantized to 8 bits once (blocks
// of 32 values with one scale, as ggml's Q8_0, or of 256 with per-16 sums, as Q8_K), and
// every row of the matrix reads that. Other formats read the float32 vectors as they are.
//
// Prepare it once per matrix product, from one goroutine, with the Kernels the product is
// to run; then any number of goroutines may call MulInput with it. Its buffers grow to the
// largest batch and are reused, so a steady state allocates nothing.
type Input struct {
	kernels Kernels // what Prepare and MulInput run
	kind    inputKind
	x       []float32 // the vectors: x[t*stride:][:cols]
	n       int
	stride  int
	cols    int
	q       []int8    // n × cols quantized values
	d       []float32 // n × blocks scales
	sums    []int16   // Q8_K: n × cols/16 sums of 16 quantized values
	// Where type t's sixteen-vector kernel runs (format.x16): vectors 0..n16-1 again,
	// interleaved in groups of sixteen (interleaveQ8_016, interleaveQ8K16).
	qi  []int8
	di  []float32
	si  []int32 // Q8_0: each block's sum; Q8_K: the sums of 16, in pairs
	n16 int
	// single is how many of the last vectors MulInput multiplies one at a time, with the
	// one-vector kernel (PrepareSingle).
	single int
	alone  int // the vectors MulInput takes one at a time: single, or 0 where the format's groups are exact
}

type inputKind uint8

const (
	inputF32  inputKind = iota // float32 as given
	inputQ8_0                  // 32-value blocks
	inputQ8_K                  // 256-value blocks with sums
)

// inputKindOf is the form of Input a matrix type multiplies with.
func inputKindOf(t DType) inputKind { return t.format().input }

// Prepare readies n vectors of cols values, x[t*stride:][:cols] for t < n, for matrices of
// type t and the kernels k: MulInput runs k's. x is kept, not copied: it must not change
// until the products are done.
func (in *Input) Prepare(k Kernels, t DType, x []float32, n, stride, cols int) {
	in.PrepareSingle(k, t, x, n, stride, cols, 0)
}

// PrepareSingle is Prepare where the last single vectors are multiplied one at a time, with
// the kernel a lone vector takes: each of their products is then bit for bit what it is in
// an Input of that vector alone. The kernels that take four or sixteen vectors at once add
// the legacy formats' blocks in another order, so a vector's product otherwise depends, by
// a rounding, on how many vectors come with it. The others are taken as Prepare would.
func (in *Input) PrepareSingle(k Kernels, t DType, x []float32, n, stride, cols, single int) {
	if n < 1 || cols < 1 || stride < cols || len(x) < (n-1)*stride+cols {
		panicArg("Input.Prepare: x is too short for n vectors of cols values")
	}
	if single < 0 || single > n {
		panicArg("Input.PrepareSingle: single out of [0, n]")
	}
	in.single, in.alone = single, single
	if t.format().groupsExact(k) {
		in.alone = 0
	}
	grouped := n - in.alone // the vectors the several-vector kernels may take
	in.kernels = k
	in.kind, in.x, in.n, in.stride, in.cols = inputKindOf(t), x, n, stride, cols
	bs := t.BlockSize()
	if in.kind != inputF32 && cols%bs != 0 {
		in.kind = inputF32 // not this type's shape: MulInput will refuse it
	}
	// The buffers hold a multiple of four vectors: MulInput may run the four-vector kernels
	// over the last, partial group (the values past n are ignored).
	padded := (n + 3) &^ 3
	switch in.kind {
	case inputQ8_0:
		in.q = grow(in.q, padded*cols)
		in.d = grow(in.d, padded*cols/32)
		for v := range n {
			k.quantInputQ8_0(in.q[v*cols:][:cols], in.d[v*cols/32:][:cols/32], x[v*stride:][:cols])
		}
		in.n16 = 0
		if grouped >= 16 && t.format().x16.runs(k) {
			in.n16 = grouped &^ 15
			in.qi = grow(in.qi, in.n16*cols)
			in.di = grow(in.di, in.n16*cols/32)
			in.si = grow(in.si, in.n16*cols/32)
			interleaveQ8_016(in.qi, in.di, in.si, in.q, in.d, in.n16, cols)
		}
	case inputQ8_K:
		in.q = grow(in.q, padded*cols)
		in.d = grow(in.d, padded*cols/256)
		in.sums = grow(in.sums, padded*cols/16)
		for v := range n {
			k.quantInputQ8_K(in.q[v*cols:][:cols], in.d[v*cols/256:][:cols/256], in.sums[v*cols/16:][:cols/16], x[v*stride:][:cols])
		}
		in.n16 = 0
		if grouped >= 16 && t.format().x16.runs(k) {
			in.n16 = grouped &^ 15
			in.qi = grow(in.qi, in.n16*cols)
			in.di = grow(in.di, in.n16*cols/256)
			in.si = grow(in.si, in.n16*cols/32)
			interleaveQ8K16(in.qi, in.di, in.si, in.q, in.d, in.sums, in.n16, cols)
		}
	}
}

// N is the number of vectors.
func (in *Input) N() int { return in.n }

// Single is how many of the last vectors are multiplied one at a time (PrepareSingle).
func (in *Input) Single() int { return in.single }

// vec returns vector t's quantized values, scales and sums.
func (in *Input) vec(t int) (q []int8, d []float32, sums []int16) {
	c := in.cols
	switch in.kind {
	case inputQ8_0:
		return in.q[t*c:][:c], in.d[t*c/32:][:c/32], nil
	case inputQ8_K:
		return in.q[t*c:][:c], in.d[t*c/256:][:c/256], in.sums[t*c/16:][:c/16]
	}
	return nil, nil, nil
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// quantizeInputQ8_0 quantizes x in blocks of 32 (ggml's quantize_row_q8_0, with d kept in
// float32).
func quantizeInputQ8_0(q []int8, d []float32, x []float32) {
	for b := range d {
		d[b] = quantizeBlock(q[32*b:][:32], x[32*b:][:32])
	}
}

// quantizeInputQ8_K quantizes x in blocks of 256 with the sums of each 16 quantized values
// (ggml's quantize_row_q8_K, symmetric).
func quantizeInputQ8_K(q []int8, d []float32, sums []int16, x []float32) {
	for b := range d {
		o := q[256*b:][:256]
		d[b] = quantizeBlock(o, x[256*b:][:256])
		for g := range 16 {
			var s int16
			for _, c := range o[16*g:][:16] {
				s += int16(c)
			}
			sums[16*b+g] = s
		}
	}
}

// quantizeBlock sets o = round(v/d) with d = max|v|/127 and returns d (0 for a zero block).
// The assembly quantizers compute d and 1/d in exactly this order.
func quantizeBlock(o []int8, v []float32) float32 {
	scale := absMax(v) / 127
	var inv float32
	if scale != 0 {
		inv = 1 / scale
	}
	for j, f := range v {
		o[j] = int8(roundHalfAway(f * inv))
	}
	return scale
}

// roundHalfAway rounds to the nearest integer, halves away from zero (C's roundf),
// clamped to ±127. NaN gives 0. (The clamp only matters for a subnormal or infinite
// scale: otherwise |f| is at most 127 and a few ulps. It keeps the result defined, and
// the same as the assembly kernels', in those cases too.)
func roundHalfAway(f float32) int32 {
	if f != f {
		return 0
	}
	return int32(math.Round(float64(max(-127, min(127, f)))))
}

// SameInput reports whether matrices of types a and b multiply the same prepared Input: an
// Input prepared for one serves the other.
func SameInput(a, b DType) bool { return inputKindOf(a) == inputKindOf(b) }
