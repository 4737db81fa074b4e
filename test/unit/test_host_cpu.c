/*
 * RVJIT_HOST_FEATURES (jit/host_cpu.h): which of the host's optional
 * instructions the translator may use.
 */
#include "jit/host_cpu.h"

#include <criterion/criterion.h>

TestSuite(host_cpu, .timeout = 60);

static const unsigned everything = HOST_POPCNT | HOST_LZCNT | HOST_BMI1 | HOST_BMI2 | HOST_FMA;

Test(host_cpu, unset_or_all_uses_what_the_host_has)
{
	unsigned out = 12345;
	cr_assert(host_features_allowed(NULL, HOST_POPCNT | HOST_BMI2, &out));
	cr_assert_eq(out, HOST_POPCNT | HOST_BMI2);
	cr_assert(host_features_allowed("all", everything, &out));
	cr_assert_eq(out, everything);
}

Test(host_cpu, none_uses_nothing)
{
	unsigned out = 12345;
	cr_assert(host_features_allowed("none", everything, &out));
	cr_assert_eq(out, 0);
}

/* A list keeps what it names that the host also has: it cannot add one. */
Test(host_cpu, a_list_narrows_the_host_set)
{
	unsigned out = 0;
	cr_assert(host_features_allowed("popcnt,bmi2", everything, &out));
	cr_assert_eq(out, HOST_POPCNT | HOST_BMI2);
	cr_assert(host_features_allowed("lzcnt,bmi1,fma", HOST_BMI1, &out));
	cr_assert_eq(out, HOST_BMI1);
	cr_assert(host_features_allowed("popcnt", 0, &out));
	cr_assert_eq(out, 0);
}

Test(host_cpu, an_unknown_name_is_refused)
{
	unsigned out = 7;
	cr_assert_not(host_features_allowed("popcnt,avx9", everything, &out));
	cr_assert_not(host_features_allowed("", everything, &out));
	cr_assert_not(host_features_allowed("bmi1,", everything, &out));
	cr_assert_not(host_features_allowed("bmi", everything, &out));
	cr_assert_eq(out, 7, "left unchanged");
}

/* Detection can only report features this module knows. */
Test(host_cpu, detect_reports_known_bits_only)
{
	cr_assert_eq(host_cpu_detect() & ~everything, 0);
}
