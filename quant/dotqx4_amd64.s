//go:build !noasm

#include "textflag.h"
#include "dotq_amd64.h"

// AVX2+FMA+F16C integer kernels that multiply weight rows by FOUR quantized input vectors
// at once (Input.Prepare's layout: vector t's values at q[t*cols:], its scales at d[t*nb:],
// its Q8_K sums at s[t*cols/16:]). Each call takes rows consecutive rows of w, row after
// row, and stores row r's four products at dst[r], dst[stride+r], dst[2*stride+r] and
// dst[3*stride+r] (VMOVSS, VEXTRACTPS): the constants are set up once per call, not per
// row, and the products go straight to the output. The weights are loaded and decoded (sign and
// magnitude for Q8_0, nibbles, high bits and scales for the others) once per block and used
// for all four vectors. The integer sums are those of dotq_amd64.s (the same saturation
// bounds hold); the K kernels then do each super-block's float part with the single-vector
// kernels' operations in their order, one vector per lane of a 128-bit register (lane-wise
// VMULPS/VSUBPS/VADDPS round exactly as the scalar VMULSS/VSUBSS/VADDSS), so their results
// are bit-identical to dotQ*_KQ8KRowsAVX2's. Q8_0 and Q4_0 accumulate d_w·d_x·Σ in eight float
// lanes per vector (one accumulator per vector, where the single-vector kernels keep four):
// they differ from the single-vector kernels by summation order only. They take four blocks
// at a time, the four d_w converted once (VPINSRW, VCVTPH2PS) and multiplied by each vector's
// four d_x (VMULPS), then one block at a time. Q8_0 computes the next four blocks' d_w·d_x
// while it multiplies the current four, through two 64-byte buffers on its stack frame
// (R12 the current, R13 the next; VBROADCASTSS spreads each over a register): converting
// the scales costs more than a quarter of the kernel's time if it waits on them.
//
// Every load lies inside its block, its activations, sums and scales: nothing is read past
// the end of w, q, d or s.
//
// Registers: SI w, DI q (vector 0), DX d (vector 0), BX s (vector 0), CX blocks left in
// the row; vector t's q is at DI + t*R8 (R9 = 3*R8), its d at DX + t*R10 (R11 = 3*R10),
// its sums at BX + t*R12 (R13 = 3*R12). DI, DX, BX and CX are reloaded from the arguments
// for each row; the count of rows left and the row's dst are kept in their argument slots.

// Q4_0_NIBBLES loads the 16 bytes of nibbles of a Q4_0 or Q5_0 block at wo(SI) into Y4: the
// low nibbles in the low lane, the high in the high (Y14 = 0x0f bytes; X5 scratch).
#define Q4_0_NIBBLES(wo) \
	VMOVDQU (wo)(SI), X4 \
	VPSRLW $4, X4, X5 \
	VINSERTI128 $1, X5, Y4, Y4 \
	VPAND Y14, Y4, Y4

// Q8X4_DOT multiplies the 32 weights whose magnitudes are in Y5 and signs in Y4 by the
// input at xm (VPSIGNB moves the signs onto it) and sums them by fours, as floats in x.
// Y15 = 1 words.
#define Q8X4_DOT(xm, x) \
	VMOVDQU xm, x \
	VPSIGNB Y4, x, x \
	VPMADDUBSW x, Y5, x \
	VPMADDWD Y15, x, x \
	VCVTDQ2PS x, x

// Q8X4_SCALES converts the f16 scales of the four Q8_0 blocks at w(SI) and multiplies them
// by each vector's four scales at d(DX): vector t's four products at buf+16t.
#define Q8X4_SCALES(w, d, buf) \
	MOVWLZX (w)(SI), AX \
	VMOVD AX, X6 \
	VPINSRW $1, (w+34)(SI), X6, X6 \
	VPINSRW $2, (w+68)(SI), X6, X6 \
	VPINSRW $3, (w+102)(SI), X6, X6 \
	VCVTPH2PS X6, X6 \
	VMULPS (d)(DX), X6, X7 \
	VMOVUPS X7, 0(buf) \
	VMULPS (d)(DX)(R10*1), X6, X8 \
	VMOVUPS X8, 16(buf) \
	VMULPS (d)(DX)(R10*2), X6, X9 \
	VMOVUPS X9, 32(buf) \
	VMULPS (d)(DX)(R11*1), X6, X10 \
	VMOVUPS X10, 48(buf)

// Q8X4_BLOCK is a Q8_0 block (int8 at wo(SI)) times the four vectors' blocks at xo(DI)...,
// each scaled by its d_w·d_x (so(R12)...) and added to Y0–Y3.
#define Q8X4_BLOCK(wo, xo, so) \
	VMOVDQU (wo)(SI), Y4 \
	VPABSB Y4, Y5 \
	Q8X4_DOT((xo)(DI), Y11) \
	VBROADCASTSS (so)(R12), Y12 \
	VFMADD231PS Y12, Y11, Y0 \
	Q8X4_DOT((xo)(DI)(R8*1), Y13) \
	VBROADCASTSS (so+16)(R12), Y14 \
	VFMADD231PS Y14, Y13, Y1 \
	Q8X4_DOT((xo)(DI)(R8*2), Y11) \
	VBROADCASTSS (so+32)(R12), Y12 \
	VFMADD231PS Y12, Y11, Y2 \
	Q8X4_DOT((xo)(DI)(R9*1), Y13) \
	VBROADCASTSS (so+48)(R12), Y14 \
	VFMADD231PS Y14, Y13, Y3

// Q_SCALES4X4 converts the f16 scales of four blocks of bb bytes at SI and multiplies them by
// each vector's four scales: vector t's in both lanes of Y7+t.
#define Q_SCALES4X4(bb) \
	MOVWLZX (SI), AX \
	VMOVD AX, X6 \
	VPINSRW $1, (bb)(SI), X6, X6 \
	VPINSRW $2, (bb*2)(SI), X6, X6 \
	VPINSRW $3, (bb*3)(SI), X6, X6 \
	VCVTPH2PS X6, X6 \
	VMULPS (DX), X6, X7 \
	VINSERTF128 $1, X7, Y7, Y7 \
	VMULPS (DX)(R10*1), X6, X8 \
	VINSERTF128 $1, X8, Y8, Y8 \
	VMULPS (DX)(R10*2), X6, X9 \
	VINSERTF128 $1, X9, Y9, Y9 \
	VMULPS (DX)(R11*1), X6, X10 \
	VINSERTF128 $1, X10, Y10, Y10

// Q4X4_DOT is the Q4_0 nibbles in Y4 times the input at xm, less 8·x (VPMADDUBSW of Y13 = 8
// bytes), summed by fours, as floats in Y11 (Y12 scratch, Y15 = 1 words).
#define Q4X4_DOT(xm) \
	VPMADDUBSW xm, Y4, Y11 \
	VPMADDUBSW xm, Y13, Y12 \
	VPSUBW Y12, Y11, Y11 \
	VPMADDWD Y15, Y11, Y11 \
	VCVTDQ2PS Y11, Y11

// Q4X4_BLOCK is the Q4_0 block at wo(SI) times the four vectors' blocks at xo(DI)..., each
// scaled by its d_w·d_x (lane imm of Y7–Y10) and added to Y0–Y3.
#define Q4X4_BLOCK(wo, xo, imm) \
	Q4_0_NIBBLES(wo) \
	Q4X4_DOT((xo)(DI)) \
	VPERMILPS $imm, Y7, Y12 \
	VFMADD231PS Y12, Y11, Y0 \
	Q4X4_DOT((xo)(DI)(R8*1)) \
	VPERMILPS $imm, Y8, Y12 \
	VFMADD231PS Y12, Y11, Y1 \
	Q4X4_DOT((xo)(DI)(R8*2)) \
	VPERMILPS $imm, Y9, Y12 \
	VFMADD231PS Y12, Y11, Y2 \
	Q4X4_DOT((xo)(DI)(R9*1)) \
	VPERMILPS $imm, Y10, Y12 \
	VFMADD231PS Y12, Y11, Y3

// Q5_0_HIGHBITS spreads the 32 high bits at qh(SI) to one byte per value (VPSHUFB picks qh's
// byte j/8 for value j, VPAND/VPCMPEQB test bit j%8) and ORs −16 (Y13 = 0xf0 bytes) onto
// the nibbles in Y4 where the bit is clear: the values, in [−16, 15]. Y6 is scratch.
#define Q5_0_HIGHBITS(qh) \
	VPBROADCASTD (qh)(SI), Y6 \
	VPSHUFB q5shuf<>(SB), Y6, Y6 \
	VPAND q5bits<>(SB), Y6, Y6 \
	VPCMPEQB q5bits<>(SB), Y6, Y6 \
	VPANDN Y13, Y6, Y6 \
	VPOR Y6, Y4, Y4

// Q5X4_BLOCK is the Q5_0 block whose nibbles lie at qs(SI) (its high bits 4 bytes before)
// times the four vectors' blocks at xo(DI)..., each scaled by its d_w·d_x (lane imm of
// Y7–Y10) and added to Y0–Y3.
#define Q5X4_BLOCK(qs, xo, imm) \
	Q4_0_NIBBLES(qs) \
	Q5_0_HIGHBITS((qs-4)) \
	VPABSB Y4, Y5 \
	Q8X4_DOT((xo)(DI), Y11) \
	VPERMILPS $imm, Y7, Y6 \
	VFMADD231PS Y6, Y11, Y0 \
	Q8X4_DOT((xo)(DI)(R8*1), Y12) \
	VPERMILPS $imm, Y8, Y6 \
	VFMADD231PS Y6, Y12, Y1 \
	Q8X4_DOT((xo)(DI)(R8*2), Y11) \
	VPERMILPS $imm, Y9, Y6 \
	VFMADD231PS Y6, Y11, Y2 \
	Q8X4_DOT((xo)(DI)(R9*1), Y12) \
	VPERMILPS $imm, Y10, Y6 \
	VFMADD231PS Y6, Y12, Y3

// KX4_UNPACK unpacks the Q4_K/Q5_K block's 6-bit scales and minimums at 4(SI)
// (get_scale_min_k4): the scales, as bytes, broadcast to both lanes of Y5, the minimums as
// int16 in Y6. X13 = 0x0f, X14 = 0x3f, X15 = 0x30 bytes; X7–X9 scratch.
#define KX4_UNPACK \
	VMOVQ 4(SI), X7 \
	VPINSRD $2, 12(SI), X7, X7 \
	VPSRLD $4, X7, X8 \
	VPUNPCKHDQ X8, X7, X9 \
	VPAND X13, X9, X9 \
	VPSRLD $2, X7, X8 \
	VPAND X15, X8, X8 \
	VPOR X8, X9, X9 \
	VPAND X14, X7, X7 \
	VPUNPCKLDQ X9, X7, X7 \
	VPBROADCASTQ X7, Y5 \
	VPUNPCKHBW X7, X7, X6 \
	VPMOVZXBW X6, Y6

// KX4_NIBBLES loads the 32 bytes of nibbles at qs(SI): the low nibbles into Y7, the high into
// Y8 (Y13 = 0x0f bytes).
#define KX4_NIBBLES(qs) \
	VMOVDQU (qs)(SI), Y7 \
	VPSRLW $4, Y7, Y8 \
	VPAND Y13, Y7, Y7 \
	VPAND Y13, Y8, Y8

// KX4_SCALES spreads the scales of the two groups of 32 values sh/32 and sh/32+1 (bytes of
// Y5) to int16 lanes: into Y9 and Y10.
#define KX4_SCALES(sh) \
	VPSHUFB shufK4<>+(sh)(SB), Y5, Y9 \
	VPSHUFB shufK4<>+(sh+32)(SB), Y5, Y10

// KX4_FIRST multiplies the 64 values in Y7, Y8 by each vector's input at xo(DI)... and sums
// the pairs times the scales in Y9, Y10: vector t's int32 sums into Y0+t. KX4_ADD adds them
// instead. Y11 and Y12 are scratch.
#define KX4_FIRST(xo) \
	VPMADDUBSW (xo)(DI), Y7, Y11 \
	VPMADDUBSW (xo+32)(DI), Y8, Y12 \
	VPMADDWD Y9, Y11, Y11 \
	VPMADDWD Y10, Y12, Y12 \
	VPADDD Y12, Y11, Y0 \
	VPMADDUBSW (xo)(DI)(R8*1), Y7, Y11 \
	VPMADDUBSW (xo+32)(DI)(R8*1), Y8, Y12 \
	VPMADDWD Y9, Y11, Y11 \
	VPMADDWD Y10, Y12, Y12 \
	VPADDD Y12, Y11, Y1 \
	VPMADDUBSW (xo)(DI)(R8*2), Y7, Y11 \
	VPMADDUBSW (xo+32)(DI)(R8*2), Y8, Y12 \
	VPMADDWD Y9, Y11, Y11 \
	VPMADDWD Y10, Y12, Y12 \
	VPADDD Y12, Y11, Y2 \
	VPMADDUBSW (xo)(DI)(R9*1), Y7, Y11 \
	VPMADDUBSW (xo+32)(DI)(R9*1), Y8, Y12 \
	VPMADDWD Y9, Y11, Y11 \
	VPMADDWD Y10, Y12, Y12 \
	VPADDD Y12, Y11, Y3

#define KX4_ADD(xo) \
	VPMADDUBSW (xo)(DI), Y7, Y11 \
	VPMADDUBSW (xo+32)(DI), Y8, Y12 \
	VPMADDWD Y9, Y11, Y11 \
	VPMADDWD Y10, Y12, Y12 \
	VPADDD Y11, Y0, Y0 \
	VPADDD Y12, Y0, Y0 \
	VPMADDUBSW (xo)(DI)(R8*1), Y7, Y11 \
	VPMADDUBSW (xo+32)(DI)(R8*1), Y8, Y12 \
	VPMADDWD Y9, Y11, Y11 \
	VPMADDWD Y10, Y12, Y12 \
	VPADDD Y11, Y1, Y1 \
	VPADDD Y12, Y1, Y1 \
	VPMADDUBSW (xo)(DI)(R8*2), Y7, Y11 \
	VPMADDUBSW (xo+32)(DI)(R8*2), Y8, Y12 \
	VPMADDWD Y9, Y11, Y11 \
	VPMADDWD Y10, Y12, Y12 \
	VPADDD Y11, Y2, Y2 \
	VPADDD Y12, Y2, Y2 \
	VPMADDUBSW (xo)(DI)(R9*1), Y7, Y11 \
	VPMADDUBSW (xo+32)(DI)(R9*1), Y8, Y12 \
	VPMADDWD Y9, Y11, Y11 \
	VPMADDWD Y10, Y12, Y12 \
	VPADDD Y11, Y3, Y3 \
	VPADDD Y12, Y3, Y3

// KX4_FINISH ends a Q4_K/Q5_K block: each vector's sums of scaled products and of minimums
// times the input's sums of 16, d and dmin applied, times the vector's scale, added to X4,
// one vector per lane, with the single-vector kernels' operations in their order.
#define KX4_FINISH \
	VPHADDD Y1, Y0, Y7 \
	VPHADDD Y3, Y2, Y8 \
	VPHADDD Y8, Y7, Y7 \
	VEXTRACTI128 $1, Y7, X8 \
	VPADDD X8, X7, X11 \
	VPMADDWD (BX), Y6, Y0 \
	VPMADDWD (BX)(R12*1), Y6, Y1 \
	VPMADDWD (BX)(R12*2), Y6, Y2 \
	VPMADDWD (BX)(R13*1), Y6, Y3 \
	VPHADDD Y1, Y0, Y7 \
	VPHADDD Y3, Y2, Y8 \
	VPHADDD Y8, Y7, Y7 \
	VEXTRACTI128 $1, Y7, X8 \
	VPADDD X8, X7, X12 \
	VCVTDQ2PS X11, X11 \
	VCVTDQ2PS X12, X12 \
	MOVL 0(SI), AX \
	VMOVD AX, X7 \
	VCVTPH2PS X7, X7 \
	VBROADCASTSS X7, X8 \
	VPERMILPS $0x55, X7, X9 \
	VMULPS X8, X11, X11 \
	VMULPS X9, X12, X12 \
	VSUBPS X12, X11, X11 \
	VMOVSS (DX), X12 \
	VINSERTPS $0x10, (DX)(R10*1), X12, X12 \
	VINSERTPS $0x20, (DX)(R10*2), X12, X12 \
	VINSERTPS $0x30, (DX)(R11*1), X12, X12 \
	VMULPS X12, X11, X11 \
	VADDPS X11, X4, X4

// Q5KX4_HIGHBITS ORs a Q5_K fifth bit, moved to bit 4 by op $n from the qh bytes at 16(SI),
// onto the values in dst (q5K: 0x10 bytes; Y9 scratch).
#define Q5KX4_HIGHBITS(op, n, dst) \
	VMOVDQU 16(SI), Y9 \
	op $n, Y9, Y9 \
	VPAND q5K<>(SB), Y9, Y9 \
	VPOR Y9, dst, dst

// Q6KX4_FIRST multiplies the 32 Q6_K values in Y9 by each vector's input at xo(DI)... and
// sums the pairs times the scales of the groups of 16 at int16 sh/32 of each lane of Y5
// (spread into Y10): vector t's int32 sums into Y0+t. Q6KX4_ADD adds them instead. Y11 and
// Y15 are scratch.
#define Q6KX4_FIRST(sh, xo) \
	VPSHUFB shufK6<>+(sh)(SB), Y5, Y10 \
	VPMADDUBSW (xo)(DI), Y9, Y11 \
	VPMADDWD Y10, Y11, Y0 \
	VPMADDUBSW (xo)(DI)(R8*1), Y9, Y15 \
	VPMADDWD Y10, Y15, Y1 \
	VPMADDUBSW (xo)(DI)(R8*2), Y9, Y11 \
	VPMADDWD Y10, Y11, Y2 \
	VPMADDUBSW (xo)(DI)(R9*1), Y9, Y15 \
	VPMADDWD Y10, Y15, Y3

#define Q6KX4_ADD(sh, xo) \
	VPSHUFB shufK6<>+(sh)(SB), Y5, Y10 \
	VPMADDUBSW (xo)(DI), Y9, Y11 \
	VPMADDWD Y10, Y11, Y11 \
	VPADDD Y11, Y0, Y0 \
	VPMADDUBSW (xo)(DI)(R8*1), Y9, Y15 \
	VPMADDWD Y10, Y15, Y15 \
	VPADDD Y15, Y1, Y1 \
	VPMADDUBSW (xo)(DI)(R8*2), Y9, Y11 \
	VPMADDWD Y10, Y11, Y11 \
	VPADDD Y11, Y2, Y2 \
	VPMADDUBSW (xo)(DI)(R9*1), Y9, Y15 \
	VPMADDWD Y10, Y15, Y15 \
	VPADDD Y15, Y3, Y3

// Q6KX4_HALF is 128 values of a Q6_K block (ql at ql(SI), qh at qh(SI)) times the four
// vectors' input at xo(DI)...: perm picks this half's scales, the first group goes through
// first (Q6KX4_FIRST or Q6KX4_ADD), the others are added. Y13 = 0x30, Y14 = 0x0f bytes; Y6–Y8
// and Y12 are scratch.
#define Q6KX4_HALF(perm, ql, qh, xo, first) \
	VPMOVSXBW 192(SI), Y5 \
	VPERMQ $perm, Y5, Y5 \
	VMOVDQU (ql)(SI), Y6 \
	VMOVDQU (ql+32)(SI), Y7 \
	VMOVDQU (qh)(SI), Y8 \
	VPAND Y14, Y6, Y9 \
	VPSLLW $4, Y8, Y12 \
	VPAND Y13, Y12, Y12 \
	VPOR Y12, Y9, Y9 \
	first(0, xo) \
	VPAND Y14, Y7, Y9 \
	VPSLLW $2, Y8, Y12 \
	VPAND Y13, Y12, Y12 \
	VPOR Y12, Y9, Y9 \
	Q6KX4_ADD(32, (xo+32)) \
	VPSRLW $4, Y6, Y9 \
	VPAND Y14, Y9, Y9 \
	VMOVDQA Y8, Y12 \
	VPAND Y13, Y12, Y12 \
	VPOR Y12, Y9, Y9 \
	Q6KX4_ADD(64, (xo+64)) \
	VPSRLW $4, Y7, Y9 \
	VPAND Y14, Y9, Y9 \
	VPSRLW $2, Y8, Y12 \
	VPAND Y13, Y12, Y12 \
	VPOR Y12, Y9, Y9 \
	Q6KX4_ADD(96, (xo+96))

// func dotQ8_0Q8x4RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32, stride int)
TEXT ·dotQ8_0Q8x4RowsAVX2(SB), NOSPLIT, $128-112
	MOVQ w_base+0(FP), SI
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	SHRQ $2, CX
	MOVQ CX, R8
	SHLQ $5, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (CX*4), R10
	LEAQ (R10)(R10*2), R11
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
	CMPQ rows+24(FP), $0
	JLE dotQ8_0Q8x4RowsAVX2_end
dotQ8_0Q8x4RowsAVX2_row:
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	SHRQ $2, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ CX, $4
	JB dotQ8_0Q8x4RowsAVX2_tail
	LEAQ 0(SP), R12
	LEAQ 64(SP), R13
	Q8X4_SCALES(0, 0, R12)
dotQ8_0Q8x4RowsAVX2_loop4:
	// The next four blocks' d_w·d_x, while these four are multiplied.
	CMPQ CX, $8
	JB dotQ8_0Q8x4RowsAVX2_last4
	Q8X4_SCALES(136, 16, R13)
dotQ8_0Q8x4RowsAVX2_last4:
	Q8X4_BLOCK(2, 0, 0)
	Q8X4_BLOCK(36, 32, 4)
	Q8X4_BLOCK(70, 64, 8)
	Q8X4_BLOCK(104, 96, 12)
	ADDQ $136, SI
	ADDQ $128, DI
	ADDQ $16, DX
	XCHGQ R12, R13
	SUBQ $4, CX
	CMPQ CX, $4
	JAE dotQ8_0Q8x4RowsAVX2_loop4
dotQ8_0Q8x4RowsAVX2_tail:
	TESTQ CX, CX
	JZ dotQ8_0Q8x4RowsAVX2_done
dotQ8_0Q8x4RowsAVX2_loop:
	MOVWLZX (SI), AX
	VMOVD AX, X6
	VCVTPH2PS X6, X6
	VBROADCASTSS X6, Y6
	VMOVDQU 2(SI), Y4
	VPABSB Y4, Y5
	Q8X4_DOT(0(DI), Y7)
	VBROADCASTSS (DX), Y8
	VMULPS Y6, Y8, Y8
	VFMADD231PS Y8, Y7, Y0
	Q8X4_DOT(0(DI)(R8*1), Y9)
	VBROADCASTSS (DX)(R10*1), Y10
	VMULPS Y6, Y10, Y10
	VFMADD231PS Y10, Y9, Y1
	Q8X4_DOT(0(DI)(R8*2), Y11)
	VBROADCASTSS (DX)(R10*2), Y12
	VMULPS Y6, Y12, Y12
	VFMADD231PS Y12, Y11, Y2
	Q8X4_DOT(0(DI)(R9*1), Y7)
	VBROADCASTSS (DX)(R11*1), Y8
	VMULPS Y6, Y8, Y8
	VFMADD231PS Y8, Y7, Y3
	ADDQ $34, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JNZ dotQ8_0Q8x4RowsAVX2_loop
dotQ8_0Q8x4RowsAVX2_done:
	REDUCE4
	MOVQ dst_base+80(FP), AX
	MOVQ stride+104(FP), CX
	SHLQ $2, CX
	STORE4(CX)
	ADDQ $4, dst_base+80(FP)
	DECQ rows+24(FP)
	JNZ dotQ8_0Q8x4RowsAVX2_row
dotQ8_0Q8x4RowsAVX2_end:
	VZEROUPPER
	RET

// func dotQ4_0Q8x4RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32, stride int)
TEXT ·dotQ4_0Q8x4RowsAVX2(SB), NOSPLIT, $0-112
	MOVQ w_base+0(FP), SI
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	SHRQ $2, CX
	MOVQ CX, R8
	SHLQ $5, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (CX*4), R10
	LEAQ (R10)(R10*2), R11
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x08080808, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	CMPQ rows+24(FP), $0
	JLE dotQ4_0Q8x4RowsAVX2_end
dotQ4_0Q8x4RowsAVX2_row:
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	SHRQ $2, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ CX, $4
	JB dotQ4_0Q8x4RowsAVX2_tail
dotQ4_0Q8x4RowsAVX2_loop4:
	Q_SCALES4X4(18)
	Q4X4_BLOCK(2, 0, 0x0)
	Q4X4_BLOCK(20, 32, 0x55)
	Q4X4_BLOCK(38, 64, 0xaa)
	Q4X4_BLOCK(56, 96, 0xff)
	ADDQ $72, SI
	ADDQ $128, DI
	ADDQ $16, DX
	SUBQ $4, CX
	CMPQ CX, $4
	JAE dotQ4_0Q8x4RowsAVX2_loop4
dotQ4_0Q8x4RowsAVX2_tail:
	TESTQ CX, CX
	JZ dotQ4_0Q8x4RowsAVX2_done
dotQ4_0Q8x4RowsAVX2_loop:
	MOVWLZX (SI), AX
	VMOVD AX, X6
	VCVTPH2PS X6, X6
	VBROADCASTSS X6, Y6
	Q4_0_NIBBLES(2)
	VPMADDUBSW 0(DI), Y4, Y7
	VPMADDUBSW 0(DI), Y13, Y8
	VPSUBW Y8, Y7, Y7
	VPMADDWD Y15, Y7, Y7
	VCVTDQ2PS Y7, Y7
	VBROADCASTSS (DX), Y8
	VMULPS Y6, Y8, Y8
	VFMADD231PS Y8, Y7, Y0
	VPMADDUBSW 0(DI)(R8*1), Y4, Y9
	VPMADDUBSW 0(DI)(R8*1), Y13, Y10
	VPSUBW Y10, Y9, Y9
	VPMADDWD Y15, Y9, Y9
	VCVTDQ2PS Y9, Y9
	VBROADCASTSS (DX)(R10*1), Y10
	VMULPS Y6, Y10, Y10
	VFMADD231PS Y10, Y9, Y1
	Q4X4_DOT(0(DI)(R8*2))
	VBROADCASTSS (DX)(R10*2), Y12
	VMULPS Y6, Y12, Y12
	VFMADD231PS Y12, Y11, Y2
	VPMADDUBSW 0(DI)(R9*1), Y4, Y5
	VPMADDUBSW 0(DI)(R9*1), Y13, Y8
	VPSUBW Y8, Y5, Y5
	VPMADDWD Y15, Y5, Y5
	VCVTDQ2PS Y5, Y5
	VBROADCASTSS (DX)(R11*1), Y8
	VMULPS Y6, Y8, Y8
	VFMADD231PS Y8, Y5, Y3
	ADDQ $18, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JNZ dotQ4_0Q8x4RowsAVX2_loop
dotQ4_0Q8x4RowsAVX2_done:
	REDUCE4
	MOVQ dst_base+80(FP), AX
	MOVQ stride+104(FP), CX
	SHLQ $2, CX
	STORE4(CX)
	ADDQ $4, dst_base+80(FP)
	DECQ rows+24(FP)
	JNZ dotQ4_0Q8x4RowsAVX2_row
dotQ4_0Q8x4RowsAVX2_end:
	VZEROUPPER
	RET

// q5K<>: 0x10 bytes, the Q5_K high-bit mask.
DATA q5K<>+0(SB)/8, $0x1010101010101010
DATA q5K<>+8(SB)/8, $0x1010101010101010
DATA q5K<>+16(SB)/8, $0x1010101010101010
DATA q5K<>+24(SB)/8, $0x1010101010101010
GLOBL q5K<>(SB), RODATA|NOPTR, $32

// func dotQ4_KQ8Kx4RowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int)
TEXT ·dotQ4_KQ8Kx4RowsAVX2(SB), NOSPLIT, $0-136
	MOVQ w_base+0(FP), SI
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	MOVQ s_base+80(FP), BX
	SHRQ $2, CX
	MOVQ CX, R8
	SHLQ $8, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (CX*4), R10
	LEAQ (R10)(R10*2), R11
	MOVQ CX, R12
	SHLQ $5, R12
	LEAQ (R12)(R12*2), R13
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL $0x3f3f3f3f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x30303030, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	CMPQ rows+24(FP), $0
	JLE dotQ4_KQ8Kx4RowsAVX2_end
dotQ4_KQ8Kx4RowsAVX2_row:
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ s_base+80(FP), BX
	MOVQ d_len+64(FP), CX
	SHRQ $2, CX
	VXORPS X4, X4, X4
	TESTQ CX, CX
	JZ dotQ4_KQ8Kx4RowsAVX2_done
dotQ4_KQ8Kx4RowsAVX2_loop:
	KX4_UNPACK
	KX4_NIBBLES(16)
	KX4_SCALES(0)
	KX4_FIRST(0)
	KX4_NIBBLES(48)
	KX4_SCALES(64)
	KX4_ADD(64)
	KX4_NIBBLES(80)
	KX4_SCALES(128)
	KX4_ADD(128)
	KX4_NIBBLES(112)
	KX4_SCALES(192)
	KX4_ADD(192)
	KX4_FINISH
	ADDQ $144, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ dotQ4_KQ8Kx4RowsAVX2_loop
dotQ4_KQ8Kx4RowsAVX2_done:
	MOVQ dst_base+104(FP), AX
	MOVQ stride+128(FP), CX
	SHLQ $2, CX
	VMOVSS X4, (AX)
	VEXTRACTPS $1, X4, (AX)(CX*1)
	LEAQ (AX)(CX*2), AX
	VEXTRACTPS $2, X4, (AX)
	VEXTRACTPS $3, X4, (AX)(CX*1)
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ dotQ4_KQ8Kx4RowsAVX2_row
dotQ4_KQ8Kx4RowsAVX2_end:
	VZEROUPPER
	RET

// func dotQ5_KQ8Kx4RowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int)
TEXT ·dotQ5_KQ8Kx4RowsAVX2(SB), NOSPLIT, $0-136
	MOVQ w_base+0(FP), SI
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	MOVQ s_base+80(FP), BX
	SHRQ $2, CX
	MOVQ CX, R8
	SHLQ $8, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (CX*4), R10
	LEAQ (R10)(R10*2), R11
	MOVQ CX, R12
	SHLQ $5, R12
	LEAQ (R12)(R12*2), R13
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL $0x3f3f3f3f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x30303030, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	CMPQ rows+24(FP), $0
	JLE dotQ5_KQ8Kx4RowsAVX2_end
dotQ5_KQ8Kx4RowsAVX2_row:
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ s_base+80(FP), BX
	MOVQ d_len+64(FP), CX
	SHRQ $2, CX
	VXORPS X4, X4, X4
	TESTQ CX, CX
	JZ dotQ5_KQ8Kx4RowsAVX2_done
dotQ5_KQ8Kx4RowsAVX2_loop:
	KX4_UNPACK
	KX4_NIBBLES(48)
	Q5KX4_HIGHBITS(VPSLLW, 4, Y7)
	Q5KX4_HIGHBITS(VPSLLW, 3, Y8)
	KX4_SCALES(0)
	KX4_FIRST(0)
	KX4_NIBBLES(80)
	Q5KX4_HIGHBITS(VPSLLW, 2, Y7)
	Q5KX4_HIGHBITS(VPSLLW, 1, Y8)
	KX4_SCALES(64)
	KX4_ADD(64)
	KX4_NIBBLES(112)
	VMOVDQU 16(SI), Y9
	VPAND q5K<>(SB), Y9, Y9
	VPOR Y9, Y7, Y7
	Q5KX4_HIGHBITS(VPSRLW, 1, Y8)
	KX4_SCALES(128)
	KX4_ADD(128)
	KX4_NIBBLES(144)
	Q5KX4_HIGHBITS(VPSRLW, 2, Y7)
	Q5KX4_HIGHBITS(VPSRLW, 3, Y8)
	KX4_SCALES(192)
	KX4_ADD(192)
	KX4_FINISH
	ADDQ $176, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ dotQ5_KQ8Kx4RowsAVX2_loop
dotQ5_KQ8Kx4RowsAVX2_done:
	MOVQ dst_base+104(FP), AX
	MOVQ stride+128(FP), CX
	SHLQ $2, CX
	VMOVSS X4, (AX)
	VEXTRACTPS $1, X4, (AX)(CX*1)
	LEAQ (AX)(CX*2), AX
	VEXTRACTPS $2, X4, (AX)
	VEXTRACTPS $3, X4, (AX)(CX*1)
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ dotQ5_KQ8Kx4RowsAVX2_row
dotQ5_KQ8Kx4RowsAVX2_end:
	VZEROUPPER
	RET

// func dotQ6_KQ8Kx4RowsAVX2(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32, stride int)
TEXT ·dotQ6_KQ8Kx4RowsAVX2(SB), NOSPLIT, $0-136
	MOVQ w_base+0(FP), SI
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	MOVQ s_base+80(FP), BX
	SHRQ $2, CX
	MOVQ CX, R8
	SHLQ $8, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (CX*4), R10
	LEAQ (R10)(R10*2), R11
	MOVQ CX, R12
	SHLQ $5, R12
	LEAQ (R12)(R12*2), R13
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x30303030, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	CMPQ rows+24(FP), $0
	JLE dotQ6_KQ8Kx4RowsAVX2_end
dotQ6_KQ8Kx4RowsAVX2_row:
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ s_base+80(FP), BX
	MOVQ d_len+64(FP), CX
	SHRQ $2, CX
	VXORPS X4, X4, X4
	TESTQ CX, CX
	JZ dotQ6_KQ8Kx4RowsAVX2_done
dotQ6_KQ8Kx4RowsAVX2_loop:
	Q6KX4_HALF(0x44, 0, 128, 0, Q6KX4_FIRST)
	Q6KX4_HALF(0xee, 64, 160, 128, Q6KX4_ADD)
	VPMOVSXBW 192(SI), Y5
	VPMADDWD (BX), Y5, Y11
	VPSLLD $5, Y11, Y11
	VPSUBD Y11, Y0, Y0
	VEXTRACTI128 $1, Y0, X11
	VPADDD X11, X0, X0
	VPMADDWD (BX)(R12*1), Y5, Y11
	VPSLLD $5, Y11, Y11
	VPSUBD Y11, Y1, Y1
	VEXTRACTI128 $1, Y1, X11
	VPADDD X11, X1, X1
	VPMADDWD (BX)(R12*2), Y5, Y11
	VPSLLD $5, Y11, Y11
	VPSUBD Y11, Y2, Y2
	VEXTRACTI128 $1, Y2, X11
	VPADDD X11, X2, X2
	VPMADDWD (BX)(R13*1), Y5, Y11
	VPSLLD $5, Y11, Y11
	VPSUBD Y11, Y3, Y3
	VEXTRACTI128 $1, Y3, X11
	VPADDD X11, X3, X3
	VPHADDD X1, X0, X0
	VPHADDD X3, X2, X2
	VPHADDD X2, X0, X0
	VCVTDQ2PS X0, X0
	MOVWLZX 208(SI), AX
	VMOVD AX, X9
	VCVTPH2PS X9, X9
	VBROADCASTSS X9, X9
	VMOVSS (DX), X12
	VINSERTPS $0x10, (DX)(R10*1), X12, X12
	VINSERTPS $0x20, (DX)(R10*2), X12, X12
	VINSERTPS $0x30, (DX)(R11*1), X12, X12
	VMULPS X12, X9, X9
	VMULPS X0, X9, X9
	VADDPS X9, X4, X4
	ADDQ $210, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ dotQ6_KQ8Kx4RowsAVX2_loop
dotQ6_KQ8Kx4RowsAVX2_done:
	MOVQ dst_base+104(FP), AX
	MOVQ stride+128(FP), CX
	SHLQ $2, CX
	VMOVSS X4, (AX)
	VEXTRACTPS $1, X4, (AX)(CX*1)
	LEAQ (AX)(CX*2), AX
	VEXTRACTPS $2, X4, (AX)
	VEXTRACTPS $3, X4, (AX)(CX*1)
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ dotQ6_KQ8Kx4RowsAVX2_row
dotQ6_KQ8Kx4RowsAVX2_end:
	VZEROUPPER
	RET

// The four-vector kernel, as dotQ8_0Q8x4AVX2 (dotqx4_amd64.s) with the weights decoded as
// above, but in one step less: VPANDN sets 0xf0 (−16) where the high bit is clear, and ORed
// onto the nibble that is nibble − 16. Four blocks at a time, their d_w converted once and
// multiplied by each vector's four d_x, then one block at a time; eight float lanes per
// vector, so the result differs from dotQ5_0Q8AVX2's by float summation order only.
//
// It multiplies rows consecutive rows (of len(d)/4 blocks each, one after another in w) by
// the four vectors and stores row r's products at dst[r], dst[stride+r], dst[2*stride+r],
// dst[3*stride+r]: the constants are set up once per call and the results go straight to
// the output, which matters for the short rows (128 or 512 columns) Q5_0 is used for.
//
// Registers: SI w (row after row), DI q (vector 0), DX d (vector 0), CX blocks left in the
// row, BX blocks per row; vector t's q is at DI + t*R8 (R9 = 3*R8), its d at DX + t*R10
// (R11 = 3*R10); R12 the row's dst, R13 the stride in bytes; the count of rows left is
// kept in its argument slot.

// func dotQ5_0Q8x4RowsAVX2(w []byte, rows int, q []int8, d []float32, dst []float32, stride int)
TEXT ·dotQ5_0Q8x4RowsAVX2(SB), NOSPLIT, $0-112
	MOVQ w_base+0(FP), SI
	MOVQ d_len+64(FP), BX
	SHRQ $2, BX
	MOVQ BX, R8
	SHLQ $5, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (BX*4), R10
	LEAQ (R10)(R10*2), R11
	MOVQ dst_base+80(FP), R12
	MOVQ stride+104(FP), R13
	SHLQ $2, R13
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15 // int16 ones
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14 // 0x0f bytes
	MOVL $0xf0f0f0f0, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13 // 0xf0 bytes (−16)
	CMPQ rows+24(FP), $0
	JLE dotQ5_0Q8x4RowsAVX2_end
dotQ5_0Q8x4RowsAVX2_row:
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ BX, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ CX, $4
	JB dotQ5_0Q8x4RowsAVX2_tail
dotQ5_0Q8x4RowsAVX2_loop4:
	Q_SCALES4X4(22)
	Q5X4_BLOCK(6, 0, 0x0)
	Q5X4_BLOCK(28, 32, 0x55)
	Q5X4_BLOCK(50, 64, 0xaa)
	Q5X4_BLOCK(72, 96, 0xff)
	ADDQ $88, SI
	ADDQ $128, DI
	ADDQ $16, DX
	SUBQ $4, CX
	CMPQ CX, $4
	JAE dotQ5_0Q8x4RowsAVX2_loop4
dotQ5_0Q8x4RowsAVX2_tail:
	TESTQ CX, CX
	JZ dotQ5_0Q8x4RowsAVX2_done
dotQ5_0Q8x4RowsAVX2_loop:
	Q4_0_NIBBLES(6)
	Q5_0_HIGHBITS(2)
	VPABSB Y4, Y5
	MOVWLZX (SI), AX
	VMOVD AX, X6
	VCVTPH2PS X6, X6
	VBROADCASTSS X6, Y7
	Q8X4_DOT(0(DI), Y11)
	VBROADCASTSS (DX), Y6
	VMULPS Y7, Y6, Y6
	VFMADD231PS Y6, Y11, Y0
	Q8X4_DOT(0(DI)(R8*1), Y12)
	VBROADCASTSS (DX)(R10*1), Y6
	VMULPS Y7, Y6, Y6
	VFMADD231PS Y6, Y12, Y1
	Q8X4_DOT(0(DI)(R8*2), Y11)
	VBROADCASTSS (DX)(R10*2), Y6
	VMULPS Y7, Y6, Y6
	VFMADD231PS Y6, Y11, Y2
	Q8X4_DOT(0(DI)(R9*1), Y12)
	VBROADCASTSS (DX)(R11*1), Y6
	VMULPS Y7, Y6, Y6
	VFMADD231PS Y6, Y12, Y3
	ADDQ $22, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JNZ dotQ5_0Q8x4RowsAVX2_loop
dotQ5_0Q8x4RowsAVX2_done:
	REDUCE4
	VMOVSS X0, (R12)
	VEXTRACTPS $1, X0, (R12)(R13*1)
	LEAQ (R12)(R13*2), AX
	VEXTRACTPS $2, X0, (AX)
	VEXTRACTPS $3, X0, (AX)(R13*1)
	ADDQ $4, R12
	DECQ rows+24(FP)
	JNZ dotQ5_0Q8x4RowsAVX2_row
dotQ5_0Q8x4RowsAVX2_end:
	VZEROUPPER
	RET
