/*
 * Host CPU features (model in host_cpu.h), from CPUID (Intel SDM vol. 2,
 * CPUID; AMD APM vol. 3, appendix E):
 *   leaf 1, ECX bit 23          POPCNT
 *   leaf 1, ECX bits 12, 27, 28 FMA, OSXSAVE, AVX; then XGETBV(0) bits
 *                               1-2 (the OS saves SSE and AVX state),
 *                               without which VEX-encoded vector
 *                               instructions fault
 *   leaf 7/0, EBX bits 3, 8     BMI1, BMI2 (VEX-encoded, but on general
 *                               registers: they need no AVX state)
 *   leaf 0x80000001, ECX bit 5  LZCNT (AMD: ABM)
 */
#include "host_cpu.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

unsigned host_cpu_detect(void)
{
	unsigned features = 0;
#if defined(__x86_64__)
	unsigned a, b, c, d;
	if (__get_cpuid(1, &a, &b, &c, &d)) {
		if (c & (1u << 23))
			features |= HOST_POPCNT;
		const unsigned fma_osxsave_avx = 1u << 12 | 1u << 27 | 1u << 28;
		if ((c & fma_osxsave_avx) == fma_osxsave_avx) {
			unsigned lo, hi;
			__asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
			if ((lo & 6) == 6)
				features |= HOST_FMA;
		}
	}
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
		if (b & (1u << 3))
			features |= HOST_BMI1;
		if (b & (1u << 8))
			features |= HOST_BMI2;
	}
	if (__get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 5)))
		features |= HOST_LZCNT;
#endif
	return features;
}

static const struct {
	const char *name;
	unsigned bit;
} feature_names[] = {
    {"popcnt", HOST_POPCNT}, {"lzcnt", HOST_LZCNT}, {"bmi1", HOST_BMI1},
    {"bmi2", HOST_BMI2},     {"fma", HOST_FMA},
};

bool host_features_allowed(const char *spec, unsigned detected, unsigned *out)
{
	if (!spec || !strcmp(spec, "all")) {
		*out = detected;
		return true;
	}
	if (!strcmp(spec, "none")) {
		*out = 0;
		return true;
	}
	unsigned allowed = 0;
	const char *p = spec;
	for (;;) {
		const size_t len = strcspn(p, ",");
		size_t i = 0;
		for (; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
			if (strlen(feature_names[i].name) == len &&
			    !strncmp(p, feature_names[i].name, len))
				break;
		if (i == sizeof(feature_names) / sizeof(feature_names[0]))
			return false;
		allowed |= feature_names[i].bit;
		if (!p[len])
			break;
		p += len + 1;
	}
	*out = detected & allowed;
	return true;
}

bool host_cpu_features(unsigned *out)
{
	const char *spec = getenv("RVJIT_HOST_FEATURES");
	if (host_features_allowed(spec, host_cpu_detect(), out))
		return true;
	fprintf(stderr,
		"rvjit: RVJIT_HOST_FEATURES=%s: expected all, none or a comma-separated list of "
		"popcnt, lzcnt, bmi1, bmi2, fma\n",
		spec);
	return false;
}
