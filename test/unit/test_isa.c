/*
 * -cpu and the extension table (core/isa.c): models, properties, the
 * refusals, and what misa and the device tree's strings say.
 */
#include "core/isa.h"
#include <criterion/criterion.h>
#include <string.h>

TestSuite(isa, .timeout = 60);

static int parse(const char *arg, struct isa *isa, char *err)
{
	memset(isa, 0xa5, sizeof(*isa)); /* the parser must set every bit itself */
	err[0] = 0;
	return isa_parse_cpu(arg, isa, err, 256);
}

Test(isa, rv64_is_rv64gc)
{
	struct isa isa;
	char err[256], s[512];
	cr_assert_eq(parse("rv64", &isa, err), 0, "%s", err);
	isa_string(&isa, s, sizeof(s));
	/* RV64GC with Zicntr and Zihpm (always there) and the named
	 * features rvjit always has (isa.def's ISA_FIXED rows) */
	cr_assert_str_eq(s,
			 "rv64imafdc_zic64b_ziccamoa_ziccif_zicclsm_ziccrse_zicntr_zicsr_zifencei_"
			 "zihintpause_zihpm_za64rs_zkt_ssccptr_sscounterenw_sstc_sstvala_sstvecd");
	/* MXL=64, I M A F D C, S and U */
	const uint64_t want = (2ULL << 62) | 1 << ('i' - 'a') | 1 << ('m' - 'a') |
			      1 << ('a' - 'a') | 1 << ('f' - 'a') | 1 << ('d' - 'a') |
			      1 << ('c' - 'a') | 1 << ('s' - 'a') | 1 << ('u' - 'a');
	cr_assert_eq(isa_misa(&isa), want, "misa %#llx", (unsigned long long)isa_misa(&isa));
	struct isa dflt;
	isa_default(&dflt);
	cr_assert_eq(memcmp(&dflt, &isa, sizeof(isa)), 0);
}

Test(isa, properties_turn_extensions_off)
{
	struct isa isa;
	char err[256], s[512];
	cr_assert_eq(parse("rv64,d=off,f=false", &isa, err), 0, "%s", err);
	cr_assert(!isa_has(&isa, ISA_F) && !isa_has(&isa, ISA_D));
	cr_assert_eq(isa_misa(&isa) & (1 << ('f' - 'a') | 1 << ('d' - 'a')), 0);
	isa_string(&isa, s, sizeof(s));
	cr_assert(!strncmp(s, "rv64imac_", 9), "riscv,isa = %s", s);
	cr_assert_eq(parse("rv64,sv48=off", &isa, err), 0, "%s", err);
	cr_assert(isa_has(&isa, ISA_SV39) && !isa_has(&isa, ISA_SV48));
}

Test(isa, extension_list_is_a_stringlist_without_satp_modes)
{
	struct isa isa;
	char err[256], list[512];
	cr_assert_eq(parse("rv64", &isa, err), 0, "%s", err);
	const size_t n = isa_extension_list(&isa, list, sizeof(list));
	cr_assert(n > 0 && list[n - 1] == 0);
	bool saw_zicsr = false;
	for (size_t at = 0; at < n; at += strlen(list + at) + 1) {
		cr_assert(strncmp(list + at, "sv", 2), "%s is a satp mode", list + at);
		saw_zicsr |= !strcmp(list + at, "zicsr");
	}
	cr_assert(saw_zicsr);
	cr_assert_str_eq(list, "i", "the base comes first");
}

Test(isa, refusals_name_the_problem)
{
	struct isa isa;
	char err[256];
	cr_assert_eq(parse("pentium", &isa, err), -1);
	cr_assert_str_eq(err, "unable to find CPU model 'pentium'");
	cr_assert_eq(parse("rv64,zfoo=on", &isa, err), -1);
	cr_assert_str_eq(err, "can't apply global rv64-riscv-cpu.zfoo=on: Property "
			      "'rv64-riscv-cpu.zfoo' not found");
	cr_assert_eq(parse("rv64,m=maybe", &isa, err), -1);
	cr_assert_str_eq(err, "Parameter 'm' expects 'on' or 'off'");
	cr_assert_eq(parse("rv64,f=off", &isa, err), -1);
	cr_assert_str_eq(err, "-cpu rv64,f=off: extension 'd' requires 'f'");
	cr_assert_eq(parse("rv64,i=off", &isa, err), -1);
	cr_assert(strstr(err, "'i' cannot be turned off"), "%s", err);
}

Test(isa, max_has_every_extension)
{
	struct isa isa;
	char err[256];
	cr_assert_eq(parse("max", &isa, err), 0, "%s", err);
	for (int e = ISA_NONE + 1; e < ISA_COUNT; e++)
		cr_assert(isa_has(&isa, (enum isa_ext)e), "%s is off", isa_name((enum isa_ext)e));
	cr_assert(!isa_has(&isa, ISA_NONE));
	cr_assert_eq(isa_find("ZICSR", 5), ISA_ZICSR, "names are case-insensitive, as QEMU's");
}

/* A profile is offered only when every extension it requires is a row of
 * isa.def; otherwise the message names the first that is missing. */
Test(isa, profiles_are_complete_or_refused)
{
	struct isa isa;
	char err[256];
	static const char *const models[] = {"rva22u64", "rva22s64", "rva23u64", "rva23s64"};
	for (size_t i = 0; i < 4; i++) {
		const int rc = parse(models[i], &isa, err);
		if (rc == 0) {
			cr_assert(isa_has(&isa, ISA_M) && isa_has(&isa, ISA_ZICSR), "%s",
				  models[i]);
			continue;
		}
		cr_assert(strstr(err, "is not available") && strstr(err, "which rvjit does not"),
			  "%s: %s", models[i], err);
	}
	/* RVA23 needs the vector extension, which rvjit does not have. */
	cr_assert_eq(parse("rva23u64", &isa, err), -1);
}
