//go:build !noasm

#include "textflag.h"

// AVX-512 VNNI kernel: Q4_K weight rows times SIXTEEN Q8_K input vectors, the layout and
// contract of dotQ4_KQ8Kx16RowsAVX2 (dotqx16_amd64.s): the vectors interleaved as
// interleaveQ8K16 lays them out, row r's sixteen products stored at dst[j*stride+r].
//
// One 512-bit register holds a 4-value run of all sixteen vectors (64 bytes of qi), so a
// run of four weights broadcast to every lane meets them in one VPDPBUSD, which adds each
// lane's four unsigned-nibble × signed-input products to its 32-bit sum without saturation
// (the AVX2 kernel needs a VPMADDUBSW and a VPADDW per eight vectors). A sub-block's eight
// runs go to two sums (even and odd runs, for two dependency chains), whose total, times
// the sub-block's 6-bit scale (VPMULLD), is added to Σsc·Σq; Σm·Σx comes from the input's
// sums of sixteen (si) as in the AVX2 kernel. Both are exact integers, and the float steps
// per super-block are the AVX2 kernel's, lane for lane, so each vector's product is bit for
// bit what the one-vector kernels give it alone.
//
// It takes a span of the columns (dotQ4_KQ8Kx16RowsSpans): row r's super-blocks start at
// w + r·wstride, and with acc each vector's sum starts from dst's (gathered) instead of 0.
//
// Registers: SI the row's weights (w_base advances by wstride per row), DI qi, DX di, BX si (from the start for each row),
// CX super-blocks left; Z0 the float sums, Z2 Σsc·Σq, Z6 Σm·Σx, Z13 d, Z14 dmin, Z15 0x0f
// bytes, Z16–Z19 a pair of sub-blocks' run sums, Z24 the store offsets j·stride.
// Stack: 0(SP) the super-block's scales and minimums as bytes, 16(SP) the scales as int32,
// 48(SP) the minimums as int16, 64(SP) the 256 bytes of nibbles (the low ones of qs[0:64],
// the high ones, then those of qs[64:128]).

DATA x16iota<>+0(SB)/8, $0x0000000100000000
DATA x16iota<>+8(SB)/8, $0x0000000300000002
DATA x16iota<>+16(SB)/8, $0x0000000500000004
DATA x16iota<>+24(SB)/8, $0x0000000700000006
DATA x16iota<>+32(SB)/8, $0x0000000900000008
DATA x16iota<>+40(SB)/8, $0x0000000b0000000a
DATA x16iota<>+48(SB)/8, $0x0000000d0000000c
DATA x16iota<>+56(SB)/8, $0x0000000f0000000e
GLOBL x16iota<>(SB), RODATA|NOPTR, $64

// VNNI_RUN adds a run of four nibbles (nib(SP)) times the sixteen vectors' run at xo(DI)
// to acc.
#define VNNI_RUN(nib, xo, acc) \
	VPBROADCASTD nib(R13), Z4; \
	VPDPBUSD xo(DI), Z4, acc

// VNNI_SUB is sub-block sub: its nibbles at nib(SP) times the vectors at xo(DI), eight runs
// into acc and odd (four runs each: |sum| ≤ 4·4·15·127 < 2^15, so each fits the low 16
// bits of its lane), each then times the sub-block's scale (VPDPWSSD by the dword sc, that
// is the words sc and 0) into Z2 and Z3; and its minimum (broadcast to words) times the
// input's pairs of sums of sixteen at bx(BX) into md (Z12 scratch).
#define VNNI_SUB(nib, xo, sub, bx, acc, odd, md) \
	VPXORD acc, acc, acc; \
	VPXORD odd, odd, odd; \
	VNNI_RUN((nib), (xo), acc); \
	VNNI_RUN((nib+4), (xo+64), odd); \
	VNNI_RUN((nib+8), (xo+128), acc); \
	VNNI_RUN((nib+12), (xo+192), odd); \
	VNNI_RUN((nib+16), (xo+256), acc); \
	VNNI_RUN((nib+20), (xo+320), odd); \
	VNNI_RUN((nib+24), (xo+384), acc); \
	VNNI_RUN((nib+28), (xo+448), odd); \
	VPDPWSSD.BCST (16+4*sub)(R13), acc, Z2; \
	VPDPWSSD.BCST (16+4*sub)(R13), odd, Z3; \
	VPBROADCASTW (48+2*sub)(R13), Z12; \
	VPDPWSSD (bx)(BX), Z12, md

// VNNI_PAIR is sub-blocks sub (low nibbles at lo(SP)) and sub+1 (high nibbles at hi(SP)),
// which share 32 bytes of qs.
#define VNNI_PAIR(lo, hi, sub) \
	VNNI_SUB(lo, (512*sub), sub, (64*sub), Z16, Z17, Z6); \
	VNNI_SUB(hi, (512*sub+512), (sub+1), (64*sub+64), Z18, Z19, Z7)

// PREP lays out the super-block at o(SI) for VNNI_SUB in the buffer at B: its scales as
// int32 at 16(B), its minimums as int16 at 48(B), its nibbles at 64(B) (AX, R9–R12, Z10–Z12
// scratch). sc[0..3] = b[0..3]&63, sc[4..7] = b[8..11]&15 | b[0..3]>>6<<4, m[0..3] =
// b[4..7]&63, m[4..7] = b[8..11]>>4 | b[4..7]>>6<<4 (ggml's get_scale_min_k4).
#define PREP(o, B) \
	MOVL (o+4)(SI), AX; \
	MOVL (o+8)(SI), R9; \
	MOVL (o+12)(SI), R10; \
	MOVL AX, R11; \
	SHRL $6, R11; \
	ANDL $0x03030303, R11; \
	SHLL $4, R11; \
	MOVL R10, R12; \
	ANDL $0x0f0f0f0f, R12; \
	ORL R11, R12; \
	ANDL $0x3f3f3f3f, AX; \
	MOVL R9, R11; \
	SHRL $6, R11; \
	ANDL $0x03030303, R11; \
	SHLL $4, R11; \
	SHRL $4, R10; \
	ANDL $0x0f0f0f0f, R10; \
	ORL R11, R10; \
	ANDL $0x3f3f3f3f, R9; \
	VMOVD AX, X12; \
	VPINSRD $1, R12, X12, X12; \
	VPINSRD $2, R9, X12, X12; \
	VPINSRD $3, R10, X12, X12; \
	VPMOVZXBD X12, Y11; \
	VMOVDQU Y11, 16(B); \
	VPSRLDQ $8, X12, X12; \
	VPMOVZXBW X12, X11; \
	VMOVDQU X11, 48(B); \
	VMOVDQU64 (o+16)(SI), Z10; \
	VPSRLW $4, Z10, Z11; \
	VPANDD Z15, Z10, Z10; \
	VPANDD Z15, Z11, Z11; \
	VMOVDQU64 Z10, 64(B); \
	VMOVDQU64 Z11, 128(B); \
	VMOVDQU64 (o+80)(SI), Z10; \
	VPSRLW $4, Z10, Z11; \
	VPANDD Z15, Z10, Z10; \
	VPANDD Z15, Z11, Z11; \
	VMOVDQU64 Z10, 192(B); \
	VMOVDQU64 Z11, 256(B)

// func dotQ4_KQ8Kx16RowsVNNI(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int, wstride int, acc bool)
TEXT ·dotQ4_KQ8Kx16RowsVNNI(SB), 0, $640-145
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Z15
	MOVQ stride+128(FP), AX
	VMOVD AX, X9
	VPBROADCASTD X9, Z24
	VPMULLD x16iota<>(SB), Z24, Z24
	CMPQ rows+24(FP), $0
	JLE k4v_end
k4v_row:
	MOVQ w_base+0(FP), SI
	MOVQ wstride+136(FP), AX
	ADDQ AX, w_base+0(FP)
	MOVQ qi_base+32(FP), DI
	MOVQ di_base+56(FP), DX
	MOVQ di_len+64(FP), CX
	SHRQ $4, CX
	MOVQ si_base+80(FP), BX
	VPXORD Z0, Z0, Z0
	CMPB acc+144(FP), $0
	JE k4v_zero
	MOVQ dst_base+104(FP), AX
	KXNORW K1, K1, K1
	VGATHERDPS (AX)(Z24*4), K1, Z0
k4v_zero:
	TESTQ CX, CX
	JZ k4v_store
	LEAQ 0(SP), R13
	LEAQ 320(SP), R14
	PREP(0, R13)
k4v_block:
	CMPQ CX, $1
	JE k4v_last
	PREP(144, R14)
k4v_last:
	MOVWLZX 0(SI), AX
	VMOVD AX, X13
	VCVTPH2PS X13, X13
	VBROADCASTSS X13, Z13
	MOVWLZX 2(SI), AX
	VMOVD AX, X14
	VCVTPH2PS X14, X14
	VBROADCASTSS X14, Z14
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VNNI_PAIR(64, 128, 0)
	VNNI_PAIR(96, 160, 2)
	VNNI_PAIR(192, 256, 4)
	VNNI_PAIR(224, 288, 6)
	VPADDD Z3, Z2, Z2
	VPADDD Z7, Z6, Z6
	VCVTDQ2PS Z2, Z2
	VMULPS Z13, Z2, Z2
	VCVTDQ2PS Z6, Z6
	VMULPS Z14, Z6, Z6
	VSUBPS Z6, Z2, Z2
	VMULPS (DX), Z2, Z2
	VADDPS Z2, Z0, Z0
	XCHGQ R13, R14
	ADDQ $144, SI
	ADDQ $4096, DI
	ADDQ $64, DX
	ADDQ $512, BX
	DECQ CX
	JNZ k4v_block
k4v_store:
	MOVQ dst_base+104(FP), AX
	KXNORW K1, K1, K1
	VSCATTERDPS Z0, K1, (AX)(Z24*4)
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ k4v_row
k4v_end:
	VZEROUPPER
	RET
