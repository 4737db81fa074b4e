/*
 * fp - double precision: a softened-gravity n-body step over 32 bodies
 * (fdiv, fsqrt, many fmul/fadd) and a 40x40 matrix multiply. Stresses the
 * F/D extension: NaN-boxing, rounding-mode handling and fflags. Built with
 * -ffp-contract=off on both sides so the host computes bit-identical
 * results and the checksums agree.
 */
#include "../rt/bench.h"

BENCH_SIZE(1080);

#define BODIES 32
#define DIM    40

struct body {
	double x, y, z, vx, vy, vz, m;
};

static struct body bodies[BODIES];
static double ma[DIM][DIM], mb[DIM][DIM], mc[DIM][DIM];

static double unit(uint64_t *rng)
{
	return (double)(bench_rand(rng) >> 11) * (1.0 / 9007199254740992.0);
}

static void nbody_step(struct body *b, int count, double dt)
{
	for (int i = 0; i < count; i++) {
		double ax = 0, ay = 0, az = 0;
		for (int j = 0; j < count; j++) {
			double dx = b[j].x - b[i].x, dy = b[j].y - b[i].y, dz = b[j].z - b[i].z;
			double d2 = dx * dx + dy * dy + dz * dz + 0.01;
			double inv = b[j].m / (d2 * __builtin_sqrt(d2));
			ax += dx * inv;
			ay += dy * inv;
			az += dz * inv;
		}
		b[i].vx += ax * dt;
		b[i].vy += ay * dt;
		b[i].vz += az * dt;
	}
	for (int i = 0; i < count; i++) {
		b[i].x += b[i].vx * dt;
		b[i].y += b[i].vy * dt;
		b[i].z += b[i].vz * dt;
	}
}

static void matmul(double c[DIM][DIM], double a[DIM][DIM], double b[DIM][DIM])
{
	for (int i = 0; i < DIM; i++) {
		for (int j = 0; j < DIM; j++)
			c[i][j] = 0;
		for (int k = 0; k < DIM; k++) {
			double aik = a[i][k];
			for (int j = 0; j < DIM; j++)
				c[i][j] += aik * b[k][j];
		}
	}
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0x452821e638d01377ull, sum = 0;
	for (int i = 0; i < BODIES; i++) {
		bodies[i] = (struct body){
		    unit(&rng) * 10 - 5, unit(&rng) * 10 - 5, unit(&rng) * 10 - 5, 0, 0, 0,
		    0.5 + unit(&rng)};
	}
	for (int i = 0; i < DIM; i++)
		for (int j = 0; j < DIM; j++) {
			ma[i][j] = unit(&rng) - 0.5;
			mb[i][j] = unit(&rng) - 0.5;
		}
	for (uint64_t it = 0; it < n; it++) {
		for (int s = 0; s < 4; s++)
			nbody_step(bodies, BODIES, 0.001);
		matmul(mc, ma, mb);
		/* Feed the product back, scaled, so every step depends on the last. */
		for (int i = 0; i < DIM; i++)
			for (int j = 0; j < DIM; j++)
				mb[i][j] = mc[i][j] * 0.25 + ma[j][i] * 0.5;
		sum = bench_mix(sum, bench_double_bits(mc[(int)(it % DIM)][3]));
		sum = bench_mix(sum, bench_double_bits(bodies[it % BODIES].x));
	}
	for (int i = 0; i < BODIES; i++)
		sum = bench_mix(sum, bench_double_bits(bodies[i].vx + bodies[i].vy + bodies[i].vz));
	return sum;
}
