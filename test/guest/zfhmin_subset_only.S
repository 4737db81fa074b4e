# args: -cpu rv64,zfhmin=on,zfa=on
# Zfhmin alone (unprivileged spec, chapter "Zfhmin"): FLH, FSH, FMV.X.H,
# FMV.H.X and the conversions between H and S or D work; the rest of Zfh
# is illegal, and so are Zfa's .h forms, which need Zfh ("Zfa": "if the Zfh
# extension is implemented"), while Zfa's .s and .d forms work.
#include "guest.h"
#include "trap_helpers.h"
GUEST_START
	INSTALL_RECORDERS
	li t0, MSTATUS_FS_BITS
	csrs mstatus, t0
	.option push
	.option arch, +zfh

	/* 1.5 = 0x3e00 through memory, a move and both conversions */
	li t0, 0x3e00
	sh t0, -2(sp)
	TRY(flh fa0, -2(sp); fcvt.d.h fa1, fa0; fcvt.h.d fa2, fa1; fmv.x.h a0, fa2)
	CHECK_NO_TRAP(1)
	CHECK_EQ(a0, 0x3e00, 2)
	fmv.x.d a1, fa1
	li t0, 0x3ff8000000000000 /* 1.5 */
	CHECK_REG(a1, t0, 3)
	TRY(fcvt.s.h fa3, fa0; fcvt.h.s fa4, fa3; fsh fa4, -4(sp); fmv.h.x fa5, a0)
	CHECK_NO_TRAP(4)
	lhu a2, -4(sp)
	CHECK_EQ(a2, 0x3e00, 5)
	fmv.x.d a3, fa5
	li t0, 0xffffffffffff3e00 /* boxed */
	CHECK_REG(a3, t0, 6)
	/* Zfh only */
	TRY(fadd.h fa0, fa1, fa2)
	CHECK_ILLEGAL(7)
	TRY(fcvt.h.w fa0, a1)
	CHECK_ILLEGAL(8)
	TRY(feq.h a0, fa1, fa2)
	CHECK_ILLEGAL(9)
	/* Zfa's .h forms need Zfh */
	TRY(.word 0xf4100553) /* fli.h fa0, -1.0 */
	CHECK_ILLEGAL(10)
	TRY(.word 0x2cc5a553) /* fminm.h fa0, fa1, fa2 */
	CHECK_ILLEGAL(11)
	TRY(.word 0xa4c5c553) /* fleq.h a0, fa1, fa2 */
	CHECK_ILLEGAL(12)
	/* ...its .s and .d forms do not */
	TRY(.word 0xf0180553; .word 0xa2c5d553) /* fli.s fa0, 1.0; fltq.d a0, fa1, fa2 */
	CHECK_NO_TRAP(13)
	.option pop
	PASS
	TRAP_RECORDERS
GUEST_DATA
