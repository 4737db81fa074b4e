/*
 * Goldfish RTC tests (devices/goldfish_rtc.c): -rtc dates parsed as QEMU's
 * configure_rtc parses them, and the registers driven through the
 * physical bus with clock=vm, whose count stands still while the machine
 * is paused, so the checks can be exact.
 */
#include "cli/options.h"
#include "core/machine.h"
#include "devices/goldfish_rtc.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <time.h>

#define RTC_BASE	    0x101000
#define RTC_TIME_LOW	    (RTC_BASE + 0x00)
#define RTC_TIME_HIGH	    (RTC_BASE + 0x04)
#define RTC_ALARM_LOW	    (RTC_BASE + 0x08)
#define RTC_ALARM_HIGH	    (RTC_BASE + 0x0c)
#define RTC_IRQ_ENABLED	    (RTC_BASE + 0x10)
#define RTC_CLEAR_ALARM	    (RTC_BASE + 0x14)
#define RTC_ALARM_STATUS    (RTC_BASE + 0x18)
#define RTC_CLEAR_INTERRUPT (RTC_BASE + 0x1c)
#define NS_PER_S	    1000000000ULL
#define BASE_S		    1150502400ULL /* 2006-06-17T00:00:00Z */

struct datetime_case {
	char text[24];
	bool ok;
	int64_t secs;
};

ParameterizedTestParameters(rtc, parse_datetime)
{
	static struct datetime_case cases[] = {
	    {"2006-06-17T16:01:21", true, 1150560081},
	    {"2006-06-17", true, 1150502400},
	    {"1970-01-01", true, 0},
	    {"2000-02-29T23:59:59", true, 951868799},
	    {"2100-01-01", true, 4102444800},
	    /* QEMU's sscanf: the date alone when the time is incomplete, and
	     * nothing after a date looked at; out-of-range fields run on as
	     * QEMU's mktimegm lets them (2006-13-01 is 2007-01-01). */
	    {"2006-06-17T16:01", true, 1150502400},
	    {"2006-06-17junk", true, 1150502400},
	    {"2006-13-01", true, 1167609600},
	    {"2006-06-31", true, 1151712000},
	    /* Refused: neither format, and QEMU's -1 (1969-12-31T23:59:59). */
	    {"2006/06/17", false, 0},
	    {"", false, 0},
	    {"now", false, 0},
	    {"1969-12-31T23:59:59", false, 0},
	};
	return cr_make_param_array(struct datetime_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct datetime_case *c, rtc, parse_datetime)
{
	int64_t secs = 0;
	cr_assert_eq(rtc_parse_datetime(c->text, &secs), c->ok, "'%s'", c->text);
	if (c->ok)
		cr_expect_eq(secs, c->secs, "'%s': %lld, want %lld", c->text, (long long)secs,
			     (long long)c->secs);
}

/* -rtc as QEMU merges it: several options, the last value of a key wins;
 * the default is base=utc,clock=host. */
Test(rtc, options_merge)
{
	struct options o;
	char err[256];
	char *plain[] = {"rvjit", "k", NULL};
	cr_assert_eq(options_parse(&o, 2, plain, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(o.board.rtc.base, RTC_BASE_UTC);
	cr_expect_eq(o.board.rtc.clock, RTC_CLOCK_HOST);
	cr_expect_gt(o.board.rtc.host_s, 0, "the host's time at start-up");
	options_free(&o);
	char *argv[] = {"rvjit",
			"-rtc",
			"base=localtime,clock=rt",
			"-rtc",
			"clock=vm",
			"-rtc",
			"base=2006-06-17T16:01:21,driftfix=slew",
			"k",
			NULL};
	cr_assert_eq(options_parse(&o, 8, argv, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(o.board.rtc.base, RTC_BASE_DATETIME);
	cr_expect_eq(o.board.rtc.start, 1150560081);
	cr_expect_eq(o.board.rtc.clock, RTC_CLOCK_VM);
	options_free(&o);
}

static struct machine *m;
static struct goldfish_rtc *rtc;
static bool irq_level;
static unsigned irq_changes;

static void record_irq(void *opaque, unsigned irq, bool level)
{
	(void)opaque;
	cr_expect_eq(irq, 11);
	irq_changes += level != irq_level;
	irq_level = level;
}

static void setup(void)
{
	m = machine_new(0x80000000, 1 << 20, 1, 0x80000000);
	cr_assert_not_null(m);
	const struct rtc_config c = {
	    .base = RTC_BASE_DATETIME, .clock = RTC_CLOCK_VM, .start = BASE_S};
	irq_level = false;
	irq_changes = 0;
	rtc = goldfish_rtc_new(m, RTC_BASE, (struct irq_line){.set = record_irq, .irq = 11}, &c);
	cr_assert_not_null(rtc);
}

static void teardown(void)
{
	machine_free(m);
	goldfish_rtc_free(rtc);
}

TestSuite(rtc, .timeout = 60);
TestSuite(goldfish_rtc, .init = setup, .fini = teardown, .timeout = 60);

static uint64_t rd(uint64_t pa, unsigned size)
{
	uint64_t v = 0xdeadbeef;
	cr_assert(bus_read(&m->bus, pa, size, &v), "bus_read %#lx failed", (unsigned long)pa);
	return v;
}

static void wr(uint64_t pa, uint32_t v)
{
	cr_assert(bus_write(&m->bus, pa, 4, v), "bus_write %#lx failed", (unsigned long)pa);
}

static uint64_t count(void)
{
	const uint64_t lo = rd(RTC_TIME_LOW, 4);
	return rd(RTC_TIME_HIGH, 4) << 32 | lo;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

Test(goldfish_rtc, starts_at_base_and_stops_with_the_machine)
{
	const uint64_t t0 = count();
	cr_expect(t0 >= BASE_S * NS_PER_S && t0 < (BASE_S + 1) * NS_PER_S, "%llu",
		  (unsigned long long)t0);
	machine_pause(m);
	const uint64_t a = count();
	sleep_ms(20);
	cr_expect_eq(count(), a, "clock=vm stands still while paused");
	machine_resume(m);
	sleep_ms(5);
	cr_expect_gt(count(), a);
}

Test(goldfish_rtc, time_low_latches_time_high)
{
	machine_pause(m);
	/* Set the count just below a carry into the high half. */
	wr(RTC_TIME_HIGH, 5);
	wr(RTC_TIME_LOW, 0xffffff00);
	cr_expect_eq(count(), 0x5ffffff00ULL);
	const uint64_t lo = rd(RTC_TIME_LOW, 4);
	machine_resume(m);
	sleep_ms(5); /* the low half wraps into the high half */
	machine_pause(m);
	cr_expect_eq(rd(RTC_TIME_HIGH, 4), 5, "TIME_HIGH is what TIME_LOW latched");
	cr_expect_eq(lo, 0xffffff00);
	cr_expect_eq(count() >> 32, 6);
	/* 8 bytes: TIME_LOW then TIME_HIGH, the whole count. */
	cr_expect_eq(rd(RTC_TIME_LOW, 8), count());
}

Test(goldfish_rtc, alarm_fires_when_the_count_passes_it)
{
	machine_pause(m);
	const uint64_t now = count();
	wr(RTC_ALARM_HIGH, (uint32_t)((now + 2000000) >> 32));
	wr(RTC_ALARM_LOW, (uint32_t)(now + 2000000));
	cr_expect_eq(rd(RTC_ALARM_STATUS, 4), 1);
	sleep_ms(10);
	machine_poll_devices(m);
	cr_expect_eq(rd(RTC_ALARM_STATUS, 4), 1, "a paused vm clock brings no alarm nearer");
	cr_expect_eq(m->next_deadline_ns, UINT64_MAX);
	machine_resume(m);
	sleep_ms(10);
	machine_poll_devices(m);
	cr_expect_eq(rd(RTC_ALARM_STATUS, 4), 0, "fired");
	cr_expect_not(irq_level, "IRQ_ENABLED is 0");
	wr(RTC_IRQ_ENABLED, 3);
	cr_expect_eq(rd(RTC_IRQ_ENABLED, 4), 1, "bit 0 only");
	cr_expect(irq_level, "fired and enabled");
	wr(RTC_CLEAR_INTERRUPT, 0);
	cr_expect_not(irq_level);
	cr_expect_eq(irq_changes, 2);
}

Test(goldfish_rtc, past_alarm_fires_at_once_and_clear_alarm_disarms)
{
	wr(RTC_IRQ_ENABLED, 1);
	wr(RTC_ALARM_HIGH, 0);
	wr(RTC_ALARM_LOW, 1);
	cr_expect(irq_level);
	cr_expect_eq(rd(RTC_ALARM_STATUS, 4), 0);
	wr(RTC_CLEAR_INTERRUPT, 0);
	const uint64_t later = count() + 60 * NS_PER_S;
	wr(RTC_ALARM_HIGH, (uint32_t)(later >> 32));
	wr(RTC_ALARM_LOW, (uint32_t)later);
	cr_expect_eq(rd(RTC_ALARM_LOW, 4), (uint32_t)later);
	cr_expect_eq(rd(RTC_ALARM_HIGH, 4), (uint32_t)(later >> 32));
	machine_poll_devices(m);
	cr_expect(m->next_deadline_ns > 59 * NS_PER_S && m->next_deadline_ns <= 60 * NS_PER_S);
	wr(RTC_CLEAR_ALARM, 0);
	cr_expect_eq(rd(RTC_ALARM_STATUS, 4), 0);
	cr_expect_not(irq_level);
}

Test(goldfish_rtc, garbage_gets_qemus_answers)
{
	uint64_t v;
	cr_expect_not(bus_read(&m->bus, RTC_TIME_LOW, 1, &v), "1 byte: access fault");
	cr_expect_not(bus_read(&m->bus, RTC_TIME_LOW, 2, &v), "2 bytes: access fault");
	cr_expect_not(bus_write(&m->bus, RTC_IRQ_ENABLED, 1, 1), "1-byte store: access fault");
	cr_expect_not(bus_read(&m->bus, RTC_BASE + 0x24, 4, &v), "past QEMU's region");
	cr_expect_not(bus_read(&m->bus, RTC_BASE + 0x20, 8, &v), "8 bytes running past it");
	cr_expect_eq(rd(RTC_BASE + 0x20, 4), 0, "unknown offset inside: 0");
	cr_expect_eq(rd(RTC_CLEAR_ALARM, 4), 0, "write-only: reads 0");
	cr_assert(bus_write(&m->bus, RTC_ALARM_STATUS, 4, 1), "read-only: dropped");
	cr_expect_eq(rd(RTC_ALARM_STATUS, 4), 0);
	/* 8 bytes at IRQ_ENABLED: IRQ_ENABLED, then CLEAR_ALARM. */
	const uint64_t later = count() + 60 * NS_PER_S;
	wr(RTC_ALARM_HIGH, (uint32_t)(later >> 32));
	wr(RTC_ALARM_LOW, (uint32_t)later);
	cr_assert(bus_write(&m->bus, RTC_IRQ_ENABLED, 8, 1 | 1ULL << 32));
	cr_expect_eq(rd(RTC_IRQ_ENABLED, 4), 1);
	cr_expect_eq(rd(RTC_ALARM_STATUS, 4), 0);
}
