#include "textflag.h"

// Q5_0 × Q8_0 input, AVX2+FMA+F16C, one block (32 values) per iteration. The 32 high bits
// are spread to one byte per value (VPSHUFB picks qh's byte j/8 for value j, VPAND/VPCMPEQB
// test bit j%8), ORed as 0x10 onto the nibbles, and 16 is subtracted: weights in [−16, 15].
// Then the Q8_0 sign trick: VPMADDUBSW(|w|, sign(x, w)) pairs reach at most 16·127·2 = 4064,
// far from int16 saturation.

// qh byte j/8 for byte j (VPSHUFB works within each 128-bit lane; VPBROADCASTD puts qh in
// every dword of both lanes).
DATA q5shuf<>+0(SB)/8, $0x0000000000000000
DATA q5shuf<>+8(SB)/8, $0x0101010101010101
DATA q5shuf<>+16(SB)/8, $0x0202020202020202
DATA q5shuf<>+24(SB)/8, $0x0303030303030303
GLOBL q5shuf<>(SB), RODATA|NOPTR, $32

// 1 << (j%8) for byte j.
DATA q5bits<>+0(SB)/8, $0x8040201008040201
DATA q5bits<>+8(SB)/8, $0x8040201008040201
DATA q5bits<>+16(SB)/8, $0x8040201008040201
DATA q5bits<>+24(SB)/8, $0x8040201008040201
GLOBL q5bits<>(SB), RODATA|NOPTR, $32

// func dotQ5_0Q8AVX2(w []byte, q []int8, d []float32) float32
TEXT ·dotQ5_0Q8AVX2(SB), NOSPLIT, $0-76
	MOVQ w_base+0(FP), SI
	MOVQ q_base+24(FP), DI
	MOVQ d_base+48(FP), DX
	MOVQ d_len+56(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
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

q5loop:
	TESTQ CX, CX
	JZ q5done
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
	VZEROUPPER
	MOVSS X0, ret+72(FP)
	RET
