//go:build !noasm

#include "textflag.h"

// e^y for eight float32 y at a time, computed in float64 and rounded to float32 (VCVTPD2PS),
// as float32(math.Exp(float64(y))): n = round(y·log2 e), r = y − n·ln 2 in two FMA steps
// (|r| ≤ ln2/2), e^r by its Taylor series to r^11 (relative error below 1e−14, so that the
// rounding to float32 is nearly always exactly the portable code's), times 2^n. y is first
// clamped to [−104, 89], where float32(e^y) is already 0 or +Inf (VMAXPS and VMINPS with y
// as their second operand keep a NaN). The two halves of the eight values are interleaved,
// for the out-of-order core to overlap their dependency chains.
//
// expK<> holds float32 constants in eight lanes and float64 ones in four, 32 bytes apart:
//     0: sign mask (float32)
//    32: −104 (float32): below, float32(e^y) is 0
//    64: 89 (float32): above, float32(e^y) is +Inf
//    96: 1 (float32)
//   128: log2(e)
//   160: ln 2, high part (fdlibm's: n times it is exact)
//   192: ln 2, low part
//   224: 1/11!
//   256: 1/10!
//   288: 1/9!
//   320: 1/8!
//   352: 1/7!
//   384: 1/6!
//   416: 1/5!
//   448: 1/4!
//   480: 1/3!
//   512: 1/2!
//   544: 1/1!
//   576: 1/0!
//   608: 1023, the exponent bias (int64)

DATA expK<>+0(SB)/8, $0x8000000080000000
DATA expK<>+8(SB)/8, $0x8000000080000000
DATA expK<>+16(SB)/8, $0x8000000080000000
DATA expK<>+24(SB)/8, $0x8000000080000000
DATA expK<>+32(SB)/8, $0xc2d00000c2d00000
DATA expK<>+40(SB)/8, $0xc2d00000c2d00000
DATA expK<>+48(SB)/8, $0xc2d00000c2d00000
DATA expK<>+56(SB)/8, $0xc2d00000c2d00000
DATA expK<>+64(SB)/8, $0x42b2000042b20000
DATA expK<>+72(SB)/8, $0x42b2000042b20000
DATA expK<>+80(SB)/8, $0x42b2000042b20000
DATA expK<>+88(SB)/8, $0x42b2000042b20000
DATA expK<>+96(SB)/8, $0x3f8000003f800000
DATA expK<>+104(SB)/8, $0x3f8000003f800000
DATA expK<>+112(SB)/8, $0x3f8000003f800000
DATA expK<>+120(SB)/8, $0x3f8000003f800000
DATA expK<>+128(SB)/8, $0x3ff71547652b82fe
DATA expK<>+136(SB)/8, $0x3ff71547652b82fe
DATA expK<>+144(SB)/8, $0x3ff71547652b82fe
DATA expK<>+152(SB)/8, $0x3ff71547652b82fe
DATA expK<>+160(SB)/8, $0x3fe62e42fee00000
DATA expK<>+168(SB)/8, $0x3fe62e42fee00000
DATA expK<>+176(SB)/8, $0x3fe62e42fee00000
DATA expK<>+184(SB)/8, $0x3fe62e42fee00000
DATA expK<>+192(SB)/8, $0x3dea39ef35793c76
DATA expK<>+200(SB)/8, $0x3dea39ef35793c76
DATA expK<>+208(SB)/8, $0x3dea39ef35793c76
DATA expK<>+216(SB)/8, $0x3dea39ef35793c76
DATA expK<>+224(SB)/8, $0x3e5ae64567f544e4
DATA expK<>+232(SB)/8, $0x3e5ae64567f544e4
DATA expK<>+240(SB)/8, $0x3e5ae64567f544e4
DATA expK<>+248(SB)/8, $0x3e5ae64567f544e4
DATA expK<>+256(SB)/8, $0x3e927e4fb7789f5c
DATA expK<>+264(SB)/8, $0x3e927e4fb7789f5c
DATA expK<>+272(SB)/8, $0x3e927e4fb7789f5c
DATA expK<>+280(SB)/8, $0x3e927e4fb7789f5c
DATA expK<>+288(SB)/8, $0x3ec71de3a556c734
DATA expK<>+296(SB)/8, $0x3ec71de3a556c734
DATA expK<>+304(SB)/8, $0x3ec71de3a556c734
DATA expK<>+312(SB)/8, $0x3ec71de3a556c734
DATA expK<>+320(SB)/8, $0x3efa01a01a01a01a
DATA expK<>+328(SB)/8, $0x3efa01a01a01a01a
DATA expK<>+336(SB)/8, $0x3efa01a01a01a01a
DATA expK<>+344(SB)/8, $0x3efa01a01a01a01a
DATA expK<>+352(SB)/8, $0x3f2a01a01a01a01a
DATA expK<>+360(SB)/8, $0x3f2a01a01a01a01a
DATA expK<>+368(SB)/8, $0x3f2a01a01a01a01a
DATA expK<>+376(SB)/8, $0x3f2a01a01a01a01a
DATA expK<>+384(SB)/8, $0x3f56c16c16c16c17
DATA expK<>+392(SB)/8, $0x3f56c16c16c16c17
DATA expK<>+400(SB)/8, $0x3f56c16c16c16c17
DATA expK<>+408(SB)/8, $0x3f56c16c16c16c17
DATA expK<>+416(SB)/8, $0x3f81111111111111
DATA expK<>+424(SB)/8, $0x3f81111111111111
DATA expK<>+432(SB)/8, $0x3f81111111111111
DATA expK<>+440(SB)/8, $0x3f81111111111111
DATA expK<>+448(SB)/8, $0x3fa5555555555555
DATA expK<>+456(SB)/8, $0x3fa5555555555555
DATA expK<>+464(SB)/8, $0x3fa5555555555555
DATA expK<>+472(SB)/8, $0x3fa5555555555555
DATA expK<>+480(SB)/8, $0x3fc5555555555555
DATA expK<>+488(SB)/8, $0x3fc5555555555555
DATA expK<>+496(SB)/8, $0x3fc5555555555555
DATA expK<>+504(SB)/8, $0x3fc5555555555555
DATA expK<>+512(SB)/8, $0x3fe0000000000000
DATA expK<>+520(SB)/8, $0x3fe0000000000000
DATA expK<>+528(SB)/8, $0x3fe0000000000000
DATA expK<>+536(SB)/8, $0x3fe0000000000000
DATA expK<>+544(SB)/8, $0x3ff0000000000000
DATA expK<>+552(SB)/8, $0x3ff0000000000000
DATA expK<>+560(SB)/8, $0x3ff0000000000000
DATA expK<>+568(SB)/8, $0x3ff0000000000000
DATA expK<>+576(SB)/8, $0x3ff0000000000000
DATA expK<>+584(SB)/8, $0x3ff0000000000000
DATA expK<>+592(SB)/8, $0x3ff0000000000000
DATA expK<>+600(SB)/8, $0x3ff0000000000000
DATA expK<>+608(SB)/8, $0x00000000000003ff
DATA expK<>+616(SB)/8, $0x00000000000003ff
DATA expK<>+624(SB)/8, $0x00000000000003ff
DATA expK<>+632(SB)/8, $0x00000000000003ff
GLOBL expK<>(SB), RODATA|NOPTR, $640

// EXP sets Y5 to float32(e^y) for the eight y in Y1, with AX at expK<>, −104 in Y13 and 89 in
// Y14. It changes Y1 to Y8.
#define EXP \
	VMAXPS Y1, Y13, Y1; \
	VMINPS Y1, Y14, Y1; \
	VEXTRACTF128 $1, Y1, X2; \
	VCVTPS2PD X1, Y3; \
	VCVTPS2PD X2, Y6; \
	VMULPD 128(AX), Y3, Y4; \
	VMULPD 128(AX), Y6, Y7; \
	VROUNDPD $0, Y4, Y4; \
	VROUNDPD $0, Y7, Y7; \
	VFNMADD231PD 160(AX), Y4, Y3; \
	VFNMADD231PD 160(AX), Y7, Y6; \
	VFNMADD231PD 192(AX), Y4, Y3; \
	VFNMADD231PD 192(AX), Y7, Y6; \
	VMOVUPD 224(AX), Y5; \
	VMOVUPD 224(AX), Y8; \
	VFMADD213PD 256(AX), Y3, Y5; \
	VFMADD213PD 256(AX), Y6, Y8; \
	VFMADD213PD 288(AX), Y3, Y5; \
	VFMADD213PD 288(AX), Y6, Y8; \
	VFMADD213PD 320(AX), Y3, Y5; \
	VFMADD213PD 320(AX), Y6, Y8; \
	VFMADD213PD 352(AX), Y3, Y5; \
	VFMADD213PD 352(AX), Y6, Y8; \
	VFMADD213PD 384(AX), Y3, Y5; \
	VFMADD213PD 384(AX), Y6, Y8; \
	VFMADD213PD 416(AX), Y3, Y5; \
	VFMADD213PD 416(AX), Y6, Y8; \
	VFMADD213PD 448(AX), Y3, Y5; \
	VFMADD213PD 448(AX), Y6, Y8; \
	VFMADD213PD 480(AX), Y3, Y5; \
	VFMADD213PD 480(AX), Y6, Y8; \
	VFMADD213PD 512(AX), Y3, Y5; \
	VFMADD213PD 512(AX), Y6, Y8; \
	VFMADD213PD 544(AX), Y3, Y5; \
	VFMADD213PD 544(AX), Y6, Y8; \
	VFMADD213PD 576(AX), Y3, Y5; \
	VFMADD213PD 576(AX), Y6, Y8; \
	VCVTPD2DQY Y4, X4; \
	VCVTPD2DQY Y7, X7; \
	VPMOVSXDQ X4, Y4; \
	VPMOVSXDQ X7, Y7; \
	VPADDQ 608(AX), Y4, Y4; \
	VPADDQ 608(AX), Y7, Y7; \
	VPSLLQ $52, Y4, Y4; \
	VPSLLQ $52, Y7, Y7; \
	VMULPD Y4, Y5, Y5; \
	VMULPD Y7, Y8, Y8; \
	VCVTPD2PSY Y5, X5; \
	VCVTPD2PSY Y8, X8; \
	VINSERTF128 $1, X8, Y5, Y5;

// SETUP loads AX, Y13 and Y14 for EXP.
#define SETUP \
	LEAQ expK<>(SB), AX; \
	VMOVUPS 32(AX), Y13; \
	VMOVUPS 64(AX), Y14

// func expAVX2(x *float32, n int)
// x[i] = float32(e^x[i]) for i < n; n is a positive multiple of 8.
TEXT ·expAVX2(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	SETUP

exploop:
	VMOVUPS (DI), Y1
	EXP
	VMOVUPS Y5, (DI)
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ exploop
	VZEROUPPER
	RET

// func swigluAVX2(gate *float32, up *float32, n int)
// gate[i] = gate[i]/(1 + float32(e^−gate[i]))·up[i] for i < n, each operation rounded to
// float32 as the portable loop's; n is a positive multiple of 8.
TEXT ·swigluAVX2(SB), NOSPLIT, $0-24
	MOVQ gate+0(FP), DI
	MOVQ up+8(FP), SI
	MOVQ n+16(FP), CX
	SETUP

swigluloop:
	VMOVUPS (DI), Y0
	VXORPS 0(AX), Y0, Y1 // −x
	EXP
	VADDPS 96(AX), Y5, Y5
	VDIVPS Y5, Y0, Y0
	VMULPS (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ swigluloop
	VZEROUPPER
	RET
