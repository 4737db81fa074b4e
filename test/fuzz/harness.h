/*
 * Fuzz harnesses for input that comes from outside the guest. Each takes
 * arbitrary bytes, must never crash or touch memory it does not own (the
 * sanitizer build enforces that), and returns 0 as libFuzzer expects.
 * Each also offers seed inputs: valid examples the mutations start from.
 */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* An ELF64 image through load_elf_image() into a 1 MiB machine. */
int harness_elf(const uint8_t *data, size_t size);
/* A -dtb blob: fdt_check_header(), then placed as the board places it. */
int harness_dtb(const uint8_t *data, size_t size);
/* A qcow2 image file through disk_open(): header, tables, reads, writes. */
int harness_qcow2(const uint8_t *data, size_t size);
/* virtio-blk: register writes, rings and descriptors from the input. */
int harness_virtio_blk(const uint8_t *data, size_t size);

/* Seed inputs: malloc'd, *size set; index past the last returns NULL. */
uint8_t *seed_elf(unsigned index, size_t *size);
uint8_t *seed_dtb(unsigned index, size_t *size);
uint8_t *seed_qcow2(unsigned index, size_t *size);
uint8_t *seed_virtio_blk(unsigned index, size_t *size);

#endif
