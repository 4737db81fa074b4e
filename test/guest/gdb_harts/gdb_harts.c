/*
 * Driven by test/gdb_harts.py through gdb-multiarch (not a guest_ test):
 * three harts (-smp 3) each call syscall() in an endless loop, as xv6's
 * harts enter syscall(), so `break syscall` is hit by all of them and gdb
 * steps one hart while the others sit at or near the same breakpoint.
 *
 * It has its own entry (not crt0.S, which is written for one hart): with
 * -bios none every hart starts at the ELF entry, here _start, which gives
 * each hart a stack of its own. It never exits; gdb kills it. Built with
 * -O0 so every statement is a line gdb can stop on.
 */
#include <stdint.h>

#define NHARTS	   3
#define STACK_SIZE 4096
#define STR(x)	   #x
#define XSTR(x)	   STR(x)

uint8_t stacks[NHARTS][STACK_SIZE] __attribute__((aligned(16)));
volatile uint64_t calls[NHARTS];
volatile uint64_t results[NHARTS];

/* Every hart: sp = the top of its stack, then hart_main(mhartid). A hart
 * beyond NHARTS parks in wfi. */
/* clang-format off */
__asm__(".section .text.init, \"ax\", @progbits\n"
	".globl _start\n"
	"_start:\n"
	"	csrr a0, mhartid\n"
	"	li t0, " XSTR(NHARTS) "\n"
	"	bgeu a0, t0, 2f\n"
	"	la sp, stacks\n"
	"	addi t1, a0, 1\n"
	"	li t0, " XSTR(STACK_SIZE) "\n"
	"	mul t1, t1, t0\n"
	"	add sp, sp, t1\n"
	"	call hart_main\n"
	"2:	wfi\n"
	"	j 2b\n"
	".text\n");
/* clang-format on */

/* The "system call handler" gdb breaks on. Each statement is its own
 * line, which gdb_harts.py names by the comment at its end. */
__attribute__((noinline)) uint64_t syscall(uint64_t hart, uint64_t num)
{
	uint64_t r = num * 2 + hart; /* line: body */
	calls[hart]++;		     /* line: count */
	return r;		     /* line: ret */
}

/* Work of a pseudo-random length, a different sequence on every hart, so
 * that which hart reaches the breakpoint first changes from call to call
 * (rvjit's round-robin would otherwise let hart 0 win every time). */
__attribute__((noinline)) void work(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	for (volatile uint64_t i = (*seed >> 33) % 2000; i; i--)
		;
}

__attribute__((noreturn)) void hart_main(uint64_t hart)
{
	uint64_t seed = hart + 1;
	for (uint64_t n = 0;; n++) {		     /* line: loop */
		work(&seed);			     /* line: work */
		const uint64_t r = syscall(hart, n); /* line: call */
		results[hart] = r;		     /* line: store */
	}
}
