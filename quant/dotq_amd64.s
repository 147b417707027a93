//go:build !noasm

#include "textflag.h"
#include "dotq_amd64.h"

// AVX2+FMA+F16C integer dot products for the GGUF block formats; the Go twins in
// dotq_generic.go define the results.
//
// No saturation is possible in VPMADDUBSW (u8×s8 pairs summed into int16, saturating)
// because every activation is in [-127, 127] (Input.Prepare clamps to ±127 in
// roundHalfAway; its AVX2 path stays within 127 + a few ulps) and the unsigned operand is small:
//   Q8_0: |w| ≤ 128 (sign moved onto x by VPSIGNB): 2·128·127 = 32512
//   Q4_0: nibbles 0..15: 3810, and 8·x pairs 2032 (subtracted with VPSUBW: |Δ| ≤ 5842)
//   Q4_K: 0..15: 3810   Q5_K: 0..31: 7874   Q6_K: 0..63: 16002
//   Q2_K: 0..3: 762     Q3_K: 0..7 (value+4): 1778
// all < 32767. VPMADDWD never saturates (only −32768·−32768 pairs could). The int32
// sums are the generic kernels' integers: the K kernels reduce them per super-block and
// then do the float part with the same scalar operations, in the same order, as the
// generic code, so their results are bit-identical to it. Q8_0 and Q4_0 accumulate
// d_w·d_x·Σ in eight float lanes (the per-lane partial sums are < 2^24, exact in float32):
// they differ from the generic results by float summation order only.
//
// For the same reason x ≠ −128, which the Q8_0 sign trick (VPSIGNB x by w, VPABSB w) needs.
//
// Q8_0 and Q4_0 take four blocks at a time, their four d_w·d_x in one vector (VPINSRW,
// VCVTPH2PS, VMULPS), then one block at a time.
//
// Q4_K and Q6_K, which decoding spends most of its time in (their rows stream from memory
// once per token), also take four super-blocks at a time: their four int32 vectors are
// reduced together (VPUNPCK[LH]DQ/[LH]QDQ and adds, no VPHADDD), their four scales
// converted and multiplied in one vector, and the four products added to the row's sum
// one by one, in block order, so that the result stays bit-identical (integer sums are
// the same in any order; each float operation is the generic one, on the same operands).
// Q4_K decodes the scales of two super-blocks at once, one per 128-bit lane. Q6_K starts
// each block's accumulator at -32·Σ sc·sums (VPMULLW by -32) instead of subtracting it at
// the end. The last n mod 4 blocks go one at a time.
//
// They, and the other one-vector kernels (Q5_0 included), prefetch
// (PREFETCHT0) the weights 4 KiB ahead: one token's decode reads each weight
// once, from DRAM, and the hardware prefetcher alone leaves a core well short of the
// memory's bandwidth. A prefetch never faults, so it may point past the end of w.
//
// Every load lies inside its block, its 32 (Q8_0) or 256 (Q8_K) activations, its 16 sums
// and its scale: nothing is read past the end of w, q, d or s.
//
// Each kernel multiplies rows consecutive rows of w, row after row, by the one vector and
// stores row r's product at dst[r] (qdotRowsFunc): the constants are set up once per call,
// not per row. DI, DX, CX (and BX) are reloaded from the arguments for each row; the count
// of rows left and the row's dst are kept in their argument slots.

// q3K<>: Q3_K scale decoding: 0x0f and 0x30 bytes, then the dword shift counts that put
// the 2-bit high parts of scales 0-3, 4-7, 8-11, 12-15 at bits 4-5: left 4, 2, 0, 0 and
// right 0, 0, 0, 2.
DATA q3K<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA q3K<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA q3K<>+16(SB)/8, $0x3030303030303030
DATA q3K<>+24(SB)/8, $0x3030303030303030
DATA q3K<>+32(SB)/8, $0x0000000200000004
DATA q3K<>+40(SB)/8, $0x0000000000000000
DATA q3K<>+48(SB)/8, $0x0000000000000000
DATA q3K<>+56(SB)/8, $0x0000000200000000
GLOBL q3K<>(SB), RODATA|NOPTR, $64

// Q8_0 and Q4_0 keep one accumulator per row: eight float lanes, each block's d_w·d_x
// (VCVTPH2PS, then VMULPS: one rounding) times its eight int32 sums of four products,
// fused into it in block order (VFMADD231PS), then reduced as REDUCE4 does (the high lane
// onto the low, then two pairwise adds). That is exactly the four-vector kernels' order
// (dotqx4_amd64.s), so a row's product is bit for bit the same whichever kernel takes
// its vector: a request's output does not depend on the batch it shares. One chain of
// dependent FMAs would wait on their latency, so the kernels take four rows at a time,
// the input block loaded once for them; the last rows mod 4 go one at a time.
//
// The four rows are four streams from memory, a row apart, which the hardware prefetcher
// follows poorly: while a group is multiplied, the group after the next (four rows, in
// memory order, from R11) is prefetched at the same pace, so that a group finds its rows
// in the cache (a matrix of 71 MB: 2.2 ms a product with prefetches 4 KiB ahead in each
// row, as the one-row kernels have, 1 ms with these; one group ahead left a model's
// decoding, whose products are split into short runs of rows, 12-19% slower).
//
// Registers: SI row 0 of the group (row j at SI + j*R8; R9 = 3*R8), DI q, DX d, CX
// blocks left, BX rows left, R10 dst, R11 the bytes to prefetch; Y0-Y3 the
// four rows' sums, Y8 the input block, Y6 the four rows' d_w·d_x in both lanes, Y15 = 1
// words.

// QR_SCALES4 converts the f16 scales of the four rows' current blocks (SI, SI+R8, SI+2·R8,
// SI+R9) and multiplies them by the input block's scale at DX: row j's d_w·d_x in lane j
// of both halves of Y6 (X7 scratch).
#define QR_SCALES4 \
	MOVWLZX (SI), AX \
	VMOVD AX, X6 \
	VPINSRW $1, (SI)(R8*1), X6, X6 \
	VPINSRW $2, (SI)(R8*2), X6, X6 \
	VPINSRW $3, (SI)(R9*1), X6, X6 \
	VCVTPH2PS X6, X6 \
	VBROADCASTSS (DX), X7 \
	VMULPS X7, X6, X6 \
	VINSERTF128 $1, X6, Y6, Y6

// QR_SCALE1 is QR_SCALES4 for one row: its d_w·d_x in every lane of Y6.
#define QR_SCALE1 \
	MOVWLZX (SI), AX \
	VMOVD AX, X6 \
	VCVTPH2PS X6, X6 \
	VMULSS (DX), X6, X6 \
	VBROADCASTSS X6, Y6

// Q8R_ROW adds a Q8_0 row's block, its 32 int8 at wm, times the input block in Y8 to acc:
// the input's signs moved onto it (VPSIGNB) so that VPMADDUBSW takes |w|, summed by fours,
// converted, times lane imm of Y6. w, x, s are scratch.
#define Q8R_ROW(wm, acc, imm, w, x, s) \
	VMOVDQU wm, w \
	VPSIGNB w, Y8, x \
	VPABSB w, w \
	VPMADDUBSW x, w, w \
	VPMADDWD Y15, w, w \
	VCVTDQ2PS w, w \
	VPERMILPS $imm, Y6, s \
	VFMADD231PS s, w, acc

// Q4R_ROW is Q8R_ROW for a Q4_0 row: the 16 bytes of nibbles at wm (low ones in the low
// lane of w, high in the high: xw, xh are w's and h's X halves) times the input in Y8, less
// 8·x (Y9, VPMADDUBSW of Y13 = 8 bytes by the input, once per block). Y14 = 0x0f bytes.
#define Q4R_ROW(wm, acc, imm, xw, xh, w, h, s) \
	VMOVDQU wm, xw \
	VPSRLW $4, xw, xh \
	VINSERTI128 $1, xh, w, w \
	VPAND Y14, w, w \
	VPMADDUBSW Y8, w, w \
	VPSUBW Y9, w, w \
	VPMADDWD Y15, w, w \
	VCVTDQ2PS w, w \
	VPERMILPS $imm, Y6, s \
	VFMADD231PS s, w, acc

// QR_START loads the arguments: SI w, R8 the row's bytes (blocks × bb), R9 = 3·R8, BX rows,
// R10 dst; Y15 = 1 words.
#define QR_START(bb) \
	MOVQ w_base+0(FP), SI \
	MOVQ d_len+64(FP), R8 \
	IMULQ $bb, R8 \
	LEAQ (R8)(R8*2), R9 \
	MOVQ rows+24(FP), BX \
	MOVQ dst_base+80(FP), R10 \
	VPCMPEQW Y15, Y15, Y15 \
	VPSRLW $15, Y15, Y15

// QR_ROWSTART points DI, DX and CX at the input's first block.
#define QR_ROWSTART \
	MOVQ q_base+32(FP), DI \
	MOVQ d_base+56(FP), DX \
	MOVQ d_len+64(FP), CX

// func dotQ8_0Q8RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32)
TEXT ·dotQ8_0Q8RowsAVX2(SB), NOSPLIT, $0-104
	QR_START(34)
	CMPQ BX, $4
	JB q8r_one
q8r_four:
	QR_ROWSTART
	LEAQ (SI)(R8*8), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	TESTQ CX, CX
	JZ q8r_fourdone
q8r_fourloop:
	PREFETCHT0 (R11)
	PREFETCHT0 64(R11)
	PREFETCHT0 128(R11)
	ADDQ $136, R11
	QR_SCALES4
	VMOVDQU (DI), Y8
	Q8R_ROW(2(SI), Y0, 0x00, Y4, Y5, Y7)
	Q8R_ROW(2(SI)(R8*1), Y1, 0x55, Y10, Y11, Y12)
	Q8R_ROW(2(SI)(R8*2), Y2, 0xaa, Y4, Y5, Y7)
	Q8R_ROW(2(SI)(R9*1), Y3, 0xff, Y10, Y11, Y12)
	ADDQ $34, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JNZ q8r_fourloop
q8r_fourdone:
	QR_STORE4
	JAE q8r_four
q8r_one:
	TESTQ BX, BX
	JZ q8r_end
q8r_onerow:
	QR_ROWSTART
	VXORPS Y0, Y0, Y0
	TESTQ CX, CX
	JZ q8r_onedone
q8r_oneloop:
	PREFETCHT0 4096(SI)
	QR_SCALE1
	VMOVDQU (DI), Y8
	Q8R_ROW(2(SI), Y0, 0x00, Y4, Y5, Y7)
	ADDQ $34, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JNZ q8r_oneloop
q8r_onedone:
	QR_REDUCE1
	VMOVSS X0, (R10)
	ADDQ $4, R10
	DECQ BX
	JNZ q8r_onerow
q8r_end:
	VZEROUPPER
	RET

// func dotQ4_0Q8RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32)
TEXT ·dotQ4_0Q8RowsAVX2(SB), NOSPLIT, $0-104
	QR_START(18)
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x08080808, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	CMPQ BX, $4
	JB q4r_one
q4r_four:
	QR_ROWSTART
	LEAQ (SI)(R8*8), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	TESTQ CX, CX
	JZ q4r_fourdone
q4r_fourloop:
	PREFETCHT0 (R11)
	PREFETCHT0 64(R11)
	ADDQ $72, R11
	QR_SCALES4
	VMOVDQU (DI), Y8
	VPMADDUBSW Y8, Y13, Y9
	Q4R_ROW(2(SI), Y0, 0x00, X4, X5, Y4, Y5, Y7)
	Q4R_ROW(2(SI)(R8*1), Y1, 0x55, X10, X11, Y10, Y11, Y12)
	Q4R_ROW(2(SI)(R8*2), Y2, 0xaa, X4, X5, Y4, Y5, Y7)
	Q4R_ROW(2(SI)(R9*1), Y3, 0xff, X10, X11, Y10, Y11, Y12)
	ADDQ $18, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JNZ q4r_fourloop
q4r_fourdone:
	QR_STORE4
	JAE q4r_four
q4r_one:
	TESTQ BX, BX
	JZ q4r_end
q4r_onerow:
	QR_ROWSTART
	VXORPS Y0, Y0, Y0
	TESTQ CX, CX
	JZ q4r_onedone
q4r_oneloop:
	PREFETCHT0 4096(SI)
	QR_SCALE1
	VMOVDQU (DI), Y8
	VPMADDUBSW Y8, Y13, Y9
	Q4R_ROW(2(SI), Y0, 0x00, X4, X5, Y4, Y5, Y7)
	ADDQ $18, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JNZ q4r_oneloop
q4r_onedone:
	QR_REDUCE1
	VMOVSS X0, (R10)
	ADDQ $4, R10
	DECQ BX
	JNZ q4r_onerow
q4r_end:
	VZEROUPPER
	RET

// Q5K_HIGHBITS ORs a Q5_K fifth bit, moved to bit 4 by op $n from the qh bytes in Y12, onto
// the values in dst (Y13 = 0x10 bytes; Y3 scratch).
#define Q5K_HIGHBITS(op, n, dst) \
	op $n, Y12, Y3 \
	VPAND Y13, Y3, Y3 \
	VPOR Y3, dst, dst

// func dotQ4_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)
TEXT ·dotQ4_KQ8KRowsAVX2(SB), NOSPLIT, $0-128
	MOVQ w_base+0(FP), SI
	Q4K_CONSTS
	CMPQ rows+24(FP), $0
	JLE dotQ4_KQ8KRowsAVX2_end
dotQ4_KQ8KRowsAVX2_row:
	KQ_ROWSTART
	CMPQ CX, $4
	JGE dotQ4_KQ8KRowsAVX2_quad
	TESTQ CX, CX
	JZ dotQ4_KQ8KRowsAVX2_done
	JMP dotQ4_KQ8KRowsAVX2_loop
dotQ4_KQ8KRowsAVX2_quad:
	Q4K_PREFETCH4
	Q4K_SCALES2(4)
	Q4K_LO(0)
	Q4K_BLOCK(16, 0)
	Q4K_FOLD_LO
	Q4K_HI(32)
	Q4K_BLOCK(160, 256)
	Q4K_FOLD_HI(Y15)
	Q4K_SCALES2(292)
	Q4K_LO(64)
	Q4K_BLOCK(304, 512)
	Q4K_FOLD_LO
	Q4K_HI(96)
	Q4K_BLOCK(448, 768)
	Q4K_FOLD_HI(Y9)
	Q4K_FLOAT4
	ADDQ $576, SI
	ADDQ $1024, DI
	ADDQ $16, DX
	ADDQ $128, BX
	SUBQ $4, CX
	CMPQ CX, $4
	JGE dotQ4_KQ8KRowsAVX2_quad
	TESTQ CX, CX
	JZ dotQ4_KQ8KRowsAVX2_done

dotQ4_KQ8KRowsAVX2_loop:
	Q4K_PREFETCH1
	Q4K_ONE
	ADDQ $144, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ dotQ4_KQ8KRowsAVX2_loop
dotQ4_KQ8KRowsAVX2_done:
	MOVQ dst_base+104(FP), AX
	VMOVSS X0, (AX)
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ dotQ4_KQ8KRowsAVX2_row
dotQ4_KQ8KRowsAVX2_end:
	VZEROUPPER
	RET

// func dotQ5_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)
TEXT ·dotQ5_KQ8KRowsAVX2(SB), NOSPLIT, $0-128
	MOVQ w_base+0(FP), SI
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x10101010, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL $0x3f3f3f3f, AX
	VMOVD AX, X11
	VPBROADCASTD X11, Y11
	MOVL $0x30303030, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	CMPQ rows+24(FP), $0
	JLE dotQ5_KQ8KRowsAVX2_end
dotQ5_KQ8KRowsAVX2_row:
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	MOVQ s_base+80(FP), BX
	VXORPS X0, X0, X0
	TESTQ CX, CX
	JZ dotQ5_KQ8KRowsAVX2_done
dotQ5_KQ8KRowsAVX2_loop:
	PREFETCHT0 4096(SI)
	PREFETCHT0 4160(SI)
	PREFETCHT0 4224(SI)
	KQ_SCALES(4, X15)
	VPBROADCASTQ X1, Y5
	VPUNPCKHBW X1, X1, X6
	VPMOVZXBW X6, Y6
	VPMADDWD (BX), Y6, Y6
	VMOVDQU 16(SI), Y12
	Q4K_NIBBLES(48)
	Q5K_HIGHBITS(VPSLLW, 4, Y1)
	Q5K_HIGHBITS(VPSLLW, 3, Y2)
	KQ_MUL2(0, 0)
	VMOVDQA Y1, Y7
	VMOVDQA Y2, Y10
	Q4K_NIBBLES(80)
	Q5K_HIGHBITS(VPSLLW, 2, Y1)
	Q5K_HIGHBITS(VPSLLW, 1, Y2)
	KQ_MUL2(64, 64)
	VPADDD Y1, Y7, Y7
	VPADDD Y2, Y10, Y10
	Q4K_NIBBLES(112)
	VPAND Y13, Y12, Y3
	VPOR Y3, Y1, Y1
	Q5K_HIGHBITS(VPSRLW, 1, Y2)
	KQ_MUL2(128, 128)
	VPADDD Y1, Y7, Y7
	VPADDD Y2, Y10, Y10
	Q4K_NIBBLES(144)
	Q5K_HIGHBITS(VPSRLW, 2, Y1)
	Q5K_HIGHBITS(VPSRLW, 3, Y2)
	KQ_MUL2(192, 192)
	VPADDD Y1, Y7, Y7
	VPADDD Y2, Y10, Y10
	VPADDD Y10, Y7, Y7
	VPHADDD Y6, Y7, Y7
	VEXTRACTI128 $1, Y7, X8
	VPADDD X8, X7, X7
	VPHADDD X7, X7, X7
	VCVTDQ2PS X7, X7
	MOVL 0(SI), AX
	VMOVD AX, X9
	VCVTPH2PS X9, X9
	VMULPS X9, X7, X7
	VMOVSHDUP X7, X8
	VSUBSS X8, X7, X7
	VMULSS (DX), X7, X7
	VADDSS X7, X0, X0
	ADDQ $176, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ dotQ5_KQ8KRowsAVX2_loop
dotQ5_KQ8KRowsAVX2_done:
	MOVQ dst_base+104(FP), AX
	VMOVSS X0, (AX)
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ dotQ5_KQ8KRowsAVX2_row
dotQ5_KQ8KRowsAVX2_end:
	VZEROUPPER
	RET

// Q6K_HALF adds to acc the int32 sums of 128 values of a Q6_K block (one 64-byte half of
// ql at ql, its 32 bytes of qh at qh) times the input at xo(DI), each group of 16 times its
// scale: Y5 holds the block's sixteen scales as int16, of which perm picks this half's
// eight into Y11 (shufK6 spreads them). Y13 = 0x30 and Y14 = 0x0f bytes; Y1–Y4 and Y8 are
// scratch. The four groups of 32 values are ql's low nibbles, ql+32's low nibbles, ql's
// high nibbles, ql+32's high nibbles, with qh's bit pairs 0, 2, 4 and 6 on top.
#define Q6K_HALF(perm, ql, qh, xo, acc) \
	VPERMQ $perm, Y5, Y11 \
	VMOVDQU (ql)(SI), Y1 \
	VMOVDQU (ql+32)(SI), Y2 \
	VMOVDQU (qh)(SI), Y3 \
	VPAND Y14, Y1, Y4 \
	VPSLLW $4, Y3, Y8 \
	VPAND Y13, Y8, Y8 \
	VPOR Y8, Y4, Y4 \
	VPMADDUBSW (xo)(DI), Y4, Y4 \
	VPSHUFB shufK6<>+0(SB), Y11, Y8 \
	VPMADDWD Y8, Y4, Y4 \
	VPADDD Y4, acc, acc \
	VPAND Y14, Y2, Y4 \
	VPSLLW $2, Y3, Y8 \
	VPAND Y13, Y8, Y8 \
	VPOR Y8, Y4, Y4 \
	VPMADDUBSW (xo+32)(DI), Y4, Y4 \
	VPSHUFB shufK6<>+32(SB), Y11, Y8 \
	VPMADDWD Y8, Y4, Y4 \
	VPADDD Y4, acc, acc \
	VPSRLW $4, Y1, Y4 \
	VPAND Y14, Y4, Y4 \
	VPAND Y13, Y3, Y8 \
	VPOR Y8, Y4, Y4 \
	VPMADDUBSW (xo+64)(DI), Y4, Y4 \
	VPSHUFB shufK6<>+64(SB), Y11, Y8 \
	VPMADDWD Y8, Y4, Y4 \
	VPADDD Y4, acc, acc \
	VPSRLW $4, Y2, Y4 \
	VPAND Y14, Y4, Y4 \
	VPSRLW $2, Y3, Y8 \
	VPAND Y13, Y8, Y8 \
	VPOR Y8, Y4, Y4 \
	VPMADDUBSW (xo+96)(DI), Y4, Y4 \
	VPSHUFB shufK6<>+96(SB), Y11, Y8 \
	VPMADDWD Y8, Y4, Y4 \
	VPADDD Y4, acc, acc

// Q6K_BLOCK adds the int32 sums of the Q6_K block at w(SI) times the input at x(DI) to acc,
// which it starts at -32·Σ scale·sum (VPMULLW by Y12 = -32, the sums of 16 at s(BX)): the
// value offset of 32 without a subtraction per value.
#define Q6K_BLOCK(w, x, s, acc) \
	VPMOVSXBW (w+192)(SI), Y5 \
	VPMULLW Y12, Y5, acc \
	VPMADDWD (s)(BX), acc, acc \
	Q6K_HALF(0x44, w, (w+128), x, acc) \
	Q6K_HALF(0xee, (w+64), (w+160), (x+128), acc)

// Q6K_HALF_SUMS is Q6K_HALF for the one-block loop, with qh in Y15: it decodes the four
// groups first and leaves their sums, scaled, in Y3 (the first two groups) and Y1 (the
// last two); Y2, Y4, Y8 and Y9 are scratch.
#define Q6K_HALF_SUMS(perm, ql, qh, xo) \
	VPERMQ $perm, Y5, Y11 \
	VMOVDQU (ql)(SI), Y1 \
	VMOVDQU (ql+32)(SI), Y2 \
	VMOVDQU (qh)(SI), Y15 \
	VPAND Y14, Y1, Y3 \
	VPSLLW $4, Y15, Y8 \
	VPAND Y13, Y8, Y8 \
	VPOR Y8, Y3, Y3 \
	VPAND Y14, Y2, Y4 \
	VPSLLW $2, Y15, Y8 \
	VPAND Y13, Y8, Y8 \
	VPOR Y8, Y4, Y4 \
	VPSRLW $4, Y1, Y1 \
	VPAND Y14, Y1, Y1 \
	VPAND Y13, Y15, Y8 \
	VPOR Y8, Y1, Y1 \
	VPSRLW $4, Y2, Y2 \
	VPAND Y14, Y2, Y2 \
	VPSRLW $2, Y15, Y8 \
	VPAND Y13, Y8, Y8 \
	VPOR Y8, Y2, Y2 \
	VPMADDUBSW (xo)(DI), Y3, Y3 \
	VPSHUFB shufK6<>+0(SB), Y11, Y9 \
	VPMADDWD Y9, Y3, Y3 \
	VPMADDUBSW (xo+32)(DI), Y4, Y4 \
	VPSHUFB shufK6<>+32(SB), Y11, Y9 \
	VPMADDWD Y9, Y4, Y4 \
	VPMADDUBSW (xo+64)(DI), Y1, Y1 \
	VPSHUFB shufK6<>+64(SB), Y11, Y9 \
	VPMADDWD Y9, Y1, Y1 \
	VPMADDUBSW (xo+96)(DI), Y2, Y2 \
	VPSHUFB shufK6<>+96(SB), Y11, Y9 \
	VPMADDWD Y9, Y2, Y2 \
	VPADDD Y4, Y3, Y3 \
	VPADDD Y2, Y1, Y1

// func dotQ6_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)
TEXT ·dotQ6_KQ8KRowsAVX2(SB), NOSPLIT, $0-128
	MOVQ w_base+0(FP), SI
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x30303030, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL $0xffe0ffe0, AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
	CMPQ rows+24(FP), $0
	JLE dotQ6_KQ8KRowsAVX2_end
dotQ6_KQ8KRowsAVX2_row:
	KQ_ROWSTART
	CMPQ CX, $4
	JGE dotQ6_KQ8KRowsAVX2_quad
	TESTQ CX, CX
	JZ dotQ6_KQ8KRowsAVX2_done
	JMP dotQ6_KQ8KRowsAVX2_loop
dotQ6_KQ8KRowsAVX2_quad:
	Q6K_PREFETCH4
	Q6K_BLOCK(0, 0, 0, Y6)
	Q6K_BLOCK(210, 256, 32, Y7)
	Q6K_FOLD_LO
	Q6K_BLOCK(420, 512, 64, Y6)
	Q6K_BLOCK(630, 768, 96, Y7)
	Q6K_FOLD_HI
	Q6K_FLOAT4
	ADDQ $840, SI
	ADDQ $1024, DI
	ADDQ $16, DX
	ADDQ $128, BX
	SUBQ $4, CX
	CMPQ CX, $4
	JGE dotQ6_KQ8KRowsAVX2_quad
	TESTQ CX, CX
	JZ dotQ6_KQ8KRowsAVX2_done

dotQ6_KQ8KRowsAVX2_loop:
	Q6K_PREFETCH1
	VPMOVSXBW 192(SI), Y5
	VPMADDWD (BX), Y5, Y6
	Q6K_HALF_SUMS(0x44, 0, 128, 0)
	VMOVDQA Y3, Y7
	VMOVDQA Y1, Y10
	Q6K_HALF_SUMS(0xee, 64, 160, 128)
	VPADDD Y3, Y7, Y7
	VPADDD Y1, Y10, Y10
	VPADDD Y10, Y7, Y7
	VPSLLD $5, Y6, Y6
	VPSUBD Y6, Y7, Y7
	Q6K_FLOAT1
	ADDQ $210, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ dotQ6_KQ8KRowsAVX2_loop
dotQ6_KQ8KRowsAVX2_done:
	MOVQ dst_base+104(FP), AX
	VMOVSS X0, (AX)
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ dotQ6_KQ8KRowsAVX2_row
dotQ6_KQ8KRowsAVX2_end:
	VZEROUPPER
	RET

// KQ_MUL16 multiplies the 32 values in r by the input at xo(DI) and sums each pair, int32,
// times its group of 16's scale: int16 sh/32 of each lane of Y11, spread by shufK6 (Q2_K,
// Q3_K, Q6_K). Y9 is scratch.
#define KQ_MUL16(xo, sh, r) \
	VPMADDUBSW (xo)(DI), r, r \
	VPSHUFB shufK6<>+(sh)(SB), Y11, Y9 \
	VPMADDWD Y9, r, r

// Q2K_HALF is 128 values of a Q2_K block: the 32 bytes at qs(SI), bit pairs 0, 2, 4 and 6
// (Y13 = 0x03 bytes), times the input at xo(DI), each group of 16 times its scale, of which
// perm picks this half's eight from Y5 into Y11. The int32 sums are left in Y1 (the first
// two groups of 32) and Y3 (the last two); Y2, Y4, Y9 and Y12 are scratch.
#define Q2K_HALF(perm, qs, xo) \
	VPERMQ $perm, Y5, Y11 \
	VMOVDQU (qs)(SI), Y12 \
	VPAND Y13, Y12, Y1 \
	VPMADDUBSW (xo)(DI), Y1, Y1 \
	VPSHUFB shufK6<>+0(SB), Y11, Y9 \
	VPMADDWD Y9, Y1, Y1 \
	VPSRLW $2, Y12, Y2 \
	VPAND Y13, Y2, Y2 \
	VPMADDUBSW (xo+32)(DI), Y2, Y2 \
	VPSHUFB shufK6<>+32(SB), Y11, Y9 \
	VPMADDWD Y9, Y2, Y2 \
	VPSRLW $4, Y12, Y3 \
	VPAND Y13, Y3, Y3 \
	VPMADDUBSW (xo+64)(DI), Y3, Y3 \
	VPSHUFB shufK6<>+64(SB), Y11, Y9 \
	VPMADDWD Y9, Y3, Y3 \
	VPSRLW $6, Y12, Y4 \
	VPAND Y13, Y4, Y4 \
	VPMADDUBSW (xo+96)(DI), Y4, Y4 \
	VPSHUFB shufK6<>+96(SB), Y11, Y9 \
	VPMADDWD Y9, Y4, Y4 \
	VPADDD Y2, Y1, Y1 \
	VPADDD Y4, Y3, Y3

// Q3K_HIGHBITS ORs a Q3_K third bit, moved to bit 2 by op $n from the hmask bytes in Y12,
// onto the values in dst (Y13 = 0x04 bytes; Y9 scratch).
#define Q3K_HIGHBITS(op, n, dst) \
	op $n, Y12, Y9 \
	VPAND Y13, Y9, Y9 \
	VPOR Y9, dst, dst

// func dotQ2_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)
TEXT ·dotQ2_KQ8KRowsAVX2(SB), NOSPLIT, $0-128
	MOVQ w_base+0(FP), SI
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x03030303, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	CMPQ rows+24(FP), $0
	JLE dotQ2_KQ8KRowsAVX2_end
dotQ2_KQ8KRowsAVX2_row:
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	MOVQ s_base+80(FP), BX
	VXORPS X0, X0, X0
	TESTQ CX, CX
	JZ dotQ2_KQ8KRowsAVX2_done
dotQ2_KQ8KRowsAVX2_loop:
	PREFETCHT0 4096(SI)
	PREFETCHT0 4160(SI)
	VMOVDQU (SI), X5
	VPSRLW $4, X5, X6
	VPAND X14, X6, X6
	VPAND X14, X5, X5
	VPMOVZXBW X6, Y6
	VPMADDWD (BX), Y6, Y6
	VPMOVZXBW X5, Y5
	Q2K_HALF(0x44, 16, 0)
	VMOVDQA Y1, Y7
	VMOVDQA Y3, Y10
	Q2K_HALF(0xee, 48, 128)
	VPADDD Y1, Y7, Y7
	VPADDD Y3, Y10, Y10
	VPADDD Y10, Y7, Y7
	VPHADDD Y6, Y7, Y7
	VEXTRACTI128 $1, Y7, X8
	VPADDD X8, X7, X7
	VPHADDD X7, X7, X7
	VCVTDQ2PS X7, X7
	MOVL 80(SI), AX
	VMOVD AX, X9
	VCVTPH2PS X9, X9
	VMULPS X9, X7, X7
	VMOVSHDUP X7, X8
	VSUBSS X8, X7, X7
	VMULSS (DX), X7, X7
	VADDSS X7, X0, X0
	ADDQ $84, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ dotQ2_KQ8KRowsAVX2_loop
dotQ2_KQ8KRowsAVX2_done:
	MOVQ dst_base+104(FP), AX
	VMOVSS X0, (AX)
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ dotQ2_KQ8KRowsAVX2_row
dotQ2_KQ8KRowsAVX2_end:
	VZEROUPPER
	RET

// func dotQ3_KQ8KRowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)
TEXT ·dotQ3_KQ8KRowsAVX2(SB), NOSPLIT, $0-128
	MOVQ w_base+0(FP), SI
	MOVL $0x03030303, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x04040404, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL $0x20202020, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	CMPQ rows+24(FP), $0
	JLE dotQ3_KQ8KRowsAVX2_end
dotQ3_KQ8KRowsAVX2_row:
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	MOVQ s_base+80(FP), BX
	VXORPS X0, X0, X0
	TESTQ CX, CX
	JZ dotQ3_KQ8KRowsAVX2_done
dotQ3_KQ8KRowsAVX2_loop:
	PREFETCHT0 4096(SI)
	PREFETCHT0 4160(SI)
	VMOVQ 96(SI), X1
	VPINSRD $2, 104(SI), X1, X1
	VPSRLD $4, X1, X2
	VPUNPCKLQDQ X2, X1, X3
	VPAND q3K<>+0(SB), X3, X3
	VPSHUFD $0xaa, X1, X2
	VPSLLVD q3K<>+32(SB), X2, X2
	VPSRLVD q3K<>+48(SB), X2, X2
	VPAND q3K<>+16(SB), X2, X2
	VPOR X2, X3, X5
	VPSUBB X15, X5, X5
	VPMOVSXBW X5, Y5
	VPMADDWD (BX), Y5, Y6
	VMOVDQU (SI), Y12
	VPERMQ $0x44, Y5, Y11
	VMOVDQU 32(SI), Y8
	VPAND Y14, Y8, Y1
	Q3K_HIGHBITS(VPSLLW, 2, Y1)
	KQ_MUL16(0, 0, Y1)
	VPSRLW $2, Y8, Y2
	VPAND Y14, Y2, Y2
	Q3K_HIGHBITS(VPSLLW, 1, Y2)
	KQ_MUL16(32, 32, Y2)
	VPSRLW $4, Y8, Y3
	VPAND Y14, Y3, Y3
	VPAND Y13, Y12, Y9
	VPOR Y9, Y3, Y3
	KQ_MUL16(64, 64, Y3)
	VPSRLW $6, Y8, Y4
	VPAND Y14, Y4, Y4
	Q3K_HIGHBITS(VPSRLW, 1, Y4)
	KQ_MUL16(96, 96, Y4)
	VPADDD Y2, Y1, Y1
	VPADDD Y4, Y3, Y3
	VMOVDQA Y1, Y7
	VMOVDQA Y3, Y10
	VPERMQ $0xee, Y5, Y11
	VMOVDQU 64(SI), Y8
	VPAND Y14, Y8, Y1
	Q3K_HIGHBITS(VPSRLW, 2, Y1)
	KQ_MUL16(128, 0, Y1)
	VPSRLW $2, Y8, Y2
	VPAND Y14, Y2, Y2
	Q3K_HIGHBITS(VPSRLW, 3, Y2)
	KQ_MUL16(160, 32, Y2)
	VPSRLW $4, Y8, Y3
	VPAND Y14, Y3, Y3
	Q3K_HIGHBITS(VPSRLW, 4, Y3)
	KQ_MUL16(192, 64, Y3)
	VPSRLW $6, Y8, Y4
	VPAND Y14, Y4, Y4
	Q3K_HIGHBITS(VPSRLW, 5, Y4)
	KQ_MUL16(224, 96, Y4)
	VPADDD Y2, Y1, Y1
	VPADDD Y4, Y3, Y3
	VPADDD Y1, Y7, Y7
	VPADDD Y3, Y10, Y10
	VPADDD Y10, Y7, Y7
	VPSLLD $2, Y6, Y6
	VPSUBD Y6, Y7, Y7
	VEXTRACTI128 $1, Y7, X8
	VPADDD X8, X7, X7
	VPSHUFD $0x4e, X7, X8
	VPADDD X8, X7, X7
	VPSHUFD $0xb1, X7, X8
	VPADDD X8, X7, X7
	VCVTDQ2PS X7, X7
	MOVWLZX 108(SI), AX
	VMOVD AX, X9
	VCVTPH2PS X9, X9
	VMULSS (DX), X9, X9
	VMULSS X7, X9, X9
	VADDSS X9, X0, X0
	ADDQ $110, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ dotQ3_KQ8KRowsAVX2_loop
dotQ3_KQ8KRowsAVX2_done:
	MOVQ dst_base+104(FP), AX
	VMOVSS X0, (AX)
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ dotQ3_KQ8KRowsAVX2_row
dotQ3_KQ8KRowsAVX2_end:
	VZEROUPPER
	RET

// Q5_0 × Q8_0 input, AVX2+FMA+F16C, one block (32 values) per iteration. The 32 high bits
// are spread to one byte per value (VPSHUFB picks qh's byte j/8 for value j, VPAND/VPCMPEQB
// test bit j%8), ORed as 0x10 onto the nibbles, and 16 is subtracted: weights in [−16, 15].
// Then the Q8_0 sign trick: VPMADDUBSW(|w|, sign(x, w)) pairs reach at most 16·127·2 = 4064,
// far from int16 saturation. Like the kernels of dotq_amd64.s, it multiplies rows consecutive
// rows by the vector and stores row r's product at dst[r].

// func dotQ5_0Q8RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32)
TEXT ·dotQ5_0Q8RowsAVX2(SB), NOSPLIT, $0-104
	MOVQ w_base+0(FP), SI
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15 // int16 ones
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14 // 0x0f bytes
	MOVL $0x10101010, AX
	VMOVD AX, X11
	VPBROADCASTD X11, Y11 // 0x10 bytes
	VMOVDQU q5shuf<>(SB), Y13
	VMOVDQU q5bits<>(SB), Y12

	CMPQ rows+24(FP), $0
	JLE dotQ5_0Q8RowsAVX2_end
dotQ5_0Q8RowsAVX2_row:
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
q5loop:
	TESTQ CX, CX
	JZ q5done
	PREFETCHT0 4096(SI)
	VMOVDQU 6(SI), X4 // 16 bytes of nibbles
	VPSRLW $4, X4, X5
	VINSERTI128 $1, X5, Y4, Y4
	VPAND Y14, Y4, Y4 // low nibbles, then high nibbles
	VPBROADCASTD 2(SI), Y6
	VPSHUFB Y13, Y6, Y6
	VPAND Y12, Y6, Y6
	VPCMPEQB Y12, Y6, Y6
	VPAND Y11, Y6, Y6 // 0x10 where the value's high bit is set
	VPOR Y6, Y4, Y4
	VPSUBB Y11, Y4, Y4 // − 16
	VMOVDQU (DI), Y5
	VPSIGNB Y4, Y5, Y5
	VPABSB Y4, Y4
	VPMADDUBSW Y5, Y4, Y4
	VPMADDWD Y15, Y4, Y4
	VCVTDQ2PS Y4, Y4
	MOVWLZX (SI), AX
	VMOVD AX, X6
	VCVTPH2PS X6, X6
	VMULSS (DX), X6, X6
	VBROADCASTSS X6, Y6
	VFMADD231PS Y6, Y4, Y0
	ADDQ $22, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JMP q5loop

q5done:
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	MOVQ dst_base+80(FP), AX
	VMOVSS X0, (AX)
	ADDQ $4, dst_base+80(FP)
	DECQ rows+24(FP)
	JNZ dotQ5_0Q8RowsAVX2_row
dotQ5_0Q8RowsAVX2_end:
	VZEROUPPER
	RET
