//go:build !noasm

#include "textflag.h"

// AVX2 quantization of activation vectors to 8 bits (the Input of block formats). Both
// kernels compute what quantizeInputQ8_0 and quantizeInputQ8_K in input.go compute, bit
// for bit:
//
//   - amax: the largest |x| of the block, as the largest of the sign-cleared bit patterns
//     (VPMAXSD), which orders non-negative floats as their values;
//   - d = amax/127 and inv = 1/d (0 when d is 0), in float32, in that order;
//   - q = round(x·inv), halves away from zero: x·inv rounded to float32, plus
//     copysign(0.49999997, ·) (the float32 just below 1/2), truncated (VCVTTPS2DQ). With
//     round-to-nearest-even additions this equals math.Round for every float32 of
//     magnitude up to 128 (checked exhaustively), and |x·inv| <= 127 + a few ulps here.
//
// A block whose amax is Inf or NaN, or whose d is subnormal (inv then loses precision or
// overflows), is not the kernels' business: they return the number of blocks done before
// it, and the Go wrapper quantizes that block with the portable code and calls again.

DATA q8Sign<>+0(SB)/4, $0x80000000
GLOBL q8Sign<>(SB), RODATA|NOPTR, $4
DATA q8Half<>+0(SB)/4, $0x3effffff // 0.49999997
GLOBL q8Half<>(SB), RODATA|NOPTR, $4
DATA q8C127<>+0(SB)/4, $0x42fe0000 // 127
GLOBL q8C127<>(SB), RODATA|NOPTR, $4
DATA q8One<>+0(SB)/4, $0x3f800000 // 1
GLOBL q8One<>(SB), RODATA|NOPTR, $4
DATA q8Bytes1<>+0(SB)/4, $0x01010101
GLOBL q8Bytes1<>(SB), RODATA|NOPTR, $4
DATA q8Words1<>+0(SB)/4, $0x00010001
GLOBL q8Words1<>(SB), RODATA|NOPTR, $4

// After VPACKSSDW and VPACKSSWB of four vectors A, B, C, D the dwords hold
// A0-3 B0-3 C0-3 D0-3 A4-7 B4-7 C4-7 D4-7: this puts them back in order.
DATA q8Perm<>+0(SB)/4, $0
DATA q8Perm<>+4(SB)/4, $4
DATA q8Perm<>+8(SB)/4, $1
DATA q8Perm<>+12(SB)/4, $5
DATA q8Perm<>+16(SB)/4, $2
DATA q8Perm<>+20(SB)/4, $6
DATA q8Perm<>+24(SB)/4, $3
DATA q8Perm<>+28(SB)/4, $7
GLOBL q8Perm<>(SB), RODATA|NOPTR, $32

// HMAX leaves the largest signed dword of Y0 in X0 (every element).
#define HMAX \
	VEXTRACTI128 $1, Y0, X1; \
	VPMAXSD      X1, X0, X0; \
	VPSHUFD      $0x4e, X0, X1; \
	VPMAXSD      X1, X0, X0; \
	VPSHUFD      $0xb1, X0, X1; \
	VPMAXSD      X1, X0, X0

// Q8 rounds Y15·src to the int32s in dst, with tmp. Y14: sign bits, Y13: 0.49999997.
#define Q8(src, dst, tmp) \
	VMULPS     src, Y15, dst; \
	VANDPS     Y14, dst, tmp; \
	VORPS      Y13, tmp, tmp; \
	VADDPS     tmp, dst, dst; \
	VCVTTPS2DQ dst, dst

// QCHUNK quantizes the 32 floats at SI to the 32 bytes at DI, left in Y0 too, and moves
// SI and DI on; it uses Y0-Y5. Y12: q8Perm.
#define QCHUNK \
	Q8(0(SI), Y0, Y4); \
	Q8(32(SI), Y1, Y5); \
	Q8(64(SI), Y2, Y4); \
	Q8(96(SI), Y3, Y5); \
	VPACKSSDW Y1, Y0, Y0; \
	VPACKSSDW Y3, Y2, Y2; \
	VPACKSSWB Y2, Y0, Y0; \
	VPERMD    Y0, Y12, Y0; \
	VMOVDQU   Y0, 0(DI); \
	ADDQ      $128, SI; \
	ADDQ      $32, DI

// func quantQ8_0AVX2(q *int8, d *float32, x *float32, nb int) int
TEXT ·quantQ8_0AVX2(SB), NOSPLIT, $0-40
	MOVQ         q+0(FP), DI
	MOVQ         d+8(FP), DX
	MOVQ         x+16(FP), SI
	MOVQ         nb+24(FP), CX
	XORQ         BX, BX
	VPBROADCASTD q8Sign<>(SB), Y14
	VPBROADCASTD q8Half<>(SB), Y13
	VMOVDQU      q8Perm<>(SB), Y12

q0block:
	CMPQ         BX, CX
	JGE          q0done
	VANDNPS      0(SI), Y14, Y0
	VANDNPS      32(SI), Y14, Y1
	VANDNPS      64(SI), Y14, Y2
	VANDNPS      96(SI), Y14, Y3
	VPMAXSD      Y1, Y0, Y0
	VPMAXSD      Y3, Y2, Y2
	VPMAXSD      Y2, Y0, Y0
	HMAX
	VMOVD        X0, AX
	CMPL         AX, $0x7f800000
	JAE          q0done                  // Inf or NaN
	VDIVSS       q8C127<>(SB), X0, X1    // d = amax/127
	VMOVD        X1, AX
	VXORPS       X2, X2, X2
	TESTL        AX, AX
	JZ           q0inv
	CMPL         AX, $0x00800000
	JB           q0done                  // subnormal d
	VMOVSS       q8One<>(SB), X2
	VDIVSS       X1, X2, X2              // inv = 1/d

q0inv:
	VBROADCASTSS X2, Y15
	VMOVSS       X1, (DX)(BX*4)
	QCHUNK
	INCQ         BX
	JMP          q0block

q0done:
	MOVQ         BX, ret+32(FP)
	VZEROUPPER
	RET

// SUMS leaves in dst the sums of the bytes of Y0 by 4, as dwords. Y11: bytes 1, Y10: words 1.
#define SUMS(dst) \
	VPMADDUBSW Y0, Y11, dst; \
	VPMADDWD   Y10, dst, dst

// func quantQ8_KAVX2(q *int8, d *float32, sums *int16, x *float32, nb int) int
TEXT ·quantQ8_KAVX2(SB), NOSPLIT, $0-48
	MOVQ         q+0(FP), DI
	MOVQ         d+8(FP), DX
	MOVQ         sums+16(FP), R9
	MOVQ         x+24(FP), SI
	MOVQ         nb+32(FP), CX
	XORQ         BX, BX
	VPBROADCASTD q8Sign<>(SB), Y14
	VPBROADCASTD q8Half<>(SB), Y13
	VMOVDQU      q8Perm<>(SB), Y12
	VPBROADCASTD q8Bytes1<>(SB), Y11
	VPBROADCASTD q8Words1<>(SB), Y10

qkblock:
	CMPQ         BX, CX
	JGE          qkdone
	VANDNPS      0(SI), Y14, Y0
	VANDNPS      32(SI), Y14, Y1
	VANDNPS      64(SI), Y14, Y2
	VANDNPS      96(SI), Y14, Y3
	MOVQ         $128, AX

qkmax:
	VANDNPS      0(SI)(AX*1), Y14, Y4
	VANDNPS      32(SI)(AX*1), Y14, Y5
	VANDNPS      64(SI)(AX*1), Y14, Y6
	VANDNPS      96(SI)(AX*1), Y14, Y7
	VPMAXSD      Y4, Y0, Y0
	VPMAXSD      Y5, Y1, Y1
	VPMAXSD      Y6, Y2, Y2
	VPMAXSD      Y7, Y3, Y3
	ADDQ         $128, AX
	CMPQ         AX, $1024
	JLT          qkmax
	VPMAXSD      Y1, Y0, Y0
	VPMAXSD      Y3, Y2, Y2
	VPMAXSD      Y2, Y0, Y0
	HMAX
	VMOVD        X0, AX
	CMPL         AX, $0x7f800000
	JAE          qkdone                  // Inf or NaN
	VDIVSS       q8C127<>(SB), X0, X1    // d = amax/127
	VMOVD        X1, AX
	VXORPS       X2, X2, X2
	TESTL        AX, AX
	JZ           qkinv
	CMPL         AX, $0x00800000
	JB           qkdone                  // subnormal d
	VMOVSS       q8One<>(SB), X2
	VDIVSS       X1, X2, X2              // inv = 1/d

qkinv:
	VBROADCASTSS X2, Y15
	VMOVSS       X1, (DX)(BX*4)

	// Chunk k of 32 values holds groups 2k (low lane) and 2k+1 (high lane); SUMS gives
	// S_k with 4 partial sums of each. Pairwise horizontal adds of S_0..S_3 leave
	// g0 g2 g4 g6 | g1 g3 g5 g7 in Y8, of S_4..S_7 g8 ... g14 | g9 ... g15 in Y9.
	QCHUNK
	SUMS(Y8)
	QCHUNK
	SUMS(Y6)
	VPHADDD      Y6, Y8, Y8
	QCHUNK
	SUMS(Y9)
	QCHUNK
	SUMS(Y6)
	VPHADDD      Y6, Y9, Y9
	VPHADDD      Y9, Y8, Y8
	QCHUNK
	SUMS(Y9)
	QCHUNK
	SUMS(Y6)
	VPHADDD      Y6, Y9, Y9
	QCHUNK
	SUMS(Y7)
	QCHUNK
	SUMS(Y6)
	VPHADDD      Y6, Y7, Y7
	VPHADDD      Y7, Y9, Y9
	VPACKSSDW    Y9, Y8, Y8              // g0 g2 .. g14 | g1 g3 .. g15, as words
	VEXTRACTI128 $1, Y8, X9
	VPUNPCKLWD   X9, X8, X4
	VPUNPCKHWD   X9, X8, X5
	VMOVDQU      X4, 0(R9)
	VMOVDQU      X5, 16(R9)
	ADDQ         $32, R9
	INCQ         BX
	JMP          qkblock

qkdone:
	MOVQ         BX, ret+40(FP)
	VZEROUPPER
	RET
