//go:build !noasm

#include "textflag.h"

// STORE16 stores the sixteen products of a row, vectors 0–7 in Y0 and 8–15 in Y1, at AX,
// AX+R8, AX+2·R8, … (R8 = stride·4), leaving AX past the last; it uses X2 and X3.
#define STORE16 \
	VMOVSS X0, (AX); \
	VEXTRACTPS $1, X0, (AX)(R8*1); \
	LEAQ (AX)(R8*2), AX; \
	VEXTRACTPS $2, X0, (AX); \
	VEXTRACTPS $3, X0, (AX)(R8*1); \
	LEAQ (AX)(R8*2), AX; \
	VEXTRACTF128 $1, Y0, X2; \
	VMOVSS X2, (AX); \
	VEXTRACTPS $1, X2, (AX)(R8*1); \
	LEAQ (AX)(R8*2), AX; \
	VEXTRACTPS $2, X2, (AX); \
	VEXTRACTPS $3, X2, (AX)(R8*1); \
	LEAQ (AX)(R8*2), AX; \
	VMOVSS X1, (AX); \
	VEXTRACTPS $1, X1, (AX)(R8*1); \
	LEAQ (AX)(R8*2), AX; \
	VEXTRACTPS $2, X1, (AX); \
	VEXTRACTPS $3, X1, (AX)(R8*1); \
	LEAQ (AX)(R8*2), AX; \
	VEXTRACTF128 $1, Y1, X3; \
	VMOVSS X3, (AX); \
	VEXTRACTPS $1, X3, (AX)(R8*1); \
	LEAQ (AX)(R8*2), AX; \
	VEXTRACTPS $2, X3, (AX); \
	VEXTRACTPS $3, X3, (AX)(R8*1); \
	LEAQ (AX)(R8*2), AX

// X16Q8_RUN is one 4-byte run of a Q8_0 block (wo(SI)) times the run of the sixteen
// interleaved vectors at xo(DI) (vectors 0–7) and xo+32(DI) (8–15), summed into each
// vector's lane of Y8 and Y9 (VPSIGNB moves the weights' signs onto the inputs). Y4–Y7 are
// scratch, Y15 = 1 words.
#define X16Q8_RUN(wo, xo) \
	VPBROADCASTD (wo)(SI), Y4 \
	VPABSB Y4, Y5 \
	VMOVDQU (xo)(DI), Y6 \
	VPSIGNB Y4, Y6, Y6 \
	VPMADDUBSW Y6, Y5, Y6 \
	VPMADDWD Y15, Y6, Y6 \
	VPADDD Y6, Y8, Y8 \
	VMOVDQU (xo+32)(DI), Y7 \
	VPSIGNB Y4, Y7, Y7 \
	VPMADDUBSW Y7, Y5, Y7 \
	VPMADDWD Y15, Y7, Y7 \
	VPADDD Y7, Y9, Y9

// X16_RUN is one run of four unsigned weights (sp(SP), spilled there decoded) times the run
// of the sixteen interleaved vectors at xo(DI) and xo+32(DI), int16 sums added to Y8 and Y9
// (Q4_K, Q5_0). Y4, Y5 and Y10 are scratch.
#define X16_RUN(sp, xo) \
	VPBROADCASTD (sp)(SP), Y4 \
	VPMADDUBSW (xo)(DI), Y4, Y5 \
	VPADDW Y5, Y8, Y8 \
	VPMADDUBSW (xo+32)(DI), Y4, Y10 \
	VPADDW Y10, Y9, Y9

// X16K_SCALE multiplies a Q4_K sub-block's int16 sums (Y8, Y9) by its scale (int16 sc(SP))
// into Y2, Y3, and the input's sums of 16 at bx(BX) by its minimum (int16 mn(SP)) into
// Y6, Y7.
#define X16K_SCALE(sc, mn, bx) \
	VPBROADCASTW (sc)(SP), Y12 \
	VPMADDWD Y12, Y8, Y8 \
	VPADDD Y8, Y2, Y2 \
	VPMADDWD Y12, Y9, Y9 \
	VPADDD Y9, Y3, Y3 \
	VPBROADCASTW (mn)(SP), Y12 \
	VPMADDWD (bx)(BX), Y12, Y8 \
	VPADDD Y8, Y6, Y6 \
	VPMADDWD (bx+32)(BX), Y12, Y9 \
	VPADDD Y9, Y7, Y7

// X16K_SUB is a Q4_K sub-block of 32 values: its nibbles, spilled at sp(SP), times the
// sixteen vectors at xo(DI), eight runs, then X16K_SCALE with the sub-block's scale and
// minimum (sc, sc+16) and sums (bx).
#define X16K_SUB(sp, xo, sc, bx) \
	VPXOR Y8, Y8, Y8 \
	VPXOR Y9, Y9, Y9 \
	X16_RUN(sp, xo) \
	X16_RUN((sp+4), (xo+64)) \
	X16_RUN((sp+8), (xo+128)) \
	X16_RUN((sp+12), (xo+192)) \
	X16_RUN((sp+16), (xo+256)) \
	X16_RUN((sp+20), (xo+320)) \
	X16_RUN((sp+24), (xo+384)) \
	X16_RUN((sp+28), (xo+448)) \
	X16K_SCALE(sc, (sc+16), bx)

// X16K_PAIR is two Q4_K sub-blocks, the low and the high nibbles of the 32 bytes at qs(SI),
// spilled to 48(SP) and 80(SP) (Y15 = 0x0f bytes; Y10, Y11 scratch).
#define X16K_PAIR(qs, xo, sc, bx) \
	VMOVDQU (qs)(SI), Y10 \
	VPSRLW $4, Y10, Y11 \
	VPAND Y15, Y10, Y10 \
	VPAND Y15, Y11, Y11 \
	VMOVDQU Y10, 48(SP) \
	VMOVDQU Y11, 80(SP) \
	X16K_SUB(48, xo, sc, bx) \
	X16K_SUB(80, (xo+512), (sc+2), (bx+64))

// AVX2 kernel: Q8_0 weight rows times SIXTEEN Q8_0 input vectors, one vector per 32-bit lane.
// Input.Prepare interleaves each group of sixteen vectors for it (qi, di; see interleaveQ8_016):
// for each block, each of its eight 4-byte runs of values holds that run of vectors 0–7,
// then of vectors 8–15 (64 bytes), and the block's sixteen scales follow one another.
// A run of four weights is broadcast to every lane (VPBROADCASTD) and made unsigned
// once (VPABSB) for all sixteen vectors; each vector's run gets the weights' signs
// (VPSIGNB), and VPMADDUBSW + VPMADDWD sum the four products into its lane. Eight runs give
// each vector's whole block as an exact integer in its lane, then one conversion and one
// multiply-add by d_w·d_x per block and eight vectors. Per block and vector that is about five instructions, where the
// four-vector kernel spends seven (it has one block per register and must spread each scale
// over a register). The same saturation bounds as the other Q8_0 kernels hold: |w| ≤ 128,
// |x| ≤ 127 (Input's quantizer), so a pair of products fits VPMADDUBSW's int16.
//
// Row r's sixteen products go to dst[j*stride+r], j < 16. Nothing is read past the end of
// w, qi or di.
//
// Registers: SI w (runs on across rows), DI qi, DX di (from the start for each row), CX blocks left in the row; Y0/Y1 the float sums of vectors 0–7/8–15, Y8/Y9 the
// block's integer sums, Y13 d_w, Y15 int16 ones.

// func dotQ8_0Q8x16RowsAVX2(w []byte, rows int, qi []int8, di []float32, dst []float32, stride int)
TEXT ·dotQ8_0Q8x16RowsAVX2(SB), NOSPLIT, $0-112
	MOVQ w_base+0(FP), SI
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
	CMPQ rows+24(FP), $0
	JLE x16_end
x16_row:
	MOVQ qi_base+32(FP), DI
	MOVQ di_base+56(FP), DX
	MOVQ di_len+64(FP), CX
	SHRQ $4, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	TESTQ CX, CX
	JZ x16_store
x16_block:
	MOVWLZX 0(SI), AX
	VMOVD AX, X13
	VCVTPH2PS X13, X13
	VBROADCASTSS X13, Y13
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	X16Q8_RUN(2, 0)
	X16Q8_RUN(6, 64)
	X16Q8_RUN(10, 128)
	X16Q8_RUN(14, 192)
	X16Q8_RUN(18, 256)
	X16Q8_RUN(22, 320)
	X16Q8_RUN(26, 384)
	X16Q8_RUN(30, 448)
	VCVTDQ2PS Y8, Y10
	VCVTDQ2PS Y9, Y11
	VMULPS (DX), Y13, Y12
	VFMADD231PS Y12, Y10, Y0
	VMULPS 32(DX), Y13, Y14
	VFMADD231PS Y14, Y11, Y1
	ADDQ $34, SI
	ADDQ $512, DI
	ADDQ $64, DX
	DECQ CX
	JNZ x16_block
x16_store:
	MOVQ dst_base+80(FP), AX
	MOVQ stride+104(FP), R8
	SHLQ $2, R8
	STORE16
	ADDQ $4, dst_base+80(FP)
	DECQ rows+24(FP)
	JNZ x16_row
x16_end:
	VZEROUPPER
	RET

// AVX2 kernel: Q4_K weight rows times SIXTEEN Q8_K input vectors, one vector per 32-bit
// lane, in the layout of the Q8_0 one above (qi: each 32-value block's 4-value runs of
// vectors 0–7 then 8–15; di: each super-block's sixteen d_x; si: for each 32 values, the
// two sums of 16 of each vector as one 32-bit pair, vectors 0–7 then 8–15).
// A run of four 4-bit weights (0–15, unsigned as they are) is broadcast and VPMADDUBSW
// multiplies it with the sixteen vectors' runs directly; the 16-bit pair sums of the eight
// runs of a 32-value sub-block add up without overflow (8·2·15·127 < 2^15), and one VPMADDWD
// by the sub-block's 6-bit scale widens and scales them. The minimums' part takes the sums
// of si times the 6-bit mins (VPMADDWD). Per super-block the float part is the single-
// vector kernels' d_x·(d·Σ − dmin·Σm), lane-wise with the same roundings: the results are
// bit-identical to dotQ4_KQ8KRowsAVX2's.
//
// The scales and mins are unpacked with integer instructions and widened to 16 bits on the
// stack (16(SP): sc[0..7], m[0..7]); each 32-byte run of weight bytes is split into its low
// and high nibbles there too (48(SP), 80(SP)), for VPBROADCASTD/W to read.
//
// Registers: SI w (runs on across rows), DI qi, DX di, BX si (from the start for each row),
// CX super-blocks left; Y0/Y1 the float sums of vectors 0–7/8–15, Y2/Y3 Σsc·Σq, Y6/Y7
// Σm·Σx, Y8/Y9 a sub-block's 16-bit sums, Y13 d, Y14 dmin, Y15 0x0f bytes.

// func dotQ4_KQ8Kx16RowsAVX2(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int)
TEXT ·dotQ4_KQ8Kx16RowsAVX2(SB), NOSPLIT, $128-136
	MOVQ w_base+0(FP), SI
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	CMPQ rows+24(FP), $0
	JLE k4x16_end
k4x16_row:
	MOVQ qi_base+32(FP), DI
	MOVQ di_base+56(FP), DX
	MOVQ di_len+64(FP), CX
	SHRQ $4, CX
	MOVQ si_base+80(FP), BX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	TESTQ CX, CX
	JZ k4x16_store
k4x16_block:
	MOVWLZX 0(SI), AX
	VMOVD AX, X13
	VCVTPH2PS X13, X13
	VBROADCASTSS X13, Y13
	MOVWLZX 2(SI), AX
	VMOVD AX, X14
	VCVTPH2PS X14, X14
	VBROADCASTSS X14, Y14
// sc[0..3] = b[0..3]&63, sc[4..7] = b[8..11]&15 | b[0..3]>>6<<4,
// m[0..3] = b[4..7]&63, m[4..7] = b[8..11]>>4 | b[4..7]>>6<<4 (ggml's get_scale_min_k4).
	MOVL 4(SI), AX
	MOVL 8(SI), R9
	MOVL 12(SI), R10
	MOVL AX, R11
	SHRL $6, R11
	ANDL $0x03030303, R11
	SHLL $4, R11
	MOVL R10, R12
	ANDL $0x0f0f0f0f, R12
	ORL R11, R12
	ANDL $0x3f3f3f3f, AX
	MOVL R9, R11
	SHRL $6, R11
	ANDL $0x03030303, R11
	SHLL $4, R11
	SHRL $4, R10
	ANDL $0x0f0f0f0f, R10
	ORL R11, R10
	ANDL $0x3f3f3f3f, R9
	MOVL AX, 0(SP)
	MOVL R12, 4(SP)
	MOVL R9, 8(SP)
	MOVL R10, 12(SP)
	VPMOVZXBW 0(SP), Y12
	VMOVDQU Y12, 16(SP)
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	X16K_PAIR(16, 0, 16, 0)
	X16K_PAIR(48, 1024, 20, 128)
	X16K_PAIR(80, 2048, 24, 256)
	X16K_PAIR(112, 3072, 28, 384)
	VCVTDQ2PS Y2, Y2
	VMULPS Y13, Y2, Y2
	VCVTDQ2PS Y6, Y6
	VMULPS Y14, Y6, Y6
	VSUBPS Y6, Y2, Y2
	VMULPS (DX), Y2, Y2
	VADDPS Y2, Y0, Y0
	VCVTDQ2PS Y3, Y3
	VMULPS Y13, Y3, Y3
	VCVTDQ2PS Y7, Y7
	VMULPS Y14, Y7, Y7
	VSUBPS Y7, Y3, Y3
	VMULPS 32(DX), Y3, Y3
	VADDPS Y3, Y1, Y1
	ADDQ $144, SI
	ADDQ $4096, DI
	ADDQ $64, DX
	ADDQ $512, BX
	DECQ CX
	JNZ k4x16_block
k4x16_store:
	MOVQ dst_base+104(FP), AX
	MOVQ stride+128(FP), R8
	SHLQ $2, R8
	STORE16
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ k4x16_row
k4x16_end:
	VZEROUPPER
	RET

DATA q5shuf16<>+0(SB)/8, $0x0000000000000000
DATA q5shuf16<>+8(SB)/8, $0x0101010101010101
DATA q5shuf16<>+16(SB)/8, $0x0202020202020202
DATA q5shuf16<>+24(SB)/8, $0x0303030303030303
GLOBL q5shuf16<>(SB), RODATA|NOPTR, $32

DATA q5bits16<>+0(SB)/8, $0x8040201008040201
DATA q5bits16<>+8(SB)/8, $0x8040201008040201
DATA q5bits16<>+16(SB)/8, $0x8040201008040201
DATA q5bits16<>+24(SB)/8, $0x8040201008040201
GLOBL q5bits16<>(SB), RODATA|NOPTR, $32

// AVX2 kernel: Q5_0 weight rows times SIXTEEN Q8_0 input vectors, one vector per 32-bit
// lane, in the Q8_0 kernel's layout (qi, di) plus each block's sum of values per vector
// (si). A block's 5-bit weights are decoded once per row as unsigned bytes u = w+16 (0–31)
// onto the stack (0(SP)); a broadcast run of four multiplies the sixteen vectors' runs with
// VPMADDUBSW directly, four runs add up in 16 bits (4·2·31·127 < 2^15), VPMADDWD by ones
// widens them, and 16·Σx is taken off: each block's integer sum Σw·x is exact. Then one
// conversion and one multiply-add by d_w·d_x per block and eight vectors, as the Q8_0 kernel.
//
// Registers: SI w (runs on across rows), DI qi, DX di, BX si (from the start for each row),
// CX blocks left; Y0/Y1 the float sums of vectors 0–7/8–15, Y2/Y3 the block's integer sums,
// Y8/Y9 16-bit sums of four runs, Y13 d_w, Y14 0x0f bytes, Y15 int16 ones, Y11 0x10 bytes.

// func dotQ5_0Q8x16RowsAVX2(w []byte, rows int, qi []int8, di []float32, si []int32, dst []float32, stride int)
TEXT ·dotQ5_0Q8x16RowsAVX2(SB), NOSPLIT, $32-136
	MOVQ w_base+0(FP), SI
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x10101010, AX
	VMOVD AX, X11
	VPBROADCASTD X11, Y11
	CMPQ rows+24(FP), $0
	JLE q5x16_end
q5x16_row:
	MOVQ qi_base+32(FP), DI
	MOVQ di_base+56(FP), DX
	MOVQ di_len+64(FP), CX
	SHRQ $4, CX
	MOVQ si_base+80(FP), BX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	TESTQ CX, CX
	JZ q5x16_store
q5x16_block:
	MOVWLZX 0(SI), AX
	VMOVD AX, X13
	VCVTPH2PS X13, X13
	VBROADCASTSS X13, Y13
// u: the low nibbles (values 0–15), the high ones (16–31), 0x10 where the bit of qh is set.
	VMOVDQU 6(SI), X4
	VPSRLW $4, X4, X5
	VINSERTI128 $1, X5, Y4, Y4
	VPAND Y14, Y4, Y4
	VPBROADCASTD 2(SI), Y6
	VPSHUFB q5shuf16<>(SB), Y6, Y6
	VPAND q5bits16<>(SB), Y6, Y6
	VPCMPEQB q5bits16<>(SB), Y6, Y6
	VPAND Y11, Y6, Y6
	VPOR Y6, Y4, Y4
	VMOVDQU Y4, 0(SP)
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	X16_RUN(0, 0)
	X16_RUN(4, 64)
	X16_RUN(8, 128)
	X16_RUN(12, 192)
	VPMADDWD Y15, Y8, Y2
	VPMADDWD Y15, Y9, Y3
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	X16_RUN(16, 256)
	X16_RUN(20, 320)
	X16_RUN(24, 384)
	X16_RUN(28, 448)
	VPMADDWD Y15, Y8, Y8
	VPADDD Y8, Y2, Y2
	VPMADDWD Y15, Y9, Y9
	VPADDD Y9, Y3, Y3
	VMOVDQU (BX), Y10
	VPSLLD $4, Y10, Y10
	VPSUBD Y10, Y2, Y2
	VMOVDQU 32(BX), Y10
	VPSLLD $4, Y10, Y10
	VPSUBD Y10, Y3, Y3
	VCVTDQ2PS Y2, Y2
	VMULPS (DX), Y13, Y12
	VFMADD231PS Y12, Y2, Y0
	VCVTDQ2PS Y3, Y3
	VMULPS 32(DX), Y13, Y12
	VFMADD231PS Y12, Y3, Y1
	ADDQ $22, SI
	ADDQ $512, DI
	ADDQ $64, DX
	ADDQ $64, BX
	DECQ CX
	JNZ q5x16_block
q5x16_store:
	MOVQ dst_base+104(FP), AX
	MOVQ stride+128(FP), R8
	SHLQ $2, R8
	STORE16
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ q5x16_row
q5x16_end:
	VZEROUPPER
	RET
