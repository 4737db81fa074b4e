# host-run: icount_repeatable.sh
# Four harts race for tickets with amoadd.w; each folds the tickets it got
# into a hash, and hart 0 prints the four hashes: a fingerprint of how the
# harts interleaved. icount_repeatable.sh runs this twice with -icount and
# needs the same fingerprint both times (with a thread per hart it differs
# from run to run).
#include "litmus.h"

#define ITERS 20000 /* tickets per hart */

	LITMUS_START
	li s0, ITERS
	la s1, ticket
	li s2, 0                 /* hash */
	li s3, 31
	li s4, 1
1:	amoadd.w t0, s4, (s1)
	mul s2, s2, s3
	add s2, s2, t0
	addi s0, s0, -1
	bnez s0, 1b
	la t0, hashes
	slli t1, tp, 3
	add t0, t0, t1
	sd s2, 0(t0)
	LITMUS_JOIN done
	LITMUS_PRINT "interleaving"
	la s5, hashes
	li s6, LITMUS_HARTS
2:	LITMUS_PRINT " "
	ld a0, 0(s5)
	call litmus_put_dec
	addi s5, s5, 8
	addi s6, s6, -1
	bnez s6, 2b
	LITMUS_PRINT "\n"
	PASS

	.bss
	.balign 64
ticket:	.zero 4
done:	.zero 4
	.balign 64
hashes:	.zero 8 * LITMUS_HARTS
