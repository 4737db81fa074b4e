// host-run: perf_report_names_blocks.sh
/*
 * About a second of translated guest code in a few hot loops (a CRC, a
 * multiply-xorshift mix, a small sort), so that a profiler's samples land
 * in translated blocks: perf_report_names_blocks.sh profiles it with
 * --perf-map and checks that `perf report` names those blocks.
 */
#include "guest.h"

#define ROUNDS 12000

static unsigned crc_table[256];
static unsigned char buf[4096];
static unsigned long keys[64];

static unsigned crc32(unsigned crc, const unsigned char *p, unsigned long len)
{
	crc = ~crc;
	for (unsigned long i = 0; i < len; i++)
		crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static unsigned long mix(unsigned long x, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		x *= 0x9e3779b97f4a7c15ul;
	}
	return x;
}

static void sort_keys(void)
{
	for (unsigned i = 1; i < 64; i++) {
		unsigned long k = keys[i];
		unsigned j = i;
		for (; j > 0 && keys[j - 1] > k; j--)
			keys[j] = keys[j - 1];
		keys[j] = k;
	}
}

int main(void)
{
	for (unsigned i = 0; i < 256; i++) {
		unsigned c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7);
	unsigned long acc = 1;
	for (unsigned r = 0; r < ROUNDS; r++) {
		acc += crc32((unsigned)acc, buf, sizeof(buf));
		acc = mix(acc, 4096);
		for (unsigned i = 0; i < 64; i++)
			keys[i] = mix(acc + i, 1);
		sort_keys();
		acc += keys[r & 63];
	}
	/* Depends on every round, so no loop can be optimised away. */
	return acc == 0 ? 1 : 0;
}
