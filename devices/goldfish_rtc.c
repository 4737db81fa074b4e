/*
 * The Goldfish RTC (see goldfish_rtc.h), with the register behaviour of
 * QEMU 7.2's hw/rtc/goldfish_rtc.c, which follows Android's
 * GOLDFISH-VIRTUAL-HARDWARE.TXT. 32-bit registers:
 *
 *   0x00 TIME_LOW        read: the low half of the count, in ns since the
 *                        epoch; latches the high half for TIME_HIGH.
 *                        write: replaces the low half of the count
 *   0x04 TIME_HIGH       read: the half TIME_LOW latched; write: replaces
 *                        the high half of the count
 *   0x08 ALARM_LOW       write: the low half of the alarm time, and arms it
 *                        (an alarm already due fires at once)
 *   0x0c ALARM_HIGH      write: the high half (arms nothing)
 *   0x10 IRQ_ENABLED     bit 0 lets a fired alarm raise the interrupt
 *   0x14 CLEAR_ALARM     write: disarm
 *   0x18 ALARM_STATUS    read: 1 while armed
 *   0x1c CLEAR_INTERRUPT write: drop the fired alarm's interrupt
 *
 * The interrupt line is (fired && enabled). Writing the count moves an
 * offset: the clock underneath (host, rt or vm) keeps its pace.
 *
 * Garbage, as QEMU answers it: the registers take 4-byte accesses (QEMU's
 * .valid sizes), and QEMU's region is 0x24 bytes in a page it shares with
 * nothing, which QEMU serves as a subpage that splits an 8-byte access
 * into two 4-byte ones, the lower address first; 1- and 2-byte accesses
 * are bus errors (an access fault to the guest), and so is anything past
 * 0x24. Reads of write-only or unknown offsets inside it return 0 and
 * writes to read-only or unknown ones are dropped, each logged with
 * -d guest_errors in QEMU's words.
 *
 * A fired alarm is noticed by a poller, which answers when the next one
 * is due; with clock=vm a stopped machine brings no alarm nearer.
 * `lock` guards the state, as the CLINT's does: harts access the
 * registers while the run loop polls.
 */
#include "goldfish_rtc.h"
#include "core/vmstate.h"
#include "fdt/fdt.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RTC_TIME_LOW	    0x00
#define RTC_TIME_HIGH	    0x04
#define RTC_ALARM_LOW	    0x08
#define RTC_ALARM_HIGH	    0x0c
#define RTC_IRQ_ENABLED	    0x10
#define RTC_CLEAR_ALARM	    0x14
#define RTC_ALARM_STATUS    0x18
#define RTC_CLEAR_INTERRUPT 0x1c
#define RTC_REGION_SIZE	    0x24 /* QEMU's memory region */

#define NS_PER_S 1000000000ULL

struct goldfish_rtc {
	struct machine *m;
	struct irq_line irq;
	enum rtc_clock clock;
	pthread_mutex_t lock;
	uint64_t tick_offset; /* count = clock_ns + tick_offset (mod 2^64) */
	uint64_t alarm_next;  /* the alarm time, in the count's ns */
	bool alarm_running;   /* armed and not yet fired */
	bool irq_pending;     /* fired, not yet cleared */
	bool irq_enabled;
	uint32_t time_high; /* latched by a TIME_LOW read */
};

static int64_t clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec;
}

void rtc_config_stamp(struct rtc_config *c)
{
	c->host_s = clock_s(CLOCK_REALTIME);
	c->rt_s = clock_s(CLOCK_MONOTONIC);
}

/* Floor division, for dates before the epoch. */
static int64_t div_floor(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days from 1970-01-01 to year-month-day of the proleptic Gregorian
 * calendar. Months past 12 run into the next years and days past a
 * month's end into the next months, as QEMU's mktimegm lets them. */
static int64_t days_since_epoch(int64_t year, int64_t month, int64_t day)
{
	year += div_floor(month - 1, 12);
	month -= 12 * div_floor(month - 1, 12);
	/* Count years from March, so that the leap day ends a year. */
	const int64_t y = month <= 2 ? year - 1 : year;
	const int64_t m = month <= 2 ? month + 9 : month - 3; /* March = 0 */
	const int64_t leap_days = div_floor(y, 4) - div_floor(y, 100) + div_floor(y, 400);
	const int64_t day_of_year = (153 * m + 2) / 5 + day - 1;
	/* 719468: days from 0000-03-01 to 1970-01-01. */
	return 365 * y + leap_days + day_of_year - 719468;
}

bool rtc_parse_datetime(const char *s, int64_t *secs)
{
	int year, month, day, hour = 0, min = 0, sec = 0;
	/* QEMU's sscanf formats: either all six fields or the date alone
	 * (what follows the date is not looked at). */
	if (sscanf(s, "%d-%d-%dT%d:%d:%d", &year, &month, &day, &hour, &min, &sec) != 6) {
		hour = min = sec = 0;
		if (sscanf(s, "%d-%d-%d", &year, &month, &day) != 3)
			return false;
	}
	*secs = days_since_epoch(year, month, day) * 86400 + 3600LL * hour + 60LL * min + sec;
	return *secs != -1; /* QEMU takes mktimegm's -1 for a failure */
}

/* The clock underneath the count, in ns. */
static uint64_t rtc_clock_ns(const struct goldfish_rtc *r)
{
	struct timespec ts;
	switch (r->clock) {
	case RTC_CLOCK_VM:
		/* -icount's time follows instructions, as mtime does. */
		return r->m->icount ? machine_mtime(r->m) * NS_PER_MTIME_TICK
				    : machine_clock_ns(r->m);
	case RTC_CLOCK_RT:
		return host_monotonic_ns();
	case RTC_CLOCK_HOST:
	default:
		clock_gettime(CLOCK_REALTIME, &ts);
		return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
	}
}

/* The date the RTC shows when it is made, in seconds (QEMU's
 * qemu_get_timedate): the -rtc base, moved on by the chosen clock since
 * the options were read (the virtual clock: since it started). */
static int64_t start_seconds(const struct goldfish_rtc *r, const struct rtc_config *c)
{
	struct rtc_config now = *c;
	if (!now.host_s)
		rtc_config_stamp(&now);
	const int64_t base = c->base == RTC_BASE_DATETIME ? c->start : now.host_s;
	int64_t t;
	switch (c->clock) {
	case RTC_CLOCK_VM:
		t = base + (int64_t)(rtc_clock_ns(r) / NS_PER_S);
		break;
	case RTC_CLOCK_RT:
		t = base + clock_s(CLOCK_MONOTONIC) - now.rt_s;
		break;
	case RTC_CLOCK_HOST:
	default:
		t = base + clock_s(CLOCK_REALTIME) - now.host_s;
		break;
	}
	if (c->base == RTC_BASE_LOCALTIME) {
		/* The local date and time, counted as if they were UTC. */
		struct tm tm;
		const time_t tt = (time_t)t;
		if (localtime_r(&tt, &tm))
			t += tm.tm_gmtoff;
	}
	return t;
}

static uint64_t rtc_count(const struct goldfish_rtc *r)
{
	return r->tick_offset + rtc_clock_ns(r);
}

static void update_irq(struct goldfish_rtc *r)
{
	irq_set(&r->irq, r->irq_pending && r->irq_enabled);
}

static void fire(struct goldfish_rtc *r)
{
	r->alarm_running = false;
	r->irq_pending = true;
	update_irq(r);
}

/* ALARM_LOW written: fire now if the time has come, else arm. */
static void arm_alarm(struct goldfish_rtc *r)
{
	if (r->alarm_next <= rtc_count(r))
		fire(r);
	else
		r->alarm_running = true;
}

/* Replace bits [shift, shift+32) of the count with v. */
static void set_count_half(struct goldfish_rtc *r, unsigned shift, uint32_t v)
{
	const uint64_t now = rtc_count(r);
	const uint64_t mask = 0xffffffffULL << shift;
	const uint64_t want = (now & ~mask) | ((uint64_t)v << shift);
	r->tick_offset += want - now;
}

static void log_unimp(const struct goldfish_rtc *r, const char *fn, uint64_t off)
{
	const struct machine *m = r->m;
	if (__atomic_load_n(&m->log_mask, __ATOMIC_RELAXED) & LOG_GUEST_ERRORS)
		fprintf(m->log ? m->log : stderr, "%s: offset 0x%x is UNIMP.\n", fn, (unsigned)off);
}

/* One 4-byte register read. */
static uint64_t read_reg(struct goldfish_rtc *r, uint64_t off)
{
	uint64_t v = 0;
	switch (off) {
	case RTC_TIME_LOW:
		v = rtc_count(r);
		r->time_high = (uint32_t)(v >> 32);
		v &= 0xffffffffULL;
		break;
	case RTC_TIME_HIGH:
		v = r->time_high;
		break;
	case RTC_ALARM_LOW:
		v = r->alarm_next & 0xffffffffULL;
		break;
	case RTC_ALARM_HIGH:
		v = r->alarm_next >> 32;
		break;
	case RTC_IRQ_ENABLED:
		v = r->irq_enabled;
		break;
	case RTC_ALARM_STATUS:
		v = r->alarm_running;
		break;
	default:
		log_unimp(r, "goldfish_rtc_read", off);
		break;
	}
	return v;
}

/* One 4-byte register write. */
static void write_reg(struct goldfish_rtc *r, uint64_t off, uint64_t val)
{
	switch (off) {
	case RTC_TIME_LOW:
		set_count_half(r, 0, (uint32_t)val);
		break;
	case RTC_TIME_HIGH:
		set_count_half(r, 32, (uint32_t)val);
		break;
	case RTC_ALARM_LOW:
		r->alarm_next = (r->alarm_next & ~0xffffffffULL) | (uint32_t)val;
		arm_alarm(r);
		break;
	case RTC_ALARM_HIGH:
		r->alarm_next = (r->alarm_next & 0xffffffffULL) | (uint64_t)(uint32_t)val << 32;
		break;
	case RTC_IRQ_ENABLED:
		r->irq_enabled = val & 1;
		update_irq(r);
		break;
	case RTC_CLEAR_ALARM:
		r->alarm_running = false;
		break;
	case RTC_CLEAR_INTERRUPT:
		r->irq_pending = false;
		update_irq(r);
		break;
	default:
		log_unimp(r, "goldfish_rtc_write", off);
		break;
	}
}

/* 4 bytes: one register; 8 bytes: two, the lower address first (so an ld
 * of TIME_LOW reads the whole count). */
static uint64_t rtc_read(void *opaque, uint64_t off, unsigned size)
{
	struct goldfish_rtc *r = opaque;
	pthread_mutex_lock(&r->lock);
	uint64_t v = read_reg(r, off);
	if (size == 8)
		v |= read_reg(r, off + 4) << 32;
	pthread_mutex_unlock(&r->lock);
	return v;
}

static void rtc_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct goldfish_rtc *r = opaque;
	pthread_mutex_lock(&r->lock);
	write_reg(r, off, (uint32_t)val);
	if (size == 8)
		write_reg(r, off + 4, val >> 32);
	pthread_mutex_unlock(&r->lock);
}

/* Fire a due alarm; answer how long until the armed one is due. */
static uint64_t rtc_poll(void *opaque)
{
	struct goldfish_rtc *r = opaque;
	uint64_t next = UINT64_MAX;
	pthread_mutex_lock(&r->lock);
	if (r->alarm_running) {
		const uint64_t now = rtc_count(r);
		if (r->alarm_next <= now)
			fire(r);
		else if (!(r->clock == RTC_CLOCK_VM && machine_clock_stopped(r->m)))
			next = r->alarm_next - now;
	}
	pthread_mutex_unlock(&r->lock);
	return next;
}

struct goldfish_rtc *goldfish_rtc_new(struct machine *m, uint64_t base, struct irq_line irq,
				      const struct rtc_config *c)
{
	struct goldfish_rtc *r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "rvjit: goldfish-rtc: out of memory\n");
		return NULL;
	}
	r->m = m;
	r->irq = irq;
	r->clock = c->clock;
	pthread_mutex_init(&r->lock, NULL);
	/* QEMU's realize: whole seconds of the start date, less the clock. */
	r->tick_offset = (uint64_t)start_seconds(r, c) * NS_PER_S - rtc_clock_ns(r);
	/* The poller slot first, so that no failure leaves the bus pointing
	 * to freed memory. */
	if (m->npollers == MAX_POLLERS ||
	    !bus_add(&m->bus, base, RTC_REGION_SIZE, r, rtc_read, rtc_write, "goldfish_rtc")) {
		fprintf(stderr, "rvjit: goldfish-rtc: cannot map at %#llx\n",
			(unsigned long long)base);
		goldfish_rtc_free(r);
		return NULL;
	}
	bus_set_sizes(&m->bus, base, 4 | 8);
	(void)machine_add_poller(m, rtc_poll, r);
	return r;
}

/* savevm/loadvm (core/vmstate.h), as QEMU's goldfish_rtc vmstate: the
 * count the guest saw is saved, not the offset from this host's clock, so
 * after loadvm the RTC reads on from the saved moment. */
void goldfish_rtc_save(struct goldfish_rtc *r, struct vmstate_out *o)
{
	pthread_mutex_lock(&r->lock);
	const uint64_t count = rtc_count(r);
	VMSTATE_PUT(o, count);
	VMSTATE_PUT(o, r->alarm_next);
	VMSTATE_PUT(o, r->alarm_running);
	VMSTATE_PUT(o, r->irq_pending);
	VMSTATE_PUT(o, r->irq_enabled);
	VMSTATE_PUT(o, r->time_high);
	pthread_mutex_unlock(&r->lock);
}

void goldfish_rtc_load(struct goldfish_rtc *r, struct vmstate_in *in)
{
	pthread_mutex_lock(&r->lock);
	uint64_t count = 0;
	VMSTATE_GET(in, count);
	r->tick_offset = count - rtc_clock_ns(r);
	VMSTATE_GET(in, r->alarm_next);
	VMSTATE_GET(in, r->alarm_running);
	VMSTATE_GET(in, r->irq_pending);
	VMSTATE_GET(in, r->irq_enabled);
	VMSTATE_GET(in, r->time_high);
	update_irq(r);
	pthread_mutex_unlock(&r->lock);
}

void goldfish_rtc_free(struct goldfish_rtc *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r);
}

void goldfish_rtc_fdt(struct fdt *f, uint64_t base, unsigned irq, uint32_t plic)
{
	fdt_begin_node_at(f, "rtc", base);
	fdt_prop_string(f, "compatible", "google,goldfish-rtc");
	fdt_prop_reg(f, base, GOLDFISH_RTC_SIZE);
	fdt_prop_u32(f, "interrupt-parent", plic);
	fdt_prop_u32(f, "interrupts", irq);
	fdt_end_node(f);
}
