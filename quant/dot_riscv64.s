//go:build !noasm

#include "textflag.h"

// RVV 1.0 float kernels, vector-length agnostic: each strip-mines the whole length with
// VSETVLI (e32, LMUL 4), multiplies and adds into the float32 lanes of V24 (tail
// undisturbed, so a short last strip keeps the other lanes' sums), and reduces V24 once at
// VLMAX. Only base V instructions are used: halves are converted with integer ops and one
// exact multiply (no Zvfh), E4M3 codes through an indexed load from their table.

// REDUCE sums V24's VLMAX lanes into F0 and stores it at ret.
#define REDUCE(ret) \
	VSETVLI	X0, E32, M4, TU, MU, X5 \
	VMVSX	X0, V1 \
	VFREDUSUMVS	V1, V24, V2 \
	VFMVFS	V2, F0 \
	MOVF	F0, ret

#define ZEROACC \
	VSETVLI	X0, E32, M4, TU, MU, X5 \
	VMVVI	$0, V24

// func dotF32RVV(a, b []float32) float32
// len(b) >= len(a).
TEXT ·dotF32RVV(SB), NOSPLIT, $0-52
	MOV	a_base+0(FP), X10
	MOV	a_len+8(FP), X12
	MOV	b_base+24(FP), X11
	ZEROACC
f32loop:
	BEQZ	X12, f32done
	VSETVLI	X12, E32, M4, TU, MU, X5
	VLE32V	(X10), V8
	VLE32V	(X11), V12
	VFMACCVV	V8, V12, V24
	SUB	X5, X12
	SLL	$2, X5
	ADD	X5, X10
	ADD	X5, X11
	JMP	f32loop
f32done:
	REDUCE(ret+48(FP))
	RET

// func dotF32LERVV(w []byte, x []float32) float32
// len(w) >= 4*len(x); w at any alignment: it is loaded as bytes.
TEXT ·dotF32LERVV(SB), NOSPLIT, $0-52
	MOV	w_base+0(FP), X10
	MOV	x_base+24(FP), X11
	MOV	x_len+32(FP), X12
	ZEROACC
f32leloop:
	BEQZ	X12, f32ledone
	VSETVLI	X12, E32, M4, TU, MU, X5
	SLL	$2, X5, X6
	VSETVLI	X6, E8, M4, TU, MU, X0 // 4·vl <= VLMAX at e8: exactly 4·vl bytes
	VLE8V	(X10), V8
	VSETVLI	X5, E32, M4, TU, MU, X0
	VLE32V	(X11), V12
	VFMACCVV	V8, V12, V24
	SUB	X5, X12
	ADD	X6, X10
	ADD	X6, X11
	JMP	f32leloop
f32ledone:
	REDUCE(ret+48(FP))
	RET

// func dotF16RVV(w []byte, x []float32) float32
// len(w) >= 2*len(x). A half h converts exactly as u = (h&0x7fff)<<13 read as a float32
// times 2^112 (normals and subnormals), or u | 0x7f800000 where h is Inf or NaN (the
// payload kept), with the sign bit put back.
TEXT ·dotF16RVV(SB), NOSPLIT, $0-52
	MOV	w_base+0(FP), X10
	MOV	x_base+24(FP), X11
	MOV	x_len+32(FP), X12
	MOV	$0x0FFFE000, X13 // 0x7fff << 13
	MOV	$0x0F7FFFFF, X14 // u above this: half exponent all ones
	MOV	$0x7F800000, X15
	MOV	$0x80000000, X17
	MOV	$0x77800000, X16 // 2^112
	FMVWX	X16, F1
	ZEROACC
f16loop:
	BEQZ	X12, f16done
	VSETVLI	X12, E32, M4, TU, MU, X5
	VLE16V	(X10), V2
	VZEXTVF2	V2, V4
	VSLLVI	$13, V4, V8
	VANDVX	X13, V8, V8
	VFMULVF	F1, V8, V12
	VMSGTUVX	X14, V8, V0
	VORVX	X15, V8, V0, V12
	VSLLVI	$16, V4, V16
	VANDVX	X17, V16, V16
	VORVV	V16, V12, V12
	VLE32V	(X11), V20
	VFMACCVV	V20, V12, V24
	SUB	X5, X12
	SLL	$1, X5, X6
	ADD	X6, X10
	SLL	$2, X5, X6
	ADD	X6, X11
	JMP	f16loop
f16done:
	REDUCE(ret+48(FP))
	RET

// func dotBF16RVV(w []byte, x []float32) float32
// len(w) >= 2*len(x).
TEXT ·dotBF16RVV(SB), NOSPLIT, $0-52
	MOV	w_base+0(FP), X10
	MOV	x_base+24(FP), X11
	MOV	x_len+32(FP), X12
	ZEROACC
bf16loop:
	BEQZ	X12, bf16done
	VSETVLI	X12, E32, M4, TU, MU, X5
	VLE16V	(X10), V2
	VZEXTVF2	V2, V4
	VSLLVI	$16, V4, V12
	VLE32V	(X11), V20
	VFMACCVV	V20, V12, V24
	SUB	X5, X12
	SLL	$1, X5, X6
	ADD	X6, X10
	SLL	$2, X5, X6
	ADD	X6, X11
	JMP	bf16loop
bf16done:
	REDUCE(ret+48(FP))
	RET

// func dotE4M3RVV(w []byte, x []float32, t *[256]float32) float32
// len(w) >= len(x); t is the code table.
TEXT ·dotE4M3RVV(SB), NOSPLIT, $0-60
	MOV	w_base+0(FP), X10
	MOV	x_base+24(FP), X11
	MOV	x_len+32(FP), X12
	MOV	t+48(FP), X13
	ZEROACC
e4m3loop:
	BEQZ	X12, e4m3done
	VSETVLI	X12, E32, M4, TU, MU, X5
	VLE8V	(X10), V2
	VZEXTVF4	V2, V4
	VSLLVI	$2, V4, V4
	VLUXEI32V	(X13), V4, V12
	VLE32V	(X11), V20
	VFMACCVV	V20, V12, V24
	SUB	X5, X12
	ADD	X5, X10
	SLL	$2, X5, X6
	ADD	X6, X11
	JMP	e4m3loop
e4m3done:
	REDUCE(ret+56(FP))
	RET
