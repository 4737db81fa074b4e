/* The virt board's test finisher ("sifive,test1", at 0x100000). */
#ifndef RVJIT_SYSCON_H
#define RVJIT_SYSCON_H

#include "core/machine.h"

#define SYSCON_PASS 0x5555
#define SYSCON_FAIL 0x3333
#define SYSCON_RESET 0x7777

/* Register the finisher on m's bus at base; false if the bus refused it. */
bool syscon_add(struct machine *m, uint64_t base);

#endif
