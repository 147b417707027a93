// Tables and macros shared by the amd64 integer kernels (dotq_amd64.s, dotqx4_amd64.s,
// dotqx4_vnni_amd64.s): each includes this file, so each gets its own copy of the tables.

// shufK4<>+32j: VPSHUFB control that spreads byte j of each 128-bit lane, zero-extended, to
// all sixteen int16 lanes.
DATA shufK4<>+0(SB)/8, $0x8000800080008000
DATA shufK4<>+8(SB)/8, $0x8000800080008000
DATA shufK4<>+16(SB)/8, $0x8000800080008000
DATA shufK4<>+24(SB)/8, $0x8000800080008000
DATA shufK4<>+32(SB)/8, $0x8001800180018001
DATA shufK4<>+40(SB)/8, $0x8001800180018001
DATA shufK4<>+48(SB)/8, $0x8001800180018001
DATA shufK4<>+56(SB)/8, $0x8001800180018001
DATA shufK4<>+64(SB)/8, $0x8002800280028002
DATA shufK4<>+72(SB)/8, $0x8002800280028002
DATA shufK4<>+80(SB)/8, $0x8002800280028002
DATA shufK4<>+88(SB)/8, $0x8002800280028002
DATA shufK4<>+96(SB)/8, $0x8003800380038003
DATA shufK4<>+104(SB)/8, $0x8003800380038003
DATA shufK4<>+112(SB)/8, $0x8003800380038003
DATA shufK4<>+120(SB)/8, $0x8003800380038003
DATA shufK4<>+128(SB)/8, $0x8004800480048004
DATA shufK4<>+136(SB)/8, $0x8004800480048004
DATA shufK4<>+144(SB)/8, $0x8004800480048004
DATA shufK4<>+152(SB)/8, $0x8004800480048004
DATA shufK4<>+160(SB)/8, $0x8005800580058005
DATA shufK4<>+168(SB)/8, $0x8005800580058005
DATA shufK4<>+176(SB)/8, $0x8005800580058005
DATA shufK4<>+184(SB)/8, $0x8005800580058005
DATA shufK4<>+192(SB)/8, $0x8006800680068006
DATA shufK4<>+200(SB)/8, $0x8006800680068006
DATA shufK4<>+208(SB)/8, $0x8006800680068006
DATA shufK4<>+216(SB)/8, $0x8006800680068006
DATA shufK4<>+224(SB)/8, $0x8007800780078007
DATA shufK4<>+232(SB)/8, $0x8007800780078007
DATA shufK4<>+240(SB)/8, $0x8007800780078007
DATA shufK4<>+248(SB)/8, $0x8007800780078007
GLOBL shufK4<>(SB), RODATA|NOPTR, $256

// shufK6<>+32k: VPSHUFB control that spreads int16 word 2k of each 128-bit lane to the low
// lane's eight words and word 2k+1 to the high lane's.
DATA shufK6<>+0(SB)/8, $0x0100010001000100
DATA shufK6<>+8(SB)/8, $0x0100010001000100
DATA shufK6<>+16(SB)/8, $0x0302030203020302
DATA shufK6<>+24(SB)/8, $0x0302030203020302
DATA shufK6<>+32(SB)/8, $0x0504050405040504
DATA shufK6<>+40(SB)/8, $0x0504050405040504
DATA shufK6<>+48(SB)/8, $0x0706070607060706
DATA shufK6<>+56(SB)/8, $0x0706070607060706
DATA shufK6<>+64(SB)/8, $0x0908090809080908
DATA shufK6<>+72(SB)/8, $0x0908090809080908
DATA shufK6<>+80(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA shufK6<>+88(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA shufK6<>+96(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA shufK6<>+104(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA shufK6<>+112(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA shufK6<>+120(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL shufK6<>(SB), RODATA|NOPTR, $128

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

// REDUCE4 adds up the eight float lanes of each of Y0–Y3 (four vectors' products): vector
// t's sum in lane t of X0 (X8 scratch).
#define REDUCE4 \
	VEXTRACTF128 $1, Y0, X8 \
	VADDPS X8, X0, X0 \
	VEXTRACTF128 $1, Y1, X8 \
	VADDPS X8, X1, X1 \
	VEXTRACTF128 $1, Y2, X8 \
	VADDPS X8, X2, X2 \
	VEXTRACTF128 $1, Y3, X8 \
	VADDPS X8, X3, X3 \
	VHADDPS X1, X0, X0 \
	VHADDPS X3, X2, X2 \
	VHADDPS X2, X0, X0

// STORE4 stores the four lanes of X0 at AX, AX+s, AX+2s, AX+3s (s the stride in bytes),
// leaving AX at AX+2s.
#define STORE4(s) \
	VMOVSS X0, (AX) \
	VEXTRACTPS $1, X0, (AX)(s*1) \
	LEAQ (AX)(s*2), AX \
	VEXTRACTPS $2, X0, (AX) \
	VEXTRACTPS $3, X0, (AX)(s*1)

// VNNI_CONSTS sets up the Q8_0 VNNI kernels' constants (dotq_vnni_amd64.s,
// dotqx4_vnni_amd64.s): Z23 0x80 bytes, Z22 twos, Z21 the first pair's VPERMPS indexes
// (0 in lanes 0-7, 1 in 8-15), Z24 the gather offsets of sixteen blocks' scales, Z26 zero
// (AX, Y25 scratch).
#define VNNI_CONSTS \
	MOVL $0x80808080, AX \
	VPBROADCASTD AX, Z23 \
	MOVL $2, AX \
	VPBROADCASTD AX, Z22 \
	MOVL $1, AX \
	VPBROADCASTD AX, Y25 \
	VPXORD Z21, Z21, Z21 \
	VINSERTI64X4 $1, Y25, Z21, Z21 \
	VMOVDQU32 ·q8VNNIGather(SB), Z24 \
	VPXORD Z26, Z26, Z26

// QR_REDUCE1 reduces Y0 to its sum in X0, in REDUCE4's order (one row of the one-vector
// kernels of four rows at a time, dotq_amd64.s and dotq_vnni_amd64.s).
#define QR_REDUCE1 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS X1, X0, X0 \
	VHADDPS X0, X0, X0 \
	VHADDPS X0, X0, X0

// QR_STORE4 ends a group of four rows of those kernels: their sums (Y0-Y3) reduced and
// stored at R10 (advanced), SI moved to the next group (R9 = 3 rows on from SI, which the
// blocks have moved to row 1), BX less four and compared with four.
#define QR_STORE4 \
	REDUCE4 \
	VMOVUPS X0, (R10) \
	ADDQ $16, R10 \
	ADDQ R9, SI \
	SUBQ $4, BX \
	CMPQ BX, $4

// VNNI_FOLD4 adds the upper half of Z0-Z3 (the odd blocks' sums) onto the lower (the even
// blocks'), for REDUCE4 (Y8 scratch).
#define VNNI_FOLD4 \
	VEXTRACTF64X4 $1, Z0, Y8 \
	VADDPS Y8, Y0, Y0 \
	VEXTRACTF64X4 $1, Z1, Y8 \
	VADDPS Y8, Y1, Y1 \
	VEXTRACTF64X4 $1, Z2, Y8 \
	VADDPS Y8, Y2, Y2 \
	VEXTRACTF64X4 $1, Z3, Y8 \
	VADDPS Y8, Y3, Y3
