# expect-exit: 0
# args: -smp 4 -cpu max
# Zawrs in the loop it is made for (unprivileged spec, "Zawrs"): four harts
# pass a token around a ring; a hart waits for its turn with lr.w, and
# while the word is not its id, wrs.nto (odd rounds) or wrs.sto (even
# rounds) and lr.w again. wrs only stalls while the reservation is valid
# and the word unchanged, for a bounded time (rvjit: 100 us / 10 us with a
# thread per hart, none with harts taking turns on one thread), so every
# hand-over arrives. A plain counter increments under the token: none lost.
#include "litmus.h"

#define ROUNDS 500

	.option arch, +zawrs
	LITMUS_START
	li s0, ROUNDS
	la s1, turn
	la s2, counter
	addi s3, tp, 1
	andi s3, s3, LITMUS_HARTS - 1 /* the next hart's id */
loop:
	lr.w t0, (s1)
	beq t0, tp, mine
	andi t1, s0, 1
	beqz t1, 1f
	wrs.nto
	j loop
1:	wrs.sto
	j loop
mine:
	ld t0, 0(s2)
	addi t0, t0, 1
	sd t0, 0(s2)
	fence rw, w
	sw s3, 0(s1)
	addi s0, s0, -1
	bnez s0, loop

	LITMUS_JOIN done
	ld t0, 0(s2)
	CHECK_EQ(t0, ROUNDS * LITMUS_HARTS, 1)
	lw t0, 0(s1)
	CHECK_EQ(t0, 0, 2)
	PASS

	.data
	.align 3
turn:	.word 0
	.align 3
counter: .dword 0
done:	.word 0
