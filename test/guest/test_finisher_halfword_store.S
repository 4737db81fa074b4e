# expect-exit: 0
# OpenSBI powers off with a 16-bit store to the test finisher (sifive_test
# takes 2- and 4-byte writes, as in QEMU); a byte store there is a store
# access fault. The pass write below is the program's only way to exit 0.
#include "guest.h"
GUEST_START
	la t0, expect_fault
	csrw mtvec, t0
	li t1, TEST_FINISHER
	li t2, 0x55
	sb t2, 0(t1)            /* must fault: cause 7 */
	FAIL(2)
	.align 2
expect_fault:
	csrr t3, mcause
	CHECK_EQ(t3, 7, 3)
	csrr t3, mtval
	li t4, TEST_FINISHER
	CHECK_EQ(t3, TEST_FINISHER, 4)
	la t0, guest_unexpected_trap
	csrw mtvec, t0
	li t1, TEST_FINISHER
	li t2, 0x5555
	sh t2, 0(t1)            /* poweroff, status 0 */
	FAIL(5)
GUEST_DATA
