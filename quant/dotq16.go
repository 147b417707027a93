package quant

// The sixteen-vector Q8_0 product (dotq16_amd64.s) reads its vectors interleaved, four
// values of each in turn, so that one broadcast run of weights meets all sixteen in one
// register pair. interleave16 lays a prepared Input's vectors out that way.

// interleave16 copies vectors 0..n16-1 (n16 a multiple of 16) of q (cols values each) and
// their block scales d (cols/32 each) into qi and di: for each group of sixteen vectors
// and each block b, 512 bytes holding, for each 4-value run g of the block, that run of
// vectors 0–7 and then of vectors 8–15 (64 bytes); then the block's sixteen scales, one
// per vector, at di[(group*nb+b)*16:].
func interleave16(qi []int8, di []float32, q []int8, d []float32, n16, cols int) {
	nb := cols / 32
	for grp := range n16 / 16 {
		for b := range nb {
			blk := qi[(grp*nb+b)*512:][:512]
			for j := range 16 {
				v := grp*16 + j
				src := q[v*cols+32*b:][:32]
				for g := range 8 {
					o := g*64 + (j/8)*32 + (j%8)*4
					blk[o], blk[o+1], blk[o+2], blk[o+3] = src[4*g], src[4*g+1], src[4*g+2], src[4*g+3]
				}
				di[(grp*nb+b)*16+j] = d[v*nb+b]
			}
		}
	}
}

// dotQ8_0Q8x16RowsGeneric is the portable form of dotQ8_0Q8x16RowsScaled: each block's
// exact integer sum, times d_w·d_x, added up per vector.
func dotQ8_0Q8x16RowsGeneric(w []byte, ws []float32, rows int, qi []int8, di []float32, dst []float32, stride int) {
	nb := len(di) / 16
	for r := range rows {
		var acc [16]float32
		for b := range nb {
			wb := w[(r*nb+b)*34+2:][:32]
			blk := qi[b*512:][:512]
			for j := range 16 {
				var s int32
				for g := range 8 {
					o := g*64 + (j/8)*32 + (j%8)*4
					for k := range 4 {
						s += int32(int8(wb[4*g+k])) * int32(blk[o+k])
					}
				}
				acc[j] += ws[r*nb+b] * di[b*16+j] * float32(s)
			}
		}
		for j := range 16 {
			dst[j*stride+r] = acc[j]
		}
	}
}
