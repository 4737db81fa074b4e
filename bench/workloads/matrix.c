/*
 * matrix - nested loops over 2-D integer arrays: a 64x64 int32 matrix
 * multiply (i-k-j order, row-major), a 5-point Jacobi stencil over a 192x192
 * int32 grid, and a column-major pass (stride of a whole row) that sums and
 * rescales. Index arithmetic, loads and stores with constant strides, inner
 * loops a few dozen instructions long: image filters, dynamic-programming
 * tables and game grids look like this.
 */
#include "../rt/bench.h"

BENCH_SIZE(90);

#define DIM  64
#define GRID 192

static int32_t ma[DIM][DIM], mb[DIM][DIM], mc[DIM][DIM];
static int32_t grid_a[GRID][GRID], grid_b[GRID][GRID];

static BENCH_NOINLINE void matmul(int32_t c[DIM][DIM], int32_t a[DIM][DIM], int32_t b[DIM][DIM])
{
	for (int i = 0; i < DIM; i++) {
		for (int j = 0; j < DIM; j++)
			c[i][j] = 0;
		for (int k = 0; k < DIM; k++) {
			int32_t aik = a[i][k];
			for (int j = 0; j < DIM; j++)
				c[i][j] += aik * b[k][j];
		}
	}
}

/* One Jacobi sweep: interior cells get the weighted mean of their cross. */
static BENCH_NOINLINE void stencil(int32_t dst[GRID][GRID], int32_t src[GRID][GRID])
{
	for (int y = 1; y < GRID - 1; y++)
		for (int x = 1; x < GRID - 1; x++)
			dst[y][x] = (4 * src[y][x] + src[y - 1][x] + src[y + 1][x] + src[y][x - 1] +
				     src[y][x + 1]) >>
				    3;
}

/* Walk down columns (stride GRID * 4 bytes), as a transpose would. */
static BENCH_NOINLINE uint64_t columns(int32_t g[GRID][GRID])
{
	uint64_t h = 0;
	for (int x = 0; x < GRID; x++) {
		int64_t s = 0;
		for (int y = 0; y < GRID; y++)
			s += g[y][x];
		for (int y = 0; y < GRID; y++)
			g[y][x] = (int32_t)(g[y][x] - (s >> 10));
		h = h * 1000003u + (uint64_t)s;
	}
	return h;
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0x510e527fade682d1ull, sum = 0;
	for (int i = 0; i < DIM; i++)
		for (int j = 0; j < DIM; j++) {
			ma[i][j] = (int32_t)(bench_rand(&rng) % 201) - 100;
			mb[i][j] = (int32_t)(bench_rand(&rng) % 201) - 100;
		}
	for (int y = 0; y < GRID; y++)
		for (int x = 0; x < GRID; x++)
			grid_a[y][x] = (int32_t)(bench_rand(&rng) % 100000);
	for (int y = 0; y < GRID; y++) {
		grid_b[y][0] = grid_a[y][0];
		grid_b[y][GRID - 1] = grid_a[y][GRID - 1];
	}
	for (int x = 0; x < GRID; x++) {
		grid_b[0][x] = grid_a[0][x];
		grid_b[GRID - 1][x] = grid_a[GRID - 1][x];
	}
	for (uint64_t it = 0; it < n; it++) {
		matmul(mc, ma, mb);
		/*
		 * Feed the product back so each pass depends on the last, kept
		 * within +-127 so no int32 product or sum can overflow.
		 */
		for (int i = 0; i < DIM; i++)
			for (int j = 0; j < DIM; j++)
				mb[i][j] = ((mc[i][j] >> 6) ^ ma[j][i]) % 128;
		sum = bench_mix(sum, (uint32_t)mc[it % DIM][(it * 7) % DIM]);
		for (int s = 0; s < 4; s++) {
			stencil(grid_b, grid_a);
			stencil(grid_a, grid_b);
		}
		grid_a[1 + it % (GRID - 2)][1 + (it * 5) % (GRID - 2)] += 77777;
		sum = bench_mix(sum, columns(grid_a));
	}
	return sum;
}
