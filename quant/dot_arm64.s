//go:build !noasm

// The arm64 float kernels (see dot_arm64.go). The Go assembler lacks most NEON
// mnemonics, so every instruction but the branches and argument moves is a WORD with its
// GNU spelling in the comment, encoded by llvm-mc -triple=aarch64 -mattr=+dotprod.
// TestArm64Encodings re-assembles the comments and compares (where llvm-mc is installed):
// edit the comment and the WORD together.

#include "textflag.h"


// ZERO4 clears the four accumulators v16–v19 (written /* */ inside the macros;
// TestArm64Encodings checks these WORDs too).
#define ZERO4 \
	WORD $0x6f00e410 /* movi v16.2d, #0 */ \
	WORD $0x6f00e411 /* movi v17.2d, #0 */ \
	WORD $0x6f00e412 /* movi v18.2d, #0 */ \
	WORD $0x6f00e413 /* movi v19.2d, #0 */

// FMLA16 loads sixteen float32 of x (x1, advanced) and adds their products with v0–v3 to
// v16–v19.
#define FMLA16 \
	WORD $0x4cdf2824 /* ld1 {v4.4s, v5.4s, v6.4s, v7.4s}, [x1], #64 */ \
	WORD $0x4e24cc10 /* fmla v16.4s, v0.4s, v4.4s */ \
	WORD $0x4e25cc31 /* fmla v17.4s, v1.4s, v5.4s */ \
	WORD $0x4e26cc52 /* fmla v18.4s, v2.4s, v6.4s */ \
	WORD $0x4e27cc73 /* fmla v19.4s, v3.4s, v7.4s */

// REDUCE16 adds up the sixteen lanes of v16–v19 into s16.
#define REDUCE16 \
	WORD $0x4e31d610 /* fadd v16.4s, v16.4s, v17.4s */ \
	WORD $0x4e33d652 /* fadd v18.4s, v18.4s, v19.4s */ \
	WORD $0x4e32d610 /* fadd v16.4s, v16.4s, v18.4s */ \
	WORD $0x6e30d610 /* faddp v16.4s, v16.4s, v16.4s */ \
	WORD $0x7e30da10 /* faddp s16, v16.2s */

// func dotF32NEON(a, b []float32) float32
TEXT ·dotF32NEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD b_base+24(FP), R1
	MOVD b_len+32(FP), R2
	ZERO4
	WORD $0xd344fc42 // lsr x2, x2, #4
	CBZ R2, dotF32NEONdone
dotF32NEONloop:
	WORD $0x4cdf2800 // ld1 {v0.4s, v1.4s, v2.4s, v3.4s}, [x0], #64
	FMLA16
	SUBS $1, R2, R2
	BNE dotF32NEONloop
dotF32NEONdone:
	REDUCE16
	FMOVS F16, ret+48(FP)
	RET

// func dotF32LENEON(w []byte, x []float32) float32
TEXT ·dotF32LENEON(SB), NOSPLIT, $0-52
	MOVD w_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD x_len+32(FP), R2
	ZERO4
	WORD $0xd344fc42 // lsr x2, x2, #4
	CBZ R2, dotF32LENEONdone
dotF32LENEONloop:
	WORD $0x4cdf2800 // ld1 {v0.4s, v1.4s, v2.4s, v3.4s}, [x0], #64
	FMLA16
	SUBS $1, R2, R2
	BNE dotF32LENEONloop
dotF32LENEONdone:
	REDUCE16
	FMOVS F16, ret+48(FP)
	RET

// func dotF16NEON(w []byte, x []float32) float32
TEXT ·dotF16NEON(SB), NOSPLIT, $0-52
	MOVD w_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD x_len+32(FP), R2
	ZERO4
	WORD $0xd344fc42 // lsr x2, x2, #4
	CBZ R2, dotF16NEONdone
dotF16NEONloop:
	WORD $0x4cdfa414 // ld1 {v20.8h, v21.8h}, [x0], #32
	WORD $0x0e217a80 // fcvtl v0.4s, v20.4h
	WORD $0x4e217a81 // fcvtl2 v1.4s, v20.8h
	WORD $0x0e217aa2 // fcvtl v2.4s, v21.4h
	WORD $0x4e217aa3 // fcvtl2 v3.4s, v21.8h
	FMLA16
	SUBS $1, R2, R2
	BNE dotF16NEONloop
dotF16NEONdone:
	REDUCE16
	FMOVS F16, ret+48(FP)
	RET

// func dotBF16NEON(w []byte, x []float32) float32
TEXT ·dotBF16NEON(SB), NOSPLIT, $0-52
	MOVD w_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD x_len+32(FP), R2
	ZERO4
	WORD $0xd344fc42 // lsr x2, x2, #4
	CBZ R2, dotBF16NEONdone
dotBF16NEONloop:
	WORD $0x4cdfa414 // ld1 {v20.8h, v21.8h}, [x0], #32
	WORD $0x2e613a80 // shll v0.4s, v20.4h, #16
	WORD $0x6e613a81 // shll2 v1.4s, v20.8h, #16
	WORD $0x2e613aa2 // shll v2.4s, v21.4h, #16
	WORD $0x6e613aa3 // shll2 v3.4s, v21.8h, #16
	FMLA16
	SUBS $1, R2, R2
	BNE dotBF16NEONloop
dotBF16NEONdone:
	REDUCE16
	FMOVS F16, ret+48(FP)
	RET

// func dotE4M3NEON(w []byte, x []float32) float32
TEXT ·dotE4M3NEON(SB), NOSPLIT, $0-52
	MOVD w_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD x_len+32(FP), R2
	ZERO4
	WORD $0xd344fc42 // lsr x2, x2, #4
	WORD $0x4f03e7fc // movi v28.16b, #0x7f
	WORD $0x6f00e41b // movi v27.2d, #0
	WORD $0x52a87009 // mov w9, #0x43800000
	WORD $0x4e040d3a // dup v26.4s, w9
	CBZ R2, dotE4M3NEONdone
dotE4M3NEONloop:
	WORD $0x4cdf7014 // ld1 {v20.16b}, [x0], #16
	WORD $0x4e3c1e95 // and v21.16b, v20.16b, v28.16b
	WORD $0x6e3c8eb5 // cmeq v21.16b, v21.16b, v28.16b
	WORD $0x4eb51f7b // orr v27.16b, v27.16b, v21.16b
	WORD $0x2e213a96 // shll v22.8h, v20.8b, #8
	WORD $0x6e213a97 // shll2 v23.8h, v20.16b, #8
	WORD $0x4f1f06d6 // sshr v22.8h, v22.8h, #1
	WORD $0x4f1f06f7 // sshr v23.8h, v23.8h, #1
	WORD $0x6f02b416 // bic v22.8h, #0x40, lsl #8
	WORD $0x6f02b417 // bic v23.8h, #0x40, lsl #8
	WORD $0x0e217ac0 // fcvtl v0.4s, v22.4h
	WORD $0x4e217ac1 // fcvtl2 v1.4s, v22.8h
	WORD $0x0e217ae2 // fcvtl v2.4s, v23.4h
	WORD $0x4e217ae3 // fcvtl2 v3.4s, v23.8h
	WORD $0x6e3adc00 // fmul v0.4s, v0.4s, v26.4s
	WORD $0x6e3adc21 // fmul v1.4s, v1.4s, v26.4s
	WORD $0x6e3adc42 // fmul v2.4s, v2.4s, v26.4s
	WORD $0x6e3adc63 // fmul v3.4s, v3.4s, v26.4s
	FMLA16
	SUBS $1, R2, R2
	BNE dotE4M3NEONloop
dotE4M3NEONdone:
	REDUCE16
	WORD $0x6e30ab7b // umaxv b27, v27.16b
	WORD $0x1e260369 // fmov w9, s27
	WORD $0x52aff80a // mov w10, #0x7fc00000
	WORD $0x1e270151 // fmov s17, w10
	WORD $0x7100013f // cmp w9, #0
	WORD $0x1e310e10 // fcsel s16, s16, s17, eq
	FMOVS F16, ret+48(FP)
	RET
