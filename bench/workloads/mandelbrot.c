/*
 * mandelbrot - floating point with branches: Mandelbrot escape-time over a
 * 96x64 grid whose window pans every iteration (an inner loop that leaves
 * after 1 to 300 steps, data-dependent), mapped to colours through an if/else
 * chain, then 64 particles falling in a box that bounce off its walls and
 * floor with damping (a compare and branch per axis per step). FP adds,
 * multiplies and compares, fcvt, and branches on FP results.
 */
#include "../rt/bench.h"

BENCH_SIZE(76);

#define WIDTH	  96
#define HEIGHT	  64
#define MAX_ITER  300
#define PARTICLES 64

struct particle {
	double x, y, vx, vy;
};

static struct particle parts[PARTICLES];

static BENCH_NOINLINE uint32_t escape(double cr, double ci)
{
	double zr = 0, zi = 0;
	uint32_t k = 0;
	while (k < MAX_ITER) {
		double zr2 = zr * zr, zi2 = zi * zi;
		if (zr2 + zi2 > 4.0)
			break;
		zi = 2.0 * zr * zi + ci;
		zr = zr2 - zi2 + cr;
		k++;
	}
	return k;
}

static uint32_t colour(uint32_t k)
{
	if (k == MAX_ITER)
		return 0;
	if (k < 8)
		return 0x000080 + k;
	if (k < 32)
		return 0x0080ff - k * 3;
	if (k < 100)
		return 0x40ff40 ^ k;
	return 0xffff00 | (k & 0xff);
}

static BENCH_NOINLINE uint64_t frame(double x0, double y0, double step)
{
	uint64_t h = 0;
	for (int py = 0; py < HEIGHT; py++) {
		double ci = y0 + py * step;
		for (int px = 0; px < WIDTH; px++)
			h = h * 0x100000001b3ull + colour(escape(x0 + px * step, ci));
	}
	return h;
}

static BENCH_NOINLINE uint64_t bounce(struct particle *p, int count, int steps)
{
	const double dt = 0.01, g = -9.81, damp = 0.82, width = 10.0;
	uint64_t hits = 0;
	for (int s = 0; s < steps; s++) {
		for (int i = 0; i < count; i++) {
			p[i].vy += g * dt;
			p[i].x += p[i].vx * dt;
			p[i].y += p[i].vy * dt;
			if (p[i].y < 0.0) {
				p[i].y = -p[i].y * damp;
				p[i].vy = -p[i].vy * damp;
				if (p[i].vy < 0.5) /* at rest: kick it up again */
					p[i].vy = 6.0 + (double)(i & 7);
				hits++;
			}
			if (p[i].x < 0.0) {
				p[i].x = -p[i].x;
				p[i].vx = -p[i].vx;
				hits += 1ull << 32;
			} else if (p[i].x > width) {
				p[i].x = 2.0 * width - p[i].x;
				p[i].vx = -p[i].vx;
				hits += 1ull << 32;
			}
		}
	}
	return hits;
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0x7137449123ef65cdull, sum = 0;
	for (int i = 0; i < PARTICLES; i++) {
		parts[i].x = (double)(bench_rand(&rng) % 1000) / 100.0;
		parts[i].y = (double)(bench_rand(&rng) % 1000) / 100.0;
		parts[i].vx = (double)(bench_rand(&rng) % 2001) / 100.0 - 10.0;
		parts[i].vy = 0.0;
	}
	for (uint64_t it = 0; it < n; it++) {
		/* Pan across the set's edge, where escape times vary most. */
		double x0 = -2.1 + (double)(it % 40) * 0.02, y0 = -1.0 + (double)(it % 13) * 0.01;
		sum = bench_mix(sum, frame(x0, y0, 2.4 / WIDTH));
		sum = bench_mix(sum, bounce(parts, PARTICLES, 200));
		sum = bench_mix(sum, bench_double_bits(parts[it % PARTICLES].y));
	}
	return sum;
}
