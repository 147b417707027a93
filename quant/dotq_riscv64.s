//go:build !noasm

#include "textflag.h"

// RVV 1.0 integer kernels, vector-length agnostic: every kernel asks VSETVLI/VSETIVLI for
// 16 or 32 elements at SEW=16 (LMUL 2 or 4), which any VLEN >= 128 (Zvl128b, required by
// V) grants in full; wider vectors simply leave lanes idle. Bytes are loaded with VLE8V
// (EEW=8 under SEW=16) and widened with VZEXTVF2/VSEXTVF2; products of decoded weights
// and int8 activations fit int16, per-group scales are applied with VWMACCVX into int32
// lanes, and one reduction per block gives the exact integer sum the Go code scales.
//
// V1 element 0 holds a 32-bit zero for the reductions throughout.

#define ZERO_V1 \
	VSETIVLI $1, E32, M1, TA, MA, X0 \
	VMVVI	$0, V1

// func q8_0SumsRVV(w *byte, q *int8, n int, out *int32)
// out[b] = Σ_j int8(w[34b+2+j]) · q[32b+j], j < 32.
TEXT ·q8_0SumsRVV(SB), NOSPLIT, $0-32
	MOV	w+0(FP), X10
	MOV	q+8(FP), X11
	MOV	n+16(FP), X12
	MOV	out+24(FP), X13
	MOV	$32, X5
	ZERO_V1
	BEQZ	X12, q80done
q80loop:
	VSETVLI	X5, E16, M4, TA, MA, X0
	ADD	$2, X10, X6
	VLE8V	(X6), V2
	VLE8V	(X11), V4
	VSEXTVF2	V2, V8
	VSEXTVF2	V4, V12
	VMULVV	V8, V12, V16
	VWREDSUMVS	V1, V16, V20
	VSETIVLI	$1, E32, M1, TA, MA, X0
	VMVXS	V20, X7
	MOVW	X7, (X13)
	ADD	$34, X10
	ADD	$32, X11
	ADD	$4, X13
	SUB	$1, X12
	BNEZ	X12, q80loop
q80done:
	RET

// func q4_0SumsRVV(w *byte, q *int8, n int, out *int32)
// out[b] = Σ_j (lo_j-8)·q[32b+j] + (hi_j-8)·q[32b+16+j], j < 16.
TEXT ·q4_0SumsRVV(SB), NOSPLIT, $0-32
	MOV	w+0(FP), X10
	MOV	q+8(FP), X11
	MOV	n+16(FP), X12
	MOV	out+24(FP), X13
	ZERO_V1
	BEQZ	X12, q40done
q40loop:
	VSETIVLI	$16, E16, M2, TA, MA, X0
	ADD	$2, X10, X6
	VLE8V	(X6), V2
	VLE8V	(X11), V3
	ADD	$16, X11, X6
	VLE8V	(X6), V24
	VZEXTVF2	V2, V4
	VSEXTVF2	V3, V6
	VSEXTVF2	V24, V8
	VANDVI	$15, V4, V10
	VSRLVI	$4, V4, V12
	VADDVI	$-8, V10, V10
	VADDVI	$-8, V12, V12
	VMULVV	V10, V6, V14
	VMACCVV	V12, V8, V14
	VWREDSUMVS	V1, V14, V20
	VSETIVLI	$1, E32, M1, TA, MA, X0
	VMVXS	V20, X7
	MOVW	X7, (X13)
	ADD	$18, X10
	ADD	$32, X11
	ADD	$4, X13
	SUB	$1, X12
	BNEZ	X12, q40loop
q40done:
	RET

// Q6_K, one group of 16 lanes (n, h): ql at QL and QL+32, qh at QH, x at XO + 0/32/64/96,
// int8 scales at SC + 0/2/4/6. X10 block, X11 x, X14 = 48, X15 = 32; ACC V16 (e32 m4).
#define Q6GROUP(QL, QH, XO, SC) \
	ADD	$QL, X10, X6 \
	VLE8V	(X6), V2 \
	ADD	$(QL+32), X10, X6 \
	VLE8V	(X6), V3 \
	ADD	$QH, X10, X6 \
	VLE8V	(X6), V24 \
	VZEXTVF2	V2, V4 \
	VZEXTVF2	V3, V6 \
	VZEXTVF2	V24, V8 \
	VSLLVI	$4, V8, V10 \
	VANDVX	X14, V10, V10 \
	VANDVI	$15, V4, V12 \
	VORVV	V12, V10, V10 \
	VSUBVX	X15, V10, V10 \
	ADD	$(XO), X11, X6 \
	VLE8V	(X6), V25 \
	VSEXTVF2	V25, V12 \
	VMULVV	V12, V10, V10 \
	MOVB	(SC)(X10), X7 \
	VWMACCVX	V10, X7, V16 \
	VSLLVI	$2, V8, V10 \
	VANDVX	X14, V10, V10 \
	VANDVI	$15, V6, V12 \
	VORVV	V12, V10, V10 \
	VSUBVX	X15, V10, V10 \
	ADD	$(XO+32), X11, X6 \
	VLE8V	(X6), V25 \
	VSEXTVF2	V25, V12 \
	VMULVV	V12, V10, V10 \
	MOVB	(SC+2)(X10), X7 \
	VWMACCVX	V10, X7, V16 \
	VANDVX	X14, V8, V10 \
	VSRLVI	$4, V4, V12 \
	VORVV	V12, V10, V10 \
	VSUBVX	X15, V10, V10 \
	ADD	$(XO+64), X11, X6 \
	VLE8V	(X6), V25 \
	VSEXTVF2	V25, V12 \
	VMULVV	V12, V10, V10 \
	MOVB	(SC+4)(X10), X7 \
	VWMACCVX	V10, X7, V16 \
	VSRLVI	$2, V8, V10 \
	VANDVX	X14, V10, V10 \
	VSRLVI	$4, V6, V12 \
	VORVV	V12, V10, V10 \
	VSUBVX	X15, V10, V10 \
	ADD	$(XO+96), X11, X6 \
	VLE8V	(X6), V25 \
	VSEXTVF2	V25, V12 \
	VMULVV	V12, V10, V10 \
	MOVB	(SC+6)(X10), X7 \
	VWMACCVX	V10, X7, V16

// func q6_KSumsRVV(w *byte, q *int8, n int, out *int32)
// out[b] = the integer sum sq of dotQ6_KQ8KGeneric for super-block b.
TEXT ·q6_KSumsRVV(SB), NOSPLIT, $0-32
	MOV	w+0(FP), X10
	MOV	q+8(FP), X11
	MOV	n+16(FP), X12
	MOV	out+24(FP), X13
	MOV	$48, X14
	MOV	$32, X15
	ZERO_V1
	BEQZ	X12, q6done
q6loop:
	VSETIVLI	$16, E32, M4, TA, MA, X0
	VMVVI	$0, V16
	VSETIVLI	$16, E16, M2, TA, MA, X0
	Q6GROUP(0, 128, 0, 192)
	Q6GROUP(16, 144, 16, 193)
	Q6GROUP(64, 160, 128, 200)
	Q6GROUP(80, 176, 144, 201)
	VSETIVLI	$16, E32, M4, TA, MA, X0
	VREDSUMVS	V1, V16, V20
	VMVXS	V20, X7
	MOVW	X7, (X13)
	ADD	$210, X10
	ADD	$256, X11
	ADD	$4, X13
	SUB	$1, X12
	BNEZ	X12, q6loop
q6done:
	RET

// Q4_K, sub-block pair n: 32 bytes at QS, x at XO and XO+32, scales (uint8) at X14+SCI
// and X14+SCI+1. SEW=16, vl=32 (m4); ACC V24 (e32 m8).
#define Q4SUB(QS, XO, SCI) \
	ADD	$QS, X10, X6 \
	VLE8V	(X6), V2 \
	VZEXTVF2	V2, V4 \
	ADD	$(XO), X11, X6 \
	VLE8V	(X6), V8 \
	VSEXTVF2	V8, V12 \
	ADD	$(XO+32), X11, X6 \
	VLE8V	(X6), V10 \
	VSEXTVF2	V10, V16 \
	VANDVI	$15, V4, V20 \
	VMULVV	V20, V12, V20 \
	MOVBU	(SCI)(X14), X7 \
	VWMACCVX	V20, X7, V24 \
	VSRLVI	$4, V4, V20 \
	VMULVV	V20, V16, V20 \
	MOVBU	(SCI+1)(X14), X7 \
	VWMACCVX	V20, X7, V24

// func q4_KSumsRVV(w *byte, q *int8, sc *uint8, n int, out *int32)
// out[b] = Σ_j sc[8b+j]·Σ (nibbles of sub-block j)·x, the sq of dotQ4_KQ8KGeneric.
TEXT ·q4_KSumsRVV(SB), NOSPLIT, $0-40
	MOV	w+0(FP), X10
	MOV	q+8(FP), X11
	MOV	sc+16(FP), X14
	MOV	n+24(FP), X12
	MOV	out+32(FP), X13
	MOV	$32, X5
	ZERO_V1
	BEQZ	X12, q4kdone
q4kloop:
	VSETVLI	X5, E32, M8, TA, MA, X0
	VMVVI	$0, V24
	VSETVLI	X5, E16, M4, TA, MA, X0
	Q4SUB(16, 0, 0)
	Q4SUB(48, 64, 2)
	Q4SUB(80, 128, 4)
	Q4SUB(112, 192, 6)
	VSETVLI	X5, E32, M8, TA, MA, X0
	VREDSUMVS	V1, V24, V2
	VMVXS	V2, X7
	MOVW	X7, (X13)
	ADD	$144, X10
	ADD	$256, X11
	ADD	$8, X14
	ADD	$4, X13
	SUB	$1, X12
	BNEZ	X12, q4kloop
q4kdone:
	RET

// Q5_K, sub-block pair n: low nibbles at QS (32 bytes), high bits qh (block offset 16) bit
// B and B+1, x at XO and XO+32, scales at X14+SCI, +1. SEW=16, vl=32; ACC V24.
#define Q5SUB(QS, B, XO, SCI) \
	ADD	$QS, X10, X6 \
	VLE8V	(X6), V2 \
	VZEXTVF2	V2, V4 \
	ADD	$16, X10, X6 \
	VLE8V	(X6), V8 \
	VZEXTVF2	V8, V12 \
	VSRLVI	$(B), V12, V20 \
	VANDVI	$1, V20, V20 \
	VSLLVI	$4, V20, V20 \
	VANDVI	$15, V4, V16 \
	VORVV	V16, V20, V20 \
	ADD	$(XO), X11, X6 \
	VLE8V	(X6), V8 \
	VSEXTVF2	V8, V16 \
	VMULVV	V16, V20, V20 \
	MOVBU	(SCI)(X14), X7 \
	VWMACCVX	V20, X7, V24 \
	VSRLVI	$(B+1), V12, V20 \
	VANDVI	$1, V20, V20 \
	VSLLVI	$4, V20, V20 \
	VSRLVI	$4, V4, V16 \
	VORVV	V16, V20, V20 \
	ADD	$(XO+32), X11, X6 \
	VLE8V	(X6), V8 \
	VSEXTVF2	V8, V16 \
	VMULVV	V16, V20, V20 \
	MOVBU	(SCI+1)(X14), X7 \
	VWMACCVX	V20, X7, V24

// func q5_KSumsRVV(w *byte, q *int8, sc *uint8, n int, out *int32)
TEXT ·q5_KSumsRVV(SB), NOSPLIT, $0-40
	MOV	w+0(FP), X10
	MOV	q+8(FP), X11
	MOV	sc+16(FP), X14
	MOV	n+24(FP), X12
	MOV	out+32(FP), X13
	MOV	$32, X5
	ZERO_V1
	BEQZ	X12, q5kdone
q5kloop:
	VSETVLI	X5, E32, M8, TA, MA, X0
	VMVVI	$0, V24
	VSETVLI	X5, E16, M4, TA, MA, X0
	Q5SUB(48, 0, 0, 0)
	Q5SUB(80, 2, 64, 2)
	Q5SUB(112, 4, 128, 4)
	Q5SUB(144, 6, 192, 6)
	VSETVLI	X5, E32, M8, TA, MA, X0
	VREDSUMVS	V1, V24, V2
	VMVXS	V2, X7
	MOVW	X7, (X13)
	ADD	$176, X10
	ADD	$256, X11
	ADD	$8, X14
	ADD	$4, X13
	SUB	$1, X12
	BNEZ	X12, q5kloop
q5kdone:
	RET

// Q2_K, group (n, j, h) with the 16 bytes of qs already widened in V4: values
// (V4 >> SH) & 3, x at XO, scale blk[SCI] & 15. SEW=16, vl=16; ACC V16 (e32 m4).
#define Q2J(SH, XO, SCI) \
	VSRLVI	$(SH), V4, V10 \
	VANDVI	$3, V10, V10 \
	ADD	$(XO), X11, X6 \
	VLE8V	(X6), V25 \
	VSEXTVF2	V25, V12 \
	VMULVV	V12, V10, V10 \
	MOVBU	(SCI)(X10), X7 \
	AND	$15, X7 \
	VWMACCVX	V10, X7, V16

#define Q2NH(QS, XO, SCI) \
	ADD	$QS, X10, X6 \
	VLE8V	(X6), V2 \
	VZEXTVF2	V2, V4 \
	Q2J(0, XO, SCI) \
	Q2J(2, XO+32, SCI+2) \
	Q2J(4, XO+64, SCI+4) \
	Q2J(6, XO+96, SCI+6)

// func q2_KSumsRVV(w *byte, q *int8, n int, out *int32)
// out[b] = Σ_g (scale_g & 15)·Σ q·x, the sq of dotQ2_KQ8KGeneric.
TEXT ·q2_KSumsRVV(SB), NOSPLIT, $0-32
	MOV	w+0(FP), X10
	MOV	q+8(FP), X11
	MOV	n+16(FP), X12
	MOV	out+24(FP), X13
	ZERO_V1
	BEQZ	X12, q2done
q2loop:
	VSETIVLI	$16, E32, M4, TA, MA, X0
	VMVVI	$0, V16
	VSETIVLI	$16, E16, M2, TA, MA, X0
	Q2NH(16, 0, 0)
	Q2NH(32, 16, 1)
	Q2NH(48, 128, 8)
	Q2NH(64, 144, 9)
	VSETIVLI	$16, E32, M4, TA, MA, X0
	VREDSUMVS	V1, V16, V20
	VMVXS	V20, X7
	MOVW	X7, (X13)
	ADD	$84, X10
	ADD	$256, X11
	ADD	$4, X13
	SUB	$1, X12
	BNEZ	X12, q2loop
q2done:
	RET

// Q3_K, group (n, j, h) with qs widened in V4 and the high-bit mask in V6: values
// ((V4 >> SH) & 3 | ((V6 >> BIT) & 1) << 2) - 4, x at XO, int8 scale at X14+SCI.
#define Q3J(SH, BIT, XO, SCI) \
	VSRLVI	$(SH), V4, V10 \
	VANDVI	$3, V10, V10 \
	VSRLVI	$(BIT), V6, V12 \
	VANDVI	$1, V12, V12 \
	VSLLVI	$2, V12, V12 \
	VORVV	V12, V10, V10 \
	VADDVI	$-4, V10, V10 \
	ADD	$(XO), X11, X6 \
	VLE8V	(X6), V25 \
	VSEXTVF2	V25, V12 \
	VMULVV	V12, V10, V10 \
	MOVB	(SCI)(X14), X7 \
	VWMACCVX	V10, X7, V16

#define Q3NH(QS, HM, B, XO, SCI) \
	ADD	$QS, X10, X6 \
	VLE8V	(X6), V2 \
	VZEXTVF2	V2, V4 \
	ADD	$HM, X10, X6 \
	VLE8V	(X6), V3 \
	VZEXTVF2	V3, V6 \
	Q3J(0, B, XO, SCI) \
	Q3J(2, B+1, XO+32, SCI+2) \
	Q3J(4, B+2, XO+64, SCI+4) \
	Q3J(6, B+3, XO+96, SCI+6)

// func q3_KSumsRVV(w *byte, q *int8, sc *int8, n int, out *int32)
// out[b] = Σ_g sc[16b+g]·Σ q·x, the sq of dotQ3_KQ8KGeneric.
TEXT ·q3_KSumsRVV(SB), NOSPLIT, $0-40
	MOV	w+0(FP), X10
	MOV	q+8(FP), X11
	MOV	sc+16(FP), X14
	MOV	n+24(FP), X12
	MOV	out+32(FP), X13
	ZERO_V1
	BEQZ	X12, q3done
q3loop:
	VSETIVLI	$16, E32, M4, TA, MA, X0
	VMVVI	$0, V16
	VSETIVLI	$16, E16, M2, TA, MA, X0
	Q3NH(32, 0, 0, 0, 0)
	Q3NH(48, 16, 0, 16, 1)
	Q3NH(64, 0, 4, 128, 8)
	Q3NH(80, 16, 4, 144, 9)
	VSETIVLI	$16, E32, M4, TA, MA, X0
	VREDSUMVS	V1, V16, V20
	VMVXS	V20, X7
	MOVW	X7, (X13)
	ADD	$110, X10
	ADD	$256, X11
	ADD	$16, X14
	ADD	$4, X13
	SUB	$1, X12
	BNEZ	X12, q3loop
q3done:
	RET

// func rvvVLENB() int
TEXT ·rvvVLENB(SB), NOSPLIT, $0-8
	CSRRS	X0, VLENB, X5
	MOV	X5, ret+0(FP)
	RET
