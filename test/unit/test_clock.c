/*
 * The virtual clock (core/machine.c): it stands still from machine_pause to
 * machine_resume and then runs on from where it stopped; a timer poll finds
 * no deadline while it stands; readers on other threads never see it go
 * backwards while it is stopped and started under them.
 */
#include "core/machine.h"
#include "devices/clint.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <time.h>

#define MS 1000000ULL

static struct machine *m;
static struct clint *clint; /* when a test adds one */

static void setup(void)
{
	m = machine_new(0x80000000, 1 << 20, 1, 0x80000000);
	cr_assert_not_null(m);
}

static void teardown(void)
{
	machine_free(m);
	clint_free(clint);
	clint = NULL;
}

TestSuite(clock, .init = setup, .fini = teardown, .timeout = 60);

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

Test(clock, starts_near_zero_and_runs)
{
	const uint64_t t0 = machine_clock_ns(m);
	cr_expect_lt(t0, 1000 * MS, "a new machine's clock reads %lu ns", (unsigned long)t0);
	sleep_ms(20);
	cr_expect_geq(machine_clock_ns(m) - t0, 20 * MS);
	cr_expect_not(machine_clock_stopped(m));
}

Test(clock, stands_still_while_paused)
{
	machine_pause(m);
	cr_expect(m->paused);
	cr_expect(machine_clock_stopped(m));
	const uint64_t stopped = machine_clock_ns(m);
	const uint64_t mtime = machine_mtime(m);
	sleep_ms(100);
	cr_expect_eq(machine_clock_ns(m), stopped);
	cr_expect_eq(machine_mtime(m), mtime);
	machine_pause(m); /* idempotent: no second stop point */
	cr_expect_eq(machine_clock_ns(m), stopped);

	machine_resume(m);
	cr_expect_not(m->paused);
	const uint64_t resumed = machine_clock_ns(m);
	cr_expect_geq(resumed, stopped);
	cr_expect_lt(resumed - stopped, 50 * MS, "the 100 ms pause counted: %lu ns",
		     (unsigned long)(resumed - stopped));
	sleep_ms(20);
	cr_expect_geq(machine_clock_ns(m) - resumed, 20 * MS, "the clock runs again");
	machine_resume(m); /* idempotent */
	cr_expect_not(machine_clock_stopped(m));
}

Test(clock, timer_poll_has_no_deadline_while_stopped)
{
	clint = clint_new(m, CLINT_BASE);
	cr_assert_not_null(clint);
	cr_assert(bus_write(&m->bus, CLINT_BASE + 0x4000, 8, machine_mtime(m) + 10000));
	machine_poll_devices(m);
	cr_expect_leq(m->next_deadline_ns, 1000 * MS);
	machine_pause(m);
	machine_poll_devices(m);
	cr_expect_eq(m->next_deadline_ns, UINT64_MAX, "a stopped clock brings no compare nearer");
	machine_resume(m);
	machine_poll_devices(m);
	cr_expect_leq(m->next_deadline_ns, 1000 * MS);
}

struct reader {
	atomic_bool *done;
	atomic_int *started;
	bool backwards;
	uint64_t reads;
};

static void *read_until_done(void *arg)
{
	struct reader *r = arg;
	uint64_t last = 0;
	atomic_fetch_add(r->started, 1);
	while (!atomic_load(r->done)) {
		const uint64_t now = machine_clock_ns(m);
		if (now < last)
			r->backwards = true;
		last = now;
		r->reads++;
	}
	return NULL;
}

/* Two threads read the clock while this one stops and starts it as fast
 * as it can for TOGGLE_MS. */
#define TOGGLE_MS 300
Test(clock, never_backwards_under_concurrent_pauses)
{
	atomic_bool done = false;
	atomic_int started = 0;
	struct reader readers[2] = {{.done = &done, .started = &started},
				    {.done = &done, .started = &started}};
	pthread_t threads[2];
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&threads[i], NULL, read_until_done, &readers[i]), 0);
	while (atomic_load(&started) < 2)
		sleep_ms(1);
	const uint64_t end = host_monotonic_ns() + TOGGLE_MS * MS;
	while (host_monotonic_ns() < end) {
		machine_pause(m);
		machine_resume(m);
	}
	atomic_store(&done, true);
	for (int i = 0; i < 2; i++) {
		pthread_join(threads[i], NULL);
		cr_expect_not(readers[i].backwards, "reader %d saw the clock go backwards", i);
		cr_expect_gt(readers[i].reads, 0);
	}
}
