/*
 * -smp (cli/smp.c): QEMU 7.2's topology rules and its messages. Each row
 * is one -smp argument and what qemu-system-riscv64 -M virt makes of it
 * (checked side by side with QEMU 7.2; test/smp_topology.sh compares the
 * messages with a live QEMU when one is installed).
 */
#include "cli/smp.h"
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

TestSuite(smp, .timeout = 60);

/* Arrays, not pointers: Criterion runs each test in a new process. */
struct smp_accepted {
	char arg[40];
	unsigned cpus, maxcpus, sockets, cores, threads;
};

struct smp_refused {
	char arg[40];
	char error[160]; /* QEMU's message */
};

static int resolve(const char *arg, struct smp_topology *t, char *err, size_t errlen)
{
	struct smp_config c;
	memset(&c, 0, sizeof(c));
	if (smp_parse(&c, arg, err, errlen))
		return -1;
	return smp_resolve(&c, 512, t, err, errlen);
}

static const struct smp_accepted accepted[] = {
    {"", 1, 1, 1, 1, 1},
    {"4", 4, 4, 1, 4, 1}, /* cores preferred over sockets (QEMU >= 6.2) */
    {"cpus=64", 64, 64, 1, 64, 1},
    {"512", 512, 512, 1, 512, 1},
    {"8,sockets=2", 8, 8, 2, 4, 1},
    {"8,cores=2", 8, 8, 4, 2, 1},
    {"8,sockets=2,cores=2", 8, 8, 2, 2, 2}, /* threads last, from what remains */
    {"8,threads=2", 8, 8, 1, 4, 2},
    {"sockets=2,cores=2,threads=2", 8, 8, 2, 2, 2}, /* no cpus: the product */
    {"maxcpus=8", 8, 8, 1, 8, 1},
    {"4,maxcpus=8", 4, 8, 1, 8, 1}, /* no hotplug: only cpus start */
    {"cpus=2,sockets=4,maxcpus=8", 2, 8, 4, 2, 1},
    {"2,dies=1,clusters=1", 2, 2, 1, 2, 1},
    {"4,cpus=8", 8, 8, 1, 8, 1}, /* the last value wins */
    {"4,", 4, 4, 1, 4, 1},
    {"0x10", 16, 16, 1, 16, 1},
    {"+4", 4, 4, 1, 4, 1},
    {"4294967297", 1, 1, 1, 1, 1}, /* QEMU keeps an unsigned int */
};

static const struct smp_refused refused[] = {
    {"513", "Invalid SMP CPUs 513. The max CPUs supported by machine 'virt' is 512"},
    {"sockets=1,cores=600",
     "Invalid SMP CPUs 600. The max CPUs supported by machine 'virt' is 512"},
    {"-1", "Invalid SMP CPUs -1. The max CPUs supported by machine 'virt' is 512"},
    {"sockets=65536,cores=65536",
     "Invalid SMP CPUs 0. The min CPUs supported by machine 'virt' is 1"},
    {"cpus=4,sockets=3", "Invalid CPU topology: product of the hierarchy must match "
			 "maxcpus: sockets (3) * cores (1) * threads (1) != maxcpus (4)"},
    {"4,maxcpus=8,sockets=3",
     "Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (3) * "
     "cores (2) * threads (1) != maxcpus (8)"},
    {"8,sockets=9,cores=1",
     "Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (9) * "
     "cores (1) * threads (0) != maxcpus (8)"},
    {"4,sockets=2,cores=2,threads=2",
     "Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (2) * "
     "cores (2) * threads (2) != maxcpus (4)"},
    {"4,maxcpus=2", "Invalid CPU topology: maxcpus must be equal to or greater than "
		    "smp: sockets (1) * cores (2) * threads (1) == maxcpus (2) < "
		    "smp_cpus (4)"},
    {"8,dies=2", "dies not supported by this machine's CPU topology"},
    {"8,clusters=2", "clusters not supported by this machine's CPU topology"},
    {"abc", "Parameter 'smp.cpus' expects integer"},
    {"08", "Parameter 'smp.cpus' expects integer"},
    {"cpus=", "Parameter 'smp.cpus' expects integer"},
    {"4,maxcpus=x", "Parameter 'smp.maxcpus' expects integer"},
    {"4,foo=1", "Parameter 'smp.foo' is unexpected"},
    {"4,8", "-smp 4,8: Invalid parameter '8'"},
    {",4", "-smp ,4: Invalid parameter ''"},
    {"4,,sockets=2", "-smp 4,,sockets=2: Invalid parameter ''"},
    {"4,cpus", "-smp 4,cpus: Expected '=' after parameter 'cpus'"},
};

ParameterizedTestParameters(smp, accepted_topologies)
{
	return cr_make_param_array(struct smp_accepted, accepted,
				   sizeof(accepted) / sizeof(accepted[0]));
}

ParameterizedTest(const struct smp_accepted *row, smp, accepted_topologies)
{
	struct smp_topology t;
	char err[256] = "";
	cr_assert_eq(resolve(row->arg, &t, err, sizeof(err)), 0, "-smp %s: %s", row->arg, err);
	cr_expect_eq(t.cpus, row->cpus, "-smp %s: cpus %u", row->arg, t.cpus);
	cr_expect_eq(t.maxcpus, row->maxcpus, "-smp %s: maxcpus %u", row->arg, t.maxcpus);
	cr_expect_eq(t.sockets, row->sockets, "-smp %s: sockets %u", row->arg, t.sockets);
	cr_expect_eq(t.cores, row->cores, "-smp %s: cores %u", row->arg, t.cores);
	cr_expect_eq(t.threads, row->threads, "-smp %s: threads %u", row->arg, t.threads);
	cr_expect_not(t.zero_given);
}

ParameterizedTestParameters(smp, refused_with_qemus_message)
{
	return cr_make_param_array(struct smp_refused, refused,
				   sizeof(refused) / sizeof(refused[0]));
}

ParameterizedTest(const struct smp_refused *row, smp, refused_with_qemus_message)
{
	struct smp_topology t;
	char err[256] = "";
	cr_assert_eq(resolve(row->arg, &t, err, sizeof(err)), -1, "-smp %s accepted", row->arg);
	cr_expect_str_eq(err, row->error, "-smp %s", row->arg);
}

/* A key given as 0 counts as omitted, with QEMU's deprecation warning. */
Test(smp, zero_is_omitted_with_a_warning)
{
	struct smp_topology t;
	char err[256] = "";
	cr_assert_eq(resolve("4,sockets=0", &t, err, sizeof(err)), 0, "%s", err);
	cr_expect(t.zero_given);
	cr_expect_eq(t.cpus, 4);
	cr_expect_eq(t.cores, 4);
	cr_assert_eq(resolve("0", &t, err, sizeof(err)), 0, "%s", err);
	cr_expect(t.zero_given);
	cr_expect_eq(t.cpus, 1);
}

/* Several -smp options merge, as QEMU's: -smp 4 -smp sockets=2. */
Test(smp, options_merge)
{
	struct smp_config c;
	struct smp_topology t;
	char err[256] = "";
	memset(&c, 0, sizeof(c));
	cr_assert_eq(smp_parse(&c, "4", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(smp_parse(&c, "sockets=2", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(smp_resolve(&c, 512, &t, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(t.cpus, 4);
	cr_expect_eq(t.sockets, 2);
	cr_expect_eq(t.cores, 2);
}
