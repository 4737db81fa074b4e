/*
 * -smp [cpus=]N[,maxcpus=M][,sockets=S][,dies=D][,clusters=C][,cores=C][,threads=T]:
 * QEMU 7.2's syntax and topology rules (hw/core/machine-smp.c) for the
 * virt board, which supports neither dies nor clusters.
 */
#ifndef RVJIT_SMP_H
#define RVJIT_SMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum smp_key {
	SMP_CPUS,
	SMP_MAXCPUS,
	SMP_SOCKETS,
	SMP_DIES,
	SMP_CLUSTERS,
	SMP_CORES,
	SMP_THREADS,
	SMP_KEYS
};

/* What the -smp options said. Several -smp options merge, a later key
 * replacing an earlier one (QEMU's merged option list). */
struct smp_config {
	bool has[SMP_KEYS];
	uint64_t val[SMP_KEYS];
};

/* The topology the rules give. QEMU's riscv virt board takes its sockets
 * from -numa nodes, not from here, so only cpus reaches the machine. */
struct smp_topology {
	unsigned cpus;	  /* harts created and started */
	unsigned maxcpus; /* harts the topology has room for (no hotplug: unused) */
	unsigned sockets, dies, clusters, cores, threads;
	bool zero_given; /* some key was 0: QEMU warns and treats it as omitted */
};

/* Merge one -smp argument into *c. Returns 0, or -1 with QEMU's message
 * (after "-smp ARG: " where QEMU puts it) in err. */
int smp_parse(struct smp_config *c, const char *arg, char *err, size_t errlen);

/* Apply QEMU's rules to *c for a board of at most max_cpus harts: fill in
 * what is missing (cores before sockets, threads last), then check that
 * the product is maxcpus, that maxcpus >= cpus and that maxcpus <=
 * max_cpus. Returns 0, or -1 with QEMU's message in err. */
int smp_resolve(const struct smp_config *c, unsigned max_cpus, struct smp_topology *t, char *err,
		size_t errlen);

/* QEMU's warning when some key is 0 (smp_topology.zero_given). */
#define SMP_ZERO_WARNING                                                                           \
	"Deprecated CPU topology (considered invalid): CPU topology parameters must be greater "   \
	"than zero"

#endif
