/*
 * The host CPU's optional instructions the translator may emit, asked
 * once with CPUID when the translator is attached (jit_attach) and kept
 * in struct jit. Every emitter that uses one has a plain x86-64 sequence
 * for a host without it.
 *
 * RVJIT_HOST_FEATURES in the environment narrows the set, so tests can
 * run the plain sequences on any host: "none" uses none of them, a comma-
 * separated list of the names below uses those the host also has, unset
 * or "all" uses everything the host has.
 */
#ifndef RVJIT_HOST_CPU_H
#define RVJIT_HOST_CPU_H

#include <stdbool.h>

enum host_feature {
	HOST_POPCNT = 1u << 0, /* popcnt */
	HOST_LZCNT = 1u << 1,  /* lzcnt (AMD's ABM) */
	HOST_BMI1 = 1u << 2,   /* andn, tzcnt, ... */
	HOST_BMI2 = 1u << 3,   /* rorx, shrx, ... */
	HOST_FMA = 1u << 4,    /* FMA3, with the OS saving AVX state */
};

/* What the host has (CPUID; 0 on a host that is not x86-64). */
unsigned host_cpu_detect(void);

/* The subset of `detected` that spec (RVJIT_HOST_FEATURES's value, NULL
 * when unset) allows, in *out. False when spec names an unknown feature;
 * then *out is unchanged. */
bool host_features_allowed(const char *spec, unsigned detected, unsigned *out);

/* host_cpu_detect narrowed by RVJIT_HOST_FEATURES. False with a message
 * on stderr for a bad value. */
bool host_cpu_features(unsigned *out);

#endif
