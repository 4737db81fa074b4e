/* The reset vector ROM at 0x1000 (see bootrom.c). */
#ifndef RVJIT_BOOTROM_H
#define RVJIT_BOOTROM_H

#include <stdint.h>

#define BOOTROM_BASE 0x1000
#define BOOTROM_SIZE 0x1000 /* a whole page, like QEMU's mrom (0xf000 bytes there) */

/* Fill rom[BOOTROM_SIZE] with the reset code: every hart jumps to `entry`
 * with a0 = mhartid, a1 = fdt_addr, a2 = address of the fw_dynamic info. */
void bootrom_build(uint8_t rom[BOOTROM_SIZE], uint64_t entry, uint64_t fdt_addr, uint64_t next_addr,
		   unsigned next_mode);

#endif
