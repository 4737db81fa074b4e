# With -cpu rv64 (none of Zimop, Zcmop, Zcb, Zawrs, Sscofpmf), their
# instructions and scountovf raise illegal-instruction with mtval = the
# instruction's bits (16 of them for the compressed ones: c.mop.n is a
# reserved c.lui xN, 0, the Zcb forms reserved quadrant 0 and 1 space),
# and leave the registers alone. pause (Zihintpause is in rv64) and the
# ntl hints (add x0 forms) stay legal.
#include "guest.h"
#include "trap_helpers.h"

	.option arch, +zawrs
GUEST_START
	INSTALL_RECORDERS
	li a0, OFF_MARK
	la a1, word
	CHECK_OFF(1, .word 0x81c5c573)  /* mop.r.0 a0, a1 */
	CHECK_OFF(2, .word 0xcdf5c573)  /* mop.r.31 a0, a1 */
	CHECK_OFF(3, .word 0x82c5c573)  /* mop.rr.0 a0, a1, a2 */
	CHECK_OFF(4, .word 0xcec5c573)  /* mop.rr.7 a0, a1, a2 */
	CHECK_OFF(5, .hword 0x6081)     /* c.mop.1 */
	CHECK_OFF(6, .hword 0x6781)     /* c.mop.15 */
	CHECK_OFF(7, .hword 0x81e8)     /* c.lbu a0, 3(a1) */
	CHECK_OFF(8, .hword 0x85a8)     /* c.lhu a0, 2(a1) */
	CHECK_OFF(9, .hword 0x85e8)     /* c.lh a0, 2(a1) */
	CHECK_OFF(10, .hword 0x89c8)    /* c.sb a0, 1(a1) */
	CHECK_OFF(11, .hword 0x8da8)    /* c.sh a0, 2(a1) */
	CHECK_OFF(12, .hword 0x9d61)    /* c.zext.b a0 */
	CHECK_OFF(13, .hword 0x9d65)    /* c.sext.b a0 */
	CHECK_OFF(14, .hword 0x9d69)    /* c.zext.h a0 */
	CHECK_OFF(15, .hword 0x9d6d)    /* c.sext.h a0 */
	CHECK_OFF(16, .hword 0x9d71)    /* c.zext.w a0 */
	CHECK_OFF(17, .hword 0x9d75)    /* c.not a0 */
	CHECK_OFF(18, .hword 0x9d4d)    /* c.mul a0, a1 */
	CHECK_OFF(19, wrs.nto)
	CHECK_OFF(20, wrs.sto)
	CHECK_OFF(21, csrr a0, scountovf)
	ld t0, 0(a1)
	CHECK_EQ(t0, 0x1122334455667788, 22) /* c.sb/c.sh stored nothing */
	/* legal: pause, ntl.* and c.ntl.* */
	TRY(.word 0x0100000f; .word 0x00200033; .word 0x00500033; .hword 0x900a; .hword 0x9016)
	CHECK_NO_TRAP(23)
	PASS
	TRAP_RECORDERS

	.data
	.align 3
word:	.dword 0x1122334455667788
GUEST_DATA
