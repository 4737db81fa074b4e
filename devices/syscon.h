/* The virt board's test finisher ("sifive,test1", at 0x100000). */
#ifndef RVJIT_SYSCON_H
#define RVJIT_SYSCON_H

#include "core/machine.h"

#define SYSCON_PASS  0x5555
#define SYSCON_FAIL  0x3333
#define SYSCON_RESET 0x7777
#define SYSCON_SIZE  0x1000

/* Register the finisher on m's bus at base; false if the bus refused it. */
bool syscon_add(struct machine *m, uint64_t base);

/* Device tree: the finisher's node (under /soc, with phandle `phandle`),
 * and the root-level syscon-poweroff / syscon-reboot nodes that point
 * drivers (Linux, U-Boot) at it with the values above. */
struct fdt;
void syscon_fdt(struct fdt *f, uint64_t base, uint32_t phandle);
void syscon_fdt_power_nodes(struct fdt *f, uint32_t syscon_phandle);

#endif
