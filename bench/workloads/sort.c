/*
 * sort - comparison sorts with data-dependent branches, the way C programs
 * call them: a generic qsort-style quicksort over any element size that
 * compares through a function pointer and swaps byte by byte, sorting 4096
 * random 64-bit keys, and a stable top-down merge sort of 2048 records
 * (key, original index) with its own comparator, then a binary search for
 * keys that are and are not present. Every comparison is an indirect call
 * whose outcome is a coin flip.
 */
#include "../rt/bench.h"

BENCH_SIZE(250);

#define KEYS	4096
#define RECORDS 2048

struct record {
	uint32_t key;
	uint32_t index;
};

typedef int (*compare_fn)(const void *, const void *);

static uint64_t keys[KEYS];
static struct record recs[RECORDS], scratch[RECORDS];

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Records by key only: equal keys keep their order if the sort is stable. */
static int cmp_record(const void *a, const void *b)
{
	uint32_t x = ((const struct record *)a)->key, y = ((const struct record *)b)->key;
	return (x > y) - (x < y);
}

static void swap_bytes(uint8_t *a, uint8_t *b, size_t size)
{
	while (size--) {
		uint8_t t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* Hoare-partition quicksort on raw bytes, the shape of a libc qsort. */
static BENCH_NOINLINE void gen_qsort(void *base, size_t count, size_t size, compare_fn cmp)
{
	uint8_t *a = base;
	while (count > 1) {
		uint8_t *mid = a + (count / 2) * size;
		swap_bytes(a, mid, size); /* pivot to the front */
		size_t i = 0, j = count;
		for (;;) {
			do
				i++;
			while (i < count && cmp(a + i * size, a) < 0);
			do
				j--;
			while (cmp(a + j * size, a) > 0);
			if (i >= j)
				break;
			swap_bytes(a + i * size, a + j * size, size);
		}
		swap_bytes(a, a + j * size, size);
		/* Recurse on the smaller side, loop on the larger. */
		if (j < count - j - 1) {
			gen_qsort(a, j, size, cmp);
			a += (j + 1) * size;
			count -= j + 1;
		} else {
			gen_qsort(a + (j + 1) * size, count - j - 1, size, cmp);
			count = j;
		}
	}
}

static BENCH_NOINLINE void merge_sort(struct record *r, struct record *tmp, size_t count,
				      compare_fn cmp)
{
	if (count < 2)
		return;
	size_t half = count / 2;
	merge_sort(r, tmp, half, cmp);
	merge_sort(r + half, tmp, count - half, cmp);
	size_t i = 0, j = half, k = 0;
	while (i < half && j < count)
		tmp[k++] = cmp(&r[j], &r[i]) < 0 ? r[j++] : r[i++];
	while (i < half)
		tmp[k++] = r[i++];
	while (j < count)
		tmp[k++] = r[j++];
	for (k = 0; k < count; k++)
		r[k] = tmp[k];
}

static BENCH_NOINLINE long search(const uint64_t *a, size_t count, uint64_t key, compare_fn cmp)
{
	size_t lo = 0, hi = count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp(&a[mid], &key);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0x9b05688c2b3e6c1full, sum = 0;
	compare_fn volatile by_u64 = cmp_u64, by_record = cmp_record;
	for (uint64_t it = 0; it < n; it++) {
		for (size_t i = 0; i < KEYS; i++)
			keys[i] = bench_rand(&rng) >> (it & 31);
		gen_qsort(keys, KEYS, sizeof keys[0], by_u64);
		for (size_t i = 1; i < KEYS; i++)
			sum += keys[i] < keys[i - 1]; /* 0 when sorted */
		sum = bench_mix(sum, keys[KEYS / 3]);
		for (size_t i = 0; i < 512; i++) {
			uint64_t probe =
			    (i & 1) ? keys[(i * 2654435761u) % KEYS] : bench_rand(&rng);
			sum = bench_mix(sum, (uint64_t)search(keys, KEYS, probe, by_u64));
		}

		for (size_t i = 0; i < RECORDS; i++) {
			recs[i].key = (uint32_t)(bench_rand(&rng) % 1024); /* many equal keys */
			recs[i].index = (uint32_t)i;
		}
		merge_sort(recs, scratch, RECORDS, by_record);
		uint64_t h = 0;
		for (size_t i = 0; i < RECORDS; i++)
			h = (h ^ recs[i].index) * 0x100000001b3ull;
		sum = bench_mix(sum, h);
	}
	return sum;
}
