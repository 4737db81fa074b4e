/*
 * Which ISA extensions a machine has: the -cpu model and its properties
 * (QEMU's syntax), misa, and the device tree's riscv,isa strings, all from
 * one table (core/isa.def). Every hart of a machine has the same set, fixed
 * at start-up, so the decoder reads it without a lock and translated code
 * does not depend on it beyond what the decoder produced.
 */
#ifndef RVJIT_ISA_H
#define RVJIT_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum isa_flag {
	ISA_DEFAULT = 1 << 0,
	ISA_FIXED = 1 << 1,
	ISA_MISA = 1 << 2,
	ISA_NO_DT = 1 << 3,
};

enum isa_ext {
	ISA_NONE, /* never on: the empty second slot of an insn.def row's EXT() */
#define ISA_EXT(id, name, requires, flags) ISA_##id,
#include "isa.def"
#undef ISA_EXT
	ISA_COUNT
};
_Static_assert(ISA_COUNT <= 128, "struct isa holds 128 extensions");

struct isa {
	uint64_t on[2];
};

static inline bool isa_has(const struct isa *isa, enum isa_ext e)
{
	return (isa->on[e >> 6] >> (e & 63)) & 1;
}

static inline void isa_set(struct isa *isa, enum isa_ext e, bool on)
{
	const uint64_t bit = 1ULL << (e & 63);
	if (on)
		isa->on[e >> 6] |= bit;
	else
		isa->on[e >> 6] &= ~bit;
}

/* The extension called `name` (as in -cpu and the device tree), or
 * ISA_NONE. */
enum isa_ext isa_find(const char *name, size_t len);
const char *isa_name(enum isa_ext e);

/* -cpu rv64: the RV64GC machine rvjit always was. */
void isa_default(struct isa *isa);

/* Parse a -cpu argument ("rv64", "max", "rva22s64", each followed by
 * ",prop=on|off|true|false..."), in QEMU's syntax. Returns 0, or -1 with
 * one line in err naming what is wrong: an unknown model or property, a
 * value that is not a boolean, an extension that needs another that is
 * off, or a profile whose extensions rvjit does not all implement. */
int isa_parse_cpu(const char *arg, struct isa *isa, char *err, size_t errlen);

/* The models -cpu help lists, one per line with what each is. */
void isa_list_models(char *buf, size_t size);

/* misa: MXL=64, the single-letter extensions that are on, S and U. */
uint64_t isa_misa(const struct isa *isa);

/* riscv,isa: "rv64imafdc_zicsr_..." (canonical order). */
void isa_string(const struct isa *isa, char *buf, size_t size);

/* riscv,isa-extensions: the names of the extensions that are on, in
 * canonical order, each NUL-terminated (a device-tree stringlist).
 * Returns the bytes used; a list that does not fit is cut at a name. */
size_t isa_extension_list(const struct isa *isa, char *buf, size_t size);

#endif
