package quant

import "encoding/binary"

// The portable twins of the sixteen-vector kernels (dotqx16_amd64.s), which the tests hold
// the assembly to, on the layout of interleaveQ8_016 and interleaveQ8K16.

// dotQ8_0Q8x16RowsGeneric is the portable form of dotQ8_0Q8x16Rows: each block's exact
// integer sum, times d_w·d_x, added up per vector.
func dotQ8_0Q8x16RowsGeneric(w []byte, rows int, qi []int8, di []float32, dst []float32, stride int) {
	nb := len(di) / 16
	for r := range rows {
		var acc [16]float32
		for b := range nb {
			wb := w[(r*nb+b)*blockBytesQ8_0+2:][:32]
			blk := qi[b*512:][:512]
			for j := range 16 {
				var s int32
				for g := range 8 {
					o := lane16(g, j)
					for k := range 4 {
						s += int32(int8(wb[4*g+k])) * int32(blk[o+k])
					}
				}
				acc[j] += f16at(w[(r*nb+b)*blockBytesQ8_0:]) * di[b*16+j] * float32(s)
			}
		}
		for j := range 16 {
			dst[j*stride+r] = acc[j]
		}
	}
}

// dotQ4_KQ8Kx16RowsGeneric is the portable form of dotQ4_KQ8Kx16Rows: the single-vector
// kernel's integer sums and float steps, on the interleaved vectors.
func dotQ4_KQ8Kx16RowsGeneric(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int) {
	nbK := len(di) / 16
	for r := range rows {
		var acc [16]float32
		for b := range nbK {
			blk := (*[blockBytesQ4_K]byte)(w[(r*nbK+b)*blockBytesQ4_K:])
			scales := (*[12]byte)(blk[4:])
			for j := range 16 {
				var sq, sm int32
				for sub := range 8 {
					sc, m := scaleMinK4(sub, scales)
					run := qi[(8*b+sub)*512:][:512]
					var a int32
					for g := range 8 {
						o := lane16(g, j)
						for k := range 4 {
							l := 32*(sub/2) + 4*g + k
							nib := int32(blk[16+l] & 15)
							if sub%2 == 1 {
								nib = int32(blk[16+l] >> 4)
							}
							a += nib * int32(run[o+k])
						}
					}
					pair := uint32(si[(8*b+sub)*16+j])
					sq += int32(sc) * a
					sm += int32(m) * (int32(int16(pair)) + int32(int16(pair>>16)))
				}
				acc[j] += di[b*16+j] * (f16at(blk[0:])*float32(sq) - f16at(blk[2:])*float32(sm))
			}
		}
		for j := range 16 {
			dst[j*stride+r] = acc[j]
		}
	}
}

// dotQ5_0Q8x16RowsGeneric is the portable form of dotQ5_0Q8x16Rows: each block's exact
// integer sum, times d_w·d_x, added up per vector.
func dotQ5_0Q8x16RowsGeneric(w []byte, rows int, qi []int8, di []float32, _ []int32, dst []float32, stride int) {
	nb := len(di) / 16
	for r := range rows {
		var acc [16]float32
		for b := range nb {
			blk := w[(r*nb+b)*blockBytesQ5_0:][:22]
			qh := binary.LittleEndian.Uint32(blk[2:])
			run := qi[b*512:][:512]
			for j := range 16 {
				var s int32
				for g := range 8 {
					o := lane16(g, j)
					for k := range 4 {
						l := 4*g + k
						nib := int32(blk[6+l%16] & 15)
						if l >= 16 {
							nib = int32(blk[6+l%16] >> 4)
						}
						v := nib | int32(qh>>l&1)<<4 - 16
						s += v * int32(run[o+k])
					}
				}
				acc[j] += f16at(blk) * di[b*16+j] * float32(s)
			}
		}
		for j := range 16 {
			dst[j*stride+r] = acc[j]
		}
	}
}
