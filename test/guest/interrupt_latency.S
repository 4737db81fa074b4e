# Interrupts reach a hart that spins in chained blocks (priv 3.1.9): a
# tight loop whose blocks jump to each other on one page must still take
# a CLINT timer interrupt (the handler sets a flag the loop waits for),
# and a software interrupt the loop raises itself (msip) must be taken
# within a couple of iterations.
#include "guest.h"
#include "trap_helpers.h"
#define MSIP0 (CLINT + 0x0)
#define MTIMECMP0 (CLINT + 0x4000)
#define MTIME (CLINT + 0xbff8)
#define MIP_MSIP 0x8
#define MIP_MTIP 0x80
#define LOOP_LIMIT 400000000 /* fail instead of spinning forever */
GUEST_START
	la t0, handler
	csrw mtvec, t0
	li s1, 0              /* the flag: mcause of the interrupt taken */
	li s3, CLINT

	/* 1. Timer: due 1000 ticks (100 us) from now. */
	li t0, MTIME
	ld t1, 0(t0)
	addi t1, t1, 1000
	li t0, MTIMECMP0
	sd t1, 0(t0)
	li t0, MIP_MTIP
	csrw mie, t0
	csrsi mstatus, MSTATUS_MIE_BIT
	li t1, 0
	li t2, LOOP_LIMIT
1:	addi t1, t1, 1
	bgeu t1, t2, timeout
	beqz s1, 1b
	csrci mstatus, MSTATUS_MIE_BIT
	li t0, (1 << 63) | 7
	CHECK_REG(s1, t0, 2)

	/* 2. Software interrupt raised by the loop at iteration 100; it must
	 * be taken within two more iterations. */
	li s1, 0
	li t0, MIP_MSIP
	csrw mie, t0
	csrsi mstatus, MSTATUS_MIE_BIT
	li t1, 0
	li t2, LOOP_LIMIT
	li t3, 100
	li s2, -1
1:	addi t1, t1, 1
	bne t1, t3, 2f
	li t0, 1
	sw t0, 0(s3)          /* msip = 1 */
	mv s2, t1
2:	bgeu t1, t2, timeout
	beqz s1, 1b
	csrci mstatus, MSTATUS_MIE_BIT
	li t0, (1 << 63) | 3
	CHECK_REG(s1, t0, 3)
	sub t0, t1, s2
	li t2, 2
	bleu t0, t2, 3f
	FAIL(4)
3:
	/* 3. Both again, several times: the loops are hot by now. The
	 * software interrupt is raised at iteration 100 + 97 * round, so
	 * that it lands at different points of the quantum. Every iteration
	 * stores msip (1 at that iteration, else 0), so the store's block
	 * chains to the next one as any other does: an engine that runs on
	 * along chained blocks after the interrupt became pending clears it
	 * again and never takes it. */
	li s4, 0
4:	li s1, 0
	li t0, MTIME
	ld t1, 0(t0)
	addi t1, t1, 500
	li t0, MTIMECMP0
	sd t1, 0(t0)
	li t0, MIP_MTIP
	csrw mie, t0
	csrsi mstatus, MSTATUS_MIE_BIT
	li t1, 0
	li t2, LOOP_LIMIT
1:	addi t1, t1, 1
	bgeu t1, t2, timeout
	beqz s1, 1b
	csrci mstatus, MSTATUS_MIE_BIT
	li s1, 0
	li t0, MIP_MSIP
	csrw mie, t0
	csrsi mstatus, MSTATUS_MIE_BIT
	li t1, 0
	li t3, 97
	mul t3, t3, s4
	addi t3, t3, 100
	mv s2, t3
	addi t2, t3, 1000     /* lost: fail, not spin */
1:	addi t1, t1, 1
	sub t0, t1, t3
	seqz t0, t0
	sw t0, 0(s3)          /* msip = (t1 == t3) */
	bgeu t1, t2, timeout
	beqz s1, 1b
	csrci mstatus, MSTATUS_MIE_BIT
	sub t0, t1, s2
	li t2, 2
	bleu t0, t2, 3f
	FAIL(5)
3:	addi s4, s4, 1
	li t0, 10
	bne s4, t0, 4b
	PASS

timeout:
	FAIL(1)

	.align 2
handler: /* uses s1 (result), s5, s6 only */
	csrr s1, mcause
	bgez s1, unexpected
	andi s6, s1, 0xff
	li s5, 7
	bne s6, s5, 1f
	/* Timer: push mtimecmp to the end of time. */
	li s5, MTIMECMP0
	li s6, -1
	sd s6, 0(s5)
	mret
1:	li s5, MSIP0
	sw zero, 0(s5)
	mret
unexpected:
	andi a0, s1, 0xff
	addi a0, a0, 1000
	j guest_exit
GUEST_DATA
