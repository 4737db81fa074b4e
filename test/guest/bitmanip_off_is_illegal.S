# With -cpu rv64 (RV64GC, none of Zba, Zbb, Zbc, Zbs, Zbkb, Zbkc, Zbkx,
# Zicond), every bit-manipulation instruction raises illegal-instruction
# with mtval = its bits, and the registers keep their values.
#include "guest.h"
#include "trap_helpers.h"

	.option arch, +zba, +zbb, +zbc, +zbs, +zbkb, +zbkc, +zbkx
GUEST_START
	INSTALL_RECORDERS
	li a0, OFF_MARK
	li a1, -1
	li a2, 3
	CHECK_OFF(1, sh1add a0, a1, a2)
	CHECK_OFF(2, sh2add a0, a1, a2)
	CHECK_OFF(3, sh3add a0, a1, a2)
	CHECK_OFF(4, add.uw a0, a1, a2)
	CHECK_OFF(5, sh1add.uw a0, a1, a2)
	CHECK_OFF(6, sh2add.uw a0, a1, a2)
	CHECK_OFF(7, sh3add.uw a0, a1, a2)
	CHECK_OFF(8, slli.uw a0, a1, 63)
	CHECK_OFF(9, andn a0, a1, a2)
	CHECK_OFF(10, orn a0, a1, a2)
	CHECK_OFF(11, xnor a0, a1, a2)
	CHECK_OFF(12, clz a0, a1)
	CHECK_OFF(13, clzw a0, a1)
	CHECK_OFF(14, ctz a0, a1)
	CHECK_OFF(15, ctzw a0, a1)
	CHECK_OFF(16, cpop a0, a1)
	CHECK_OFF(17, cpopw a0, a1)
	CHECK_OFF(18, max a0, a1, a2)
	CHECK_OFF(19, maxu a0, a1, a2)
	CHECK_OFF(20, min a0, a1, a2)
	CHECK_OFF(21, minu a0, a1, a2)
	CHECK_OFF(22, sext.b a0, a1)
	CHECK_OFF(23, sext.h a0, a1)
	CHECK_OFF(24, zext.h a0, a1)
	CHECK_OFF(25, rol a0, a1, a2)
	CHECK_OFF(26, rolw a0, a1, a2)
	CHECK_OFF(27, ror a0, a1, a2)
	CHECK_OFF(28, rori a0, a1, 63)
	CHECK_OFF(29, roriw a0, a1, 31)
	CHECK_OFF(30, rorw a0, a1, a2)
	CHECK_OFF(31, orc.b a0, a1)
	CHECK_OFF(32, rev8 a0, a1)
	CHECK_OFF(33, bclr a0, a1, a2)
	CHECK_OFF(34, bclri a0, a1, 63)
	CHECK_OFF(35, bext a0, a1, a2)
	CHECK_OFF(36, bexti a0, a1, 63)
	CHECK_OFF(37, binv a0, a1, a2)
	CHECK_OFF(38, binvi a0, a1, 63)
	CHECK_OFF(39, bset a0, a1, a2)
	CHECK_OFF(40, bseti a0, a1, 63)
	CHECK_OFF(41, clmul a0, a1, a2)
	CHECK_OFF(42, clmulh a0, a1, a2)
	CHECK_OFF(43, clmulr a0, a1, a2)
	CHECK_OFF(44, pack a0, a1, a2)
	CHECK_OFF(45, packh a0, a1, a2)
	CHECK_OFF(46, packw a0, a1, a2)
	CHECK_OFF(47, brev8 a0, a1)
	CHECK_OFF(48, xperm4 a0, a1, a2)
	CHECK_OFF(49, xperm8 a0, a1, a2)
	CHECK_OFF(50, .insn r 0x33, 5, 7, a0, a1, a2) /* czero.eqz */
	CHECK_OFF(51, .insn r 0x33, 7, 7, a0, a1, a2) /* czero.nez */
	PASS

TRAP_RECORDERS
GUEST_DATA
