/*
 * The extension table, -cpu models and properties, and the ISA strings.
 *
 * Models, as QEMU names them: rv64 (the default; RV64GC as rvjit always
 * was), max (every extension rvjit implements), and the RVA profiles
 * (RISC-V Profiles, version 1.0: RVA22U64/RVA22S64, RVA23U64/RVA23S64).
 * A profile model is offered only when every extension it makes mandatory
 * is implemented here; otherwise -cpu names what is missing, rather than
 * start a machine that claims a profile it does not meet.
 */
#include "core/isa.h"
#include <stdio.h>
#include <string.h>

struct isa_row {
	const char *name;
	const char *requires;
	unsigned flags;
};

static const struct isa_row rows[ISA_COUNT] = {
    [ISA_NONE] = {"", "", 0},
#define ISA_EXT(id, name, requires, flags) [ISA_##id] = {name, requires, flags},
#include "isa.def"
#undef ISA_EXT
};

/* The mandatory extensions of each profile (Profiles 1.0, "RVA22U64
 * Mandatory Base/Extensions", and the S64 and RVA23 sections that add to
 * them). Names rvjit does not implement make the model unavailable. */
#define RVA22U64                                                                                   \
	"i m a f d c zicsr zicntr zihpm ziccif ziccrse ziccamoa zicclsm za64rs zihintpause zba "   \
	"zbb zbs zic64b zicbom zicbop zicboz zfhmin zkt"
#define RVA22S64_ADDS "zifencei sv39 svade ssccptr sstvecd sstvala sscounterenw svpbmt svinval"
#define RVA23U64_ADDS "v zvfhmin zvbb zvkt zihintntl zicond zimop zcmop zcb zfa zawrs supm"
#define RVA23S64_ADDS                                                                              \
	"svnapot sstc sscofpmf ssnpm ssu64xl h ssstateen shcounterenw shvstvala shtvala "          \
	"shvstvecd shvsatpa shgatpa"

static const struct {
	const char *model;
	const char *exts;
	const char *what;
} profiles[] = {
    {"rva22u64", RVA22U64, "RVA22U64 profile"},
    {"rva22s64", RVA22U64 " " RVA22S64_ADDS, "RVA22S64 profile"},
    {"rva23u64", RVA22U64 " " RVA23U64_ADDS, "RVA23U64 profile"},
    {"rva23s64", RVA22U64 " " RVA22S64_ADDS " " RVA23U64_ADDS " " RVA23S64_ADDS,
     "RVA23S64 profile"},
};

enum isa_ext isa_find(const char *name, size_t len)
{
	for (int e = ISA_NONE + 1; e < ISA_COUNT; e++)
		if (strlen(rows[e].name) == len && strncasecmp(rows[e].name, name, len) == 0)
			return (enum isa_ext)e;
	return ISA_NONE;
}

const char *isa_name(enum isa_ext e)
{
	return e < ISA_COUNT ? rows[e].name : "";
}

void isa_default(struct isa *isa)
{
	memset(isa, 0, sizeof(*isa));
	for (int e = ISA_NONE + 1; e < ISA_COUNT; e++)
		if (rows[e].flags & (ISA_DEFAULT | ISA_FIXED))
			isa_set(isa, (enum isa_ext)e, true);
}

static void isa_max(struct isa *isa)
{
	memset(isa, 0, sizeof(*isa));
	for (int e = ISA_NONE + 1; e < ISA_COUNT; e++)
		isa_set(isa, (enum isa_ext)e, true);
}

/* Turn on every extension named in the space-separated list; the first
 * name that is not implemented is copied to missing (empty if none). */
static void isa_add_list(struct isa *isa, const char *list, char *missing, size_t size)
{
	if (size)
		missing[0] = 0;
	for (const char *p = list; *p;) {
		const size_t n = strcspn(p, " ");
		const enum isa_ext e = isa_find(p, n);
		if (e != ISA_NONE)
			isa_set(isa, e, true);
		else if (size && !missing[0])
			snprintf(missing, size, "%.*s", (int)n, p);
		p += n;
		p += strspn(p, " ");
	}
}

static int parse_bool(const char *v, size_t n, bool *out)
{
	static const struct {
		const char *s;
		bool b;
	} words[] = {{"on", true},   {"true", true},   {"yes", true}, {"y", true},
		     {"off", false}, {"false", false}, {"no", false}, {"n", false}};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].s) == n && strncmp(words[i].s, v, n) == 0) {
			*out = words[i].b;
			return 0;
		}
	return -1;
}

/* Is every extension `e` requires on? Names the first one that is not. */
static const char *missing_requirement(const struct isa *isa, enum isa_ext e)
{
	static char name[32];
	for (const char *p = rows[e].requires; *p;) {
		const size_t n = strcspn(p, " ");
		const enum isa_ext r = isa_find(p, n);
		if (r == ISA_NONE || !isa_has(isa, r)) {
			snprintf(name, sizeof(name), "%.*s", (int)n, p);
			return name;
		}
		p += n;
		p += strspn(p, " ");
	}
	return NULL;
}

static int select_model(const char *model, size_t n, struct isa *isa, char *err, size_t errlen)
{
	if ((n == 4 && strncmp(model, "rv64", 4) == 0) || n == 0) {
		isa_default(isa);
		return 0;
	}
	if (n == 3 && strncmp(model, "max", 3) == 0) {
		isa_max(isa);
		return 0;
	}
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		if (strlen(profiles[i].model) != n || strncmp(profiles[i].model, model, n) != 0)
			continue;
		char missing[32];
		memset(isa, 0, sizeof(*isa));
		for (int e = ISA_NONE + 1; e < ISA_COUNT; e++)
			if (rows[e].flags & ISA_FIXED)
				isa_set(isa, (enum isa_ext)e, true);
		isa_add_list(isa, profiles[i].exts, missing, sizeof(missing));
		if (missing[0]) {
			snprintf(err, errlen,
				 "CPU model '%.*s' is not available: the %s needs %s, which rvjit "
				 "does not implement",
				 (int)n, model, profiles[i].what, missing);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "unable to find CPU model '%.*s'", (int)n, model);
	return -1;
}

int isa_parse_cpu(const char *arg, struct isa *isa, char *err, size_t errlen)
{
	const size_t model_len = strcspn(arg, ",");
	if (select_model(arg, model_len, isa, err, errlen))
		return -1;
	const char *model = arg;
	for (const char *p = arg + model_len; *p == ',';) {
		p++;
		const size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);
		/* QEMU's -cpu accepts "prop" alone for "prop=on" and "-prop" (old
		 * syntax) for off; rvjit takes only the documented prop=value. */
		const size_t name_len = eq ? (size_t)(eq - p) : n;
		const enum isa_ext e = isa_find(p, name_len);
		if (e == ISA_NONE) {
			snprintf(err, errlen,
				 "can't apply global rv64-riscv-cpu.%.*s: Property "
				 "'rv64-riscv-cpu.%.*s' not found",
				 (int)n, p, (int)name_len, p);
			return -1;
		}
		bool on;
		if (!eq || parse_bool(eq + 1, n - name_len - 1, &on)) {
			snprintf(err, errlen, "Parameter '%.*s' expects 'on' or 'off'",
				 (int)name_len, p);
			return -1;
		}
		if (!on && (rows[e].flags & ISA_FIXED)) {
			snprintf(err, errlen,
				 "-cpu %.*s: extension '%s' cannot be turned off in rvjit",
				 (int)model_len, model, rows[e].name);
			return -1;
		}
		isa_set(isa, e, on);
		p += n;
	}
	/* An extension that contains another turns it on, as QEMU does: the
	 * device tree then lists both (Zfhmin is a subset of Zfh). */
	if (isa_has(isa, ISA_ZFH))
		isa_set(isa, ISA_ZFHMIN, true);
	for (int e = ISA_NONE + 1; e < ISA_COUNT; e++) {
		if (!isa_has(isa, (enum isa_ext)e))
			continue;
		const char *need = missing_requirement(isa, (enum isa_ext)e);
		if (need) {
			snprintf(err, errlen, "-cpu %s: extension '%s' requires '%s'", arg,
				 rows[e].name, need);
			return -1;
		}
	}
	return 0;
}

void isa_list_models(char *buf, size_t size)
{
	size_t used = (size_t)snprintf(buf, size,
				       "Available CPUs:\n  rv64      RV64GC (the default)\n"
				       "  max       every extension rvjit implements\n");
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]) && used < size; i++) {
		struct isa probe;
		char missing[32];
		memset(&probe, 0, sizeof(probe));
		isa_add_list(&probe, profiles[i].exts, missing, sizeof(missing));
		used += (size_t)snprintf(buf + used, size - used, "  %-9s %s%s%s%s\n",
					 profiles[i].model, profiles[i].what,
					 missing[0] ? " (not available: needs " : "", missing,
					 missing[0] ? ")" : "");
	}
}

uint64_t isa_misa(const struct isa *isa)
{
	uint64_t misa = (2ULL << 62) | (1ULL << ('S' - 'A')) | (1ULL << ('U' - 'A'));
	for (int e = ISA_NONE + 1; e < ISA_COUNT; e++)
		if ((rows[e].flags & ISA_MISA) && isa_has(isa, (enum isa_ext)e))
			misa |= 1ULL << (rows[e].name[0] - 'a');
	return misa;
}

void isa_string(const struct isa *isa, char *buf, size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "rv64");
	for (int e = ISA_NONE + 1; e < ISA_COUNT && used < size; e++) {
		if (!isa_has(isa, (enum isa_ext)e) || (rows[e].flags & ISA_NO_DT))
			continue;
		const bool letter = rows[e].flags & ISA_MISA;
		used += (size_t)snprintf(buf + used, size - used, "%s%s", letter ? "" : "_",
					 rows[e].name);
	}
}

size_t isa_extension_list(const struct isa *isa, char *buf, size_t size)
{
	size_t used = 0;
	for (int e = ISA_NONE + 1; e < ISA_COUNT; e++) {
		if (!isa_has(isa, (enum isa_ext)e) || (rows[e].flags & ISA_NO_DT))
			continue;
		const size_t n = strlen(rows[e].name) + 1;
		if (used + n > size)
			break;
		memcpy(buf + used, rows[e].name, n);
		used += n;
	}
	return used;
}
