// Tables and macros shared by the amd64 integer kernels (dotq_amd64.s, dotq_vnni_amd64.s,
// dotqx4_amd64.s, dotqx4_vnni_amd64.s): each includes this file, so each gets its own copy
// of the tables.

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

// The Q4_K and Q5_K one-vector kernels' blocks (dotq_amd64.s; the Q4_K VNNI kernel of
// dotq_vnni_amd64.s shares the scales, the minimums and the float steps).

// Q4K_NIBBLES loads the 32 bytes of nibbles at qs(SI): the low nibbles into Y1, the high
// into Y2 (Y14 = 0x0f bytes).
#define Q4K_NIBBLES(qs) \
	VMOVDQU (qs)(SI), Y1 \
	VPSRLW $4, Y1, Y2 \
	VPAND Y14, Y1, Y1 \
	VPAND Y14, Y2, Y2

// KQ_MUL2 multiplies the 64 values in Y1 and Y2 (Q4_K, Q5_K) by the input at xo(DI) and
// xo+32(DI) and sums each pair, int32, times its group's scale (bytes sh/32 and sh/32+1 of
// each lane of Y5, spread by shufK4): in Y1 and Y2. Y3 and Y4 are scratch.
#define KQ_MUL2(xo, sh) \
	VPMADDUBSW (xo)(DI), Y1, Y1 \
	VPMADDUBSW (xo+32)(DI), Y2, Y2 \
	VPSHUFB shufK4<>+(sh)(SB), Y5, Y3 \
	VPSHUFB shufK4<>+(sh+32)(SB), Y5, Y4 \
	VPMADDWD Y3, Y1, Y1 \
	VPMADDWD Y4, Y2, Y2

// KQ_SCALES unpacks the 6-bit scales and minimums (get_scale_min_k4) of the Q4_K/Q5_K block
// whose 12 bytes lie at sc(SI) into X1: eight scales, then eight minimums. X11 = 0x3f,
// m30 = 0x30, X14 = 0x0f bytes; X2 and X3 are scratch.
#define KQ_SCALES(sc, m30) \
	VMOVQ (sc)(SI), X1 \
	VPINSRD $2, (sc+8)(SI), X1, X1 \
	VPSRLD $4, X1, X2 \
	VPUNPCKHDQ X2, X1, X3 \
	VPAND X14, X3, X3 \
	VPSRLD $2, X1, X2 \
	VPAND m30, X2, X2 \
	VPOR X2, X3, X3 \
	VPAND X11, X1, X1 \
	VPUNPCKLDQ X3, X1, X1

// Q4K_PAIR is 64 values of a Q4_K block: the 32 bytes of nibbles at qs(SI), low nibbles
// times the input at xo(DI), high nibbles times the next 32, as int32 sums of pairs times
// their groups' scales (bytes sh/32 and sh/32+1 of each lane of Y5, spread by shufK4): in
// Y1 (low) and Y2 (high). Y14 = 0x0f bytes; Y3 and Y4 are scratch.
#define Q4K_PAIR(qs, xo, sh) \
	Q4K_NIBBLES(qs) \
	KQ_MUL2(xo, sh)

// Q4K_BLOCK is the 256 values of a Q4_K block (nibbles at qs(SI), input at xo(DI)),
// Q4K_PAIR by Q4K_PAIR, summed into Y7.
#define Q4K_BLOCK(qs, xo) \
	Q4K_PAIR(qs, xo, 0) \
	VPADDD Y2, Y1, Y7 \
	Q4K_PAIR((qs+32), (xo+64), 64) \
	VPADDD Y1, Y7, Y7 \
	VPADDD Y2, Y7, Y7 \
	Q4K_PAIR((qs+64), (xo+128), 128) \
	VPADDD Y1, Y7, Y7 \
	VPADDD Y2, Y7, Y7 \
	Q4K_PAIR((qs+96), (xo+192), 192) \
	VPADDD Y1, Y7, Y7 \
	VPADDD Y2, Y7, Y7

// Q4K_SCALES2 unpacks the 6-bit scales and minimums (get_scale_min_k4) of two blocks, 12
// bytes at sc(SI) and sc+144(SI), into the low and high lanes of Y13: eight scales, then
// eight minimums, per lane. Y11 = 0x3f, Y12 = 0x30, Y14 = 0x0f bytes; Y2, Y3 scratch.
#define Q4K_SCALES2(sc) \
	VMOVDQU (sc)(SI), X13 \
	VINSERTI128 $1, (sc+144)(SI), Y13, Y13 \
	VPSRLD $4, Y13, Y2 \
	VPUNPCKHDQ Y2, Y13, Y3 \
	VPAND Y14, Y3, Y3 \
	VPSRLD $2, Y13, Y2 \
	VPAND Y12, Y2, Y2 \
	VPOR Y2, Y3, Y3 \
	VPAND Y11, Y13, Y13 \
	VPUNPCKLDQ Y3, Y13, Y13

// The steps of four Q4_K super-blocks at once, around the multiplication of each block's
// 256 values (Q4K_BLOCK, or Q4K_VBLOCK with VNNI), which leaves eight int32 partial sums
// of Σ sc·Σq in Y7. Y13 holds two blocks' unpacked scales and minimums (Q4K_SCALES2).

// Q4K_LO puts the scales of the pair's first block (Y13's low lane) in Y5's low 8 bytes (of
// each lane) and its Σ m·Σx partial sums, from the input's sums at sx(BX), in Y6.
#define Q4K_LO(sx) \
	VPBROADCASTQ X13, Y5 \
	VPUNPCKHBW X13, X13, X8 \
	VPMOVZXBW X8, Y6 \
	VPMADDWD sx(BX), Y6, Y6

// Q4K_HI is Q4K_LO for the pair's second block (Y13's high lane).
#define Q4K_HI(sx) \
	VPERMQ $0xaa, Y13, Y5 \
	VEXTRACTI128 $1, Y13, X8 \
	VPUNPCKHBW X8, X8, X8 \
	VPMOVZXBW X8, Y6 \
	VPMADDWD sx(BX), Y6, Y6

// Q4K_FOLD_LO folds the first block's Y7 (Σ sc·Σq) and Y6 (Σ m·Σx) into Y10, alternating:
// lanes 0, 2 (and 4, 6) partial sums of the one, 1, 3 of the other.
#define Q4K_FOLD_LO \
	VPUNPCKLDQ Y6, Y7, Y8 \
	VPUNPCKHDQ Y6, Y7, Y9 \
	VPADDD Y9, Y8, Y10

// Q4K_FOLD_HI folds the second block's Y7 and Y6 the same way and joins them with Y10 in
// dst: per 128-bit lane Σ sc·Σq and Σ m·Σx of the first block, then of the second (the
// two lanes' partial sums still to be added).
#define Q4K_FOLD_HI(dst) \
	VPUNPCKLDQ Y6, Y7, Y8 \
	VPUNPCKHDQ Y6, Y7, Y9 \
	VPADDD Y9, Y8, Y8 \
	VPUNPCKLQDQ Y8, Y10, Y9 \
	VPUNPCKHQDQ Y8, Y10, Y8 \
	VPADDD Y8, Y9, dst

// Q4K_FLOAT4 ends four blocks, the first pair folded into Y15 and the second into Y9:
// each block's d_x·(d·Σ sc·Σq − dmin·Σ m·Σx), the generic kernel's float steps, added to
// X0 in block order.
#define Q4K_FLOAT4 \
	VPERM2I128 $0x20, Y9, Y15, Y8 \
	VPERM2I128 $0x31, Y9, Y15, Y9 \
	VPADDD Y9, Y8, Y8 \
	VCVTDQ2PS Y8, Y8 \
	VMOVD 0(SI), X9 \
	VPINSRD $1, 144(SI), X9, X9 \
	VPINSRD $2, 288(SI), X9, X9 \
	VPINSRD $3, 432(SI), X9, X9 \
	VCVTPH2PS X9, Y9 \
	VMULPS Y9, Y8, Y8 \
	VMOVSHDUP Y8, Y9 \
	VSUBPS Y9, Y8, Y8 \
	VPMOVZXDQ (DX), Y9 \
	VMULPS Y9, Y8, Y8 \
	VADDSS X8, X0, X0 \
	VMOVHLPS X8, X8, X9 \
	VADDSS X9, X0, X0 \
	VEXTRACTF128 $1, Y8, X8 \
	VADDSS X8, X0, X0 \
	VMOVHLPS X8, X8, X9 \
	VADDSS X9, X0, X0

// Q4K_FLOAT2 is Q4K_FLOAT4 for two blocks, folded into Y15.
#define Q4K_FLOAT2 \
	VEXTRACTI128 $1, Y15, X8 \
	VPADDD X8, X15, X8 \
	VCVTDQ2PS X8, X8 \
	VMOVD 0(SI), X9 \
	VPINSRD $1, 144(SI), X9, X9 \
	VCVTPH2PS X9, X9 \
	VMULPS X9, X8, X8 \
	VMOVSHDUP X8, X9 \
	VSUBPS X9, X8, X8 \
	VPMOVZXDQ (DX), X9 \
	VMULPS X9, X8, X8 \
	VADDSS X8, X0, X0 \
	VMOVHLPS X8, X8, X9 \
	VADDSS X9, X0, X0

// Q4K_ONE is one Q4_K block (AVX2; X11, X12, X14 as for KQ_SCALES), its product added to X0.
#define Q4K_ONE \
	KQ_SCALES(4, X12) \
	VPBROADCASTQ X1, Y5 \
	VPUNPCKHBW X1, X1, X6 \
	VPMOVZXBW X6, Y6 \
	VPMADDWD (BX), Y6, Y6 \
	Q4K_PAIR(16, 0, 0) \
	VMOVDQA Y1, Y7 \
	VMOVDQA Y2, Y10 \
	Q4K_PAIR(48, 64, 64) \
	VPADDD Y1, Y7, Y7 \
	VPADDD Y2, Y10, Y10 \
	Q4K_PAIR(80, 128, 128) \
	VPADDD Y1, Y7, Y7 \
	VPADDD Y2, Y10, Y10 \
	Q4K_PAIR(112, 192, 192) \
	VPADDD Y1, Y7, Y7 \
	VPADDD Y2, Y10, Y10 \
	VPADDD Y10, Y7, Y7 \
	VPHADDD Y6, Y7, Y7 \
	VEXTRACTI128 $1, Y7, X8 \
	VPADDD X8, X7, X7 \
	VPHADDD X7, X7, X7 \
	VCVTDQ2PS X7, X7 \
	MOVL 0(SI), AX \
	VMOVD AX, X9 \
	VCVTPH2PS X9, X9 \
	VMULPS X9, X7, X7 \
	VMOVSHDUP X7, X8 \
	VSUBSS X8, X7, X7 \
	VMULSS (DX), X7, X7 \
	VADDSS X7, X0, X0

// Q4K_CONSTS sets Y14 (0x0f), Y11 (0x3f) and Y12 (0x30) bytes (AX scratch).
#define Q4K_CONSTS \
	MOVL $0x0f0f0f0f, AX \
	VMOVD AX, X14 \
	VPBROADCASTD X14, Y14 \
	MOVL $0x3f3f3f3f, AX \
	VMOVD AX, X11 \
	VPBROADCASTD X11, Y11 \
	MOVL $0x30303030, AX \
	VMOVD AX, X12 \
	VPBROADCASTD X12, Y12

// The float steps of the Q6_K one-vector kernels (dotq_amd64.s, dotq_vnni_amd64.s), around
// each block's eight int32 partial sums of Σ sc·Σ(q−32)·x.

// Q6K_FOLD_LO folds the first two of four blocks' sums (Y6, Y7) into Y15.
#define Q6K_FOLD_LO \
	VPUNPCKLDQ Y7, Y6, Y9 \
	VPUNPCKHDQ Y7, Y6, Y10 \
	VPADDD Y10, Y9, Y15

// Q6K_FOLD_HI folds the last two (Y6, Y7) and Y15 into the four blocks' sums in X9.
#define Q6K_FOLD_HI \
	VPUNPCKLDQ Y7, Y6, Y9 \
	VPUNPCKHDQ Y7, Y6, Y10 \
	VPADDD Y10, Y9, Y6 \
	VPUNPCKLQDQ Y6, Y15, Y9 \
	VPUNPCKHQDQ Y6, Y15, Y10 \
	VPADDD Y10, Y9, Y9 \
	VEXTRACTI128 $1, Y9, X10 \
	VPADDD X10, X9, X9

// Q6K_FLOAT4 adds the four blocks' d_x·d·Σ (X9) to X0 in block order, the generic
// kernel's float steps.
#define Q6K_FLOAT4 \
	VCVTDQ2PS X9, X9 \
	MOVWLZX 208(SI), AX \
	VMOVD AX, X10 \
	VPINSRW $1, 418(SI), X10, X10 \
	VPINSRW $2, 628(SI), X10, X10 \
	VPINSRW $3, 838(SI), X10, X10 \
	VCVTPH2PS X10, X10 \
	VMULPS (DX), X10, X10 \
	VMULPS X9, X10, X10 \
	VADDSS X10, X0, X0 \
	VMOVSHDUP X10, X11 \
	VADDSS X11, X0, X0 \
	VMOVHLPS X10, X10, X11 \
	VADDSS X11, X0, X0 \
	VPSHUFD $0xff, X10, X11 \
	VADDSS X11, X0, X0

// Q6K_FLOAT1 adds one block's d_x·d·Σ (Y7 its eight partial sums) to X0.
#define Q6K_FLOAT1 \
	VEXTRACTI128 $1, Y7, X8 \
	VPADDD X8, X7, X7 \
	VPSHUFD $0x4e, X7, X8 \
	VPADDD X8, X7, X7 \
	VPSHUFD $0xb1, X7, X8 \
	VPADDD X8, X7, X7 \
	VCVTDQ2PS X7, X7 \
	MOVWLZX 208(SI), AX \
	VMOVD AX, X9 \
	VCVTPH2PS X9, X9 \
	VMULSS (DX), X9, X9 \
	VMULSS X7, X9, X9 \
	VADDSS X9, X0, X0

// The one-vector K kernels' prefetches, 4 KiB ahead of SI (dotq_amd64.s): every line of
// four Q4_K (576 bytes) or Q6_K (840 bytes) blocks, or of one.
#define Q4K_PREFETCH4 \
	PREFETCHT0 4096(SI) \
	PREFETCHT0 4160(SI) \
	PREFETCHT0 4224(SI) \
	PREFETCHT0 4288(SI) \
	PREFETCHT0 4352(SI) \
	PREFETCHT0 4416(SI) \
	PREFETCHT0 4480(SI) \
	PREFETCHT0 4544(SI) \
	PREFETCHT0 4608(SI)

#define Q4K_PREFETCH1 \
	PREFETCHT0 4096(SI) \
	PREFETCHT0 4144(SI) \
	PREFETCHT0 4192(SI)

#define Q6K_PREFETCH4 \
	Q4K_PREFETCH4 \
	PREFETCHT0 4672(SI) \
	PREFETCHT0 4736(SI) \
	PREFETCHT0 4800(SI) \
	PREFETCHT0 4864(SI) \
	PREFETCHT0 4928(SI)

#define Q6K_PREFETCH1 \
	PREFETCHT0 4096(SI) \
	PREFETCHT0 4149(SI) \
	PREFETCHT0 4202(SI) \
	PREFETCHT0 4255(SI)

// KQ_ROWSTART starts a row of the one-vector K kernels: DI q, DX d, CX its blocks, BX the
// input's sums, X0 zero.
#define KQ_ROWSTART \
	MOVQ q_base+32(FP), DI \
	MOVQ d_base+56(FP), DX \
	MOVQ d_len+64(FP), CX \
	MOVQ s_base+80(FP), BX \
	VXORPS X0, X0, X0
