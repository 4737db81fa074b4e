/*
 * The reset vector, laid out like QEMU's virt board so firmware finds what
 * it expects (hw/riscv/boot.c's convention, written here from its
 * documented register contract):
 *
 *   0x1000  auipc t0, 0
 *   0x1004  addi  a2, t0, 40      a2 = &fw_dynamic_info (0x1028)
 *   0x1008  csrr  a0, mhartid     a0 = hart id
 *   0x100c  ld    a1, 32(t0)      a1 = device tree address
 *   0x1010  ld    t0, 24(t0)
 *   0x1014  jr    t0              jump to the entry point
 *   0x1018  .dword entry
 *   0x1020  .dword fdt address
 *   0x1028  struct fw_dynamic_info (OpenSBI's fw_dynamic: magic "OSBI",
 *           version 2, next_addr, next_mode, options 0, boot_hart -1)
 */
#include "bootrom.h"
#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#define FW_DYNAMIC_INFO_MAGIC	0x4942534f /* "OSBI" */
#define FW_DYNAMIC_INFO_VERSION 2

void bootrom_build(uint8_t rom[BOOTROM_SIZE], uint64_t entry, uint64_t fdt_addr, uint64_t next_addr,
		   unsigned next_mode)
{
	static const uint32_t code[] = {
	    0x00000297, /* auipc t0, 0 */
	    0x02828613, /* addi a2, t0, 40 */
	    0xf1402573, /* csrr a0, mhartid */
	    0x0202b583, /* ld a1, 32(t0) */
	    0x0182b283, /* ld t0, 24(t0) */
	    0x00028067, /* jr t0 */
	};
	memset(rom, 0, BOOTROM_SIZE);
	for (unsigned i = 0; i < sizeof(code) / sizeof(code[0]); i++)
		put32(rom + 4 * i, code[i]);
	put64(rom + 0x18, entry);
	put64(rom + 0x20, fdt_addr);
	uint8_t *info = rom + 0x28;
	put64(info + 0, FW_DYNAMIC_INFO_MAGIC);
	put64(info + 8, FW_DYNAMIC_INFO_VERSION);
	put64(info + 16, next_addr);
	put64(info + 24, next_mode);
	put64(info + 32, 0);	      /* options */
	put64(info + 40, UINT64_MAX); /* boot_hart: any (lottery) */
}
