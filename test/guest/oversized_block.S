# A block whose translation would outgrow the translator's code budget:
# a long run of SCs writing eight registers, enough to fill the
# translator's host registers, each SC with a slow path that writes them
# back and reloads them. The translator falls back
# to translating it plainly (every instruction through its exec function;
# test/CMakeLists.txt checks --stats reports one such block) and the
# results are the architectural ones.
#include "guest.h"
GUEST_START
	la a1, word
	li s0, 10
	li s4, 14
	li s7, 17
	lr.w a2, (a1)
	j big

	.align 12 /* the block starts a page and fills 64 instructions */
big:
	/* 64 SCs (a block's limit): the first holds the reservation and
	 * stores s0 (10), the others fail and write 1. Each writes one of eight
	 * registers and stores it, so those cached are dirty at every SC's
	 * slow path. */
	.rept 8
	.irp r, s0, s1, s2, s3, s4, s5, s6, s7
	sc.w \r, \r, (a1)
	.endr
	.endr
	/* (the next block) */
	lw t0, 0(a1)
	CHECK_EQ(t0, 10, 1)
	CHECK_EQ(s0, 1, 2)
	CHECK_EQ(s4, 1, 3)
	CHECK_EQ(s7, 1, 4)
	li a0, 0
	j guest_exit

	.data
	.align 3
word:	.word 7
GUEST_DATA
