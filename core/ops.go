package core

import (
	"math"

	"github.com/deepgo/deepgo/quant"
)

// rmsNorm sets dst = x / sqrt(mean(x²) + eps) * w (reference RMSNorm, float32).
func rmsNorm(dst, x, w []float32, eps float32) {
	var ss float32
	for _, v := range x {
		ss += v * v
	}
	r := 1 / float32(math.Sqrt(float64(ss/float32(len(x))+eps)))
	for i, v := range x {
		dst[i] = v * r * w[i]
	}
}

// softmax normalises x in place.
func softmax(x []float32) {
	mx := float32(math.Inf(-1))
	for _, v := range x {
		mx = max(mx, v)
	}
	var sum float32
	for i, v := range x {
		e := float32(math.Exp(float64(v - mx)))
		x[i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range x {
		x[i] *= inv
	}
}

func sigmoid(x float32) float32 { return 1 / (1 + float32(math.Exp(float64(-x)))) }

// segment is one matrix product of a multiJob: rows [start, start+w.Rows()) of the job's
// row range are w's rows, written to dst[t*dstStride+i].
type segment struct {
	w         quant.Matrix
	lo, hi    int // the rows of w it covers
	dst       []float32
	dstStride int
	in        *quant.Input
	start     int
}

// multiJob runs several matrix products (each with its own prepared input) as one pool job:
// one split over all their rows, one wait, instead of one per product. It is how the
// experts of a MoE layer, and the gate and up projections of an MLP, are computed.
type multiJob struct {
	segs  []segment
	total int
}

func (j *multiJob) add(w quant.Matrix, dst []float32, dstStride int, in *quant.Input) {
	j.addRows(w, 0, w.Rows(), dst, dstStride, in)
}

// addRows adds the product of rows [lo, hi) of w: dst[t*dstStride+i] for those rows i.
func (j *multiJob) addRows(w quant.Matrix, lo, hi int, dst []float32, dstStride int, in *quant.Input) {
	j.segs = append(j.segs, segment{w: w, lo: lo, hi: hi, dst: dst, dstStride: dstStride, in: in, start: j.total})
	j.total += hi - lo
}

func (j *multiJob) Run(_, lo, hi int) {
	for i := range j.segs {
		sg := &j.segs[i]
		end := sg.start + sg.hi - sg.lo
		if end <= lo || sg.start >= hi {
			continue
		}
		sg.w.MulInput(sg.dst, sg.dstStride, sg.in, sg.lo+max(lo, sg.start)-sg.start, sg.lo+min(hi, end)-sg.start)
	}
}

// run runs the job on the pool and empties it for the next use.
func (j *multiJob) run(p *pool) {
	p.Run(j, j.total, 8)
	clear(j.segs)
	j.segs, j.total = j.segs[:0], 0
}

// addShared adds w's product with the input `in` was prepared with for another matrix, or,
// if w's type multiplies another form of input, with x prepared again in spare.
func (j *multiJob) addShared(p *pool, w quant.Matrix, dst []float32, dstStride int, in *quant.Input, first quant.Matrix, spare *quant.Input, x []float32, n int) {
	if !quant.SameInput(w.DType(), first.DType()) && !p.floatActivations {
		p.prepare(spare, w, x, n, w.Cols(), in.Single())
		in = spare
	}
	j.add(w, dst, dstStride, in)
}

// prepare readies x (n vectors of w.Cols() values, stride apart) in `in` for w's type; the
// last single vectors are multiplied one at a time (quant.Input.PrepareSingle).
func (p *pool) prepare(in *quant.Input, w quant.Matrix, x []float32, n, stride, single int) {
	t := w.DType()
	if p.floatActivations {
		t = quant.F32
	}
	in.PrepareSingle(p.kernels, t, x, n, stride, w.Cols(), single)
}

// prepare is pool.prepare for n rows: when they are the whole batch, its decoding rows
// (the last b.exact) are multiplied one at a time, so that each gets the products it
// gets alone.
func (b *batch) prepare(in *quant.Input, w quant.Matrix, x []float32, n, stride int) {
	b.m.pool.prepare(in, w, x, n, stride, b.single(n))
}

// single is how many of n rows to multiply one at a time: the decoding rows when the n
// rows are the batch's, else none.
func (b *batch) single(n int) int {
	if n == len(b.tokens) {
		return b.exact
	}
	return 0
}

// matmul sets dst[t*rows+i] = w.row(i)·x[t*cols:] for n vectors, on the pool: x is
// prepared once (8-bit blocks for the integer kernels) and the rows are shared out.
func (b *batch) matmul(w quant.Matrix, dst, x []float32, n int) {
	b.matmulStrided(w, dst, w.Rows(), x, w.Cols(), n)
}

// matmulStrided is matmul with explicit strides: dst[t*dstStride+i], x[t*xStride:].
func (b *batch) matmulStrided(w quant.Matrix, dst []float32, dstStride int, x []float32, xStride, n int) {
	b.matmulSingle(w, dst, dstStride, x, xStride, n, b.single(n))
}

// matmulSingle is matmulStrided with the last single rows multiplied one at a time.
func (b *batch) matmulSingle(w quant.Matrix, dst []float32, dstStride int, x []float32, xStride, n, single int) {
	p := b.m.pool
	p.prepare(&b.in, w, x, n, xStride, single)
	b.multi.add(w, dst, dstStride, &b.in)
	b.multi.run(p)
}
