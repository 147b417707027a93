//go:build !noasm

#include "textflag.h"
#include "dotq_amd64.h"

// AVX-512 VNNI kernel: Q8_0 weight rows times FOUR Q8_0 input vectors, the layout and
// contract of dotQ8_0Q8x4RowsAVX2 (dotqx4_amd64.s): rows consecutive rows of w, row r's
// four products stored at dst[r], dst[stride+r], dst[2*stride+r], dst[3*stride+r].
//
// VPDPBUSD multiplies unsigned by signed bytes and adds each group of four products to a
// 32-bit lane, with no saturation. The input bytes a (−127..127) are made unsigned by
// flipping their top bit (a+128), so one instruction gives Σ(a+128)·w; the weights' part
// 128·Σw is computed once per block and row (another VPDPBUSD, 0x80 times w) and taken
// off before any input is added, so each block's integer sum is exact, as in the AVX2
// kernels. A 512-bit register holds two blocks (lanes 0–7 and 8–15); the float part is
// d_w·d_x·Σ per lane, the d_w·d_x of sixteen blocks computed at once (d_w gathered and
// converted from half precision, times each vector's sixteen d_x) and spread to each pair's
// lanes with VPERMPS. The one-vector VNNI kernel (dotq_vnni_amd64.s) adds in the same
// order, so each vector's products are bit for bit what that kernel gives it alone; they
// differ from the AVX2 kernels' (and the generic ones') by summation order only.
//
// A row is done in groups of up to sixteen blocks; in the last group of a row the lanes of
// missing blocks are masked (their d_w·d_x are zero, their inputs not loaded), and a lone
// last block takes its own weights twice. Nothing is read past the end of w, q or d.
//
// Registers: SI w (the current pair of blocks), DI q of vector 0 (same), DX d of vector 0
// (the current group); vector t's q is at DI + t*R8 (R9 = 3*R8), its d at DX + t*R10
// (R11 = 3*R10). CX blocks left in the row, R14 blocks in the group, R13 pairs left in it,
// R12 the offset of a pair's second block (34, or 0 for a lone block).
// Z0–Z3 the four sums, Z8 the weights, Z14 −128·Σw, Z15 the group's d_w, Z16–Z19 each
// vector's d_w·d_x, Z20 the current pair's VPERMPS indexes, Z21 the first pair's, Z22
// twos, Z23 0x80 bytes, Z24 the gather offsets, Z26 zero. K1 gather mask, K2 input mask,
// K3 group mask.

DATA ·q8VNNIGather+0(SB)/4, $0
DATA ·q8VNNIGather+4(SB)/4, $34
DATA ·q8VNNIGather+8(SB)/4, $68
DATA ·q8VNNIGather+12(SB)/4, $102
DATA ·q8VNNIGather+16(SB)/4, $136
DATA ·q8VNNIGather+20(SB)/4, $170
DATA ·q8VNNIGather+24(SB)/4, $204
DATA ·q8VNNIGather+28(SB)/4, $238
DATA ·q8VNNIGather+32(SB)/4, $272
DATA ·q8VNNIGather+36(SB)/4, $306
DATA ·q8VNNIGather+40(SB)/4, $340
DATA ·q8VNNIGather+44(SB)/4, $374
DATA ·q8VNNIGather+48(SB)/4, $408
DATA ·q8VNNIGather+52(SB)/4, $442
DATA ·q8VNNIGather+56(SB)/4, $476
DATA ·q8VNNIGather+60(SB)/4, $510
GLOBL ·q8VNNIGather(SB), RODATA|NOPTR, $64

// One pair of blocks (or a lone block) times vector t: its input bytes made unsigned
// (masked by K2), −128·Σw plus Σ(a+128)·w, converted, times the pair's d_w·d_x.
#define VNNI_VECTOR(qaddr, scales, sum) \
	VPXORD.Z qaddr, Z23, K2, Z10; \
	VMOVDQA32 Z14, Z11; \
	VPDPBUSD Z8, Z10, Z11; \
	VCVTDQ2PS Z11, Z11; \
	VPERMPS scales, Z20, Z12; \
	VFMADD231PS Z12, Z11, sum

// func dotQ8_0Q8x4RowsVNNI(w []byte, rows int, q []int8, d []float32, dst []float32, stride int)
TEXT ·dotQ8_0Q8x4RowsVNNI(SB), NOSPLIT, $0-112
	MOVQ w_base+0(FP), SI
	MOVQ d_len+64(FP), CX
	SHRQ $2, CX
	MOVQ CX, R8
	SHLQ $5, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (CX*4), R10
	LEAQ (R10)(R10*2), R11
	VNNI_CONSTS
	CMPQ rows+24(FP), $0
	JLE vnni_end

vnni_row:
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	SHRQ $2, CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	TESTQ CX, CX
	JZ vnni_store

vnni_group:
	// R14 = min(16, CX) blocks; K1 = K3 = their mask; K2 = all lanes; R12 = 34.
	MOVQ CX, R14
	CMPQ R14, $16
	JBE vnni_groupsize
	MOVQ $16, R14
vnni_groupsize:
	MOVL $1, AX
	MOVQ CX, BX
	MOVQ R14, CX
	SHLL CX, AX
	MOVQ BX, CX
	DECL AX
	KMOVW AX, K1
	KMOVW AX, K3
	MOVL $0xffff, AX
	KMOVW AX, K2
	MOVQ $34, R12
	// d_w of the group's blocks (each dword gathered holds a block's half-precision scale
	// in its low half), then each vector's d_w·d_x.
	VPGATHERDD (SI)(Z24*1), K1, Z9
	VPMOVDW Z9, Y9
	VCVTPH2PS Y9, Z15
	VMULPS.Z (DX), Z15, K3, Z16
	VMULPS.Z (DX)(R10*1), Z15, K3, Z17
	VMULPS.Z (DX)(R10*2), Z15, K3, Z18
	VMULPS.Z (DX)(R11*1), Z15, K3, Z19
	VMOVDQA32 Z21, Z20
	MOVQ R14, R13
	INCQ R13
	SHRQ $1, R13

vnni_pair:
	// The last pair of a group with an odd count is a lone block: its own weights in
	// both halves, the upper half of each input masked.
	CMPQ R13, $1
	JNE vnni_full
	TESTQ $1, R14
	JZ vnni_full
	XORQ R12, R12
	MOVL $0xff, AX
	KMOVW AX, K2
vnni_full:
	VMOVDQU 2(SI), Y8
	VINSERTI64X4 $1, 2(SI)(R12*1), Z8, Z8
	VPXORD Z14, Z14, Z14
	VPDPBUSD Z8, Z23, Z14
	VPSUBD Z14, Z26, Z14
	VNNI_VECTOR((DI), Z16, Z0)
	VNNI_VECTOR((DI)(R8*1), Z17, Z1)
	VNNI_VECTOR((DI)(R8*2), Z18, Z2)
	VNNI_VECTOR((DI)(R9*1), Z19, Z3)
	VPADDD Z22, Z20, Z20
	ADDQ $68, SI
	ADDQ $64, DI
	DECQ R13
	JNZ vnni_pair

	TESTQ $1, R14
	JZ vnni_groupdone
	SUBQ $34, SI
	SUBQ $32, DI
vnni_groupdone:
	LEAQ (DX)(R14*4), DX
	SUBQ R14, CX
	JNZ vnni_group

vnni_store:
	VNNI_FOLD4
	REDUCE4
	MOVQ dst_base+80(FP), AX
	MOVQ stride+104(FP), BX
	SHLQ $2, BX
	STORE4(BX)
	ADDQ $4, dst_base+80(FP)
	DECQ rows+24(FP)
	JNZ vnni_row

vnni_end:
	VZEROUPPER
	RET
