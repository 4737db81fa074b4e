# expect-exit: 0
# args: -smp 4
# LR/SC across harts (unpriv chapter 8.2). Four harts add to a shared .d
# and a shared .w counter in constrained LR/SC retry loops (lr.aq/sc.rl,
# lr.aqrl/sc.aqrl): the totals are exact. An SC with no LR before it fails.
# And an SC fails once another hart's store to the reserved word was seen
# between the LR and the SC: hart 1 reserves the word and signals hart 2,
# which stores a different value and signals back; hart 1's SC must fail
# and leave hart 2's value. (rvjit, like QEMU, checks at the SC that the
# word still holds what the LR read, so a store of the same value would go
# unseen: hart 2 stores a different one.)
#include "litmus.h"

#define ITERS 300000 /* LR/SC increments per hart and counter */
#define ROUNDS 200   /* remote-store rounds, each of .d then .w */
#define W_START 0xfffff000
#define D_START 0xffffff00
#define D_SUM (ITERS * (LITMUS_HARTS * (LITMUS_HARTS + 1) / 2)) /* hart h adds h + 1 */
#define CANARY 0x5a5a5a5a

/* Hart 1's half of a round on the sz-wide word at s5: install A by LR/SC,
 * reserve A, let hart 2 store B, and then the SC must fail and leave B.
 * s0 = the round (what req and ack carry), s6 = &req, s7 = &ack. */
	.macro RESERVE_THEN_SC_AFTER_REMOTE_STORE sz
	slli s8, s0, 8
	addi s9, s8, 0xb2       /* B: what hart 2 stores */
	addi s8, s8, 0xa1       /* A */
1:	lr.\sz t0, (s5)
	sc.\sz t1, s8, (s5)
	bnez t1, 1b
	lr.\sz\().aq t0, (s5)
	bne t0, s8, lr_misread
	fence rw, w             /* the LR before the request */
	sd s0, 0(s6)
	call litmus_wake
	SPIN_UNTIL eq, ld, s7, s0
	fence r, rw             /* hart 2's store seen before the SC */
	addi t2, s8, 1
	sc.\sz t1, t2, (s5)
	beqz t1, sc_missed_remote_store
	l\sz t0, 0(s5)
	bne t0, s9, sc_failed_but_stored
	addi s0, s0, 1
	.endm

/* Hart 2's half: wait for the request, store B, acknowledge. */
	.macro STORE_INTO_RESERVATION sz
	slli s9, s0, 8
	addi s9, s9, 0xb2
	SPIN_UNTIL eq, ld, s6, s0
	fence r, rw
	s\sz s9, 0(s5)
	fence w, w              /* the store before the acknowledgement */
	sd s0, 0(s7)
	call litmus_wake
	addi s0, s0, 1
	.endm

	LITMUS_START
	/* No reservation since reset: SC fails and stores nothing. */
	la s0, sc_probe
	slli t0, tp, 6
	add s0, s0, t0
	li t1, 0x55
	sc.d t2, t1, (s0)
	beqz t2, sc_without_lr
	sc.w t2, t1, (s0)
	beqz t2, sc_without_lr
	ld t2, 0(s0)
	bnez t2, sc_without_lr_stored

	/* The counters. s4 counts this hart's failed SCs. */
	li s0, ITERS
	addi s1, tp, 1
	la s2, counter_d
	la s3, counter_w
	li s4, 0
1:	lr.d.aq t0, (s2)
	add t0, t0, s1
	sc.d.rl t1, t0, (s2)
	beqz t1, 2f
	addi s4, s4, 1
	j 1b
2:	lr.w.aqrl t0, (s3)
	addiw t0, t0, 1
	sc.w.aqrl t1, t0, (s3)
	beqz t1, 3f
	addi s4, s4, 1
	j 2b
3:	addi s0, s0, -1
	bnez s0, 1b
	la t0, sc_failures
	slli t1, tp, 3
	add t0, t0, t1
	sd s4, 0(t0)
	la t0, done
	li t1, 1
	amoadd.w.aqrl zero, t1, (t0)

	beqz tp, checker
	li t0, 3
	beq tp, t0, litmus_park
	/* Harts 1 and 2 hand the word back and forth once the counters are
	 * done, so that no other hart competes with them for host CPUs. */
	la a0, done
	li a1, LITMUS_HARTS
	li a2, LITMUS_WAIT_TICKS
	call litmus_wait_eq
	la s5, target
	la s6, req
	la s7, ack
	li s0, 1
	li t0, 1
	bne tp, t0, storer

reserver:
	RESERVE_THEN_SC_AFTER_REMOTE_STORE d
	RESERVE_THEN_SC_AFTER_REMOTE_STORE w
	li t0, 2 * ROUNDS
	bleu s0, t0, reserver
	la t0, rounds_done
	li t1, 1
	fence rw, w
	sw t1, 0(t0)
	j litmus_park

storer:
	STORE_INTO_RESERVATION d
	STORE_INTO_RESERVATION w
	li t0, 2 * ROUNDS
	bleu s0, t0, storer
	j litmus_park

checker:
	la a0, done
	li a1, LITMUS_HARTS
	li a2, LITMUS_WAIT_TICKS
	call litmus_wait_eq
	ld t0, 0(s2)
	CHECK_EQ(t0, D_START + D_SUM, 3)
	lwu t0, 0(s3)
	CHECK_EQ(t0, (W_START + ITERS * LITMUS_HARTS) & 0xffffffff, 4)
	lwu t0, 4(s3)
	CHECK_EQ(t0, CANARY, 5)
	la a0, rounds_done
	li a1, 1
	li a2, LITMUS_WAIT_TICKS
	call litmus_wait_eq
	LITMUS_PRINT "lrsc: failed SCs in the counter loops:"
	la s0, sc_failures
	li s1, 0
1:	LITMUS_PRINT " "
	ld a0, 0(s0)
	call litmus_put_dec
	addi s0, s0, 8
	addi s1, s1, 1
	li t0, LITMUS_HARTS
	bltu s1, t0, 1b
	LITMUS_PRINT "\n"
	call litmus_print_naps
	PASS

sc_without_lr:
	FAIL(1)
sc_without_lr_stored:
	FAIL(2)
lr_misread:
	FAIL(6)
sc_missed_remote_store:
	FAIL(7)
sc_failed_but_stored:
	FAIL(8)

	.data
	.balign 64
counter_d:
	.dword D_START
	.balign 64
counter_w:
	.word W_START, CANARY
	.balign 64
done:
	.word 0
	.balign 64
rounds_done:
	.word 0
	.balign 64
target:
	.dword 0
	.balign 64
req:
	.dword 0
	.balign 64
ack:
	.dword 0
	.balign 64
sc_probe:
	.zero 64 * LITMUS_HARTS
sc_failures:
	.zero 8 * LITMUS_HARTS
