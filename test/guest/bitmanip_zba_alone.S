# -cpu rv64,zba=on turns on Zba and nothing else: the address-generation
# instructions work, the other bit-manipulation extensions' instructions
# (including those Zbb shares with Zbkb, and Zbkc's clmul) stay illegal.
# args: -cpu rv64,zba=on
#include "guest.h"
#include "trap_helpers.h"

#define OFF(n, ...)            \
	TRY(__VA_ARGS__);      \
	CHECK_ILLEGAL(n)

	.option arch, +zba, +zbb, +zbc, +zbs, +zbkb, +zbkx
GUEST_START
	INSTALL_RECORDERS
	li a1, 0xffffffff00000003
	li a2, 1
	TRY(sh3add.uw a0, a1, a2)
	CHECK_NO_TRAP(1)
	CHECK_EQ(a0, 25, 2)
	TRY(slli.uw a0, a1, 32)
	CHECK_NO_TRAP(3)
	CHECK_EQ(a0, 0x300000000, 4)
	TRY(sh1add a0, a2, a2)
	CHECK_NO_TRAP(5)
	CHECK_EQ(a0, 3, 6)
	OFF(10, clz a0, a1)        /* Zbb */
	OFF(11, andn a0, a1, a2)   /* Zbb or Zbkb */
	OFF(12, rori a0, a1, 1)    /* Zbb or Zbkb */
	OFF(13, zext.h a0, a1)     /* Zbb, or Zbkb's packw */
	OFF(14, bset a0, a1, a2)   /* Zbs */
	OFF(15, clmul a0, a1, a2)  /* Zbc or Zbkc */
	OFF(16, pack a0, a1, a2)   /* Zbkb */
	OFF(17, xperm8 a0, a1, a2) /* Zbkx */
	OFF(18, .insn r 0x33, 5, 7, a0, a1, a2) /* czero.eqz: Zicond */
	PASS

TRAP_RECORDERS
GUEST_DATA
