/*
 * Checks shared by the C floating-point guest tests (fp_rounding_and_flags.c,
 * zfh_half_precision.c, zfa_additional_fp.c). Define FP_CHECK_NAME (the
 * word the failure report starts with) before including it, after guest.h.
 *
 * A failed check prints "<name> check <n>: got <x> want <y>" and exits with
 * code n; a wrong set of flags exits with n + 1000.
 */
#ifndef FP_CHECK_H
#define FP_CHECK_H

#include <stdint.h>

/* fflags, cleared for the next check. */
static inline unsigned take_flags(void)
{
	uint64_t f;
	__asm__ volatile("csrrw %0, fflags, zero" : "=r"(f));
	return (unsigned)f;
}

static inline void fail(int n, uint64_t got, uint64_t want)
{
	puts_uart(FP_CHECK_NAME " check ");
	print_hex((uint64_t)n);
	puts_uart(": got ");
	print_hex(got);
	puts_uart(" want ");
	print_hex(want);
	puts_uart("\n");
	guest_exit(n);
}

static inline void eq(int n, uint64_t got, uint64_t want)
{
	if (got != want)
		fail(n, got, want);
}

/* Result and the flags it raised (and only those). */
static inline void eqf(int n, uint64_t got, uint64_t want, unsigned flags)
{
	eq(n, got, want);
	unsigned f = take_flags();
	if (f != flags)
		fail(n + 1000, f, flags);
}

#endif
