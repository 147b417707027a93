//go:build amd64

#include "textflag.h"

// AVX2 kernel: Q8_0 weight rows times SIXTEEN Q8_0 input vectors, one vector per 32-bit lane.
// Input.Prepare interleaves each group of sixteen vectors for it (qi, di; see interleave16):
// for each block, each of its eight 4-byte runs of values holds that run of vectors 0–7,
// then of vectors 8–15 (64 bytes), and the block's sixteen scales follow one another.
// A run of four weights is broadcast to every lane (VPBROADCASTD) and made unsigned
// once (VPABSB) for all sixteen vectors; each vector's run gets the weights' signs
// (VPSIGNB), and VPMADDUBSW + VPMADDWD sum the four products into its lane. Eight runs give
// each vector's whole block as an exact integer in its lane, then one conversion and one
// multiply-add by d_w·d_x (d_w from ws, MulInput's float32 copy of the rows' scales) per
// block and eight vectors. Per block and vector that is about five instructions, where the
// four-vector kernel spends seven (it has one block per register and must spread each scale
// over a register). The same saturation bounds as the other Q8_0 kernels hold: |w| ≤ 128,
// |x| ≤ 127 (Input's quantizer), so a pair of products fits VPMADDUBSW's int16.
//
// Row r's sixteen products go to dst[j*stride+r], j < 16. Nothing is read past the end of
// w, ws, qi or di.
//
// Registers: SI w, BX ws (both run on across rows), DI qi, DX di (from the start for each
// row), CX blocks left in the row; Y0/Y1 the float sums of vectors 0–7/8–15, Y8/Y9 the
// block's integer sums, Y13 d_w, Y15 int16 ones.

// func dotQ8_0Q8x16RowsAVX2(w []byte, ws []float32, rows int, qi []int8, di []float32, dst []float32, stride int)
TEXT ·dotQ8_0Q8x16RowsAVX2(SB), NOSPLIT, $0-136
	MOVQ w_base+0(FP), SI
	MOVQ ws_base+24(FP), BX
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
	CMPQ rows+48(FP), $0
	JLE x16_end
x16_row:
	MOVQ qi_base+56(FP), DI
	MOVQ di_base+80(FP), DX
	MOVQ di_len+88(FP), CX
	SHRQ $4, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	TESTQ CX, CX
	JZ x16_store
x16_block:
	VBROADCASTSS (BX), Y13
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	VPBROADCASTD 2(SI), Y4
	VPABSB Y4, Y5
	VMOVDQU 0(DI), Y6
	VPSIGNB Y4, Y6, Y6
	VPMADDUBSW Y6, Y5, Y6
	VPMADDWD Y15, Y6, Y6
	VPADDD Y6, Y8, Y8
	VMOVDQU 32(DI), Y7
	VPSIGNB Y4, Y7, Y7
	VPMADDUBSW Y7, Y5, Y7
	VPMADDWD Y15, Y7, Y7
	VPADDD Y7, Y9, Y9
	VPBROADCASTD 6(SI), Y4
	VPABSB Y4, Y5
	VMOVDQU 64(DI), Y6
	VPSIGNB Y4, Y6, Y6
	VPMADDUBSW Y6, Y5, Y6
	VPMADDWD Y15, Y6, Y6
	VPADDD Y6, Y8, Y8
	VMOVDQU 96(DI), Y7
	VPSIGNB Y4, Y7, Y7
	VPMADDUBSW Y7, Y5, Y7
	VPMADDWD Y15, Y7, Y7
	VPADDD Y7, Y9, Y9
	VPBROADCASTD 10(SI), Y4
	VPABSB Y4, Y5
	VMOVDQU 128(DI), Y6
	VPSIGNB Y4, Y6, Y6
	VPMADDUBSW Y6, Y5, Y6
	VPMADDWD Y15, Y6, Y6
	VPADDD Y6, Y8, Y8
	VMOVDQU 160(DI), Y7
	VPSIGNB Y4, Y7, Y7
	VPMADDUBSW Y7, Y5, Y7
	VPMADDWD Y15, Y7, Y7
	VPADDD Y7, Y9, Y9
	VPBROADCASTD 14(SI), Y4
	VPABSB Y4, Y5
	VMOVDQU 192(DI), Y6
	VPSIGNB Y4, Y6, Y6
	VPMADDUBSW Y6, Y5, Y6
	VPMADDWD Y15, Y6, Y6
	VPADDD Y6, Y8, Y8
	VMOVDQU 224(DI), Y7
	VPSIGNB Y4, Y7, Y7
	VPMADDUBSW Y7, Y5, Y7
	VPMADDWD Y15, Y7, Y7
	VPADDD Y7, Y9, Y9
	VPBROADCASTD 18(SI), Y4
	VPABSB Y4, Y5
	VMOVDQU 256(DI), Y6
	VPSIGNB Y4, Y6, Y6
	VPMADDUBSW Y6, Y5, Y6
	VPMADDWD Y15, Y6, Y6
	VPADDD Y6, Y8, Y8
	VMOVDQU 288(DI), Y7
	VPSIGNB Y4, Y7, Y7
	VPMADDUBSW Y7, Y5, Y7
	VPMADDWD Y15, Y7, Y7
	VPADDD Y7, Y9, Y9
	VPBROADCASTD 22(SI), Y4
	VPABSB Y4, Y5
	VMOVDQU 320(DI), Y6
	VPSIGNB Y4, Y6, Y6
	VPMADDUBSW Y6, Y5, Y6
	VPMADDWD Y15, Y6, Y6
	VPADDD Y6, Y8, Y8
	VMOVDQU 352(DI), Y7
	VPSIGNB Y4, Y7, Y7
	VPMADDUBSW Y7, Y5, Y7
	VPMADDWD Y15, Y7, Y7
	VPADDD Y7, Y9, Y9
	VPBROADCASTD 26(SI), Y4
	VPABSB Y4, Y5
	VMOVDQU 384(DI), Y6
	VPSIGNB Y4, Y6, Y6
	VPMADDUBSW Y6, Y5, Y6
	VPMADDWD Y15, Y6, Y6
	VPADDD Y6, Y8, Y8
	VMOVDQU 416(DI), Y7
	VPSIGNB Y4, Y7, Y7
	VPMADDUBSW Y7, Y5, Y7
	VPMADDWD Y15, Y7, Y7
	VPADDD Y7, Y9, Y9
	VPBROADCASTD 30(SI), Y4
	VPABSB Y4, Y5
	VMOVDQU 448(DI), Y6
	VPSIGNB Y4, Y6, Y6
	VPMADDUBSW Y6, Y5, Y6
	VPMADDWD Y15, Y6, Y6
	VPADDD Y6, Y8, Y8
	VMOVDQU 480(DI), Y7
	VPSIGNB Y4, Y7, Y7
	VPMADDUBSW Y7, Y5, Y7
	VPMADDWD Y15, Y7, Y7
	VPADDD Y7, Y9, Y9
	VCVTDQ2PS Y8, Y10
	VCVTDQ2PS Y9, Y11
	VMULPS (DX), Y13, Y12
	VFMADD231PS Y12, Y10, Y0
	VMULPS 32(DX), Y13, Y14
	VFMADD231PS Y14, Y11, Y1
	ADDQ $34, SI
	ADDQ $4, BX
	ADDQ $512, DI
	ADDQ $64, DX
	DECQ CX
	JNZ x16_block
x16_store:
	MOVQ dst_base+104(FP), AX
	MOVQ stride+128(FP), R8
	SHLQ $2, R8
	VMOVSS X0, (AX)
	VEXTRACTPS $1, X0, (AX)(R8*1)
	LEAQ (AX)(R8*2), AX
	VEXTRACTPS $2, X0, (AX)
	VEXTRACTPS $3, X0, (AX)(R8*1)
	LEAQ (AX)(R8*2), AX
	VEXTRACTF128 $1, Y0, X2
	VMOVSS X2, (AX)
	VEXTRACTPS $1, X2, (AX)(R8*1)
	LEAQ (AX)(R8*2), AX
	VEXTRACTPS $2, X2, (AX)
	VEXTRACTPS $3, X2, (AX)(R8*1)
	LEAQ (AX)(R8*2), AX
	VMOVSS X1, (AX)
	VEXTRACTPS $1, X1, (AX)(R8*1)
	LEAQ (AX)(R8*2), AX
	VEXTRACTPS $2, X1, (AX)
	VEXTRACTPS $3, X1, (AX)(R8*1)
	LEAQ (AX)(R8*2), AX
	VEXTRACTF128 $1, Y1, X3
	VMOVSS X3, (AX)
	VEXTRACTPS $1, X3, (AX)(R8*1)
	LEAQ (AX)(R8*2), AX
	VEXTRACTPS $2, X3, (AX)
	VEXTRACTPS $3, X3, (AX)(R8*1)
	LEAQ (AX)(R8*2), AX
	ADDQ $4, dst_base+104(FP)
	DECQ rows+48(FP)
	JNZ x16_row
x16_end:
	VZEROUPPER
	RET
