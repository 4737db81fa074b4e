/*
 * Host helper for the guest disk tests: makes a raw disk image with a known
 * pattern and checks it after a run.
 *
 *   disk_image create FILE SIZE_KIB
 *       FILE gets SIZE_KIB KiB; byte j of sector i (512 bytes) is
 *       DISK_PATTERN(i, j) = (i * 7 + j) & 0xff.
 *   disk_image check FILE SIZE_KIB [SECTOR:BYTE ...]
 *       FILE is exactly SIZE_KIB KiB, each SECTOR listed is entirely BYTE
 *       (decimal or 0x hex), and every other sector still holds the
 *       pattern. Prints each difference; exit status 1 if there is any.
 *
 * The guests (test/guest/virtio_drv.h) use the same pattern.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECTOR		   512
#define DISK_PATTERN(i, j) ((uint8_t)((i)*7 + (j)))
#define MAX_EXPECT	   64

static unsigned long parse_num(const char *s, const char *what)
{
	char *end;
	const unsigned long v = strtoul(s, &end, 0);
	if (end == s || *end) {
		fprintf(stderr, "disk_image: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static int create(const char *path, unsigned long kib)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return 2;
	}
	uint8_t buf[SECTOR];
	for (unsigned long i = 0; i < kib * 1024 / SECTOR; i++) {
		for (unsigned j = 0; j < SECTOR; j++)
			buf[j] = DISK_PATTERN(i, j);
		if (fwrite(buf, 1, SECTOR, f) != SECTOR) {
			perror(path);
			fclose(f);
			return 2;
		}
	}
	if (fclose(f)) {
		perror(path);
		return 2;
	}
	return 0;
}

static int check(const char *path, unsigned long kib, int nexp, char **exp)
{
	unsigned long esec[MAX_EXPECT];
	unsigned ebyte[MAX_EXPECT];
	if (nexp > MAX_EXPECT) {
		fprintf(stderr, "disk_image: too many expectations\n");
		return 2;
	}
	for (int k = 0; k < nexp; k++) {
		char *colon = strchr(exp[k], ':');
		if (!colon) {
			fprintf(stderr, "disk_image: expectation '%s' is not SECTOR:BYTE\n",
				exp[k]);
			return 2;
		}
		*colon = 0;
		esec[k] = parse_num(exp[k], "sector");
		ebyte[k] = (unsigned)parse_num(colon + 1, "byte") & 0xff;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 2;
	}
	fseek(f, 0, SEEK_END);
	const long size = ftell(f);
	rewind(f);
	int bad = 0;
	if (size != (long)(kib * 1024)) {
		printf("disk_image: %s is %ld bytes, expected %lu\n", path, size, kib * 1024);
		bad = 1;
	}
	uint8_t buf[SECTOR];
	for (unsigned long i = 0; i < kib * 1024 / SECTOR; i++) {
		if (fread(buf, 1, SECTOR, f) != SECTOR) {
			printf("disk_image: short read at sector %lu\n", i);
			bad = 1;
			break;
		}
		int want = -1; /* -1: the pattern */
		for (int k = 0; k < nexp; k++)
			if (esec[k] == i)
				want = (int)ebyte[k];
		for (unsigned j = 0; j < SECTOR; j++) {
			const uint8_t w = want < 0 ? DISK_PATTERN(i, j) : (uint8_t)want;
			if (buf[j] != w) {
				printf("disk_image: sector %lu byte %u is 0x%02x, expected 0x%02x "
				       "(%s)\n",
				       i, j, buf[j], w,
				       want < 0 ? "unchanged pattern" : "guest's write");
				bad = 1;
				break;
			}
		}
	}
	fclose(f);
	if (!bad)
		printf("disk_image: %s ok (%d sector(s) written as expected, the rest unchanged)\n",
		       path, nexp);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "create"))
		return create(argv[2], parse_num(argv[3], "size"));
	if (argc >= 4 && !strcmp(argv[1], "check"))
		return check(argv[2], parse_num(argv[3], "size"), argc - 4, argv + 4);
	fprintf(stderr, "usage: disk_image create FILE SIZE_KIB\n"
			"       disk_image check FILE SIZE_KIB [SECTOR:BYTE ...]\n");
	return 2;
}
