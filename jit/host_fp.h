/*
 * The host's SSE exception flags (MXCSR bits 5:0, Intel SDM vol. 1,
 * 10.2.3). Translated F/D code leaves its IEEE exception flags there rather
 * than in h->fflags; the dispatcher moves them into fflags when software
 * can see them and clears them between harts that share a host thread.
 */
#ifndef RVJIT_HOST_FP_H
#define RVJIT_HOST_FP_H

#include <stdint.h>

enum {
	MXCSR_IE = 1u << 0, /* invalid operation */
	MXCSR_DE = 1u << 1, /* denormal operand: x86 only, no RISC-V flag */
	MXCSR_ZE = 1u << 2, /* divide by zero */
	MXCSR_OE = 1u << 3, /* overflow */
	MXCSR_UE = 1u << 4, /* underflow */
	MXCSR_PE = 1u << 5, /* precision (inexact) */
	MXCSR_FLAGS = 0x3fu,
};

static inline uint32_t host_mxcsr_read(void)
{
	uint32_t csr;
	__asm__ volatile("stmxcsr %0" : "=m"(csr));
	return csr;
}

static inline void host_mxcsr_write(uint32_t csr)
{
	__asm__ volatile("ldmxcsr %0" : : "m"(csr));
}

static inline void host_fp_flags_clear(void)
{
	host_mxcsr_write(host_mxcsr_read() & ~MXCSR_FLAGS);
}

#endif
