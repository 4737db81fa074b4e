/* clang-format off */ /* assembler macros, which clang-format would mangle */
/*
 * Page-table scaffolding for guest tests that translate (priv 4.3-4.6;
 * include after guest.h).
 *
 * The usual Sv39 layout, built by SV39_LINK_TABLES and switched on by
 * SV39_ON, keeps the code running after satp changes and leaves a window of
 * 4 KiB pages for the test to map:
 *   s0 = root:   root[2] maps 0x80000000.. (RAM: code, data, the tables) as
 *                an identity gigapage, RWX, A and D preset; root[1] -> level1
 *   s1 = level1: level1[0] -> level0
 *   s2 = level0: level0[i] maps VA 0x40000000 + i * 4096, as the test says
 * SV39_TABLES_DATA reserves the three tables in .data.
 */
#ifndef PAGING_H
#define PAGING_H

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80

#define SATP_SV39 (8 << 60)

/* reg = a PTE pointing at the physical address in reg. */
#define MAKE_PTE(reg, flags) \
	srli reg, reg, 12;   \
	slli reg, reg, 10;   \
	ori reg, reg, flags

/* Sets s0-s2 and fills in the layout above. Clobbers t0. */
#define SV39_LINK_TABLES                                                          \
	la s0, root;                                                              \
	la s1, level1;                                                            \
	la s2, level0;                                                            \
	li t0, (0x80000000 >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D; \
	sd t0, 2*8(s0);                                                           \
	mv t0, s1;                                                                \
	MAKE_PTE(t0, PTE_V);                                                      \
	sd t0, 1*8(s0);                                                           \
	mv t0, s2;                                                                \
	MAKE_PTE(t0, PTE_V);                                                      \
	sd t0, 0(s1)

/* satp = Sv39 with the root table at s0, then sfence.vma. Clobbers t0, t1. */
#define SV39_ON               \
	li t0, SATP_SV39;     \
	srli t1, s0, 12;      \
	or t0, t0, t1;        \
	csrw satp, t0;        \
	sfence.vma

/* The three tables, 4 KiB aligned; what follows stays 4 KiB aligned. */
#define SV39_TABLES_DATA     \
	.balign 4096;        \
root:	.skip 4096;          \
level1:	.skip 4096;          \
level0:	.skip 4096

#endif
