//go:build !noasm

// The arm64 integer kernels (see dotq_arm64.go). The Go assembler lacks most NEON
// mnemonics, so every instruction but the branches and argument moves is a WORD with its
// GNU spelling in the comment, encoded by llvm-mc -triple=aarch64 -mattr=+dotprod.
// TestArm64Encodings re-assembles the comments and compares (where llvm-mc is installed):
// edit the comment and the WORD together.

#include "textflag.h"


// Macros for the sequences the kernels repeat word for word (written /* */ inside them;
// TestArm64Encodings checks these WORDs too).

// KSCALES unpacks a Q4_K/Q5_K block's 6-bit scales and minimums (get_scale_min_k4, x0 the
// block) into d20 (scales) and d21 (minimums), loads its input sums of 16 (x4, advanced)
// and leaves Σ minimum·sum in s24.
#define KSCALES \
	WORD $0xf8404006 /* ldur x6, [x0, #4] */ \
	WORD $0xb9400c07 /* ldr w7, [x0, #12] */ \
	WORD $0xd360fcc8 /* lsr x8, x6, #32 */ \
	WORD $0x53047ce9 /* lsr w9, w7, #4 */ \
	WORD $0x1200cd29 /* and w9, w9, #0x0f0f0f0f */ \
	WORD $0x53067d0a /* lsr w10, w8, #6 */ \
	WORD $0x1200c54a /* and w10, w10, #0x03030303 */ \
	WORD $0x2a0a1129 /* orr w9, w9, w10, lsl #4 */ \
	WORD $0x1200d50a /* and w10, w8, #0x3f3f3f3f */ \
	WORD $0x1200cceb /* and w11, w7, #0x0f0f0f0f */ \
	WORD $0x53067ccc /* lsr w12, w6, #6 */ \
	WORD $0x1200c58c /* and w12, w12, #0x03030303 */ \
	WORD $0x2a0c116b /* orr w11, w11, w12, lsl #4 */ \
	WORD $0x1200d4c6 /* and w6, w6, #0x3f3f3f3f */ \
	WORD $0xaa0b80c6 /* orr x6, x6, x11, lsl #32 */ \
	WORD $0xaa09814a /* orr x10, x10, x9, lsl #32 */ \
	WORD $0x9e6700d4 /* fmov d20, x6 */ \
	WORD $0x9e670155 /* fmov d21, x10 */ \
	WORD $0x4cdfa496 /* ld1 {v22.8h, v23.8h}, [x4], #32 */ \
	WORD $0x4e77bed6 /* addp v22.8h, v22.8h, v23.8h */ \
	WORD $0x2f08a6b5 /* uxtl v21.8h, v21.8b */ \
	WORD $0x0e75c2d8 /* smull v24.4s, v22.4h, v21.4h */ \
	WORD $0x4e7582d8 /* smlal2 v24.4s, v22.8h, v21.8h */ \
	WORD $0x4eb1bb18 /* addv s24, v24.4s */

// NIBBLES loads 32 bytes of nibbles (x5, advanced) and 64 input values (x1, advanced):
// low nibbles into v6, v7, high into v0, v1 (v30 = 0x0f bytes); the input in v2–v5.
#define NIBBLES \
	WORD $0x4cdfa0a0 /* ld1 {v0.16b, v1.16b}, [x5], #32 */ \
	WORD $0x4cdf2022 /* ld1 {v2.16b, v3.16b, v4.16b, v5.16b}, [x1], #64 */ \
	WORD $0x4e3e1c06 /* and v6.16b, v0.16b, v30.16b */ \
	WORD $0x4e3e1c27 /* and v7.16b, v1.16b, v30.16b */ \
	WORD $0x6f0c0400 /* ushr v0.16b, v0.16b, #4 */ \
	WORD $0x6f0c0421 /* ushr v1.16b, v1.16b, #4 */

// Q5K_HIGHBITS ORs the two fifth bits of the values in v6, v7 (bit 0 of v18, v19) and v0,
// v1 (bit 1) as 0x10 (v29) and moves v18, v19 on to the next two bits.
#define Q5K_HIGHBITS \
	WORD $0x4f0c5650 /* shl v16.16b, v18.16b, #4 */ \
	WORD $0x4e3d1e10 /* and v16.16b, v16.16b, v29.16b */ \
	WORD $0x4eb01cc6 /* orr v6.16b, v6.16b, v16.16b */ \
	WORD $0x4f0c5671 /* shl v17.16b, v19.16b, #4 */ \
	WORD $0x4e3d1e31 /* and v17.16b, v17.16b, v29.16b */ \
	WORD $0x4eb11ce7 /* orr v7.16b, v7.16b, v17.16b */ \
	WORD $0x4f0b5650 /* shl v16.16b, v18.16b, #3 */ \
	WORD $0x4e3d1e10 /* and v16.16b, v16.16b, v29.16b */ \
	WORD $0x4eb01c00 /* orr v0.16b, v0.16b, v16.16b */ \
	WORD $0x4f0b5671 /* shl v17.16b, v19.16b, #3 */ \
	WORD $0x4e3d1e31 /* and v17.16b, v17.16b, v29.16b */ \
	WORD $0x4eb11c21 /* orr v1.16b, v1.16b, v17.16b */ \
	WORD $0x6f0e0652 /* ushr v18.16b, v18.16b, #2 */ \
	WORD $0x6f0e0673 /* ushr v19.16b, v19.16b, #2 */

// SMULL_LO and SMULL_HI are the plain NEON products of the 32 low-nibble values (v6, v7
// times v2, v3) and the 32 high (v0, v1 times v4, v5) into eight int16 sums each: v16, v17.
#define SMULL_LO \
	WORD $0x0e22c0d0 /* smull v16.8h, v6.8b, v2.8b */ \
	WORD $0x4e2280d0 /* smlal2 v16.8h, v6.16b, v2.16b */ \
	WORD $0x0e2380f0 /* smlal v16.8h, v7.8b, v3.8b */ \
	WORD $0x4e2380f0 /* smlal2 v16.8h, v7.16b, v3.16b */

#define SMULL_HI \
	WORD $0x0e24c011 /* smull v17.8h, v0.8b, v4.8b */ \
	WORD $0x4e248011 /* smlal2 v17.8h, v0.16b, v4.16b */ \
	WORD $0x0e258031 /* smlal v17.8h, v1.8b, v5.8b */ \
	WORD $0x4e258031 /* smlal2 v17.8h, v1.16b, v5.16b */

// ADDP8 adds pairwise the eight groups' int32 sums in v8–v15: groups 0–3 in v8, 4–7 in v12.
#define ADDP8 \
	WORD $0x4ea9bd08 /* addp v8.4s, v8.4s, v9.4s */ \
	WORD $0x4eabbd4a /* addp v10.4s, v10.4s, v11.4s */ \
	WORD $0x4eaabd08 /* addp v8.4s, v8.4s, v10.4s */ \
	WORD $0x4eadbd8c /* addp v12.4s, v12.4s, v13.4s */ \
	WORD $0x4eafbdce /* addp v14.4s, v14.4s, v15.4s */ \
	WORD $0x4eaebd8c /* addp v12.4s, v12.4s, v14.4s */

// KFINISH ends a Q4_K/Q5_K block after ADDP8: the groups' sums times their scales (d20),
// then the float part as the generic kernel does it, d·dx·Σ − dmin·dx·Σ minimum·sum (s24),
// added to s31; x2 (the input's scales) advanced.
#define KFINISH \
	WORD $0x2f08a694 /* uxtl v20.8h, v20.8b */ \
	WORD $0x2f10a692 /* uxtl v18.4s, v20.4h */ \
	WORD $0x6f10a693 /* uxtl2 v19.4s, v20.8h */ \
	WORD $0x4eb29d08 /* mul v8.4s, v8.4s, v18.4s */ \
	WORD $0x4eb39588 /* mla v8.4s, v12.4s, v19.4s */ \
	WORD $0x4eb1b908 /* addv s8, v8.4s */ \
	WORD $0xbc404459 /* ldr s25, [x2], #4 */ \
	WORD $0x7d40001a /* ldr h26, [x0] */ \
	WORD $0x7d40041b /* ldr h27, [x0, #2] */ \
	WORD $0x1ee2435a /* fcvt s26, h26 */ \
	WORD $0x1ee2437b /* fcvt s27, h27 */ \
	WORD $0x5e21d908 /* scvtf s8, s8 */ \
	WORD $0x5e21db18 /* scvtf s24, s24 */ \
	WORD $0x1e280b5a /* fmul s26, s26, s8 */ \
	WORD $0x1f18eb7a /* fmsub s26, s27, s24, s26 */ \
	WORD $0x1f1a7f3f /* fmadd s31, s25, s26, s31 */ \
	WORD $0x91024000 /* add x0, x0, #144 */

// Q6K_DECODE_LO and Q6K_DECODE_HI decode 64 values of a Q6_K half-block (ql in v0–v3, qh in
// v4, v5; v29 = 0x30, v30 = 0x0f, v28 = 32 bytes): the low nibbles with qh's bits 0–1 and
// 2–3, or the high nibbles with bits 4–5 and 6–7, less 32, into v6, v7, v16, v17 (v22
// scratch). _LO also loads ql and qh (x5, x6, advanced).
#define Q6K_DECODE_LO \
	WORD $0x4cdf20a0 /* ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x5], #64 */ \
	WORD $0x4cdfa0c4 /* ld1 {v4.16b, v5.16b}, [x6], #32 */ \
	WORD $0x4f0c5486 /* shl v6.16b, v4.16b, #4 */ \
	WORD $0x4e3d1cc6 /* and v6.16b, v6.16b, v29.16b */ \
	WORD $0x4e3e1c16 /* and v22.16b, v0.16b, v30.16b */ \
	WORD $0x4eb61cc6 /* orr v6.16b, v6.16b, v22.16b */ \
	WORD $0x4f0c54a7 /* shl v7.16b, v5.16b, #4 */ \
	WORD $0x4e3d1ce7 /* and v7.16b, v7.16b, v29.16b */ \
	WORD $0x4e3e1c36 /* and v22.16b, v1.16b, v30.16b */ \
	WORD $0x4eb61ce7 /* orr v7.16b, v7.16b, v22.16b */ \
	WORD $0x4f0a5490 /* shl v16.16b, v4.16b, #2 */ \
	WORD $0x4e3d1e10 /* and v16.16b, v16.16b, v29.16b */ \
	WORD $0x4e3e1c56 /* and v22.16b, v2.16b, v30.16b */ \
	WORD $0x4eb61e10 /* orr v16.16b, v16.16b, v22.16b */ \
	WORD $0x4f0a54b1 /* shl v17.16b, v5.16b, #2 */ \
	WORD $0x4e3d1e31 /* and v17.16b, v17.16b, v29.16b */ \
	WORD $0x4e3e1c76 /* and v22.16b, v3.16b, v30.16b */ \
	WORD $0x4eb61e31 /* orr v17.16b, v17.16b, v22.16b */ \
	WORD $0x6e3c84c6 /* sub v6.16b, v6.16b, v28.16b */ \
	WORD $0x6e3c84e7 /* sub v7.16b, v7.16b, v28.16b */ \
	WORD $0x6e3c8610 /* sub v16.16b, v16.16b, v28.16b */ \
	WORD $0x6e3c8631 /* sub v17.16b, v17.16b, v28.16b */

#define Q6K_DECODE_HI \
	WORD $0x4e3d1c86 /* and v6.16b, v4.16b, v29.16b */ \
	WORD $0x6f0c0416 /* ushr v22.16b, v0.16b, #4 */ \
	WORD $0x4eb61cc6 /* orr v6.16b, v6.16b, v22.16b */ \
	WORD $0x4e3d1ca7 /* and v7.16b, v5.16b, v29.16b */ \
	WORD $0x6f0c0436 /* ushr v22.16b, v1.16b, #4 */ \
	WORD $0x4eb61ce7 /* orr v7.16b, v7.16b, v22.16b */ \
	WORD $0x6f0e0490 /* ushr v16.16b, v4.16b, #2 */ \
	WORD $0x4e3d1e10 /* and v16.16b, v16.16b, v29.16b */ \
	WORD $0x6f0c0456 /* ushr v22.16b, v2.16b, #4 */ \
	WORD $0x4eb61e10 /* orr v16.16b, v16.16b, v22.16b */ \
	WORD $0x6f0e04b1 /* ushr v17.16b, v5.16b, #2 */ \
	WORD $0x4e3d1e31 /* and v17.16b, v17.16b, v29.16b */ \
	WORD $0x6f0c0476 /* ushr v22.16b, v3.16b, #4 */ \
	WORD $0x4eb61e31 /* orr v17.16b, v17.16b, v22.16b */ \
	WORD $0x6e3c84c6 /* sub v6.16b, v6.16b, v28.16b */ \
	WORD $0x6e3c84e7 /* sub v7.16b, v7.16b, v28.16b */ \
	WORD $0x6e3c8610 /* sub v16.16b, v16.16b, v28.16b */ \
	WORD $0x6e3c8631 /* sub v17.16b, v17.16b, v28.16b */

// func dotQ8_0Q8NEON(w []byte, q []int8, d []float32) float32
TEXT ·dotQ8_0Q8NEON(SB), NOSPLIT, $0-76
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	WORD $0x6f00e41f // movi v31.2d, #0
	CBZ R3, dotQ8_0Q8NEONdone
dotQ8_0Q8NEONloop:
	WORD $0x7d400006 // ldr h6, [x0]
	WORD $0x3cc02001 // ldur q1, [x0, #2]
	WORD $0x3cc12002 // ldur q2, [x0, #18]
	WORD $0x91008800 // add x0, x0, #34
	WORD $0x4cdfa023 // ld1 {v3.16b, v4.16b}, [x1], #32
	WORD $0xbc404447 // ldr s7, [x2], #4
	WORD $0x0e23c025 // smull v5.8h, v1.8b, v3.8b
	WORD $0x4e23c030 // smull2 v16.8h, v1.16b, v3.16b
	WORD $0x0e24c051 // smull v17.8h, v2.8b, v4.8b
	WORD $0x4e24c052 // smull2 v18.8h, v2.16b, v4.16b
	WORD $0x4e6028a5 // saddlp v5.4s, v5.8h
	WORD $0x4e606a05 // sadalp v5.4s, v16.8h
	WORD $0x4e606a25 // sadalp v5.4s, v17.8h
	WORD $0x4e606a45 // sadalp v5.4s, v18.8h
	WORD $0x4eb1b8a5 // addv s5, v5.4s
	WORD $0x5e21d8a5 // scvtf s5, s5
	WORD $0x1ee240c6 // fcvt s6, h6
	WORD $0x1e2708c6 // fmul s6, s6, s7
	WORD $0x1f057cdf // fmadd s31, s6, s5, s31
	SUBS $1, R3, R3
	BNE dotQ8_0Q8NEONloop
dotQ8_0Q8NEONdone:
	FMOVS F31, ret+72(FP)
	RET

// func dotQ8_0Q8SDOT(w []byte, q []int8, d []float32) float32
TEXT ·dotQ8_0Q8SDOT(SB), NOSPLIT, $0-76
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	WORD $0x6f00e41f // movi v31.2d, #0
	CBZ R3, dotQ8_0Q8SDOTdone
dotQ8_0Q8SDOTloop:
	WORD $0x7d400006 // ldr h6, [x0]
	WORD $0x3cc02001 // ldur q1, [x0, #2]
	WORD $0x3cc12002 // ldur q2, [x0, #18]
	WORD $0x91008800 // add x0, x0, #34
	WORD $0x4cdfa023 // ld1 {v3.16b, v4.16b}, [x1], #32
	WORD $0xbc404447 // ldr s7, [x2], #4
	WORD $0x6f00e405 // movi v5.2d, #0
	WORD $0x4e839425 // sdot v5.4s, v1.16b, v3.16b
	WORD $0x4e849445 // sdot v5.4s, v2.16b, v4.16b
	WORD $0x4eb1b8a5 // addv s5, v5.4s
	WORD $0x5e21d8a5 // scvtf s5, s5
	WORD $0x1ee240c6 // fcvt s6, h6
	WORD $0x1e2708c6 // fmul s6, s6, s7
	WORD $0x1f057cdf // fmadd s31, s6, s5, s31
	SUBS $1, R3, R3
	BNE dotQ8_0Q8SDOTloop
dotQ8_0Q8SDOTdone:
	FMOVS F31, ret+72(FP)
	RET

// func dotQ4_0Q8NEON(w []byte, q []int8, d []float32) float32
TEXT ·dotQ4_0Q8NEON(SB), NOSPLIT, $0-76
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	WORD $0x6f00e41f // movi v31.2d, #0
	WORD $0x4f00e5fe // movi v30.16b, #0x0f
	WORD $0x4f00e51d // movi v29.16b, #8
	CBZ R3, dotQ4_0Q8NEONdone
dotQ4_0Q8NEONloop:
	WORD $0x7d400006 // ldr h6, [x0]
	WORD $0x3cc02001 // ldur q1, [x0, #2]
	WORD $0x91004800 // add x0, x0, #18
	WORD $0x4cdfa023 // ld1 {v3.16b, v4.16b}, [x1], #32
	WORD $0xbc404447 // ldr s7, [x2], #4
	WORD $0x4e3e1c22 // and v2.16b, v1.16b, v30.16b
	WORD $0x6f0c0421 // ushr v1.16b, v1.16b, #4
	WORD $0x6e3d8442 // sub v2.16b, v2.16b, v29.16b
	WORD $0x6e3d8421 // sub v1.16b, v1.16b, v29.16b
	WORD $0x0e23c045 // smull v5.8h, v2.8b, v3.8b
	WORD $0x0e248025 // smlal v5.8h, v1.8b, v4.8b
	WORD $0x4e23c050 // smull2 v16.8h, v2.16b, v3.16b
	WORD $0x4e248030 // smlal2 v16.8h, v1.16b, v4.16b
	WORD $0x4e6028a5 // saddlp v5.4s, v5.8h
	WORD $0x4e606a05 // sadalp v5.4s, v16.8h
	WORD $0x4eb1b8a5 // addv s5, v5.4s
	WORD $0x5e21d8a5 // scvtf s5, s5
	WORD $0x1ee240c6 // fcvt s6, h6
	WORD $0x1e2708c6 // fmul s6, s6, s7
	WORD $0x1f057cdf // fmadd s31, s6, s5, s31
	SUBS $1, R3, R3
	BNE dotQ4_0Q8NEONloop
dotQ4_0Q8NEONdone:
	FMOVS F31, ret+72(FP)
	RET

// func dotQ4_0Q8SDOT(w []byte, q []int8, d []float32) float32
TEXT ·dotQ4_0Q8SDOT(SB), NOSPLIT, $0-76
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	WORD $0x6f00e41f // movi v31.2d, #0
	WORD $0x4f00e5fe // movi v30.16b, #0x0f
	WORD $0x4f00e51d // movi v29.16b, #8
	CBZ R3, dotQ4_0Q8SDOTdone
dotQ4_0Q8SDOTloop:
	WORD $0x7d400006 // ldr h6, [x0]
	WORD $0x3cc02001 // ldur q1, [x0, #2]
	WORD $0x91004800 // add x0, x0, #18
	WORD $0x4cdfa023 // ld1 {v3.16b, v4.16b}, [x1], #32
	WORD $0xbc404447 // ldr s7, [x2], #4
	WORD $0x4e3e1c22 // and v2.16b, v1.16b, v30.16b
	WORD $0x6f0c0421 // ushr v1.16b, v1.16b, #4
	WORD $0x6e3d8442 // sub v2.16b, v2.16b, v29.16b
	WORD $0x6e3d8421 // sub v1.16b, v1.16b, v29.16b
	WORD $0x6f00e405 // movi v5.2d, #0
	WORD $0x4e839445 // sdot v5.4s, v2.16b, v3.16b
	WORD $0x4e849425 // sdot v5.4s, v1.16b, v4.16b
	WORD $0x4eb1b8a5 // addv s5, v5.4s
	WORD $0x5e21d8a5 // scvtf s5, s5
	WORD $0x1ee240c6 // fcvt s6, h6
	WORD $0x1e2708c6 // fmul s6, s6, s7
	WORD $0x1f057cdf // fmadd s31, s6, s5, s31
	SUBS $1, R3, R3
	BNE dotQ4_0Q8SDOTloop
dotQ4_0Q8SDOTdone:
	FMOVS F31, ret+72(FP)
	RET

// func dotQ4_KQ8KNEON(w []byte, q []int8, d []float32, s []int16) float32
TEXT ·dotQ4_KQ8KNEON(SB), NOSPLIT, $0-100
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	MOVD s_base+72(FP), R4
	WORD $0x6f00e41f // movi v31.2d, #0
	WORD $0x4f00e5fe // movi v30.16b, #0x0f
	CBZ R3, dotQ4_KQ8KNEONdone
dotQ4_KQ8KNEONloop:
	KSCALES
	WORD $0x91004005 // add x5, x0, #16
	NIBBLES
	SMULL_LO
	WORD $0x4e602a08 // saddlp v8.4s, v16.8h
	SMULL_HI
	WORD $0x4e602a29 // saddlp v9.4s, v17.8h
	NIBBLES
	SMULL_LO
	WORD $0x4e602a0a // saddlp v10.4s, v16.8h
	SMULL_HI
	WORD $0x4e602a2b // saddlp v11.4s, v17.8h
	NIBBLES
	SMULL_LO
	WORD $0x4e602a0c // saddlp v12.4s, v16.8h
	SMULL_HI
	WORD $0x4e602a2d // saddlp v13.4s, v17.8h
	NIBBLES
	SMULL_LO
	WORD $0x4e602a0e // saddlp v14.4s, v16.8h
	SMULL_HI
	WORD $0x4e602a2f // saddlp v15.4s, v17.8h
	ADDP8
	KFINISH
	SUBS $1, R3, R3
	BNE dotQ4_KQ8KNEONloop
dotQ4_KQ8KNEONdone:
	FMOVS F31, ret+96(FP)
	RET

// func dotQ4_KQ8KSDOT(w []byte, q []int8, d []float32, s []int16) float32
TEXT ·dotQ4_KQ8KSDOT(SB), NOSPLIT, $0-100
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	MOVD s_base+72(FP), R4
	WORD $0x6f00e41f // movi v31.2d, #0
	WORD $0x4f00e5fe // movi v30.16b, #0x0f
	CBZ R3, dotQ4_KQ8KSDOTdone
dotQ4_KQ8KSDOTloop:
	KSCALES
	WORD $0x91004005 // add x5, x0, #16
	NIBBLES
	WORD $0x6f00e408 // movi v8.2d, #0
	WORD $0x4e8294c8 // sdot v8.4s, v6.16b, v2.16b
	WORD $0x4e8394e8 // sdot v8.4s, v7.16b, v3.16b
	WORD $0x6f00e409 // movi v9.2d, #0
	WORD $0x4e849409 // sdot v9.4s, v0.16b, v4.16b
	WORD $0x4e859429 // sdot v9.4s, v1.16b, v5.16b
	NIBBLES
	WORD $0x6f00e40a // movi v10.2d, #0
	WORD $0x4e8294ca // sdot v10.4s, v6.16b, v2.16b
	WORD $0x4e8394ea // sdot v10.4s, v7.16b, v3.16b
	WORD $0x6f00e40b // movi v11.2d, #0
	WORD $0x4e84940b // sdot v11.4s, v0.16b, v4.16b
	WORD $0x4e85942b // sdot v11.4s, v1.16b, v5.16b
	NIBBLES
	WORD $0x6f00e40c // movi v12.2d, #0
	WORD $0x4e8294cc // sdot v12.4s, v6.16b, v2.16b
	WORD $0x4e8394ec // sdot v12.4s, v7.16b, v3.16b
	WORD $0x6f00e40d // movi v13.2d, #0
	WORD $0x4e84940d // sdot v13.4s, v0.16b, v4.16b
	WORD $0x4e85942d // sdot v13.4s, v1.16b, v5.16b
	NIBBLES
	WORD $0x6f00e40e // movi v14.2d, #0
	WORD $0x4e8294ce // sdot v14.4s, v6.16b, v2.16b
	WORD $0x4e8394ee // sdot v14.4s, v7.16b, v3.16b
	WORD $0x6f00e40f // movi v15.2d, #0
	WORD $0x4e84940f // sdot v15.4s, v0.16b, v4.16b
	WORD $0x4e85942f // sdot v15.4s, v1.16b, v5.16b
	ADDP8
	KFINISH
	SUBS $1, R3, R3
	BNE dotQ4_KQ8KSDOTloop
dotQ4_KQ8KSDOTdone:
	FMOVS F31, ret+96(FP)
	RET

// func dotQ5_KQ8KNEON(w []byte, q []int8, d []float32, s []int16) float32
TEXT ·dotQ5_KQ8KNEON(SB), NOSPLIT, $0-100
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	MOVD s_base+72(FP), R4
	WORD $0x6f00e41f // movi v31.2d, #0
	WORD $0x4f00e5fe // movi v30.16b, #0x0f
	WORD $0x4f00e61d // movi v29.16b, #0x10
	CBZ R3, dotQ5_KQ8KNEONdone
dotQ5_KQ8KNEONloop:
	KSCALES
	WORD $0x3cc10012 // ldur q18, [x0, #16]
	WORD $0x3cc20013 // ldur q19, [x0, #32]
	WORD $0x9100c005 // add x5, x0, #48
	NIBBLES
	Q5K_HIGHBITS
	SMULL_LO
	WORD $0x4e602a08 // saddlp v8.4s, v16.8h
	SMULL_HI
	WORD $0x4e602a29 // saddlp v9.4s, v17.8h
	NIBBLES
	Q5K_HIGHBITS
	SMULL_LO
	WORD $0x4e602a0a // saddlp v10.4s, v16.8h
	SMULL_HI
	WORD $0x4e602a2b // saddlp v11.4s, v17.8h
	NIBBLES
	Q5K_HIGHBITS
	SMULL_LO
	WORD $0x4e602a0c // saddlp v12.4s, v16.8h
	SMULL_HI
	WORD $0x4e602a2d // saddlp v13.4s, v17.8h
	NIBBLES
	Q5K_HIGHBITS
	SMULL_LO
	WORD $0x4e602a0e // saddlp v14.4s, v16.8h
	SMULL_HI
	WORD $0x4e602a2f // saddlp v15.4s, v17.8h
	ADDP8
	WORD $0x2f08a694 // uxtl v20.8h, v20.8b
	WORD $0x2f10a692 // uxtl v18.4s, v20.4h
	WORD $0x6f10a693 // uxtl2 v19.4s, v20.8h
	WORD $0x4eb29d08 // mul v8.4s, v8.4s, v18.4s
	WORD $0x4eb39588 // mla v8.4s, v12.4s, v19.4s
	WORD $0x4eb1b908 // addv s8, v8.4s
	WORD $0xbc404459 // ldr s25, [x2], #4
	WORD $0x7d40001a // ldr h26, [x0]
	WORD $0x7d40041b // ldr h27, [x0, #2]
	WORD $0x1ee2435a // fcvt s26, h26
	WORD $0x1ee2437b // fcvt s27, h27
	WORD $0x5e21d908 // scvtf s8, s8
	WORD $0x5e21db18 // scvtf s24, s24
	WORD $0x1e280b5a // fmul s26, s26, s8
	WORD $0x1f18eb7a // fmsub s26, s27, s24, s26
	WORD $0x1f1a7f3f // fmadd s31, s25, s26, s31
	WORD $0x9102c000 // add x0, x0, #176
	SUBS $1, R3, R3
	BNE dotQ5_KQ8KNEONloop
dotQ5_KQ8KNEONdone:
	FMOVS F31, ret+96(FP)
	RET

// func dotQ5_KQ8KSDOT(w []byte, q []int8, d []float32, s []int16) float32
TEXT ·dotQ5_KQ8KSDOT(SB), NOSPLIT, $0-100
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	MOVD s_base+72(FP), R4
	WORD $0x6f00e41f // movi v31.2d, #0
	WORD $0x4f00e5fe // movi v30.16b, #0x0f
	WORD $0x4f00e61d // movi v29.16b, #0x10
	CBZ R3, dotQ5_KQ8KSDOTdone
dotQ5_KQ8KSDOTloop:
	KSCALES
	WORD $0x3cc10012 // ldur q18, [x0, #16]
	WORD $0x3cc20013 // ldur q19, [x0, #32]
	WORD $0x9100c005 // add x5, x0, #48
	NIBBLES
	Q5K_HIGHBITS
	WORD $0x6f00e408 // movi v8.2d, #0
	WORD $0x4e8294c8 // sdot v8.4s, v6.16b, v2.16b
	WORD $0x4e8394e8 // sdot v8.4s, v7.16b, v3.16b
	WORD $0x6f00e409 // movi v9.2d, #0
	WORD $0x4e849409 // sdot v9.4s, v0.16b, v4.16b
	WORD $0x4e859429 // sdot v9.4s, v1.16b, v5.16b
	NIBBLES
	Q5K_HIGHBITS
	WORD $0x6f00e40a // movi v10.2d, #0
	WORD $0x4e8294ca // sdot v10.4s, v6.16b, v2.16b
	WORD $0x4e8394ea // sdot v10.4s, v7.16b, v3.16b
	WORD $0x6f00e40b // movi v11.2d, #0
	WORD $0x4e84940b // sdot v11.4s, v0.16b, v4.16b
	WORD $0x4e85942b // sdot v11.4s, v1.16b, v5.16b
	NIBBLES
	Q5K_HIGHBITS
	WORD $0x6f00e40c // movi v12.2d, #0
	WORD $0x4e8294cc // sdot v12.4s, v6.16b, v2.16b
	WORD $0x4e8394ec // sdot v12.4s, v7.16b, v3.16b
	WORD $0x6f00e40d // movi v13.2d, #0
	WORD $0x4e84940d // sdot v13.4s, v0.16b, v4.16b
	WORD $0x4e85942d // sdot v13.4s, v1.16b, v5.16b
	NIBBLES
	Q5K_HIGHBITS
	WORD $0x6f00e40e // movi v14.2d, #0
	WORD $0x4e8294ce // sdot v14.4s, v6.16b, v2.16b
	WORD $0x4e8394ee // sdot v14.4s, v7.16b, v3.16b
	WORD $0x6f00e40f // movi v15.2d, #0
	WORD $0x4e84940f // sdot v15.4s, v0.16b, v4.16b
	WORD $0x4e85942f // sdot v15.4s, v1.16b, v5.16b
	ADDP8
	WORD $0x2f08a694 // uxtl v20.8h, v20.8b
	WORD $0x2f10a692 // uxtl v18.4s, v20.4h
	WORD $0x6f10a693 // uxtl2 v19.4s, v20.8h
	WORD $0x4eb29d08 // mul v8.4s, v8.4s, v18.4s
	WORD $0x4eb39588 // mla v8.4s, v12.4s, v19.4s
	WORD $0x4eb1b908 // addv s8, v8.4s
	WORD $0xbc404459 // ldr s25, [x2], #4
	WORD $0x7d40001a // ldr h26, [x0]
	WORD $0x7d40041b // ldr h27, [x0, #2]
	WORD $0x1ee2435a // fcvt s26, h26
	WORD $0x1ee2437b // fcvt s27, h27
	WORD $0x5e21d908 // scvtf s8, s8
	WORD $0x5e21db18 // scvtf s24, s24
	WORD $0x1e280b5a // fmul s26, s26, s8
	WORD $0x1f18eb7a // fmsub s26, s27, s24, s26
	WORD $0x1f1a7f3f // fmadd s31, s25, s26, s31
	WORD $0x9102c000 // add x0, x0, #176
	SUBS $1, R3, R3
	BNE dotQ5_KQ8KSDOTloop
dotQ5_KQ8KSDOTdone:
	FMOVS F31, ret+96(FP)
	RET

// func dotQ6_KQ8KNEON(w []byte, q []int8, d []float32, s []int16) float32
TEXT ·dotQ6_KQ8KNEON(SB), NOSPLIT, $0-100
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	MOVD s_base+72(FP), R4
	WORD $0x6f00e41f // movi v31.2d, #0
	WORD $0x4f00e5fe // movi v30.16b, #0x0f
	WORD $0x4f01e61d // movi v29.16b, #0x30
	WORD $0x4f01e41c // movi v28.16b, #0x20
	CBZ R3, dotQ6_KQ8KNEONdone
dotQ6_KQ8KNEONloop:
	WORD $0x3dc0301b // ldr q27, [x0, #192]
	WORD $0x6f00e417 // movi v23.2d, #0
	WORD $0xaa0003e5 // mov x5, x0
	WORD $0x91020006 // add x6, x0, #128
	Q6K_DECODE_LO
	WORD $0x4cdf2032 // ld1 {v18.16b, v19.16b, v20.16b, v21.16b}, [x1], #64
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602ac8 // saddlp v8.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602ac9 // saddlp v9.4s, v22.8h
	WORD $0x0e34c216 // smull v22.8h, v16.8b, v20.8b
	WORD $0x4e348216 // smlal2 v22.8h, v16.16b, v20.16b
	WORD $0x4e602aca // saddlp v10.4s, v22.8h
	WORD $0x0e35c236 // smull v22.8h, v17.8b, v21.8b
	WORD $0x4e358236 // smlal2 v22.8h, v17.16b, v21.16b
	WORD $0x4e602acb // saddlp v11.4s, v22.8h
	Q6K_DECODE_HI
	WORD $0x4cdf2032 // ld1 {v18.16b, v19.16b, v20.16b, v21.16b}, [x1], #64
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602acc // saddlp v12.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acd // saddlp v13.4s, v22.8h
	WORD $0x0e34c216 // smull v22.8h, v16.8b, v20.8b
	WORD $0x4e348216 // smlal2 v22.8h, v16.16b, v20.16b
	WORD $0x4e602ace // saddlp v14.4s, v22.8h
	WORD $0x0e35c236 // smull v22.8h, v17.8b, v21.8b
	WORD $0x4e358236 // smlal2 v22.8h, v17.16b, v21.16b
	WORD $0x4e602acf // saddlp v15.4s, v22.8h
	ADDP8
	WORD $0x0f08a776 // sxtl v22.8h, v27.8b
	WORD $0x0f10a6d8 // sxtl v24.4s, v22.4h
	WORD $0x4f10a6d9 // sxtl2 v25.4s, v22.8h
	WORD $0x4eb89517 // mla v23.4s, v8.4s, v24.4s
	WORD $0x4eb99597 // mla v23.4s, v12.4s, v25.4s
	Q6K_DECODE_LO
	WORD $0x4cdf2032 // ld1 {v18.16b, v19.16b, v20.16b, v21.16b}, [x1], #64
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602ac8 // saddlp v8.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602ac9 // saddlp v9.4s, v22.8h
	WORD $0x0e34c216 // smull v22.8h, v16.8b, v20.8b
	WORD $0x4e348216 // smlal2 v22.8h, v16.16b, v20.16b
	WORD $0x4e602aca // saddlp v10.4s, v22.8h
	WORD $0x0e35c236 // smull v22.8h, v17.8b, v21.8b
	WORD $0x4e358236 // smlal2 v22.8h, v17.16b, v21.16b
	WORD $0x4e602acb // saddlp v11.4s, v22.8h
	Q6K_DECODE_HI
	WORD $0x4cdf2032 // ld1 {v18.16b, v19.16b, v20.16b, v21.16b}, [x1], #64
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602acc // saddlp v12.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acd // saddlp v13.4s, v22.8h
	WORD $0x0e34c216 // smull v22.8h, v16.8b, v20.8b
	WORD $0x4e348216 // smlal2 v22.8h, v16.16b, v20.16b
	WORD $0x4e602ace // saddlp v14.4s, v22.8h
	WORD $0x0e35c236 // smull v22.8h, v17.8b, v21.8b
	WORD $0x4e358236 // smlal2 v22.8h, v17.16b, v21.16b
	WORD $0x4e602acf // saddlp v15.4s, v22.8h
	ADDP8
	WORD $0x4f08a776 // sxtl2 v22.8h, v27.16b
	WORD $0x0f10a6d8 // sxtl v24.4s, v22.4h
	WORD $0x4f10a6d9 // sxtl2 v25.4s, v22.8h
	WORD $0x4eb89517 // mla v23.4s, v8.4s, v24.4s
	WORD $0x4eb99597 // mla v23.4s, v12.4s, v25.4s
	WORD $0x4eb1baf7 // addv s23, v23.4s
	WORD $0x5e21daf7 // scvtf s23, s23
	WORD $0xbc404459 // ldr s25, [x2], #4
	WORD $0x7d41a01a // ldr h26, [x0, #208]
	WORD $0x1ee2435a // fcvt s26, h26
	WORD $0x1e3a0b39 // fmul s25, s25, s26
	WORD $0x1f177f3f // fmadd s31, s25, s23, s31
	WORD $0x91034800 // add x0, x0, #210
	SUBS $1, R3, R3
	BNE dotQ6_KQ8KNEONloop
dotQ6_KQ8KNEONdone:
	FMOVS F31, ret+96(FP)
	RET

// func dotQ6_KQ8KSDOT(w []byte, q []int8, d []float32, s []int16) float32
TEXT ·dotQ6_KQ8KSDOT(SB), NOSPLIT, $0-100
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	MOVD s_base+72(FP), R4
	WORD $0x6f00e41f // movi v31.2d, #0
	WORD $0x4f00e5fe // movi v30.16b, #0x0f
	WORD $0x4f01e61d // movi v29.16b, #0x30
	WORD $0x4f01e41c // movi v28.16b, #0x20
	CBZ R3, dotQ6_KQ8KSDOTdone
dotQ6_KQ8KSDOTloop:
	WORD $0x3dc0301b // ldr q27, [x0, #192]
	WORD $0x6f00e417 // movi v23.2d, #0
	WORD $0xaa0003e5 // mov x5, x0
	WORD $0x91020006 // add x6, x0, #128
	Q6K_DECODE_LO
	WORD $0x4cdf2032 // ld1 {v18.16b, v19.16b, v20.16b, v21.16b}, [x1], #64
	WORD $0x6f00e408 // movi v8.2d, #0
	WORD $0x4e9294c8 // sdot v8.4s, v6.16b, v18.16b
	WORD $0x6f00e409 // movi v9.2d, #0
	WORD $0x4e9394e9 // sdot v9.4s, v7.16b, v19.16b
	WORD $0x6f00e40a // movi v10.2d, #0
	WORD $0x4e94960a // sdot v10.4s, v16.16b, v20.16b
	WORD $0x6f00e40b // movi v11.2d, #0
	WORD $0x4e95962b // sdot v11.4s, v17.16b, v21.16b
	Q6K_DECODE_HI
	WORD $0x4cdf2032 // ld1 {v18.16b, v19.16b, v20.16b, v21.16b}, [x1], #64
	WORD $0x6f00e40c // movi v12.2d, #0
	WORD $0x4e9294cc // sdot v12.4s, v6.16b, v18.16b
	WORD $0x6f00e40d // movi v13.2d, #0
	WORD $0x4e9394ed // sdot v13.4s, v7.16b, v19.16b
	WORD $0x6f00e40e // movi v14.2d, #0
	WORD $0x4e94960e // sdot v14.4s, v16.16b, v20.16b
	WORD $0x6f00e40f // movi v15.2d, #0
	WORD $0x4e95962f // sdot v15.4s, v17.16b, v21.16b
	ADDP8
	WORD $0x0f08a776 // sxtl v22.8h, v27.8b
	WORD $0x0f10a6d8 // sxtl v24.4s, v22.4h
	WORD $0x4f10a6d9 // sxtl2 v25.4s, v22.8h
	WORD $0x4eb89517 // mla v23.4s, v8.4s, v24.4s
	WORD $0x4eb99597 // mla v23.4s, v12.4s, v25.4s
	Q6K_DECODE_LO
	WORD $0x4cdf2032 // ld1 {v18.16b, v19.16b, v20.16b, v21.16b}, [x1], #64
	WORD $0x6f00e408 // movi v8.2d, #0
	WORD $0x4e9294c8 // sdot v8.4s, v6.16b, v18.16b
	WORD $0x6f00e409 // movi v9.2d, #0
	WORD $0x4e9394e9 // sdot v9.4s, v7.16b, v19.16b
	WORD $0x6f00e40a // movi v10.2d, #0
	WORD $0x4e94960a // sdot v10.4s, v16.16b, v20.16b
	WORD $0x6f00e40b // movi v11.2d, #0
	WORD $0x4e95962b // sdot v11.4s, v17.16b, v21.16b
	Q6K_DECODE_HI
	WORD $0x4cdf2032 // ld1 {v18.16b, v19.16b, v20.16b, v21.16b}, [x1], #64
	WORD $0x6f00e40c // movi v12.2d, #0
	WORD $0x4e9294cc // sdot v12.4s, v6.16b, v18.16b
	WORD $0x6f00e40d // movi v13.2d, #0
	WORD $0x4e9394ed // sdot v13.4s, v7.16b, v19.16b
	WORD $0x6f00e40e // movi v14.2d, #0
	WORD $0x4e94960e // sdot v14.4s, v16.16b, v20.16b
	WORD $0x6f00e40f // movi v15.2d, #0
	WORD $0x4e95962f // sdot v15.4s, v17.16b, v21.16b
	ADDP8
	WORD $0x4f08a776 // sxtl2 v22.8h, v27.16b
	WORD $0x0f10a6d8 // sxtl v24.4s, v22.4h
	WORD $0x4f10a6d9 // sxtl2 v25.4s, v22.8h
	WORD $0x4eb89517 // mla v23.4s, v8.4s, v24.4s
	WORD $0x4eb99597 // mla v23.4s, v12.4s, v25.4s
	WORD $0x4eb1baf7 // addv s23, v23.4s
	WORD $0x5e21daf7 // scvtf s23, s23
	WORD $0xbc404459 // ldr s25, [x2], #4
	WORD $0x7d41a01a // ldr h26, [x0, #208]
	WORD $0x1ee2435a // fcvt s26, h26
	WORD $0x1e3a0b39 // fmul s25, s25, s26
	WORD $0x1f177f3f // fmadd s31, s25, s23, s31
	WORD $0x91034800 // add x0, x0, #210
	SUBS $1, R3, R3
	BNE dotQ6_KQ8KSDOTloop
dotQ6_KQ8KSDOTdone:
	FMOVS F31, ret+96(FP)
	RET

// func dotQ3_KQ8KNEON(w []byte, q []int8, d []float32, s []int16) float32
TEXT ·dotQ3_KQ8KNEON(SB), NOSPLIT, $0-100
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	MOVD s_base+72(FP), R4
	WORD $0x6f00e41f // movi v31.2d, #0
	WORD $0x4f01e41c // movi v28.16b, #0x20
	WORD $0x4f00e47d // movi v29.16b, #3
	WORD $0x4f00e49e // movi v30.16b, #4
	CBZ R3, dotQ3_KQ8KNEONdone
dotQ3_KQ8KNEONloop:
	WORD $0xf8460006 // ldur x6, [x0, #96]
	WORD $0xb9406807 // ldr w7, [x0, #104]
	WORD $0xd360fcc8 // lsr x8, x6, #32
	WORD $0x53047cc9 // lsr w9, w6, #4
	WORD $0x1200cd29 // and w9, w9, #0x0f0f0f0f
	WORD $0x53047cea // lsr w10, w7, #4
	WORD $0x1200c54a // and w10, w10, #0x03030303
	WORD $0x2a0a1129 // orr w9, w9, w10, lsl #4
	WORD $0x53047d0a // lsr w10, w8, #4
	WORD $0x1200cd4a // and w10, w10, #0x0f0f0f0f
	WORD $0x53067ceb // lsr w11, w7, #6
	WORD $0x1200c56b // and w11, w11, #0x03030303
	WORD $0x2a0b114a // orr w10, w10, w11, lsl #4
	WORD $0x1200cccb // and w11, w6, #0x0f0f0f0f
	WORD $0x1200c4ec // and w12, w7, #0x03030303
	WORD $0x2a0c116b // orr w11, w11, w12, lsl #4
	WORD $0x1200cd0c // and w12, w8, #0x0f0f0f0f
	WORD $0x53027ced // lsr w13, w7, #2
	WORD $0x1200c5ad // and w13, w13, #0x03030303
	WORD $0x2a0d118c // orr w12, w12, w13, lsl #4
	WORD $0xaa0c816b // orr x11, x11, x12, lsl #32
	WORD $0xaa0a8129 // orr x9, x9, x10, lsl #32
	WORD $0x9e67017b // fmov d27, x11
	WORD $0x4e181d3b // mov v27.d[1], x9
	WORD $0x6e3c877b // sub v27.16b, v27.16b, v28.16b
	WORD $0x4c40a004 // ld1 {v4.16b, v5.16b}, [x0]
	WORD $0x91008005 // add x5, x0, #32
	WORD $0x6f00e417 // movi v23.2d, #0
	WORD $0x4cdfa0a0 // ld1 {v0.16b, v1.16b}, [x5], #32
	WORD $0x4e3d1c06 // and v6.16b, v0.16b, v29.16b
	WORD $0x4f0a5490 // shl v16.16b, v4.16b, #2
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x4e3d1c27 // and v7.16b, v1.16b, v29.16b
	WORD $0x4f0a54b0 // shl v16.16b, v5.16b, #2
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602ac8 // saddlp v8.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602ac9 // saddlp v9.4s, v22.8h
	WORD $0x6f0e0406 // ushr v6.16b, v0.16b, #2
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x4f095490 // shl v16.16b, v4.16b, #1
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x6f0e0427 // ushr v7.16b, v1.16b, #2
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4f0954b0 // shl v16.16b, v5.16b, #1
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602aca // saddlp v10.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acb // saddlp v11.4s, v22.8h
	WORD $0x6f0c0406 // ushr v6.16b, v0.16b, #4
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x4ea41c90 // mov v16.16b, v4.16b
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x6f0c0427 // ushr v7.16b, v1.16b, #4
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4ea51cb0 // mov v16.16b, v5.16b
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602acc // saddlp v12.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acd // saddlp v13.4s, v22.8h
	WORD $0x6f0a0406 // ushr v6.16b, v0.16b, #6
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0f0490 // ushr v16.16b, v4.16b, #1
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x6f0a0427 // ushr v7.16b, v1.16b, #6
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x6f0f04b0 // ushr v16.16b, v5.16b, #1
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602ace // saddlp v14.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acf // saddlp v15.4s, v22.8h
	ADDP8
	WORD $0x0f08a776 // sxtl v22.8h, v27.8b
	WORD $0x0f10a6d8 // sxtl v24.4s, v22.4h
	WORD $0x4f10a6d9 // sxtl2 v25.4s, v22.8h
	WORD $0x4eb89517 // mla v23.4s, v8.4s, v24.4s
	WORD $0x4eb99597 // mla v23.4s, v12.4s, v25.4s
	WORD $0x4cdfa0a0 // ld1 {v0.16b, v1.16b}, [x5], #32
	WORD $0x4e3d1c06 // and v6.16b, v0.16b, v29.16b
	WORD $0x6f0e0490 // ushr v16.16b, v4.16b, #2
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x4e3d1c27 // and v7.16b, v1.16b, v29.16b
	WORD $0x6f0e04b0 // ushr v16.16b, v5.16b, #2
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602ac8 // saddlp v8.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602ac9 // saddlp v9.4s, v22.8h
	WORD $0x6f0e0406 // ushr v6.16b, v0.16b, #2
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0d0490 // ushr v16.16b, v4.16b, #3
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x6f0e0427 // ushr v7.16b, v1.16b, #2
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x6f0d04b0 // ushr v16.16b, v5.16b, #3
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602aca // saddlp v10.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acb // saddlp v11.4s, v22.8h
	WORD $0x6f0c0406 // ushr v6.16b, v0.16b, #4
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0c0490 // ushr v16.16b, v4.16b, #4
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x6f0c0427 // ushr v7.16b, v1.16b, #4
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x6f0c04b0 // ushr v16.16b, v5.16b, #4
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602acc // saddlp v12.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acd // saddlp v13.4s, v22.8h
	WORD $0x6f0a0406 // ushr v6.16b, v0.16b, #6
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0b0490 // ushr v16.16b, v4.16b, #5
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x6f0a0427 // ushr v7.16b, v1.16b, #6
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x6f0b04b0 // ushr v16.16b, v5.16b, #5
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602ace // saddlp v14.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acf // saddlp v15.4s, v22.8h
	ADDP8
	WORD $0x4f08a776 // sxtl2 v22.8h, v27.16b
	WORD $0x0f10a6d8 // sxtl v24.4s, v22.4h
	WORD $0x4f10a6d9 // sxtl2 v25.4s, v22.8h
	WORD $0x4eb89517 // mla v23.4s, v8.4s, v24.4s
	WORD $0x4eb99597 // mla v23.4s, v12.4s, v25.4s
	WORD $0x4eb1baf7 // addv s23, v23.4s
	WORD $0x5e21daf7 // scvtf s23, s23
	WORD $0xbc404459 // ldr s25, [x2], #4
	WORD $0x7d40d81a // ldr h26, [x0, #108]
	WORD $0x1ee2435a // fcvt s26, h26
	WORD $0x1e3a0b39 // fmul s25, s25, s26
	WORD $0x1f177f3f // fmadd s31, s25, s23, s31
	WORD $0x9101b800 // add x0, x0, #110
	SUBS $1, R3, R3
	BNE dotQ3_KQ8KNEONloop
dotQ3_KQ8KNEONdone:
	FMOVS F31, ret+96(FP)
	RET

// func dotQ3_KQ8KSDOT(w []byte, q []int8, d []float32, s []int16) float32
TEXT ·dotQ3_KQ8KSDOT(SB), NOSPLIT, $0-100
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	MOVD s_base+72(FP), R4
	WORD $0x6f00e41f // movi v31.2d, #0
	WORD $0x4f01e41c // movi v28.16b, #0x20
	WORD $0x4f00e47d // movi v29.16b, #3
	WORD $0x4f00e49e // movi v30.16b, #4
	CBZ R3, dotQ3_KQ8KSDOTdone
dotQ3_KQ8KSDOTloop:
	WORD $0xf8460006 // ldur x6, [x0, #96]
	WORD $0xb9406807 // ldr w7, [x0, #104]
	WORD $0xd360fcc8 // lsr x8, x6, #32
	WORD $0x53047cc9 // lsr w9, w6, #4
	WORD $0x1200cd29 // and w9, w9, #0x0f0f0f0f
	WORD $0x53047cea // lsr w10, w7, #4
	WORD $0x1200c54a // and w10, w10, #0x03030303
	WORD $0x2a0a1129 // orr w9, w9, w10, lsl #4
	WORD $0x53047d0a // lsr w10, w8, #4
	WORD $0x1200cd4a // and w10, w10, #0x0f0f0f0f
	WORD $0x53067ceb // lsr w11, w7, #6
	WORD $0x1200c56b // and w11, w11, #0x03030303
	WORD $0x2a0b114a // orr w10, w10, w11, lsl #4
	WORD $0x1200cccb // and w11, w6, #0x0f0f0f0f
	WORD $0x1200c4ec // and w12, w7, #0x03030303
	WORD $0x2a0c116b // orr w11, w11, w12, lsl #4
	WORD $0x1200cd0c // and w12, w8, #0x0f0f0f0f
	WORD $0x53027ced // lsr w13, w7, #2
	WORD $0x1200c5ad // and w13, w13, #0x03030303
	WORD $0x2a0d118c // orr w12, w12, w13, lsl #4
	WORD $0xaa0c816b // orr x11, x11, x12, lsl #32
	WORD $0xaa0a8129 // orr x9, x9, x10, lsl #32
	WORD $0x9e67017b // fmov d27, x11
	WORD $0x4e181d3b // mov v27.d[1], x9
	WORD $0x6e3c877b // sub v27.16b, v27.16b, v28.16b
	WORD $0x4c40a004 // ld1 {v4.16b, v5.16b}, [x0]
	WORD $0x91008005 // add x5, x0, #32
	WORD $0x6f00e417 // movi v23.2d, #0
	WORD $0x4cdfa0a0 // ld1 {v0.16b, v1.16b}, [x5], #32
	WORD $0x4e3d1c06 // and v6.16b, v0.16b, v29.16b
	WORD $0x4f0a5490 // shl v16.16b, v4.16b, #2
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x4e3d1c27 // and v7.16b, v1.16b, v29.16b
	WORD $0x4f0a54b0 // shl v16.16b, v5.16b, #2
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e408 // movi v8.2d, #0
	WORD $0x4e9294c8 // sdot v8.4s, v6.16b, v18.16b
	WORD $0x6f00e409 // movi v9.2d, #0
	WORD $0x4e9394e9 // sdot v9.4s, v7.16b, v19.16b
	WORD $0x6f0e0406 // ushr v6.16b, v0.16b, #2
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x4f095490 // shl v16.16b, v4.16b, #1
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x6f0e0427 // ushr v7.16b, v1.16b, #2
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4f0954b0 // shl v16.16b, v5.16b, #1
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e40a // movi v10.2d, #0
	WORD $0x4e9294ca // sdot v10.4s, v6.16b, v18.16b
	WORD $0x6f00e40b // movi v11.2d, #0
	WORD $0x4e9394eb // sdot v11.4s, v7.16b, v19.16b
	WORD $0x6f0c0406 // ushr v6.16b, v0.16b, #4
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x4ea41c90 // mov v16.16b, v4.16b
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x6f0c0427 // ushr v7.16b, v1.16b, #4
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4ea51cb0 // mov v16.16b, v5.16b
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e40c // movi v12.2d, #0
	WORD $0x4e9294cc // sdot v12.4s, v6.16b, v18.16b
	WORD $0x6f00e40d // movi v13.2d, #0
	WORD $0x4e9394ed // sdot v13.4s, v7.16b, v19.16b
	WORD $0x6f0a0406 // ushr v6.16b, v0.16b, #6
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0f0490 // ushr v16.16b, v4.16b, #1
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x6f0a0427 // ushr v7.16b, v1.16b, #6
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x6f0f04b0 // ushr v16.16b, v5.16b, #1
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e40e // movi v14.2d, #0
	WORD $0x4e9294ce // sdot v14.4s, v6.16b, v18.16b
	WORD $0x6f00e40f // movi v15.2d, #0
	WORD $0x4e9394ef // sdot v15.4s, v7.16b, v19.16b
	ADDP8
	WORD $0x0f08a776 // sxtl v22.8h, v27.8b
	WORD $0x0f10a6d8 // sxtl v24.4s, v22.4h
	WORD $0x4f10a6d9 // sxtl2 v25.4s, v22.8h
	WORD $0x4eb89517 // mla v23.4s, v8.4s, v24.4s
	WORD $0x4eb99597 // mla v23.4s, v12.4s, v25.4s
	WORD $0x4cdfa0a0 // ld1 {v0.16b, v1.16b}, [x5], #32
	WORD $0x4e3d1c06 // and v6.16b, v0.16b, v29.16b
	WORD $0x6f0e0490 // ushr v16.16b, v4.16b, #2
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x4e3d1c27 // and v7.16b, v1.16b, v29.16b
	WORD $0x6f0e04b0 // ushr v16.16b, v5.16b, #2
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e408 // movi v8.2d, #0
	WORD $0x4e9294c8 // sdot v8.4s, v6.16b, v18.16b
	WORD $0x6f00e409 // movi v9.2d, #0
	WORD $0x4e9394e9 // sdot v9.4s, v7.16b, v19.16b
	WORD $0x6f0e0406 // ushr v6.16b, v0.16b, #2
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0d0490 // ushr v16.16b, v4.16b, #3
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x6f0e0427 // ushr v7.16b, v1.16b, #2
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x6f0d04b0 // ushr v16.16b, v5.16b, #3
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e40a // movi v10.2d, #0
	WORD $0x4e9294ca // sdot v10.4s, v6.16b, v18.16b
	WORD $0x6f00e40b // movi v11.2d, #0
	WORD $0x4e9394eb // sdot v11.4s, v7.16b, v19.16b
	WORD $0x6f0c0406 // ushr v6.16b, v0.16b, #4
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0c0490 // ushr v16.16b, v4.16b, #4
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x6f0c0427 // ushr v7.16b, v1.16b, #4
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x6f0c04b0 // ushr v16.16b, v5.16b, #4
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e40c // movi v12.2d, #0
	WORD $0x4e9294cc // sdot v12.4s, v6.16b, v18.16b
	WORD $0x6f00e40d // movi v13.2d, #0
	WORD $0x4e9394ed // sdot v13.4s, v7.16b, v19.16b
	WORD $0x6f0a0406 // ushr v6.16b, v0.16b, #6
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0b0490 // ushr v16.16b, v4.16b, #5
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01cc6 // orr v6.16b, v6.16b, v16.16b
	WORD $0x6e3e84c6 // sub v6.16b, v6.16b, v30.16b
	WORD $0x6f0a0427 // ushr v7.16b, v1.16b, #6
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x6f0b04b0 // ushr v16.16b, v5.16b, #5
	WORD $0x4e3e1e10 // and v16.16b, v16.16b, v30.16b
	WORD $0x4eb01ce7 // orr v7.16b, v7.16b, v16.16b
	WORD $0x6e3e84e7 // sub v7.16b, v7.16b, v30.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e40e // movi v14.2d, #0
	WORD $0x4e9294ce // sdot v14.4s, v6.16b, v18.16b
	WORD $0x6f00e40f // movi v15.2d, #0
	WORD $0x4e9394ef // sdot v15.4s, v7.16b, v19.16b
	ADDP8
	WORD $0x4f08a776 // sxtl2 v22.8h, v27.16b
	WORD $0x0f10a6d8 // sxtl v24.4s, v22.4h
	WORD $0x4f10a6d9 // sxtl2 v25.4s, v22.8h
	WORD $0x4eb89517 // mla v23.4s, v8.4s, v24.4s
	WORD $0x4eb99597 // mla v23.4s, v12.4s, v25.4s
	WORD $0x4eb1baf7 // addv s23, v23.4s
	WORD $0x5e21daf7 // scvtf s23, s23
	WORD $0xbc404459 // ldr s25, [x2], #4
	WORD $0x7d40d81a // ldr h26, [x0, #108]
	WORD $0x1ee2435a // fcvt s26, h26
	WORD $0x1e3a0b39 // fmul s25, s25, s26
	WORD $0x1f177f3f // fmadd s31, s25, s23, s31
	WORD $0x9101b800 // add x0, x0, #110
	SUBS $1, R3, R3
	BNE dotQ3_KQ8KSDOTloop
dotQ3_KQ8KSDOTdone:
	FMOVS F31, ret+96(FP)
	RET

// func dotQ2_KQ8KNEON(w []byte, q []int8, d []float32, s []int16) float32
TEXT ·dotQ2_KQ8KNEON(SB), NOSPLIT, $0-100
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	MOVD s_base+72(FP), R4
	WORD $0x6f00e41f // movi v31.2d, #0
	WORD $0x4f00e47d // movi v29.16b, #3
	WORD $0x4f00e5fe // movi v30.16b, #0x0f
	CBZ R3, dotQ2_KQ8KNEONdone
dotQ2_KQ8KNEONloop:
	WORD $0x3dc0001b // ldr q27, [x0]
	WORD $0x6f0c0774 // ushr v20.16b, v27.16b, #4
	WORD $0x4e3e1f7b // and v27.16b, v27.16b, v30.16b
	WORD $0x2f08a695 // uxtl v21.8h, v20.8b
	WORD $0x6f08a696 // uxtl2 v22.8h, v20.16b
	WORD $0x4cdfa490 // ld1 {v16.8h, v17.8h}, [x4], #32
	WORD $0x0e75c218 // smull v24.4s, v16.4h, v21.4h
	WORD $0x4e758218 // smlal2 v24.4s, v16.8h, v21.8h
	WORD $0x0e768238 // smlal v24.4s, v17.4h, v22.4h
	WORD $0x4e768238 // smlal2 v24.4s, v17.8h, v22.8h
	WORD $0x4eb1bb18 // addv s24, v24.4s
	WORD $0x5e21db18 // scvtf s24, s24
	WORD $0x1e20431a // fmov s26, s24
	WORD $0x91004005 // add x5, x0, #16
	WORD $0x6f00e417 // movi v23.2d, #0
	WORD $0x4cdfa0a0 // ld1 {v0.16b, v1.16b}, [x5], #32
	WORD $0x4e3d1c06 // and v6.16b, v0.16b, v29.16b
	WORD $0x4e3d1c27 // and v7.16b, v1.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602ac8 // saddlp v8.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602ac9 // saddlp v9.4s, v22.8h
	WORD $0x6f0e0406 // ushr v6.16b, v0.16b, #2
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0e0427 // ushr v7.16b, v1.16b, #2
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602aca // saddlp v10.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acb // saddlp v11.4s, v22.8h
	WORD $0x6f0c0406 // ushr v6.16b, v0.16b, #4
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0c0427 // ushr v7.16b, v1.16b, #4
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602acc // saddlp v12.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acd // saddlp v13.4s, v22.8h
	WORD $0x6f0a0406 // ushr v6.16b, v0.16b, #6
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0a0427 // ushr v7.16b, v1.16b, #6
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602ace // saddlp v14.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acf // saddlp v15.4s, v22.8h
	ADDP8
	WORD $0x0f08a776 // sxtl v22.8h, v27.8b
	WORD $0x0f10a6d8 // sxtl v24.4s, v22.4h
	WORD $0x4f10a6d9 // sxtl2 v25.4s, v22.8h
	WORD $0x4eb89517 // mla v23.4s, v8.4s, v24.4s
	WORD $0x4eb99597 // mla v23.4s, v12.4s, v25.4s
	WORD $0x4cdfa0a0 // ld1 {v0.16b, v1.16b}, [x5], #32
	WORD $0x4e3d1c06 // and v6.16b, v0.16b, v29.16b
	WORD $0x4e3d1c27 // and v7.16b, v1.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602ac8 // saddlp v8.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602ac9 // saddlp v9.4s, v22.8h
	WORD $0x6f0e0406 // ushr v6.16b, v0.16b, #2
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0e0427 // ushr v7.16b, v1.16b, #2
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602aca // saddlp v10.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acb // saddlp v11.4s, v22.8h
	WORD $0x6f0c0406 // ushr v6.16b, v0.16b, #4
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0c0427 // ushr v7.16b, v1.16b, #4
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602acc // saddlp v12.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acd // saddlp v13.4s, v22.8h
	WORD $0x6f0a0406 // ushr v6.16b, v0.16b, #6
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0a0427 // ushr v7.16b, v1.16b, #6
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x0e32c0d6 // smull v22.8h, v6.8b, v18.8b
	WORD $0x4e3280d6 // smlal2 v22.8h, v6.16b, v18.16b
	WORD $0x4e602ace // saddlp v14.4s, v22.8h
	WORD $0x0e33c0f6 // smull v22.8h, v7.8b, v19.8b
	WORD $0x4e3380f6 // smlal2 v22.8h, v7.16b, v19.16b
	WORD $0x4e602acf // saddlp v15.4s, v22.8h
	ADDP8
	WORD $0x4f08a776 // sxtl2 v22.8h, v27.16b
	WORD $0x0f10a6d8 // sxtl v24.4s, v22.4h
	WORD $0x4f10a6d9 // sxtl2 v25.4s, v22.8h
	WORD $0x4eb89517 // mla v23.4s, v8.4s, v24.4s
	WORD $0x4eb99597 // mla v23.4s, v12.4s, v25.4s
	WORD $0x4eb1baf7 // addv s23, v23.4s
	WORD $0x5e21daf7 // scvtf s23, s23
	WORD $0xbc404459 // ldr s25, [x2], #4
	WORD $0x7d40a014 // ldr h20, [x0, #80]
	WORD $0x7d40a415 // ldr h21, [x0, #82]
	WORD $0x1ee24294 // fcvt s20, h20
	WORD $0x1ee242b5 // fcvt s21, h21
	WORD $0x1e370a94 // fmul s20, s20, s23
	WORD $0x1f1ad2b4 // fmsub s20, s21, s26, s20
	WORD $0x1f147f3f // fmadd s31, s25, s20, s31
	WORD $0x91015000 // add x0, x0, #84
	SUBS $1, R3, R3
	BNE dotQ2_KQ8KNEONloop
dotQ2_KQ8KNEONdone:
	FMOVS F31, ret+96(FP)
	RET

// func dotQ2_KQ8KSDOT(w []byte, q []int8, d []float32, s []int16) float32
TEXT ·dotQ2_KQ8KSDOT(SB), NOSPLIT, $0-100
	MOVD w_base+0(FP), R0
	MOVD q_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R3
	MOVD s_base+72(FP), R4
	WORD $0x6f00e41f // movi v31.2d, #0
	WORD $0x4f00e47d // movi v29.16b, #3
	WORD $0x4f00e5fe // movi v30.16b, #0x0f
	CBZ R3, dotQ2_KQ8KSDOTdone
dotQ2_KQ8KSDOTloop:
	WORD $0x3dc0001b // ldr q27, [x0]
	WORD $0x6f0c0774 // ushr v20.16b, v27.16b, #4
	WORD $0x4e3e1f7b // and v27.16b, v27.16b, v30.16b
	WORD $0x2f08a695 // uxtl v21.8h, v20.8b
	WORD $0x6f08a696 // uxtl2 v22.8h, v20.16b
	WORD $0x4cdfa490 // ld1 {v16.8h, v17.8h}, [x4], #32
	WORD $0x0e75c218 // smull v24.4s, v16.4h, v21.4h
	WORD $0x4e758218 // smlal2 v24.4s, v16.8h, v21.8h
	WORD $0x0e768238 // smlal v24.4s, v17.4h, v22.4h
	WORD $0x4e768238 // smlal2 v24.4s, v17.8h, v22.8h
	WORD $0x4eb1bb18 // addv s24, v24.4s
	WORD $0x5e21db18 // scvtf s24, s24
	WORD $0x1e20431a // fmov s26, s24
	WORD $0x91004005 // add x5, x0, #16
	WORD $0x6f00e417 // movi v23.2d, #0
	WORD $0x4cdfa0a0 // ld1 {v0.16b, v1.16b}, [x5], #32
	WORD $0x4e3d1c06 // and v6.16b, v0.16b, v29.16b
	WORD $0x4e3d1c27 // and v7.16b, v1.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e408 // movi v8.2d, #0
	WORD $0x4e9294c8 // sdot v8.4s, v6.16b, v18.16b
	WORD $0x6f00e409 // movi v9.2d, #0
	WORD $0x4e9394e9 // sdot v9.4s, v7.16b, v19.16b
	WORD $0x6f0e0406 // ushr v6.16b, v0.16b, #2
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0e0427 // ushr v7.16b, v1.16b, #2
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e40a // movi v10.2d, #0
	WORD $0x4e9294ca // sdot v10.4s, v6.16b, v18.16b
	WORD $0x6f00e40b // movi v11.2d, #0
	WORD $0x4e9394eb // sdot v11.4s, v7.16b, v19.16b
	WORD $0x6f0c0406 // ushr v6.16b, v0.16b, #4
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0c0427 // ushr v7.16b, v1.16b, #4
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e40c // movi v12.2d, #0
	WORD $0x4e9294cc // sdot v12.4s, v6.16b, v18.16b
	WORD $0x6f00e40d // movi v13.2d, #0
	WORD $0x4e9394ed // sdot v13.4s, v7.16b, v19.16b
	WORD $0x6f0a0406 // ushr v6.16b, v0.16b, #6
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0a0427 // ushr v7.16b, v1.16b, #6
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e40e // movi v14.2d, #0
	WORD $0x4e9294ce // sdot v14.4s, v6.16b, v18.16b
	WORD $0x6f00e40f // movi v15.2d, #0
	WORD $0x4e9394ef // sdot v15.4s, v7.16b, v19.16b
	ADDP8
	WORD $0x0f08a776 // sxtl v22.8h, v27.8b
	WORD $0x0f10a6d8 // sxtl v24.4s, v22.4h
	WORD $0x4f10a6d9 // sxtl2 v25.4s, v22.8h
	WORD $0x4eb89517 // mla v23.4s, v8.4s, v24.4s
	WORD $0x4eb99597 // mla v23.4s, v12.4s, v25.4s
	WORD $0x4cdfa0a0 // ld1 {v0.16b, v1.16b}, [x5], #32
	WORD $0x4e3d1c06 // and v6.16b, v0.16b, v29.16b
	WORD $0x4e3d1c27 // and v7.16b, v1.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e408 // movi v8.2d, #0
	WORD $0x4e9294c8 // sdot v8.4s, v6.16b, v18.16b
	WORD $0x6f00e409 // movi v9.2d, #0
	WORD $0x4e9394e9 // sdot v9.4s, v7.16b, v19.16b
	WORD $0x6f0e0406 // ushr v6.16b, v0.16b, #2
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0e0427 // ushr v7.16b, v1.16b, #2
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e40a // movi v10.2d, #0
	WORD $0x4e9294ca // sdot v10.4s, v6.16b, v18.16b
	WORD $0x6f00e40b // movi v11.2d, #0
	WORD $0x4e9394eb // sdot v11.4s, v7.16b, v19.16b
	WORD $0x6f0c0406 // ushr v6.16b, v0.16b, #4
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0c0427 // ushr v7.16b, v1.16b, #4
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e40c // movi v12.2d, #0
	WORD $0x4e9294cc // sdot v12.4s, v6.16b, v18.16b
	WORD $0x6f00e40d // movi v13.2d, #0
	WORD $0x4e9394ed // sdot v13.4s, v7.16b, v19.16b
	WORD $0x6f0a0406 // ushr v6.16b, v0.16b, #6
	WORD $0x4e3d1cc6 // and v6.16b, v6.16b, v29.16b
	WORD $0x6f0a0427 // ushr v7.16b, v1.16b, #6
	WORD $0x4e3d1ce7 // and v7.16b, v7.16b, v29.16b
	WORD $0x4cdfa032 // ld1 {v18.16b, v19.16b}, [x1], #32
	WORD $0x6f00e40e // movi v14.2d, #0
	WORD $0x4e9294ce // sdot v14.4s, v6.16b, v18.16b
	WORD $0x6f00e40f // movi v15.2d, #0
	WORD $0x4e9394ef // sdot v15.4s, v7.16b, v19.16b
	ADDP8
	WORD $0x4f08a776 // sxtl2 v22.8h, v27.16b
	WORD $0x0f10a6d8 // sxtl v24.4s, v22.4h
	WORD $0x4f10a6d9 // sxtl2 v25.4s, v22.8h
	WORD $0x4eb89517 // mla v23.4s, v8.4s, v24.4s
	WORD $0x4eb99597 // mla v23.4s, v12.4s, v25.4s
	WORD $0x4eb1baf7 // addv s23, v23.4s
	WORD $0x5e21daf7 // scvtf s23, s23
	WORD $0xbc404459 // ldr s25, [x2], #4
	WORD $0x7d40a014 // ldr h20, [x0, #80]
	WORD $0x7d40a415 // ldr h21, [x0, #82]
	WORD $0x1ee24294 // fcvt s20, h20
	WORD $0x1ee242b5 // fcvt s21, h21
	WORD $0x1e370a94 // fmul s20, s20, s23
	WORD $0x1f1ad2b4 // fmsub s20, s21, s26, s20
	WORD $0x1f147f3f // fmadd s31, s25, s20, s31
	WORD $0x91015000 // add x0, x0, #84
	SUBS $1, R3, R3
	BNE dotQ2_KQ8KSDOTloop
dotQ2_KQ8KSDOTdone:
	FMOVS F31, ret+96(FP)
	RET
