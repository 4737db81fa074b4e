# With -cpu rv64 (RV64GC, none of Zba, Zbb, Zbc, Zbs, Zbkb, Zbkc, Zbkx,
# Zicond), every bit-manipulation instruction raises illegal-instruction
# with mtval = its bits, and the registers keep their values.
#include "guest.h"
#include "trap_helpers.h"

#define OFF(n, ...)            \
	TRY(__VA_ARGS__);      \
	CHECK_ILLEGAL(n);      \
	CHECK_EQ(a0, 0x5a, n)

	.option arch, +zba, +zbb, +zbc, +zbs, +zbkb, +zbkc, +zbkx
GUEST_START
	INSTALL_RECORDERS
	li a0, 0x5a
	li a1, -1
	li a2, 3
	OFF(1, sh1add a0, a1, a2)
	OFF(2, sh2add a0, a1, a2)
	OFF(3, sh3add a0, a1, a2)
	OFF(4, add.uw a0, a1, a2)
	OFF(5, sh1add.uw a0, a1, a2)
	OFF(6, sh2add.uw a0, a1, a2)
	OFF(7, sh3add.uw a0, a1, a2)
	OFF(8, slli.uw a0, a1, 63)
	OFF(9, andn a0, a1, a2)
	OFF(10, orn a0, a1, a2)
	OFF(11, xnor a0, a1, a2)
	OFF(12, clz a0, a1)
	OFF(13, clzw a0, a1)
	OFF(14, ctz a0, a1)
	OFF(15, ctzw a0, a1)
	OFF(16, cpop a0, a1)
	OFF(17, cpopw a0, a1)
	OFF(18, max a0, a1, a2)
	OFF(19, maxu a0, a1, a2)
	OFF(20, min a0, a1, a2)
	OFF(21, minu a0, a1, a2)
	OFF(22, sext.b a0, a1)
	OFF(23, sext.h a0, a1)
	OFF(24, zext.h a0, a1)
	OFF(25, rol a0, a1, a2)
	OFF(26, rolw a0, a1, a2)
	OFF(27, ror a0, a1, a2)
	OFF(28, rori a0, a1, 63)
	OFF(29, roriw a0, a1, 31)
	OFF(30, rorw a0, a1, a2)
	OFF(31, orc.b a0, a1)
	OFF(32, rev8 a0, a1)
	OFF(33, bclr a0, a1, a2)
	OFF(34, bclri a0, a1, 63)
	OFF(35, bext a0, a1, a2)
	OFF(36, bexti a0, a1, 63)
	OFF(37, binv a0, a1, a2)
	OFF(38, binvi a0, a1, 63)
	OFF(39, bset a0, a1, a2)
	OFF(40, bseti a0, a1, 63)
	OFF(41, clmul a0, a1, a2)
	OFF(42, clmulh a0, a1, a2)
	OFF(43, clmulr a0, a1, a2)
	OFF(44, pack a0, a1, a2)
	OFF(45, packh a0, a1, a2)
	OFF(46, packw a0, a1, a2)
	OFF(47, brev8 a0, a1)
	OFF(48, xperm4 a0, a1, a2)
	OFF(49, xperm8 a0, a1, a2)
	OFF(50, .insn r 0x33, 5, 7, a0, a1, a2) /* czero.eqz */
	OFF(51, .insn r 0x33, 7, 7, a0, a1, a2) /* czero.nez */
	PASS

TRAP_RECORDERS
GUEST_DATA
