package quant

// The sixteen-vector products (qdotx16RowsFunc; dotqx16_amd64.s: Q8_0, Q5_0 and Q4_K) read
// their vectors interleaved, four values of each in turn, so that one broadcast run of
// weights meets all sixteen in one register pair. Input.Prepare lays the vectors out that
// way where a format's sixteen-vector kernel runs (format.x16).

// interleaveQ8_016 lays out vectors 0..n16-1 (n16 a multiple of 16) of a Q8_0 Input (q:
// cols values each, d: a scale per 32) for the sixteen-vector Q8_0 and Q5_0 kernels: qi as
// interleaveValues16, each block's sixteen scales one after another in di, and each
// block's sixteen sums of values likewise in si.
func interleaveQ8_016(qi []int8, di []float32, si []int32, q []int8, d []float32, n16, cols int) {
	interleaveValues16(qi, q, n16, cols)
	interleaveScales16(di, d, n16, cols/32)
	nb := cols / 32
	for grp := range n16 / 16 {
		for b := range nb {
			for j := range 16 {
				var sum int32
				for _, v := range q[(grp*16+j)*cols+32*b:][:32] {
					sum += int32(v)
				}
				si[(grp*nb+b)*16+j] = sum
			}
		}
	}
}

// interleaveQ8K16 lays out vectors 0..n16-1 of a Q8_K Input (q, d: a scale per 256, sums: a
// sum per 16 values) for the sixteen-vector K kernels: qi as interleaveValues16, each
// super-block's sixteen scales in di, and si as interleaveSums16.
func interleaveQ8K16(qi []int8, di []float32, si []int32, q []int8, d []float32, sums []int16, n16, cols int) {
	interleaveValues16(qi, q, n16, cols)
	interleaveScales16(di, d, n16, cols/256)
	interleaveSums16(si, sums, n16, cols)
}

// lane16 is where vector j's 4-value run g of a block starts in interleaveValues16's layout:
// runs of vectors 0–7, then of 8–15, 64 bytes per run.
func lane16(g, j int) int { return g*64 + (j/8)*32 + (j%8)*4 }

// interleaveValues16 copies vectors 0..n16-1 of q (cols values each) into qi: for each
// group of sixteen vectors and each 32-value block b, 512 bytes holding, for each 4-value
// run g of the block, that run of vectors 0–7 and then of vectors 8–15 (64 bytes).
func interleaveValues16(qi, q []int8, n16, cols int) {
	nb := cols / 32
	for grp := range n16 / 16 {
		for b := range nb {
			blk := qi[(grp*nb+b)*512:][:512]
			for j := range 16 {
				src := q[(grp*16+j)*cols+32*b:][:32]
				for g := range 8 {
					o := lane16(g, j)
					blk[o], blk[o+1], blk[o+2], blk[o+3] = src[4*g], src[4*g+1], src[4*g+2], src[4*g+3]
				}
			}
		}
	}
}

// interleaveScales16 copies vectors 0..n16-1's scales, per of each, into di: for each group
// of sixteen vectors, scale k of vectors 0..15 one after another at di[(group*per+k)*16:].
func interleaveScales16(di, d []float32, n16, per int) {
	for grp := range n16 / 16 {
		for k := range per {
			for j := range 16 {
				di[(grp*per+k)*16+j] = d[(grp*16+j)*per+k]
			}
		}
	}
}

// interleaveSums16 copies vectors 0..n16-1's sums of 16 values (cols/16 each) into si: for
// each group of sixteen vectors and each 32 values, the two sums of vector j as one 32-bit
// pair (low half first), vectors 0–7 then 8–15, as VPMADDWD takes them.
func interleaveSums16(si []int32, sums []int16, n16, cols int) {
	per := cols / 32
	for grp := range n16 / 16 {
		for k := range per {
			for j := range 16 {
				s := sums[(grp*16+j)*cols/16+2*k:]
				si[(grp*per+k)*16+j] = int32(uint32(uint16(s[0])) | uint32(uint16(s[1]))<<16)
			}
		}
	}
}
