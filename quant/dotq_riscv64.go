//go:build !noasm

package quant

// The riscv64 integer kernels: with the vector extension (Kernels with extRVV) the assembly in
// dotq_riscv64.s computes each block's exact integer sum (scaled by the per-group scales
// for the K formats), in chunks into a small array on the stack, and the Go code here adds
// the float part in the same order as the generic kernels, so the results are bit for
// bit theirs. Without RVV, or for a row too short for its scales (where the generic code
// panics), the portable kernels run. Q5_0 runs the portable kernel; the rows and
// four-vector forms run these a row and a vector at a time (dotq_rows_noasm.go,
// dotqx4_noasm.go).

// Block sums per assembly call: the stack buffers hold this many blocks.
const (
	rvvChunk  = 64 // Q8_0, Q4_0
	rvvChunkK = 16 // K super-blocks
)

// rvvVLENB returns the vlenb CSR, the vector register length in bytes; only with V.
func rvvVLENB() int

//go:noescape
func q8_0SumsRVV(w *byte, q *int8, n int, out *int32)

//go:noescape
func q4_0SumsRVV(w *byte, q *int8, n int, out *int32)

//go:noescape
func q6_KSumsRVV(w *byte, q *int8, n int, out *int32)

//go:noescape
func q4_KSumsRVV(w *byte, q *int8, sc *uint8, n int, out *int32)

//go:noescape
func q5_KSumsRVV(w *byte, q *int8, sc *uint8, n int, out *int32)

//go:noescape
func q2_KSumsRVV(w *byte, q *int8, n int, out *int32)

//go:noescape
func q3_KSumsRVV(w *byte, q *int8, sc *int8, n int, out *int32)

func (k Kernels) dotQ8_0Q8(w []byte, q []int8, d []float32, _ []int16) float32 {
	n := len(d)
	if !k.has(extRVV) || n == 0 || len(w) < blockBytesQ8_0*n || len(q) < qk*n {
		return dotQ8_0Q8Generic(w, q, d)
	}
	var sums [rvvChunk]int32
	var s float32
	for b0 := 0; b0 < n; b0 += rvvChunk {
		m := min(rvvChunk, n-b0)
		q8_0SumsRVV(&w[blockBytesQ8_0*b0], &q[32*b0], m, &sums[0])
		for i, sum := range sums[:m] {
			b := b0 + i
			s += f16at(w[blockBytesQ8_0*b:]) * d[b] * float32(sum)
		}
	}
	return s
}

func (k Kernels) dotQ4_0Q8(w []byte, q []int8, d []float32, _ []int16) float32 {
	n := len(d)
	if !k.has(extRVV) || n == 0 || len(w) < blockBytesQ4_0*n || len(q) < qk*n {
		return dotQ4_0Q8Generic(w, q, d)
	}
	var sums [rvvChunk]int32
	var s float32
	for b0 := 0; b0 < n; b0 += rvvChunk {
		m := min(rvvChunk, n-b0)
		q4_0SumsRVV(&w[blockBytesQ4_0*b0], &q[32*b0], m, &sums[0])
		for i, sum := range sums[:m] {
			b := b0 + i
			s += f16at(w[blockBytesQ4_0*b:]) * d[b] * float32(sum)
		}
	}
	return s
}

func (k Kernels) dotQ6_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	n := len(d)
	if !k.has(extRVV) || n == 0 || len(w) < blockBytesQ6_K*n || len(q) < qkK*n {
		return dotQ6_KQ8KGeneric(w, q, d, s)
	}
	var sq [rvvChunkK]int32
	var r float32
	for b0 := 0; b0 < n; b0 += rvvChunkK {
		m := min(rvvChunkK, n-b0)
		q6_KSumsRVV(&w[blockBytesQ6_K*b0], &q[256*b0], m, &sq[0])
		for i, v := range sq[:m] {
			b := b0 + i
			r += d[b] * f16at(w[blockBytesQ6_K*b+208:]) * float32(v)
		}
	}
	return r
}

// minsK4 is Σ_j m_j·(the input's sums over sub-block j) for a Q4_K/Q5_K block's scales,
// with the generic kernels' int16 additions.
func minsK4(scales *[12]byte, g []int16) int32 {
	var sm int32
	for n := range 4 {
		_, m1 := scaleMinK4(2*n, scales)
		_, m2 := scaleMinK4(2*n+1, scales)
		h := g[4*n:]
		sm += int32(m1)*int32(h[0]+h[1]) + int32(m2)*int32(h[2]+h[3])
	}
	return sm
}

// dotK4 is the Q4_K (q5 false, 144-byte blocks) and Q5_K (q5, 176-byte blocks) kernel.
func dotK4(w []byte, q []int8, d []float32, s []int16, q5 bool) float32 {
	bb := blockBytesQ4_K
	if q5 {
		bb = blockBytesQ5_K
	}
	n := len(d)
	var sq [rvvChunkK]int32
	var sc [8 * rvvChunkK]uint8
	var r float32
	for b0 := 0; b0 < n; b0 += rvvChunkK {
		m := min(rvvChunkK, n-b0)
		for i := range m {
			scales := (*[12]byte)(w[bb*(b0+i)+4:])
			for j := range 8 {
				sc[8*i+j], _ = scaleMinK4(j, scales)
			}
		}
		if q5 {
			q5_KSumsRVV(&w[bb*b0], &q[256*b0], &sc[0], m, &sq[0])
		} else {
			q4_KSumsRVV(&w[bb*b0], &q[256*b0], &sc[0], m, &sq[0])
		}
		for i, v := range sq[:m] {
			b := b0 + i
			blk := w[bb*b:]
			sm := minsK4((*[12]byte)(blk[4:]), s[16*b:16*b+16])
			r += d[b] * (f16at(blk[0:])*float32(v) - f16at(blk[2:])*float32(sm))
		}
	}
	return r
}

func (k Kernels) dotQ4_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	n := len(d)
	if !k.has(extRVV) || n == 0 || len(w) < blockBytesQ4_K*n || len(q) < qkK*n || len(s) < 16*n {
		return dotQ4_KQ8KGeneric(w, q, d, s)
	}
	return dotK4(w, q, d, s, false)
}

func (k Kernels) dotQ5_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	n := len(d)
	if !k.has(extRVV) || n == 0 || len(w) < blockBytesQ5_K*n || len(q) < qkK*n || len(s) < 16*n {
		return dotQ5_KQ8KGeneric(w, q, d, s)
	}
	return dotK4(w, q, d, s, true)
}

func (k Kernels) dotQ2_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	n := len(d)
	if !k.has(extRVV) || n == 0 || len(w) < blockBytesQ2_K*n || len(q) < qkK*n || len(s) < 16*n {
		return dotQ2_KQ8KGeneric(w, q, d, s)
	}
	var sq [rvvChunkK]int32
	var r float32
	for b0 := 0; b0 < n; b0 += rvvChunkK {
		m := min(rvvChunkK, n-b0)
		q2_KSumsRVV(&w[blockBytesQ2_K*b0], &q[256*b0], m, &sq[0])
		for i, v := range sq[:m] {
			b := b0 + i
			blk := (*[blockBytesQ2_K]byte)(w[blockBytesQ2_K*b:])
			g := s[16*b : 16*b+16]
			var sm int32
			for k := range 16 {
				// Group k = 8n + 2j + h covers values 128n+32j+16h: the input's sum k.
				sm += int32(blk[k]>>4) * int32(g[k])
			}
			r += d[b] * (f16at(blk[80:])*float32(v) - f16at(blk[82:])*float32(sm))
		}
	}
	return r
}

func (k Kernels) dotQ3_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	n := len(d)
	if !k.has(extRVV) || n == 0 || len(w) < blockBytesQ3_K*n || len(q) < qkK*n {
		return dotQ3_KQ8KGeneric(w, q, d, s)
	}
	var sq [rvvChunkK]int32
	var sc [16 * rvvChunkK]int8
	var r float32
	for b0 := 0; b0 < n; b0 += rvvChunkK {
		m := min(rvvChunkK, n-b0)
		for i := range m {
			u := scalesQ3_K((*[12]byte)(w[blockBytesQ3_K*(b0+i)+96:]))
			copy(sc[16*i:16*i+16], u[:])
		}
		q3_KSumsRVV(&w[blockBytesQ3_K*b0], &q[256*b0], &sc[0], m, &sq[0])
		for i, v := range sq[:m] {
			b := b0 + i
			r += d[b] * f16at(w[blockBytesQ3_K*b+108:]) * float32(v)
		}
	}
	return r
}

func (Kernels) dotQ5_0Q8(w []byte, q []int8, d []float32, _ []int16) float32 {
	return dotQ5_0Q8Generic(w, q, d)
}
