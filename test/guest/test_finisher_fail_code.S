# expect-exit: 7
# A 32-bit write of (code << 16) | 0x3333 to the test finisher (QEMU's
# sifive_test at 0x100000) ends the run with exit status `code`.
#include "guest.h"
GUEST_START
	li t0, TEST_FINISHER
	li t1, (7 << 16) | 0x3333
	sw t1, 0(t0)
	/* Not reached: fail through HTIF with another code. */
	li a0, 99
	j guest_exit
GUEST_DATA
