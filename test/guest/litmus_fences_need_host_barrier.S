# host-run: fence_host_barrier.sh
# The fences of the litmus shapes that an x86-64 host does not keep by
# itself. x86-64 is TSO (SDM vol. 3A, 9.2.2): it keeps every order of
# RVWMO's fences (unpriv chapter 17) except a store before a later load,
# which only a full host barrier (mfence, or a locked instruction) keeps.
# So a test run on x86-64 cannot see a missing fence in shapes like
# message passing, and store buffering (litmus_store_buffering.S) sees it
# only when two harts race in the window: fence_host_barrier.sh instead
# reads the host code the translator made for the fences below (-d
# out_asm) and requires an mfence for each one that orders a store before
# a load. One hart, each fence between the store and the load it orders.
#include "guest.h"
	GUEST_START
	la s1, x
	la s2, y
	li s5, 1
	/* Store buffering (SB), hart 1's side. */
	sw s5, 0(s1)
	fence rw, rw
	lw s6, 0(s2)
	/* The same with only the order SB needs. */
	sw s5, 0(s2)
	fence w, r
	lw s7, 0(s1)
	/* Stores before loads and stores. */
	sw s6, 0(s1)
	fence w, rw
	lw s6, 0(s2)
	/* Orders x86-64 keeps without a barrier. */
	fence r, rw
	fence rw, w
	fence.tso
	CHECK_EQ(s6, 1, 1)
	CHECK_EQ(s7, 1, 2)
	PASS

	.data
x:	.word 0
y:	.word 0
	GUEST_DATA
