/*
 * Small helpers for C guests that take interrupts in M-mode: the PLIC
 * registers of hart 0's M context (context 0), memset/memcpy for the code
 * gcc generates, and a decimal printer. Include after guest.h.
 */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include <stddef.h>
#include <stdint.h>

/* PLIC (RISC-V PLIC spec 1.0.0 memory map; QEMU virt). */
#define PLIC_PRIORITY(id)    (PLIC + 4 * (id))
#define PLIC_PENDING(id)     (PLIC + 0x1000 + 4 * ((id) / 32))
#define PLIC_ENABLE(ctx, id) (PLIC + 0x2000 + 0x80 * (ctx) + 4 * ((id) / 32))
#define PLIC_THRESHOLD(ctx)  (PLIC + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)	     (PLIC + 0x200004 + 0x1000 * (ctx))
#define PLIC_CTX_M0	     0 /* hart 0, M-mode */

#define MIP_MEIP	  (1UL << 11)
#define MIE_MEIE	  (1UL << 11)
#define MSTATUS_MIE	  (1UL << 3)
#define MCAUSE_M_EXTERNAL ((1UL << 63) | 11)

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline void plic_enable_m0(unsigned id, unsigned prio)
{
	mmio_write32(PLIC_PRIORITY(id), prio);
	mmio_write32(PLIC_ENABLE(PLIC_CTX_M0, id),
		     mmio_read32(PLIC_ENABLE(PLIC_CTX_M0, id)) | 1u << (id % 32));
	mmio_write32(PLIC_THRESHOLD(PLIC_CTX_M0), 0);
}

static inline uint32_t plic_claim_m0(void)
{
	return mmio_read32(PLIC_CLAIM(PLIC_CTX_M0));
}

static inline void plic_complete_m0(uint32_t id)
{
	mmio_write32(PLIC_CLAIM(PLIC_CTX_M0), id);
}

#define csr_set(name, v)   __asm__ volatile("csrs " #name ", %0" : : "r"((uint64_t)(v)))
#define csr_clear(name, v) __asm__ volatile("csrc " #name ", %0" : : "r"((uint64_t)(v)))

/*
 * Wait until *counter differs from `seen`, sleeping in wfi with interrupts
 * enabled. MIE is off between the test and the wfi, so an interrupt that
 * arrives in between keeps wfi from sleeping (wfi wakes on a pending
 * enabled interrupt whatever MIE says) and is taken once MIE is back on.
 */
static inline void wait_for_change(volatile unsigned *counter, unsigned seen)
{
	for (;;) {
		csr_clear(mstatus, MSTATUS_MIE);
		if (*counter != seen)
			break;
		__asm__ volatile("wfi");
		csr_set(mstatus, MSTATUS_MIE);
	}
	csr_set(mstatus, MSTATUS_MIE);
}

/* gcc may call these for struct copies and zeroing even when freestanding.
 * Weak, so two headers (or lib.c one day) can both provide them; the
 * volatile stores keep gcc from turning the loop back into a call. */
__attribute__((weak)) void *memset(void *dst, int c, size_t n)
{
	volatile uint8_t *d = dst;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

__attribute__((weak)) void *memcpy(void *dst, const void *src, size_t n)
{
	volatile uint8_t *d = dst;
	const uint8_t *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

static inline void print_dec(uint64_t v)
{
	char buf[24];
	int i = 0;
	do {
		buf[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i--)
		putchar_uart(buf[i]);
}

#endif
