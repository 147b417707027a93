//go:build !noasm

#include "textflag.h"

// AVX2 + FMA float inner products of dense weight rows with float32 vectors. Each kernel
// takes n, a positive multiple of 8 (the Go wrappers in dot_amd64.go do the rest of a row
// with the portable code), runs four independent YMM accumulators over 32 elements a step,
// then 8 at a time, and never reads past element n of either operand.

DATA e4m3HalfMask<>+0(SB)/4, $0xbf80bf80 // sign and the 7 magnitude bits, as a half
GLOBL e4m3HalfMask<>(SB), RODATA|NOPTR, $4
DATA bytes80<>+0(SB)/4, $0x80808080
GLOBL bytes80<>(SB), RODATA|NOPTR, $4

// bf16Shuf moves the bfloat16s 0-3 (low lane) and 4-7 (high lane) of 16 bytes loaded
// into both lanes to the top halves of dwords, zeroing the bottom halves: float32s.
DATA bf16Shuf<>+0(SB)/8, $0x0302ffff0100ffff
DATA bf16Shuf<>+8(SB)/8, $0x0706ffff0504ffff
DATA bf16Shuf<>+16(SB)/8, $0x0b0affff0908ffff
DATA bf16Shuf<>+24(SB)/8, $0x0f0effff0d0cffff
GLOBL bf16Shuf<>(SB), RODATA|NOPTR, $32

// REDUCE adds Y0..Y3 into the low float of X0.
#define REDUCE \
	VADDPS       Y1, Y0, Y0; \
	VADDPS       Y3, Y2, Y2; \
	VADDPS       Y2, Y0, Y0; \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS       X1, X0, X0; \
	VHADDPS      X0, X0, X0; \
	VHADDPS      X0, X0, X0

#define ZERO4 \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3

// func dotF32AVX2(a, b *float32, n int) float32
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	ZERO4
	CMPQ CX, $32
	JLT  f32by8

f32loop:
	VMOVUPS     0(SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS 0(DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         f32loop

f32by8:
	CMPQ        CX, $8
	JLT         f32done
	VMOVUPS     0(SI), Y4
	VFMADD231PS 0(DI), Y4, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         f32by8

f32done:
	REDUCE
	VMOVSS     X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotF16AVX2(w *byte, x *float32, n int) float32
TEXT ·dotF16AVX2(SB), NOSPLIT, $0-28
	MOVQ w+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	ZERO4
	CMPQ CX, $32
	JLT  f16by8

f16loop:
	VCVTPH2PS   0(SI), Y4
	VCVTPH2PS   16(SI), Y5
	VCVTPH2PS   32(SI), Y6
	VCVTPH2PS   48(SI), Y7
	VFMADD231PS 0(DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $64, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         f16loop

f16by8:
	CMPQ        CX, $8
	JLT         f16done
	VCVTPH2PS   0(SI), Y4
	VFMADD231PS 0(DI), Y4, Y0
	ADDQ        $16, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         f16by8

f16done:
	REDUCE
	VMOVSS     X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotBF16AVX2(w *byte, x *float32, n int) float32
TEXT ·dotBF16AVX2(SB), NOSPLIT, $0-28
	MOVQ w+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	ZERO4
	VMOVDQU bf16Shuf<>(SB), Y15
	CMPQ CX, $32
	JLT  bf16by8

bf16loop:
	VBROADCASTI128 0(SI), Y4
	VBROADCASTI128 16(SI), Y5
	VBROADCASTI128 32(SI), Y6
	VBROADCASTI128 48(SI), Y7
	VPSHUFB     Y15, Y4, Y4
	VPSHUFB     Y15, Y5, Y5
	VPSHUFB     Y15, Y6, Y6
	VPSHUFB     Y15, Y7, Y7
	VFMADD231PS 0(DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $64, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         bf16loop

bf16by8:
	CMPQ        CX, $8
	JLT         bf16done
	VBROADCASTI128 0(SI), Y4
	VPSHUFB     Y15, Y4, Y4
	VFMADD231PS 0(DI), Y4, Y0
	ADDQ        $16, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         bf16by8

bf16done:
	REDUCE
	VMOVSS     X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotE4M3AVX2(w *byte, x *float32, n int) (s float32, nan bool)
//
// An E4M3 byte b (sign, 4 exponent bits biased by 7, 3 mantissa bits), sign-extended to
// 16 bits, shifted left by 7 and masked with 0xbf80, is the half with bits
// (b&0x80)<<8 | (b&0x7f)<<7: b's exponent field lands in the low 4 bits of the half's
// (biased by 15) and its mantissa in the top 3 of the half's, so the half is exactly b's
// value times 2^-8, subnormals included. s is therefore the product over 256. The NaN
// codes 0x7f and 0xff would become ±1.875 (±480 after the scaling); instead the kernel
// keeps the bytewise maximum of b|0x80 and reports nan when it is 0xff anywhere: the
// product is then NaN, as the portable kernel's is.
TEXT ·dotE4M3AVX2(SB), NOSPLIT, $0-29
	MOVQ           w+0(FP), SI
	MOVQ           x+8(FP), DI
	MOVQ           n+16(FP), CX
	ZERO4
	VPBROADCASTD   e4m3HalfMask<>(SB), Y15
	VPBROADCASTD   bytes80<>(SB), Y14
	VMOVDQU        Y14, Y13                // bytewise max of b|0x80
	CMPQ           CX, $32
	JLT            e4by8

e4loop:
	VPOR           0(SI), Y14, Y8
	VPMAXUB        Y8, Y13, Y13
	VPMOVSXBW      0(SI), Y4
	VPMOVSXBW      16(SI), Y5
	VPSLLW         $7, Y4, Y4
	VPSLLW         $7, Y5, Y5
	VPAND          Y15, Y4, Y4
	VPAND          Y15, Y5, Y5
	VEXTRACTI128   $1, Y4, X6
	VEXTRACTI128   $1, Y5, X7
	VCVTPH2PS      X4, Y4
	VCVTPH2PS      X6, Y6
	VCVTPH2PS      X5, Y5
	VCVTPH2PS      X7, Y7
	VFMADD231PS    0(DI), Y4, Y0
	VFMADD231PS    32(DI), Y6, Y1
	VFMADD231PS    64(DI), Y5, Y2
	VFMADD231PS    96(DI), Y7, Y3
	ADDQ           $32, SI
	ADDQ           $128, DI
	SUBQ           $32, CX
	CMPQ           CX, $32
	JGE            e4loop

e4by8:
	CMPQ           CX, $8
	JLT            e4done
	VMOVQ          0(SI), X8
	VPOR           X14, X8, X9
	VPMAXUB        Y9, Y13, Y13            // the upper half of Y9 is zero
	VPMOVSXBW      X8, X4
	VPSLLW         $7, X4, X4
	VPAND          X15, X4, X4
	VCVTPH2PS      X4, Y4
	VFMADD231PS    0(DI), Y4, Y0
	ADDQ           $8, SI
	ADDQ           $32, DI
	SUBQ           $8, CX
	JMP            e4by8

e4done:
	REDUCE
	VMOVSS         X0, s+24(FP)
	VPCMPEQB       Y12, Y12, Y12
	VPCMPEQB       Y12, Y13, Y13
	VPMOVMSKB      Y13, AX
	TESTL          AX, AX
	SETNE          nan+28(FP)
	VZEROUPPER
	RET

