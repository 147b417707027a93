package quant

// The integer kernels: a row of weights in a block format times one vector quantized by
// Input.Prepare. Each block's integer dot product is exact; the float part sums
// d_w·d_x·Σ per block (per 256-value super-block for the K formats). Assembly versions
// (dotq_*.s) must give the same integers and the float sums to rounding.

// dotQ8_0Q8Generic: Q8_0 weights (34-byte blocks: f16 d, 32 int8) · Q8_0 input.
func dotQ8_0Q8Generic(w []byte, q []int8, d []float32) float32 {
	var s float32
	for b := range d {
		blk := (*[blockBytesQ8_0]byte)(w[blockBytesQ8_0*b:])
		x := (*[32]int8)(q[32*b:])
		var sum int32
		for j := range 32 {
			sum += int32(int8(blk[2+j])) * int32(x[j])
		}
		s += f16at(blk[0:]) * d[b] * float32(sum)
	}
	return s
}

// dotQ4_0Q8Generic: Q4_0 weights (18-byte blocks: f16 d, 16 bytes of nibbles, low nibbles
// first, each minus 8) · Q8_0 input.
func dotQ4_0Q8Generic(w []byte, q []int8, d []float32) float32 {
	var s float32
	for b := range d {
		blk := (*[blockBytesQ4_0]byte)(w[blockBytesQ4_0*b:])
		x := (*[32]int8)(q[32*b:])
		var sum int32
		for j := range 16 {
			sum += (int32(blk[2+j]&15) - 8) * int32(x[j])
			sum += (int32(blk[2+j]>>4) - 8) * int32(x[j+16])
		}
		s += f16at(blk[0:]) * d[b] * float32(sum)
	}
	return s
}

// dotQ4_KQ8KGeneric: Q4_K weights (144-byte super-blocks) · Q8_K input:
// d·dx·Σ_j sc_j·Σ q·x − dmin·dx·Σ_j m_j·Σ x, with Σ x from the input's sums.
func dotQ4_KQ8KGeneric(w []byte, q []int8, d []float32, sums []int16) float32 {
	var s float32
	for b := range d {
		blk := (*[blockBytesQ4_K]byte)(w[blockBytesQ4_K*b:])
		scales := (*[12]byte)(blk[4:])
		x := (*[256]int8)(q[256*b:])
		var sq, sm int32
		for n := range 4 {
			qs := (*[32]byte)(blk[16+32*n:])
			var a, c int32
			for l := range 32 {
				a += int32(qs[l]&15) * int32(x[64*n+l])
				c += int32(qs[l]>>4) * int32(x[64*n+32+l])
			}
			sc1, m1 := scaleMinK4(2*n, scales)
			sc2, m2 := scaleMinK4(2*n+1, scales)
			sq += int32(sc1)*a + int32(sc2)*c
			g := sums[16*b+4*n:]
			sm += int32(m1)*int32(g[0]+g[1]) + int32(m2)*int32(g[2]+g[3])
		}
		s += d[b] * (f16at(blk[0:])*float32(sq) - f16at(blk[2:])*float32(sm))
	}
	return s
}

// dotQ5_KQ8KGeneric: Q5_K weights (176-byte super-blocks) · Q8_K input.
func dotQ5_KQ8KGeneric(w []byte, q []int8, d []float32, sums []int16) float32 {
	var s float32
	for b := range d {
		blk := (*[blockBytesQ5_K]byte)(w[blockBytesQ5_K*b:])
		scales := (*[12]byte)(blk[4:])
		qh := (*[32]byte)(blk[16:])
		x := (*[256]int8)(q[256*b:])
		var sq, sm int32
		for n := range 4 {
			ql := (*[32]byte)(blk[48+32*n:])
			s1, s2 := uint(2*n), uint(2*n+1)
			var a, c int32
			for l := range 32 {
				a += int32(ql[l]&15|qh[l]>>s1&1<<4) * int32(x[64*n+l])
				c += int32(ql[l]>>4|qh[l]>>s2&1<<4) * int32(x[64*n+32+l])
			}
			sc1, m1 := scaleMinK4(2*n, scales)
			sc2, m2 := scaleMinK4(2*n+1, scales)
			sq += int32(sc1)*a + int32(sc2)*c
			g := sums[16*b+4*n:]
			sm += int32(m1)*int32(g[0]+g[1]) + int32(m2)*int32(g[2]+g[3])
		}
		s += d[b] * (f16at(blk[0:])*float32(sq) - f16at(blk[2:])*float32(sm))
	}
	return s
}

// dotQ6_KQ8KGeneric: Q6_K weights (210-byte super-blocks, values 0..63 minus 32, int8
// scales per 16) · Q8_K input.
func dotQ6_KQ8KGeneric(w []byte, q []int8, d []float32, sums []int16) float32 {
	var s float32
	for b := range d {
		blk := (*[blockBytesQ6_K]byte)(w[blockBytesQ6_K*b:])
		x := (*[256]int8)(q[256*b:])
		var sq int32
		for n := range 2 {
			ql := (*[64]byte)(blk[64*n:])
			qh := (*[32]byte)(blk[128+32*n:])
			sc := (*[8]byte)(blk[192+8*n:])
			v := x[128*n:]
			for h := range 2 {
				var a0, a1, a2, a3 int32
				for l := 16 * h; l < 16*h+16; l++ {
					lo, hi, e := ql[l], ql[l+32], qh[l]
					a0 += (int32(lo&15|e&3<<4) - 32) * int32(v[l])
					a1 += (int32(hi&15|e>>2&3<<4) - 32) * int32(v[l+32])
					a2 += (int32(lo>>4|e>>4&3<<4) - 32) * int32(v[l+64])
					a3 += (int32(hi>>4|e>>6&3<<4) - 32) * int32(v[l+96])
				}
				sq += int32(int8(sc[h]))*a0 + int32(int8(sc[h+2]))*a1 + int32(int8(sc[h+4]))*a2 + int32(int8(sc[h+6]))*a3
			}
		}
		s += d[b] * f16at(blk[208:]) * float32(sq)
	}
	return s
}

// dotQ2_KQ8KGeneric: Q2_K weights (84-byte super-blocks: 16 scale/min bytes, 64 bytes of
// 2-bit values, f16 d and dmin) · Q8_K input.
func dotQ2_KQ8KGeneric(w []byte, q []int8, d []float32, sums []int16) float32 {
	var s float32
	for b := range d {
		blk := (*[blockBytesQ2_K]byte)(w[blockBytesQ2_K*b:])
		x := (*[256]int8)(q[256*b:])
		var sq, sm int32
		for g := range 16 {
			// Group g = 8n + 2j + h holds bits 2j of qs[32n+16h:][:16] and values
			// x[128n+32j+16h:][:16].
			n, j, h := g/8, g/2%4, g%2
			qs := (*[16]byte)(blk[16+32*n+16*h:])
			v := x[128*n+32*j+16*h:]
			shift := uint(2 * j)
			var a int32
			for l := range 16 {
				a += int32(qs[l]>>shift&3) * int32(v[l])
			}
			sc := blk[g]
			sq += int32(sc&15) * a
			sm += int32(sc>>4) * int32(sums[16*b+(128*n+32*j+16*h)/16])
		}
		s += d[b] * (f16at(blk[80:])*float32(sq) - f16at(blk[82:])*float32(sm))
	}
	return s
}

// dotQ3_KQ8KGeneric: Q3_K weights (110-byte super-blocks: 32-byte high-bit mask, 64 bytes of
// 2-bit values, 12 bytes of 6-bit scales, f16 d; values minus 4 where the high bit is
// clear) · Q8_K input.
func dotQ3_KQ8KGeneric(w []byte, q []int8, d []float32, sums []int16) float32 {
	var s float32
	for b := range d {
		blk := (*[blockBytesQ3_K]byte)(w[blockBytesQ3_K*b:])
		sc := scalesQ3_K((*[12]byte)(blk[96:]))
		x := (*[256]int8)(q[256*b:])
		var sq int32
		for g := range 16 {
			n, j, h := g/8, g/2%4, g%2
			qs := (*[16]byte)(blk[32+32*n+16*h:])
			hm := (*[16]byte)(blk[16*h:])
			v := x[128*n+32*j+16*h:]
			shift, bit := uint(2*j), uint(4*n+j)
			var a int32
			for l := range 16 {
				a += (int32(qs[l]>>shift&3|hm[l]>>bit&1<<2) - 4) * int32(v[l])
			}
			sq += int32(sc[g]) * a
		}
		s += d[b] * f16at(blk[108:]) * float32(sq)
	}
	return s
}

// dotQ5_0Q8Generic: Q5_0 weights (22-byte blocks: f16 d, 32 high bits, 16 bytes of nibbles;
// value = (nibble | high bit<<4) − 16, low nibbles first) · Q8_0 input.
func dotQ5_0Q8Generic(w []byte, q []int8, d []float32) float32 {
	var s float32
	for b := range d {
		blk := (*[blockBytesQ5_0]byte)(w[blockBytesQ5_0*b:])
		qh := uint32(blk[2]) | uint32(blk[3])<<8 | uint32(blk[4])<<16 | uint32(blk[5])<<24
		x := (*[32]int8)(q[32*b:])
		var sum int32
		for j := range 16 {
			lo := int32(blk[6+j]&15) | int32(qh>>j&1)<<4
			hi := int32(blk[6+j]>>4) | int32(qh>>(j+16)&1)<<4
			sum += (lo-16)*int32(x[j]) + (hi-16)*int32(x[j+16])
		}
		s += f16at(blk[0:]) * d[b] * float32(sum)
	}
	return s
}
