//go:build !noasm

#include "textflag.h"

// func dotF32x4AVX2(out *[4]float32, x, y *float32, n, stride int)
// Eight accumulators (two per vector) over 16 values a step; x is loaded once for all four.
TEXT ·dotF32x4AVX2(SB), NOSPLIT, $0-40
	MOVQ   out+0(FP), DX
	MOVQ   x+8(FP), SI
	MOVQ   y+16(FP), DI
	MOVQ   n+24(FP), CX
	MOVQ   stride+32(FP), R8
	SHLQ   $2, R8
	LEAQ   (DI)(R8*1), R9
	LEAQ   (R9)(R8*1), R10
	LEAQ   (R10)(R8*1), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

dotloop:
	VMOVUPS     (SI), Y8
	VMOVUPS     32(SI), Y9
	VFMADD231PS (DI), Y8, Y0
	VFMADD231PS 32(DI), Y9, Y4
	VFMADD231PS (R9), Y8, Y1
	VFMADD231PS 32(R9), Y9, Y5
	VFMADD231PS (R10), Y8, Y2
	VFMADD231PS 32(R10), Y9, Y6
	VFMADD231PS (R11), Y8, Y3
	VFMADD231PS 32(R11), Y9, Y7
	ADDQ        $64, SI
	ADDQ        $64, DI
	ADDQ        $64, R9
	ADDQ        $64, R10
	ADDQ        $64, R11
	SUBQ        $16, CX
	JNZ         dotloop

	VADDPS       Y4, Y0, Y0
	VADDPS       Y5, Y1, Y1
	VADDPS       Y6, Y2, Y2
	VADDPS       Y7, Y3, Y3
	VEXTRACTF128 $1, Y0, X4
	VADDPS       X4, X0, X0
	VEXTRACTF128 $1, Y1, X5
	VADDPS       X5, X1, X1
	VEXTRACTF128 $1, Y2, X6
	VADDPS       X6, X2, X2
	VEXTRACTF128 $1, Y3, X7
	VADDPS       X7, X3, X3
	VHADDPS      X1, X0, X0 // [a0+a1, a2+a3, b0+b1, b2+b3]
	VHADDPS      X3, X2, X2 // the same for c, d
	VHADDPS      X2, X0, X0 // [Σa, Σb, Σc, Σd]
	VMOVUPS      X0, (DX)
	VZEROUPPER
	RET

// func axpyF32x4AVX2(y *float32, stride int, a *[4]float32, x *float32, n int)
TEXT ·axpyF32x4AVX2(SB), NOSPLIT, $0-40
	MOVQ         y+0(FP), DI
	MOVQ         stride+8(FP), R8
	SHLQ         $2, R8
	LEAQ         (DI)(R8*1), R9
	LEAQ         (R9)(R8*1), R10
	LEAQ         (R10)(R8*1), R11
	MOVQ         a+16(FP), AX
	VBROADCASTSS (AX), Y0
	VBROADCASTSS 4(AX), Y1
	VBROADCASTSS 8(AX), Y2
	VBROADCASTSS 12(AX), Y3
	MOVQ         x+24(FP), SI
	MOVQ         n+32(FP), CX

axpyloop:
	VMOVUPS     (SI), Y8
	VMOVUPS     (DI), Y4
	VMOVUPS     (R9), Y5
	VMOVUPS     (R10), Y6
	VMOVUPS     (R11), Y7
	VFMADD231PS Y8, Y0, Y4
	VFMADD231PS Y8, Y1, Y5
	VFMADD231PS Y8, Y2, Y6
	VFMADD231PS Y8, Y3, Y7
	VMOVUPS     Y4, (DI)
	VMOVUPS     Y5, (R9)
	VMOVUPS     Y6, (R10)
	VMOVUPS     Y7, (R11)
	ADDQ        $32, SI
	ADDQ        $32, DI
	ADDQ        $32, R9
	ADDQ        $32, R10
	ADDQ        $32, R11
	SUBQ        $8, CX
	JNZ         axpyloop
	VZEROUPPER
	RET

// func axpyF32x4BlockAVX2(y *float32, stride int, a *float32, aStride int, x *float32, xStride, n, cols int)
// Sixteen columns of the four vectors at a time stay in Y0–Y7 while the n terms are added
// (one FMA each, in order of j: the same roundings as axpyF32x4AVX2 called n times).
TEXT ·axpyF32x4BlockAVX2(SB), NOSPLIT, $0-64
	MOVQ y+0(FP), DI
	MOVQ stride+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ a+16(FP), BX
	MOVQ aStride+24(FP), R10
	SHLQ $2, R10
	LEAQ (R10)(R10*2), R11
	MOVQ x+32(FP), SI
	MOVQ xStride+40(FP), R12
	SHLQ $2, R12
	MOVQ cols+56(FP), CX
	SHRQ $4, CX
axpyblock_cols:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS (DI)(R8*1), Y2
	VMOVUPS 32(DI)(R8*1), Y3
	VMOVUPS (DI)(R8*2), Y4
	VMOVUPS 32(DI)(R8*2), Y5
	VMOVUPS (DI)(R9*1), Y6
	VMOVUPS 32(DI)(R9*1), Y7
	MOVQ SI, R13
	MOVQ BX, R14
	MOVQ n+48(FP), DX
axpyblock_terms:
	VMOVUPS (R13), Y8
	VMOVUPS 32(R13), Y9
	VBROADCASTSS (R14), Y10
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y10, Y1
	VBROADCASTSS (R14)(R10*1), Y11
	VFMADD231PS Y8, Y11, Y2
	VFMADD231PS Y9, Y11, Y3
	VBROADCASTSS (R14)(R10*2), Y12
	VFMADD231PS Y8, Y12, Y4
	VFMADD231PS Y9, Y12, Y5
	VBROADCASTSS (R14)(R11*1), Y13
	VFMADD231PS Y8, Y13, Y6
	VFMADD231PS Y9, Y13, Y7
	ADDQ R12, R13
	ADDQ $4, R14
	DECQ DX
	JNZ axpyblock_terms
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, (DI)(R8*1)
	VMOVUPS Y3, 32(DI)(R8*1)
	VMOVUPS Y4, (DI)(R8*2)
	VMOVUPS Y5, 32(DI)(R8*2)
	VMOVUPS Y6, (DI)(R9*1)
	VMOVUPS Y7, 32(DI)(R9*1)
	ADDQ $64, DI
	ADDQ $64, SI
	DECQ CX
	JNZ axpyblock_cols
	VZEROUPPER
	RET

// func dotF32x4x2AVX2(out *[8]float32, q *float32, qStride int, x *float32, xStride, n int)
// Y0–Y7 hold the eight running sums (query k, key j in Y(2k+j)); VHADDPS folds them.
TEXT ·dotF32x4x2AVX2(SB), NOSPLIT, $0-48
	MOVQ q+8(FP), SI
	MOVQ qStride+16(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ x+24(FP), DI
	MOVQ xStride+32(FP), R10
	SHLQ $2, R10
	MOVQ n+40(FP), CX
	SHRQ $3, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ CX, CX
	JZ dotx4x2_sum
dotx4x2_loop:
	VMOVUPS (SI), Y8
	VMOVUPS (SI)(R8*1), Y9
	VMOVUPS (SI)(R8*2), Y10
	VMOVUPS (SI)(R9*1), Y11
	VMOVUPS (DI), Y12
	VMOVUPS (DI)(R10*1), Y13
	VFMADD231PS Y12, Y8, Y0
	VFMADD231PS Y13, Y8, Y1
	VFMADD231PS Y12, Y9, Y2
	VFMADD231PS Y13, Y9, Y3
	VFMADD231PS Y12, Y10, Y4
	VFMADD231PS Y13, Y10, Y5
	VFMADD231PS Y12, Y11, Y6
	VFMADD231PS Y13, Y11, Y7
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ dotx4x2_loop
dotx4x2_sum:
	VHADDPS Y1, Y0, Y0
	VHADDPS Y3, Y2, Y2
	VHADDPS Y5, Y4, Y4
	VHADDPS Y7, Y6, Y6
	VHADDPS Y2, Y0, Y0
	VHADDPS Y6, Y4, Y4
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VEXTRACTF128 $1, Y4, X5
	VADDPS X5, X4, X4
	MOVQ out+0(FP), AX
	VMOVUPS X0, (AX)
	VMOVUPS X4, 16(AX)
	VZEROUPPER
	RET
