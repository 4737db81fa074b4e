# expect-exit: 0
# args: -smp 4
# Store buffering (the SB litmus shape of RVWMO, unpriv chapter 14) with
# full fences: hart 1 does x = 1; fence rw,rw; r1 = y while hart 2 does
# y = 1; fence rw,rw; r2 = x. r1 = r2 = 0 is forbidden: it needs a load to pass
# the store before it, which fence rw,rw rules out (an x86 host does that
# without a fence: the emulator's fence must be a full host barrier). A
# barrier starts the two harts together each round; hart 1 checks the
# outcome and resets x and y. Hart 0 checks the count of rounds and
# prints how often each allowed outcome came: r1 = r2 = 1 only appears when
# the harts truly run at the same time.
#include "litmus.h"

#define ROUNDS 2000
#define R2_UNSET 7 /* r2_slot until hart 2 writes r2 */

	LITMUS_START
	la s1, x
	la s2, y
	la s3, r2_slot
	la s4, sb_barrier
	li s5, 1
	li s0, ROUNDS
	beqz tp, checker
	li t0, 1
	beq tp, t0, hart_x
	li t0, 2
	beq tp, t0, hart_y
	j litmus_park

hart_x:
	/* s8, s9, s10: rounds that saw r1,r2 = 0,1 / 1,0 / 1,1 */
	li s8, 0
	li s9, 0
	li s10, 0
1:	mv a0, s4
	li a1, 2
	call litmus_barrier
	sw s5, 0(s1)            /* x = 1 */
	fence rw, rw
	lw s6, 0(s2)            /* r1 = y */
	mv a0, s4
	li a1, 2
	call litmus_barrier
	lw s7, 0(s3)            /* r2, as hart 2 left it */
	or t0, s6, s7
	beqz t0, forbidden
	sltiu t0, s6, 2
	beqz t0, bad_value
	sltiu t0, s7, 2
	beqz t0, bad_value
	beqz s6, 2f
	beqz s7, 3f
	addi s10, s10, 1
	j 4f
2:	addi s8, s8, 1
	j 4f
3:	addi s9, s9, 1
4:	/* The next round's first barrier publishes these. */
	sw zero, 0(s1)
	sw zero, 0(s2)
	li t0, R2_UNSET
	sw t0, 0(s3)
	addi s0, s0, -1
	bnez s0, 1b
	la t0, outcomes
	sd s8, 0(t0)
	sd s9, 8(t0)
	sd s10, 16(t0)
	la t0, done
	fence rw, w
	sw s5, 0(t0)
	j litmus_park

hart_y:
1:	mv a0, s4
	li a1, 2
	call litmus_barrier
	sw s5, 0(s2)            /* y = 1 */
	fence rw, rw
	lw t0, 0(s1)            /* r2 = x */
	sw t0, 0(s3)
	mv a0, s4
	li a1, 2
	call litmus_barrier
	addi s0, s0, -1
	bnez s0, 1b
	j litmus_park

checker:
	la a0, done
	li a1, 1
	li a2, LITMUS_WAIT_TICKS
	call litmus_wait_eq
	la s0, outcomes
	LITMUS_PRINT "sb: r1,r2 = 0,1: "
	ld a0, 0(s0)
	call litmus_put_dec
	LITMUS_PRINT "  1,0: "
	ld a0, 8(s0)
	call litmus_put_dec
	LITMUS_PRINT "  1,1: "
	ld a0, 16(s0)
	call litmus_put_dec
	LITMUS_PRINT "\n"
	ld t0, 0(s0)
	ld t1, 8(s0)
	ld t2, 16(s0)
	add t0, t0, t1
	add t0, t0, t2
	CHECK_EQ(t0, ROUNDS, 3)
	call litmus_print_naps
	PASS

forbidden:
	FAIL(1)
bad_value:
	FAIL(2)

	.data
	.balign 64
x:
	.word 0
	.balign 64
y:
	.word 0
	.balign 64
r2_slot:
	.word R2_UNSET
	.balign 64
done:
	.word 0
	.balign 64
outcomes:
	.zero 24
	LITMUS_BARRIER sb_barrier
