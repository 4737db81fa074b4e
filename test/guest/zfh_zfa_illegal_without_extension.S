# args: -cpu rv64
# With -cpu rv64 (RV64GC: no Zfh, Zfhmin or Zfa) every Zfh, Zfhmin and Zfa
# instruction raises illegal-instruction with mtval = its bits (priv
# 3.1.16), FS being Initial so that only the extension is missing.
# binutils 2.40 has no Zfa: those are .word, named in the comments.
#include "guest.h"
#include "trap_helpers.h"
GUEST_START
	INSTALL_RECORDERS
	li t0, MSTATUS_FS_BITS
	csrs mstatus, t0
	.option push
	.option arch, +zfh

	/* Zfhmin's part of Zfh */
	TRY(flh fa0, 0(sp))
	CHECK_ILLEGAL(1)
	TRY(fsh fa0, 0(sp))
	CHECK_ILLEGAL(2)
	TRY(fmv.x.h a0, fa1)
	CHECK_ILLEGAL(3)
	TRY(fmv.h.x fa0, a1)
	CHECK_ILLEGAL(4)
	TRY(fcvt.s.h fa0, fa1)
	CHECK_ILLEGAL(5)
	TRY(fcvt.h.d fa0, fa1)
	CHECK_ILLEGAL(6)
	/* the rest of Zfh */
	TRY(fadd.h fa0, fa1, fa2)
	CHECK_ILLEGAL(7)
	TRY(fmadd.h fa0, fa1, fa2, fa3)
	CHECK_ILLEGAL(8)
	TRY(fcvt.w.h a0, fa1)
	CHECK_ILLEGAL(9)
	TRY(fclass.h a0, fa1)
	CHECK_ILLEGAL(10)
	/* Zfa */
	TRY(.word 0xf0180553) /* fli.s fa0, 1.0 */
	CHECK_ILLEGAL(11)
	TRY(.word 0xf2108553) /* fli.d fa0, min */
	CHECK_ILLEGAL(12)
	TRY(.word 0x2ac5a553) /* fminm.d fa0, fa1, fa2 */
	CHECK_ILLEGAL(13)
	TRY(.word 0x4245b553) /* fround.d fa0, fa1, rup */
	CHECK_ILLEGAL(14)
	TRY(.word 0xc2859553) /* fcvtmod.w.d a0, fa1, rtz */
	CHECK_ILLEGAL(15)
	TRY(.word 0xa0c5d553) /* fltq.s a0, fa1, fa2 */
	CHECK_ILLEGAL(16)
	TRY(.word 0xa2c5c553) /* fleq.d a0, fa1, fa2 */
	CHECK_ILLEGAL(17)
	.option pop
	/* The F/D neighbours are still there. */
	TRY(fadd.d fa0, fa1, fa2; fle.d a0, fa1, fa2)
	CHECK_NO_TRAP(18)
	PASS
	TRAP_RECORDERS
GUEST_DATA
