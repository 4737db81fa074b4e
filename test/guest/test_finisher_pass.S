# expect-exit: 0
# A write of 0x5555 to the test finisher ends the run with status 0. The
# program has no tohost symbol, so HTIF plays no part: a hang (timeout) or
# any other status is a failure.
#include "guest.h"
	.section .text.init
	.globl _start
_start:
	li t0, TEST_FINISHER
	li t1, 0x5555
	sw t1, 0(t0)
1:	j 1b
