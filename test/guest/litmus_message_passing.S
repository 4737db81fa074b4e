# expect-exit: 0
# args: -smp 4
# Message passing (the MP litmus shape of RVWMO, unpriv chapter 14): hart 0
# writes the data of round r, fence w,w, then the flag = r; hart 1 waits for
# the flag, fence r,r, and must read round r's data, never an older round's.
# Hart 1 acknowledges each round before hart 0 writes the next, so stale
# data could only come from the stores or the loads being reordered across
# the fences (or from an emulator serving a stale copy of memory).
#include "litmus.h"

#define ROUNDS 2000
#define WORDS 8      /* data dwords per round, over two cache lines */
#define STRIDE 16

/* Round r's word i: (r << 16) | (i << 8) | 0x5a */
#define DATA_TAG 0x5a

	LITMUS_START
	li s0, 1                /* s0 = round */
	la s1, data
	la s2, flag
	la s3, ack
	li s4, ROUNDS
	beqz tp, producer
	li t0, 1
	beq tp, t0, consumer
	j litmus_park

producer:
	slli s5, s0, 16
	ori s5, s5, DATA_TAG
	mv t0, s1
	li t1, 0
1:	slli t2, t1, 8
	or t2, t2, s5
	sd t2, 0(t0)
	addi t0, t0, STRIDE
	addi t1, t1, 1
	li t3, WORDS
	bltu t1, t3, 1b
	fence w, w
	sd s0, 0(s2)
	call litmus_wake
	SPIN_UNTIL eq, ld, s3, s0
	fence r, rw             /* hart 1 is done reading before we overwrite */
	addi s0, s0, 1
	bleu s0, s4, producer
	call litmus_print_naps
	PASS

consumer:
	/* The flag holds the previous round until it holds this one. */
	addi s6, s0, -1
	SPIN_UNTIL ne, ld, s2, s6
	bne t0, s0, flag_out_of_order
	fence r, r
	/* Read the words last-written first. */
	slli s5, s0, 16
	ori s5, s5, DATA_TAG
	li t1, WORDS - 1
	addi t0, s1, (WORDS - 1) * STRIDE
1:	ld t2, 0(t0)
	slli t3, t1, 8
	or t3, t3, s5
	bne t2, t3, stale_data
	addi t0, t0, -STRIDE
	addi t1, t1, -1
	bgez t1, 1b
	fence r, w              /* the reads before the acknowledgement */
	sd s0, 0(s3)
	call litmus_wake
	addi s0, s0, 1
	bleu s0, s4, consumer
	j litmus_park

stale_data:
	FAIL(1)
flag_out_of_order:
	FAIL(2)

	.data
	.balign 64
data:
	.zero WORDS * STRIDE
	.balign 64
flag:
	.dword 0
	.balign 64
ack:
	.dword 0
