package quant

import (
	"encoding/binary"
	"math"
)

// Portable inner products. Each one runs four independent float32
// accumulators over blocks of eight elements (element k of a block goes to
// accumulator k%4), adds the tail to the first and sums the accumulators
// pairwise, so all of them round identically for the same values. (With
// more accumulators the compiler spills them to the stack.)

func dotF32Generic(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	for len(a) >= 8 && len(b) >= 8 {
		p := (*[8]float32)(a)
		q := (*[8]float32)(b)
		s0 += p[0] * q[0]
		s1 += p[1] * q[1]
		s2 += p[2] * q[2]
		s3 += p[3] * q[3]
		s0 += p[4] * q[4]
		s1 += p[5] * q[5]
		s2 += p[6] * q[6]
		s3 += p[7] * q[7]
		a, b = a[8:], b[8:]
	}
	for i, v := range a {
		s0 += v * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func dotF32LEGeneric(w []byte, x []float32) float32 {
	w = w[:4*len(x)]
	var s0, s1, s2, s3 float32
	for len(x) >= 8 && len(w) >= 32 {
		p := (*[32]byte)(w)
		q := (*[8]float32)(x)
		s0 += f32le(p[0:]) * q[0]
		s1 += f32le(p[4:]) * q[1]
		s2 += f32le(p[8:]) * q[2]
		s3 += f32le(p[12:]) * q[3]
		s0 += f32le(p[16:]) * q[4]
		s1 += f32le(p[20:]) * q[5]
		s2 += f32le(p[24:]) * q[6]
		s3 += f32le(p[28:]) * q[7]
		w, x = w[32:], x[8:]
	}
	for i, v := range x {
		s0 += f32le(w[4*i:]) * v
	}
	return (s0 + s1) + (s2 + s3)
}

func dotF16Generic(w []byte, x []float32) float32 {
	w = w[:2*len(x)]
	t := f16Table
	var s0, s1, s2, s3 float32
	for len(x) >= 8 && len(w) >= 16 {
		p := (*[16]byte)(w)
		q := (*[8]float32)(x)
		s0 += t[binary.LittleEndian.Uint16(p[0:])] * q[0]
		s1 += t[binary.LittleEndian.Uint16(p[2:])] * q[1]
		s2 += t[binary.LittleEndian.Uint16(p[4:])] * q[2]
		s3 += t[binary.LittleEndian.Uint16(p[6:])] * q[3]
		s0 += t[binary.LittleEndian.Uint16(p[8:])] * q[4]
		s1 += t[binary.LittleEndian.Uint16(p[10:])] * q[5]
		s2 += t[binary.LittleEndian.Uint16(p[12:])] * q[6]
		s3 += t[binary.LittleEndian.Uint16(p[14:])] * q[7]
		w, x = w[16:], x[8:]
	}
	for i, v := range x {
		s0 += t[binary.LittleEndian.Uint16(w[2*i:])] * v
	}
	return (s0 + s1) + (s2 + s3)
}

func dotBF16Generic(w []byte, x []float32) float32 {
	w = w[:2*len(x)]
	var s0, s1, s2, s3 float32
	for len(x) >= 8 && len(w) >= 16 {
		p := (*[16]byte)(w)
		q := (*[8]float32)(x)
		s0 += BF16ToF32(binary.LittleEndian.Uint16(p[0:])) * q[0]
		s1 += BF16ToF32(binary.LittleEndian.Uint16(p[2:])) * q[1]
		s2 += BF16ToF32(binary.LittleEndian.Uint16(p[4:])) * q[2]
		s3 += BF16ToF32(binary.LittleEndian.Uint16(p[6:])) * q[3]
		s0 += BF16ToF32(binary.LittleEndian.Uint16(p[8:])) * q[4]
		s1 += BF16ToF32(binary.LittleEndian.Uint16(p[10:])) * q[5]
		s2 += BF16ToF32(binary.LittleEndian.Uint16(p[12:])) * q[6]
		s3 += BF16ToF32(binary.LittleEndian.Uint16(p[14:])) * q[7]
		w, x = w[16:], x[8:]
	}
	for i, v := range x {
		s0 += BF16ToF32(binary.LittleEndian.Uint16(w[2*i:])) * v
	}
	return (s0 + s1) + (s2 + s3)
}

func dotE4M3Generic(w []byte, x []float32) float32 {
	w = w[:len(x)]
	t := &e4m3Table
	var s0, s1, s2, s3 float32
	for len(x) >= 8 && len(w) >= 8 {
		p := (*[8]byte)(w)
		q := (*[8]float32)(x)
		s0 += t[p[0]] * q[0]
		s1 += t[p[1]] * q[1]
		s2 += t[p[2]] * q[2]
		s3 += t[p[3]] * q[3]
		s0 += t[p[4]] * q[4]
		s1 += t[p[5]] * q[5]
		s2 += t[p[6]] * q[6]
		s3 += t[p[7]] * q[7]
		w, x = w[8:], x[8:]
	}
	for i, v := range x {
		s0 += t[w[i]] * v
	}
	return (s0 + s1) + (s2 + s3)
}

// f32le decodes the little-endian float32 at the start of b.
func f32le(b []byte) float32 {
	return math.Float32frombits(binary.LittleEndian.Uint32(b))
}
