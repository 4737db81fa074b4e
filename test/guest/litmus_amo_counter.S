# expect-exit: 0
# args: -smp 4
# AMOs are atomic across harts (unpriv chapter 8): four harts hammer shared
# words and no update is lost. Each amoadd.w takes a ticket (its old
# value), and no ticket may come twice; amoadd.d totals exactly; each hart
# toggles its own bit of a shared mask with amoor.d / amoand.d and must
# find its bit as it left it, whatever the others did to theirs. The .w
# counter wraps and must not carry into the word beside it; the .d one
# carries across bit 32. A plain ld/add/sd in place of any AMO fails here
# when the harts truly run in parallel (QEMU with MTTCG).
#include "litmus.h"

#define ITERS 500000 /* per hart */
#define TICKETS (ITERS * LITMUS_HARTS)
#define W_START 0xfffff000
#define D_START 0xffffff00
#define D_SUM (ITERS * (LITMUS_HARTS * (LITMUS_HARTS + 1) / 2)) /* hart h adds h + 1 */
#define MASK_OTHERS 0x5a00000000000000 /* bits no hart touches */
#define MASK_W_OTHERS 0x5a000000
#define CANARY 0x5a5a5a5a
#define ALL_HARTS ((1 << LITMUS_HARTS) - 1)

	.if TICKETS % 64
	.error "the final check reads the ticket bitmap by whole dwords"
	.endif

	LITMUS_START
	li s0, ITERS
	li s1, 1
	sll s1, s1, tp          /* s1 = this hart's bit */
	not s2, s1
	addi s3, tp, 1          /* s3 = what this hart adds to counter_d */
	la s4, counter_w
	la s5, counter_d
	la s6, mask_d
	la s7, ticket_seen
	li s8, W_START
	li s9, 1
	li s10, TICKETS
loop:
	/* A ticket: amoadd.w's old value, made 0-based. */
	amoadd.w t0, s9, (s4)
	subw t0, t0, s8
	bgeu t0, s10, bad_ticket
	srli t1, t0, 6
	slli t1, t1, 3
	add t1, t1, s7
	sll t2, s9, t0
	amoor.d.aqrl t3, t2, (t1)
	and t3, t3, t2
	bnez t3, duplicate_ticket

	amoadd.d.aq zero, s3, (s5)

	/* Our bit: clear before the amoor, set before the amoand. */
	amoor.d.rl t0, s1, (s6)
	and t0, t0, s1
	bnez t0, bit_already_set
	amoand.d t0, s2, (s6)
	and t0, t0, s1
	beqz t0, bit_lost

	addi s0, s0, -1
	bnez s0, loop

	la t0, mask_w
	amoor.w zero, s1, (t0)
	LITMUS_JOIN done
	fence rw, rw
	lwu t0, 0(s4)
	CHECK_EQ(t0, (W_START + TICKETS) & 0xffffffff, 5)
	lwu t0, 4(s4)
	CHECK_EQ(t0, CANARY, 6)
	ld t0, 0(s5)
	CHECK_EQ(t0, D_START + D_SUM, 7)
	ld t0, 0(s6)
	CHECK_EQ(t0, MASK_OTHERS, 8)
	la s0, mask_w
	lwu t0, 0(s0)
	CHECK_EQ(t0, MASK_W_OTHERS | ALL_HARTS, 9)
	lwu t0, 4(s0)
	CHECK_EQ(t0, CANARY, 10)
	/* Every ticket was taken once: the bitmap is full. */
	li t0, TICKETS / 8
	add t0, t0, s7
	li t2, -1
1:	ld t1, 0(s7)
	bne t1, t2, ticket_missing
	addi s7, s7, 8
	bltu s7, t0, 1b
	call litmus_print_naps
	PASS

bad_ticket:
	FAIL(1)
duplicate_ticket:
	FAIL(2)
bit_already_set:
	FAIL(3)
bit_lost:
	FAIL(4)
ticket_missing:
	FAIL(11)

	.data
	.balign 64
counter_w:
	.word W_START, CANARY
	.balign 64
counter_d:
	.dword D_START
	.balign 64
mask_d:
	.dword MASK_OTHERS
	.balign 64
mask_w:
	.word MASK_W_OTHERS, CANARY
	.balign 64
done:
	.word 0

	.bss
	.balign 64
ticket_seen: /* bit t: ticket t was taken */
	.zero TICKETS / 8
