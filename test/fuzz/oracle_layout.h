/*
 * Where the oracle harness (oracle_harness.S) and the tool that builds its
 * images (oracle_image.c) meet in guest memory; included by both, so only
 * preprocessor definitions. Everything is below the scratch data at
 * 0x80010000, in the gap rvgen leaves (rvgen.h, "Guest memory").
 */
#ifndef ORACLE_LAYOUT_H
#define ORACLE_LAYOUT_H

/* Entry points: the boot code (at the start of RAM, where QEMU's
 * -bios none starts every hart), and the dump that a program's end jumps
 * to. */
#define ORACLE_ENTRY_PA 0x80000000
#define ORACLE_DUMP_PA	0x80000004

/* Each hart's initial state, written by the image builder. */
#define ORACLE_STATE_PA	    0x8000c000
#define ORACLE_STATE_STRIDE 0x400
#define ORACLE_ST_X	    0	/* x0..x31 */
#define ORACLE_ST_F	    256 /* f0..f31 */
#define ORACLE_ST_FRM	    512
#define ORACLE_ST_FS	    520 /* mstatus.FS as it starts */
#define ORACLE_ST_PC	    528
#define ORACLE_ST_NHARTS    536 /* in hart 0's entry */
/* Also in hart 0's: the memory the program may change, as (pa, size)
 * pairs, which the dump compares with the pristine copy. */
#define ORACLE_ST_NREGIONS 544
#define ORACLE_ST_REGIONS  552
#define ORACLE_MAX_REGIONS 12

/* Each hart's final state, written by the dump. */
#define ORACLE_SAVE_PA	   0x8000d000
#define ORACLE_SAVE_STRIDE 0x400
#define ORACLE_SV_X	   0
#define ORACLE_SV_F	   256
#define ORACLE_SV_FCSR	   512
#define ORACLE_SV_MSTATUS  520
#define ORACLE_SV_MSCRATCH 528
#define ORACLE_SV_MEPC	   536
#define ORACLE_SV_MCAUSE   544
#define ORACLE_SV_MTVAL	   552
#define ORACLE_SV_MIE	   560
#define ORACLE_SV_MIP	   568
#define ORACLE_SV_DONE	   576
#define ORACLE_SV_WORDS	   73 /* 8-byte words up to DONE */

/* Hart 0's stack while it prints. */
#define ORACLE_STACK_TOP 0x80010000

/* The image holds a second copy of its first MiB this far above it: the
 * dump prints the words of the program's memory that differ from it. */
#define ORACLE_PRISTINE_OFF 0x100000

/* QEMU virt's devices the harness and the oracle items touch. */
#define ORACLE_CLINT_PA	   0x2000000
#define ORACLE_MTIMECMP_PA 0x2004000
#define ORACLE_UART_PA	   0x10000000
#define ORACLE_FINISHER_PA 0x100000

#endif
