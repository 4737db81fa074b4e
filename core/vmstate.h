/*
 * The machine state a snapshot carries (savevm/loadvm): a byte stream that
 * starts with a magic and a version, then named sections, each a tag of 8
 * bytes, a 64-bit length and the bytes. Fields are stored in the host's
 * byte order as they are in memory: the stream is rvjit's own (not QEMU's
 * migration format) and only this version of rvjit on an x86-64 host reads
 * it; the magic and version say so, and a load checks them and every
 * section's tag and length before it changes anything.
 *
 * core/vmstate.c writes and reads the harts, the virtual clock and RAM;
 * each device has a small save/load pair over the same stream (its
 * registers and internal state, never its configuration), and the board
 * (loader/virt.c) calls them in a fixed order.
 */
#ifndef RVJIT_VMSTATE_H
#define RVJIT_VMSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;

/* "RVJITVM" and a NUL; the version changes with any layout change. */
#define VMSTATE_MAGIC	"RVJITVM"
#define VMSTATE_VERSION 3u

struct vmstate_out {
	uint8_t *buf;
	size_t len, cap;
	size_t section; /* where the open section's length goes, 0: none */
	bool failed;	/* out of memory: the stream is unusable */
};

struct vmstate_in {
	const uint8_t *buf;
	size_t len, at;
	bool bad; /* a read ran past the end: the stream does not fit */
};

void vmstate_put(struct vmstate_out *o, const void *p, size_t n);
/* Read n bytes, or zeros (and set in->bad) past the end. */
void vmstate_get(struct vmstate_in *in, void *p, size_t n);

#define VMSTATE_PUT(o, field) vmstate_put((o), &(field), sizeof(field))
#define VMSTATE_GET(i, field) vmstate_get((i), &(field), sizeof(field))

/* A section: begin writes its tag (at most 8 characters), end its length. */
void vmstate_begin(struct vmstate_out *o, const char *tag);
void vmstate_end(struct vmstate_out *o);

/* The next section, which must be `tag`: *sec reads just its bytes. */
bool vmstate_section(struct vmstate_in *in, const char *tag, struct vmstate_in *sec);

/* Do two streams have the same header and the same sections (tags and
 * lengths, RAM's aside)? What a load checks against a save of the running
 * machine before it touches anything. err gets the reason. */
bool vmstate_same_layout(const struct vmstate_in *a, const struct vmstate_in *b, char *err,
			 size_t errlen);

/* The header and the machine's own sections: the virtual clock, each
 * hart's registers and CSRs, RAM (pages of zeros left out). The harts must
 * be parked. */
void vmstate_save_machine(struct machine *m, struct vmstate_out *o);
/* The same, back into m (layout already checked); the TLBs and the
 * translated code are dropped, the clock set to the saved time. */
void vmstate_load_machine(struct machine *m, struct vmstate_in *in);

#endif
