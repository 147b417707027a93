//go:build !noasm

#include "textflag.h"
#include "dotq_amd64.h"

// AVX-512 VNNI kernel: Q8_0 weight rows times ONE Q8_0 input vector, the contract of
// dotQ8_0Q8RowsAVX2 (dotq_amd64.s): rows consecutive rows of w, row r's product at dst[r].
//
// It adds in exactly the order of the four-vector VNNI kernel (dotqx4_vnni_amd64.s), so
// that on a machine with VNNI a row's product is bit for bit the same whichever kernel
// takes its vector: per row one 512-bit accumulator, blocks in pairs (the even block in
// lanes 0–7, the odd one in lanes 8–15), each pair's exact int32 sums of four products
// (−128·Σw, then VPDPBUSD of the input made unsigned, as there) converted and fused with
// its d_w·d_x (VPERMPS from the group's sixteen products, zero past the row's end); a lone
// last block takes its own weights twice with the upper half of its input masked off; at
// the end the upper half is added onto the lower and REDUCE4 sums the eight lanes. The
// four-vector kernel shares each row's loads among four vectors; this one shares each
// input pair among four rows (one dependent chain of FMAs per row would wait on their
// latency), the last rows mod 4 one at a time.
//
// Registers: SI row 0 of the group (row j at SI + j*R8; R9 = 3*R8), DI q, DX d (the current
// group of sixteen blocks), CX blocks left, BX rows left, R10 dst, R14 blocks in the group,
// R13 pairs left in it, R12 the next group of rows' bytes to prefetch (as the AVX2 kernels
// of four rows do: dotq_amd64.s), R11 scratch. Z0–Z3 the rows' sums, Z10 the input pair made
// unsigned, Z16–Z19 each row's d_w·d_x for the group, Z20 the current pair's VPERMPS
// indexes, Z21 the first pair's, Z22 twos, Z23 0x80 bytes, Z24 the gather offsets, Z26 zero.
// K1 gather mask, K2 input mask, K3 group mask.

// The gather offsets of a group's scales are ·q8VNNIGather (dotqx4_vnni_amd64.s).

// VNR_ROW adds a row's pair of blocks, the first's weights at wlo and the second's at whi
// (the first's again for a lone block), times the input pair in Z10 to sum, with the pair's
// d_w·d_x from scales. Z8, Z11, Z12, Z14 scratch.
#define VNR_ROW(wlo, whi, scales, sum) \
	VMOVDQU wlo, Y8; \
	VINSERTI64X4 $1, whi, Z8, Z8; \
	VPXORD Z14, Z14, Z14; \
	VPDPBUSD Z8, Z23, Z14; \
	VPSUBD Z14, Z26, Z11; \
	VPDPBUSD Z8, Z10, Z11; \
	VCVTDQ2PS Z11, Z11; \
	VPERMPS scales, Z20, Z12; \
	VFMADD231PS Z12, Z11, sum

// VNR_SCALES sets scales to d_w·d_x of the group's blocks of the row at base (d_w gathered
// from each block's first two bytes, converted; zero past the group: K3).
#define VNR_SCALES(base, scales) \
	KMOVW AX, K1; \
	VPGATHERDD (base)(Z24*1), K1, Z9; \
	VPMOVDW Z9, Y9; \
	VCVTPH2PS Y9, Z15; \
	VMULPS.Z (DX), Z15, K3, scales

// VNR_GROUP starts a group: R14 = min(16, CX) blocks, AX = K3 = their mask, K2 all lanes,
// Z20 the first pair's indexes, R13 its full pairs.
#define VNR_GROUP \
	MOVQ CX, R14; \
	CMPQ R14, $16; \
	JBE 2(PC); \
	MOVQ $16, R14; \
	MOVQ CX, R11; \
	MOVQ R14, CX; \
	MOVL $1, AX; \
	SHLL CX, AX; \
	MOVQ R11, CX; \
	DECL AX; \
	KMOVW AX, K3; \
	MOVL $0xffff, R11; \
	KMOVW R11, K2; \
	VMOVDQA32 Z21, Z20; \
	MOVQ R14, R13; \
	SHRQ $1, R13

// func dotQ8_0Q8RowsVNNI(w []byte, rows int, q []int8, d []float32, dst []float32)
TEXT ·dotQ8_0Q8RowsVNNI(SB), NOSPLIT, $0-104
	MOVQ w_base+0(FP), SI
	MOVQ d_len+64(FP), R8
	IMULQ $34, R8
	LEAQ (R8)(R8*2), R9
	MOVQ rows+24(FP), BX
	MOVQ dst_base+80(FP), R10
	VNNI_CONSTS
	CMPQ BX, $4
	JB vnr_one

vnr_four:
	LEAQ (SI)(R8*8), R12
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	TESTQ CX, CX
	JZ vnr_fourstore
vnr_fourgroup:
	VNR_GROUP
	VNR_SCALES(SI, Z16)
	LEAQ (SI)(R8*1), R11
	VNR_SCALES(R11, Z17)
	LEAQ (SI)(R8*2), R11
	VNR_SCALES(R11, Z18)
	LEAQ (SI)(R9*1), R11
	VNR_SCALES(R11, Z19)
	TESTQ R13, R13
	JZ vnr_fourlone
vnr_fourpair:
	PREFETCHT0 (R12)
	PREFETCHT0 64(R12)
	PREFETCHT0 128(R12)
	PREFETCHT0 192(R12)
	PREFETCHT0 256(R12)
	ADDQ $272, R12
	VPXORD (DI), Z23, Z10
	VNR_ROW(2(SI), 36(SI), Z16, Z0)
	VNR_ROW(2(SI)(R8*1), 36(SI)(R8*1), Z17, Z1)
	VNR_ROW(2(SI)(R8*2), 36(SI)(R8*2), Z18, Z2)
	VNR_ROW(2(SI)(R9*1), 36(SI)(R9*1), Z19, Z3)
	VPADDD Z22, Z20, Z20
	ADDQ $68, SI
	ADDQ $64, DI
	DECQ R13
	JNZ vnr_fourpair
vnr_fourlone:
	TESTQ $1, R14
	JZ vnr_fourgroupdone
	MOVL $0xff, AX
	KMOVW AX, K2
	VPXORD.Z (DI), Z23, K2, Z10
	VNR_ROW(2(SI), 2(SI), Z16, Z0)
	VNR_ROW(2(SI)(R8*1), 2(SI)(R8*1), Z17, Z1)
	VNR_ROW(2(SI)(R8*2), 2(SI)(R8*2), Z18, Z2)
	VNR_ROW(2(SI)(R9*1), 2(SI)(R9*1), Z19, Z3)
	ADDQ $34, SI
	ADDQ $32, DI
vnr_fourgroupdone:
	LEAQ (DX)(R14*4), DX
	SUBQ R14, CX
	JNZ vnr_fourgroup
vnr_fourstore:
	VNNI_FOLD4
	QR_STORE4
	JAE vnr_four

vnr_one:
	TESTQ BX, BX
	JZ vnr_end
vnr_onerow:
	MOVQ q_base+32(FP), DI
	MOVQ d_base+56(FP), DX
	MOVQ d_len+64(FP), CX
	VPXORD Z0, Z0, Z0
	TESTQ CX, CX
	JZ vnr_onestore
vnr_onegroup:
	VNR_GROUP
	VNR_SCALES(SI, Z16)
	TESTQ R13, R13
	JZ vnr_onelone
vnr_onepair:
	PREFETCHT0 4096(SI)
	VPXORD (DI), Z23, Z10
	VNR_ROW(2(SI), 36(SI), Z16, Z0)
	VPADDD Z22, Z20, Z20
	ADDQ $68, SI
	ADDQ $64, DI
	DECQ R13
	JNZ vnr_onepair
vnr_onelone:
	TESTQ $1, R14
	JZ vnr_onegroupdone
	MOVL $0xff, AX
	KMOVW AX, K2
	VPXORD.Z (DI), Z23, K2, Z10
	VNR_ROW(2(SI), 2(SI), Z16, Z0)
	ADDQ $34, SI
	ADDQ $32, DI
vnr_onegroupdone:
	LEAQ (DX)(R14*4), DX
	SUBQ R14, CX
	JNZ vnr_onegroup
vnr_onestore:
	VEXTRACTF64X4 $1, Z0, Y8
	VADDPS Y8, Y0, Y0
	QR_REDUCE1
	VMOVSS X0, (R10)
	ADDQ $4, R10
	DECQ BX
	JNZ vnr_onerow

vnr_end:
	VZEROUPPER
	RET

// AVX-512 VNNI kernel: Q4_K weight rows times ONE Q8_K input vector, the contract of
// dotQ4_KQ8KRowsAVX2 (dotq_amd64.s) and the same bits: the integer sums of each super-block
// are exact, whatever adds them, and the float steps are that kernel's (Q4K_FLOAT4,
// Q4K_FLOAT2, and Q4K_ONE for a last odd block). Four blocks at a time, then a pair.
//
// Registers as in dotQ4_KQ8KRowsAVX2, and Z14 0x0f bytes, Z16–Z19 the VPERMD indexes of
// q4kPerm, K1 the upper sixteen words.

// q4kPerm<>+64k: the dword indexes 2k (lanes 0–7) and 2k+1 (lanes 8–15), which spread
// scales 2k and 2k+1 over the two halves of a 64-value run.
DATA q4kPerm<>+0(SB)/8, $0x0000000000000000
DATA q4kPerm<>+8(SB)/8, $0x0000000000000000
DATA q4kPerm<>+16(SB)/8, $0x0000000000000000
DATA q4kPerm<>+24(SB)/8, $0x0000000000000000
DATA q4kPerm<>+32(SB)/8, $0x0000000100000001
DATA q4kPerm<>+40(SB)/8, $0x0000000100000001
DATA q4kPerm<>+48(SB)/8, $0x0000000100000001
DATA q4kPerm<>+56(SB)/8, $0x0000000100000001
DATA q4kPerm<>+64(SB)/8, $0x0000000200000002
DATA q4kPerm<>+72(SB)/8, $0x0000000200000002
DATA q4kPerm<>+80(SB)/8, $0x0000000200000002
DATA q4kPerm<>+88(SB)/8, $0x0000000200000002
DATA q4kPerm<>+96(SB)/8, $0x0000000300000003
DATA q4kPerm<>+104(SB)/8, $0x0000000300000003
DATA q4kPerm<>+112(SB)/8, $0x0000000300000003
DATA q4kPerm<>+120(SB)/8, $0x0000000300000003
DATA q4kPerm<>+128(SB)/8, $0x0000000400000004
DATA q4kPerm<>+136(SB)/8, $0x0000000400000004
DATA q4kPerm<>+144(SB)/8, $0x0000000400000004
DATA q4kPerm<>+152(SB)/8, $0x0000000400000004
DATA q4kPerm<>+160(SB)/8, $0x0000000500000005
DATA q4kPerm<>+168(SB)/8, $0x0000000500000005
DATA q4kPerm<>+176(SB)/8, $0x0000000500000005
DATA q4kPerm<>+184(SB)/8, $0x0000000500000005
DATA q4kPerm<>+192(SB)/8, $0x0000000600000006
DATA q4kPerm<>+200(SB)/8, $0x0000000600000006
DATA q4kPerm<>+208(SB)/8, $0x0000000600000006
DATA q4kPerm<>+216(SB)/8, $0x0000000600000006
DATA q4kPerm<>+224(SB)/8, $0x0000000700000007
DATA q4kPerm<>+232(SB)/8, $0x0000000700000007
DATA q4kPerm<>+240(SB)/8, $0x0000000700000007
DATA q4kPerm<>+248(SB)/8, $0x0000000700000007
GLOBL q4kPerm<>(SB), RODATA|NOPTR, $256

// Q4K_VRUN multiplies the 64-value run k of a block (the 32 bytes of nibbles at qs(SI):
// sub-block 2k's low nibbles, 2k+1's high ones) by the 64 inputs at xo(DI): the bytes
// broadcast to both halves of nib, the upper half shifted down a nibble (K1), so that one
// VPDPBUSD adds each lane's four products (|Σ| ≤ 4·15·127 < 2^15) into the zeroed prod.
#define Q4K_VRUN(qs, xo, nib, prod) \
	VBROADCASTI64X4 (qs)(SI), nib; \
	VPSRLW $4, nib, K1, nib; \
	VPANDD Z14, nib, nib; \
	VPXORD prod, prod, prod; \
	VPDPBUSD (xo)(DI), nib, prod

// Q4K_VBLOCK is Q4K_BLOCK with VNNI: the 256 values of a Q4_K block (nibbles at qs(SI),
// input at xo(DI), the scales in the low 8 bytes of X5), eight int32 partial sums of
// Σ sc·Σq in Y7. Each run's lanes are multiplied by their sub-block's scale as the words
// sc and 0 (VPMADDWD, VPDPWSSD: the lane's sum fits its low word), spread by VPERMD.
// Z21–Z31 and Y8 scratch.
#define Q4K_VBLOCK(qs, xo) \
	VPMOVZXBD X5, Z21; \
	Q4K_VRUN((qs), (xo), Z22, Z26); \
	Q4K_VRUN((qs+32), (xo+64), Z23, Z27); \
	Q4K_VRUN((qs+64), (xo+128), Z24, Z28); \
	Q4K_VRUN((qs+96), (xo+192), Z25, Z29); \
	VPERMD Z21, Z16, Z30; \
	VPMADDWD Z30, Z26, Z7; \
	VPERMD Z21, Z17, Z30; \
	VPMADDWD Z30, Z27, Z31; \
	VPERMD Z21, Z18, Z30; \
	VPDPWSSD Z30, Z28, Z7; \
	VPERMD Z21, Z19, Z30; \
	VPDPWSSD Z30, Z29, Z31; \
	VPADDD Z31, Z7, Z7; \
	VEXTRACTI64X4 $1, Z7, Y8; \
	VPADDD Y8, Y7, Y7

// func dotQ4_KQ8KRowsVNNI(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)
TEXT ·dotQ4_KQ8KRowsVNNI(SB), NOSPLIT, $0-128
	MOVQ w_base+0(FP), SI
	Q4K_CONSTS
	VPBROADCASTD X14, Z14
	MOVL $0xffff0000, AX
	KMOVD AX, K1
	VMOVDQU32 q4kPerm<>+0(SB), Z16
	VMOVDQU32 q4kPerm<>+64(SB), Z17
	VMOVDQU32 q4kPerm<>+128(SB), Z18
	VMOVDQU32 q4kPerm<>+192(SB), Z19
	CMPQ rows+24(FP), $0
	JLE q4kv_end
q4kv_row:
	KQ_ROWSTART
	CMPQ CX, $4
	JLT q4kv_pair
q4kv_quad:
	Q4K_PREFETCH4
	Q4K_SCALES2(4)
	Q4K_LO(0)
	Q4K_VBLOCK(16, 0)
	Q4K_FOLD_LO
	Q4K_HI(32)
	Q4K_VBLOCK(160, 256)
	Q4K_FOLD_HI(Y15)
	Q4K_SCALES2(292)
	Q4K_LO(64)
	Q4K_VBLOCK(304, 512)
	Q4K_FOLD_LO
	Q4K_HI(96)
	Q4K_VBLOCK(448, 768)
	Q4K_FOLD_HI(Y9)
	Q4K_FLOAT4
	ADDQ $576, SI
	ADDQ $1024, DI
	ADDQ $16, DX
	ADDQ $128, BX
	SUBQ $4, CX
	CMPQ CX, $4
	JGE q4kv_quad
q4kv_pair:
	CMPQ CX, $2
	JLT q4kv_one
	PREFETCHT0 4096(SI)
	PREFETCHT0 4160(SI)
	PREFETCHT0 4224(SI)
	PREFETCHT0 4288(SI)
	PREFETCHT0 4352(SI)
	Q4K_SCALES2(4)
	Q4K_LO(0)
	Q4K_VBLOCK(16, 0)
	Q4K_FOLD_LO
	Q4K_HI(32)
	Q4K_VBLOCK(160, 256)
	Q4K_FOLD_HI(Y15)
	Q4K_FLOAT2
	ADDQ $288, SI
	ADDQ $512, DI
	ADDQ $8, DX
	ADDQ $64, BX
	SUBQ $2, CX
q4kv_one:
	TESTQ CX, CX
	JZ q4kv_done
	Q4K_PREFETCH1
	Q4K_ONE
	ADDQ $144, SI
q4kv_done:
	MOVQ dst_base+104(FP), AX
	VMOVSS X0, (AX)
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ q4kv_row
q4kv_end:
	VZEROUPPER
	RET

// AVX-512 VNNI kernel: Q6_K weight rows times ONE Q8_K input vector, the contract of
// dotQ6_KQ8KRowsAVX2 (dotq_amd64.s) and the same bits: each block's integer sum is exact
// and the float steps are that kernel's (Q6K_FOLD_LO/HI, Q6K_FLOAT4, Q6K_FLOAT1). Four
// blocks at a time, then one at a time.
//
// Registers as in dotQ6_KQ8KRowsAVX2, and Z13 0x30, Z14 0x0f bytes, Z16–Z19 the VPERMD
// indexes of q6kPerm, K1 the upper sixteen words.

// q6kPerm<>+64k: dword lane l takes index 4k + l/4: the scales of the four groups of sixteen
// in the block's 64-value run k.
DATA q6kPerm<>+0(SB)/8, $0x0000000000000000
DATA q6kPerm<>+8(SB)/8, $0x0000000000000000
DATA q6kPerm<>+16(SB)/8, $0x0000000100000001
DATA q6kPerm<>+24(SB)/8, $0x0000000100000001
DATA q6kPerm<>+32(SB)/8, $0x0000000200000002
DATA q6kPerm<>+40(SB)/8, $0x0000000200000002
DATA q6kPerm<>+48(SB)/8, $0x0000000300000003
DATA q6kPerm<>+56(SB)/8, $0x0000000300000003
DATA q6kPerm<>+64(SB)/8, $0x0000000400000004
DATA q6kPerm<>+72(SB)/8, $0x0000000400000004
DATA q6kPerm<>+80(SB)/8, $0x0000000500000005
DATA q6kPerm<>+88(SB)/8, $0x0000000500000005
DATA q6kPerm<>+96(SB)/8, $0x0000000600000006
DATA q6kPerm<>+104(SB)/8, $0x0000000600000006
DATA q6kPerm<>+112(SB)/8, $0x0000000700000007
DATA q6kPerm<>+120(SB)/8, $0x0000000700000007
DATA q6kPerm<>+128(SB)/8, $0x0000000800000008
DATA q6kPerm<>+136(SB)/8, $0x0000000800000008
DATA q6kPerm<>+144(SB)/8, $0x0000000900000009
DATA q6kPerm<>+152(SB)/8, $0x0000000900000009
DATA q6kPerm<>+160(SB)/8, $0x0000000a0000000a
DATA q6kPerm<>+168(SB)/8, $0x0000000a0000000a
DATA q6kPerm<>+176(SB)/8, $0x0000000b0000000b
DATA q6kPerm<>+184(SB)/8, $0x0000000b0000000b
DATA q6kPerm<>+192(SB)/8, $0x0000000c0000000c
DATA q6kPerm<>+200(SB)/8, $0x0000000c0000000c
DATA q6kPerm<>+208(SB)/8, $0x0000000d0000000d
DATA q6kPerm<>+216(SB)/8, $0x0000000d0000000d
DATA q6kPerm<>+224(SB)/8, $0x0000000e0000000e
DATA q6kPerm<>+232(SB)/8, $0x0000000e0000000e
DATA q6kPerm<>+240(SB)/8, $0x0000000f0000000f
DATA q6kPerm<>+248(SB)/8, $0x0000000f0000000f
GLOBL q6kPerm<>(SB), RODATA|NOPTR, $256

// Q6K_VHALF adds 128 values of a Q6_K block (ql at ql(SI), qh at qh(SI)) times the input
// at xo(DI), each group of sixteen times its scale (of Z21, spread by the indexes ka and
// kb), to acc. The first 64 values are ql's 64 low nibbles with qh's bit pairs 0 (values
// 0–31) and 2 (32–63), the next 64 the high nibbles with pairs 4 and 6: qh broadcast to
// both halves of a register and its upper half shifted two bits further (K1) puts each
// pair at bits 4–5 for all 64 values at once, so that one VPDPBUSD multiplies 64 weights
// (0..63) by 64 consecutive inputs (|Σ of four| ≤ 4·63·127 < 2^15: the scale goes in by
// VPDPWSSD as the words sc and 0). Z22–Z28 scratch.
#define Q6K_VHALF(ql, qh, xo, ka, kb, acc) \
	VMOVDQU64 (ql)(SI), Z22; \
	VBROADCASTI64X4 (qh)(SI), Z23; \
	VPSLLW $4, Z23, Z24; \
	VPSLLW $2, Z23, K1, Z24; \
	VPANDD Z13, Z24, Z24; \
	VPTERNLOGD $0xf8, Z14, Z22, Z24; \
	VPSRLW $2, Z23, K1, Z23; \
	VPANDD Z13, Z23, Z23; \
	VPSRLW $4, Z22, Z22; \
	VPTERNLOGD $0xf8, Z14, Z22, Z23; \
	VPXORD Z25, Z25, Z25; \
	VPDPBUSD (xo)(DI), Z24, Z25; \
	VPXORD Z26, Z26, Z26; \
	VPDPBUSD (xo+64)(DI), Z23, Z26; \
	VPERMD Z21, ka, Z27; \
	VPDPWSSD Z27, Z25, acc; \
	VPERMD Z21, kb, Z28; \
	VPDPWSSD Z28, Z26, acc

// Q6K_VBLOCK is Q6K_BLOCK with VNNI: the int32 sums of the Q6_K block at w(SI) times the
// input at x(DI), started at -32·Σ scale·sum (the sums of sixteen at s(BX)), eight partial
// sums in accy (the Y name of accz). Z21 (the scales as the words sc and 0) and Y8 scratch.
#define Q6K_VBLOCK(w, x, s, accy, accz) \
	VPMOVSXBW (w+192)(SI), Y5; \
	VPMULLW Y12, Y5, accy; \
	VPMADDWD (s)(BX), accy, accy; \
	VPMOVZXWD Y5, Z21; \
	Q6K_VHALF(w, (w+128), x, Z16, Z17, accz); \
	Q6K_VHALF((w+64), (w+160), (x+128), Z18, Z19, accz); \
	VEXTRACTI64X4 $1, accz, Y8; \
	VPADDD Y8, accy, accy

// func dotQ6_KQ8KRowsVNNI(w []byte, rows int, q []int8, d []float32, s []int16, dst []float32)
TEXT ·dotQ6_KQ8KRowsVNNI(SB), NOSPLIT, $0-128
	MOVQ w_base+0(FP), SI
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z14
	MOVL $0x30303030, AX
	VPBROADCASTD AX, Z13
	MOVL $0xffe0ffe0, AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
	MOVL $0xffff0000, AX
	KMOVD AX, K1
	VMOVDQU32 q6kPerm<>+0(SB), Z16
	VMOVDQU32 q6kPerm<>+64(SB), Z17
	VMOVDQU32 q6kPerm<>+128(SB), Z18
	VMOVDQU32 q6kPerm<>+192(SB), Z19
	CMPQ rows+24(FP), $0
	JLE q6kv_end
q6kv_row:
	KQ_ROWSTART
	CMPQ CX, $4
	JLT q6kv_one
q6kv_quad:
	Q6K_PREFETCH4
	Q6K_VBLOCK(0, 0, 0, Y6, Z6)
	Q6K_VBLOCK(210, 256, 32, Y7, Z7)
	Q6K_FOLD_LO
	Q6K_VBLOCK(420, 512, 64, Y6, Z6)
	Q6K_VBLOCK(630, 768, 96, Y7, Z7)
	Q6K_FOLD_HI
	Q6K_FLOAT4
	ADDQ $840, SI
	ADDQ $1024, DI
	ADDQ $16, DX
	ADDQ $128, BX
	SUBQ $4, CX
	CMPQ CX, $4
	JGE q6kv_quad
q6kv_one:
	TESTQ CX, CX
	JZ q6kv_done
	Q6K_PREFETCH1
	Q6K_VBLOCK(0, 0, 0, Y7, Z7)
	Q6K_FLOAT1
	ADDQ $210, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JMP q6kv_one
q6kv_done:
	MOVQ dst_base+104(FP), AX
	VMOVSS X0, (AX)
	ADDQ $4, dst_base+104(FP)
	DECQ rows+24(FP)
	JNZ q6kv_row
q6kv_end:
	VZEROUPPER
	RET
