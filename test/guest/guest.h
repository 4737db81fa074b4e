/* clang-format off */ /* assembler macros, which clang-format would mangle */
/*
 * Shared definitions for guest test programs. A test ends by writing to
 * HTIF `tohost`: (code << 1) | 1, code 0 = pass, so rvjit's exit status is
 * the number of the failed check.
 *
 * Assembly tests:
 *   #include "guest.h"
 *   GUEST_START            entry, stack, a trap vector that fails the test
 *   ... CHECK_EQ reg, value, n ...
 *   PASS
 *   GUEST_DATA             the tohost/fromhost mailbox
 */
#ifndef GUEST_H
#define GUEST_H

#define UART0 0x10000000
#define TEST_FINISHER 0x100000
#define CLINT 0x2000000
#define PLIC 0x0c000000

#ifdef __ASSEMBLER__

/* Unexpected traps fail with code 1000 + mcause (capped for exceptions). */
#define GUEST_START                                  \
	.section .text.init;                         \
	.globl _start;                               \
_start:                                              \
	la sp, __stack_top;                          \
	la t0, guest_unexpected_trap;                \
	csrw mtvec, t0;                              \
	j guest_main;                                \
	.align 2;                                    \
guest_unexpected_trap:                               \
	csrr a0, mcause;                             \
	andi a0, a0, 0xff;                           \
	addi a0, a0, 1000;                           \
	j guest_exit;                                \
	.globl guest_exit;                           \
guest_exit: /* a0 = code */                          \
	slli a0, a0, 1;                              \
	ori a0, a0, 1;                               \
	la t0, tohost;                               \
	sd a0, 0(t0);                                \
1:	j 1b;                                        \
guest_main:

#define PASS \
	li a0, 0; \
	j guest_exit

#define FAIL(n) \
	li a0, n; \
	j guest_exit

/* Fail with code n unless reg == value. Clobbers t6. */
#define CHECK_EQ(reg, value, n) \
	li t6, value;           \
	beq reg, t6, 8f;        \
	FAIL(n);                \
8:

#define GUEST_DATA                   \
	.section .tohost, "aw", @progbits; \
	.align 6;                    \
	.globl tohost;               \
tohost:	.dword 0;                    \
	.align 6;                    \
	.globl fromhost;             \
fromhost: .dword 0

#else /* C */

#include <stdint.h>

void guest_exit(int code) __attribute__((noreturn));
void putchar_uart(char c);
void puts_uart(const char *s);
void print_hex(uint64_t v);
#define CHECK(cond, n)                      \
	do {                                \
		if (!(cond))                \
			guest_exit(n);      \
	} while (0)

#define csr_read(name) ({ uint64_t v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" : : "r"((uint64_t)(v)))

#endif
#endif
