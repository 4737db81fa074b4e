/*
 * strings - the C library's memory and string loops, written out: strlen a
 * byte at a time and a word at a time (the has-a-zero-byte trick),
 * memcpy by bytes and by 64-bit words (aligned body, byte head and tail),
 * memset by bytes and by words, strcmp and memchr. They run over a 64 KiB
 * arena of NUL-terminated strings of random lengths (1-160 bytes, at every
 * alignment), as parsers, loggers and string builders use them: short
 * loops, many calls, byte loads and stores mixed with word ones.
 */
#include "../rt/bench.h"

BENCH_SIZE(570);

#define ARENA_WORDS (8192u) /* 64 KiB */
#define MAX_STRINGS 1024

static const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

/* Word arrays: the word-at-a-time loops read them as words legitimately. */
static uint64_t arena[ARENA_WORDS + 1];
static uint64_t copies[ARENA_WORDS + 1];
static uint32_t starts[MAX_STRINGS];

static BENCH_NOINLINE size_t strlen_bytes(const uint8_t *s)
{
	const uint8_t *p = s;
	while (*p)
		p++;
	return (size_t)(p - s);
}

static BENCH_NOINLINE size_t strlen_words(const uint8_t *s)
{
	const uint8_t *p = s;
	for (; (uintptr_t)p & 7; p++)
		if (!*p)
			return (size_t)(p - s);
	const uint64_t *w = (const uint64_t *)p;
	while (!((*w - ones) & ~*w & highs))
		w++;
	for (p = (const uint8_t *)w; *p; p++)
		;
	return (size_t)(p - s);
}

static BENCH_NOINLINE void copy_bytes(uint8_t *d, const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		d[i] = s[i];
}

/* d and s share their alignment (copies mirror the arena's layout). */
static BENCH_NOINLINE void copy_words(uint8_t *d, const uint8_t *s, size_t len)
{
	for (; len && ((uintptr_t)s & 7); len--)
		*d++ = *s++;
	uint64_t *dw = (uint64_t *)d;
	const uint64_t *sw = (const uint64_t *)s;
	for (; len >= 8; len -= 8)
		*dw++ = *sw++;
	d = (uint8_t *)dw;
	s = (const uint8_t *)sw;
	while (len--)
		*d++ = *s++;
}

static BENCH_NOINLINE void set_bytes(uint8_t *d, uint8_t c, size_t len)
{
	for (size_t i = 0; i < len; i++)
		d[i] = c;
}

static BENCH_NOINLINE void set_words(uint64_t *d, uint8_t c, size_t words)
{
	uint64_t v = ones * c;
	for (size_t i = 0; i < words; i++)
		d[i] = v;
}

static BENCH_NOINLINE int compare(const uint8_t *a, const uint8_t *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (int)*a - (int)*b;
}

static BENCH_NOINLINE const uint8_t *find_byte(const uint8_t *s, uint8_t c, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == c)
			return s + i;
	return 0;
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0x428a2f98d728ae22ull, sum = 0;
	uint8_t *text = (uint8_t *)arena, *copy = (uint8_t *)copies;
	uint32_t count = 0, at = 0;
	while (count < MAX_STRINGS && at + 162 < ARENA_WORDS * 8) {
		uint32_t len = 1 + (uint32_t)(bench_rand(&rng) % 160);
		starts[count++] = at;
		for (uint32_t i = 0; i < len; i++)
			text[at + i] = (uint8_t)('a' + bench_rand(&rng) % 26);
		text[at + len] = 0;
		at += len + 1;
	}
	for (uint64_t it = 0; it < n; it++) {
		uint64_t h = 0;
		set_words(copies, 0, ARENA_WORDS);
		for (uint32_t i = 0; i < count; i++) {
			const uint8_t *s = text + starts[i];
			size_t a = strlen_bytes(s), b = strlen_words(s);
			h = h * 31 + a + (b << 20);
			if ((i ^ (uint32_t)it) & 1)
				copy_words(copy + starts[i], s, a + 1);
			else
				copy_bytes(copy + starts[i], s, a + 1);
		}
		/* Change one letter in every seventh string, then compare them all. */
		for (uint32_t i = (uint32_t)(it % 7); i < count; i += 7) {
			uint8_t *c = copy + starts[i];
			c[strlen_bytes(c) / 2] ^= 1;
		}
		for (uint32_t i = 0; i < count; i++) {
			int c = compare(text + starts[i], copy + starts[i]);
			h = h * 3 + (uint64_t)(c + 2);
			const uint8_t *q =
			    find_byte(copy + starts[i], (uint8_t)('a' + (i + it) % 26),
				      strlen_words(copy + starts[i]));
			h ^= q ? (uint64_t)(q - copy) : 0x5a5a;
		}
		set_bytes(copy + (it % 4096), (uint8_t)it, 8192 + (size_t)(it % 61));
		sum = bench_mix(sum, h ^ copies[(it * 13) % ARENA_WORDS]);
	}
	return sum;
}
