/*
 * The outside oracle: rvgen programs (rvgen.h, generated with .oracle set)
 * run as bare-metal images in QEMU and in both of rvjit's engines, and
 * the final states they print compared.
 *   oracle_harness.S, oracle_print.c  the guest side (oracle_layout.h)
 *   oracle_image.c    a program + the harness -> an ELF image
 *   oracle_compare.c  parsing the printed states; the comparison, with the
 *                     known QEMU deviations it masks
 *   oracle_qemu.c     the driver: campaigns, replays, minimising
 */
#ifndef ORACLE_H
#define ORACLE_H

#include "rvgen.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define ORACLE_RAM_SIZE	  0x100000 /* the part of RAM an image fills, twice */
#define ORACLE_MAX_WORDS  8192	   /* changed memory words a state can hold */
#define ORACLE_SAVE_WORDS 73	   /* per hart: oracle_layout.h ORACLE_SV_* */

/* The harness, loaded from its ELF file into an image of the first MiB. */
bool oracle_harness_load(const char *path, uint8_t *ram, char *err, size_t errlen);

/* Write p as an ELF image at path, from the harness's image; false (and
 * errno) when the file cannot be written. The image's first MiB is kept
 * in `ram` for oracle_compare (the initial memory). */
bool oracle_image_write(const struct rvgen_program *p, const uint8_t *harness, uint8_t *ram,
			const char *path);

/* A machine's final state as its harness printed it. */
struct oracle_state {
	bool complete; /* begin and end seen */
	uint64_t save[RVGEN_MAX_HARTS][ORACLE_SAVE_WORDS];
	unsigned nwords;
	uint64_t word_pa[ORACLE_MAX_WORDS], word[ORACLE_MAX_WORDS];
};

/* Parse a machine's console output; false when it has no complete state. */
bool oracle_parse(const char *text, struct oracle_state *s);

/* Compare rvjit's state with QEMU's for program p (whose initial memory
 * is `ram`), the known deviations masked. Returns the number of
 * differences, each printed to out when not NULL. */
unsigned oracle_compare(const struct rvgen_program *p, const uint8_t *ram,
			const struct oracle_state *qemu, const struct oracle_state *rvjit,
			const char *engine, FILE *out);

#endif
