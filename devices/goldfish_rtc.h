/*
 * The virt board's real-time clock: Google's Goldfish RTC ("google,
 * goldfish-rtc", at 0x101000, PLIC source 11), as QEMU's virt has it
 * (hw/rtc/goldfish_rtc.c), read by Linux's rtc-goldfish driver.
 *
 * What it counts is set by QEMU's `-rtc base=...,clock=...` (struct
 * rtc_config, filled by cli/options.c): nanoseconds since the Unix epoch
 * of the date `base` names, advancing with the host's wall clock
 * (clock=host, the default), its monotonic clock (rt) or the machine's
 * virtual clock, which stands still while the machine is stopped (vm).
 */
#ifndef RVJIT_GOLDFISH_RTC_H
#define RVJIT_GOLDFISH_RTC_H

#include "core/machine.h"
#include "irq.h"
#include <stdbool.h>
#include <stdint.h>

#define GOLDFISH_RTC_SIZE 0x1000 /* the board's slot (QEMU's memmap) */

/* -rtc base=: where the count starts. */
enum rtc_base {
	RTC_BASE_UTC = 0,   /* the host's time, in UTC */
	RTC_BASE_LOCALTIME, /* the host's time in its time zone, counted as if UTC */
	RTC_BASE_DATETIME,  /* a given date and time (UTC) */
};

/* -rtc clock=: what the count follows. */
enum rtc_clock {
	RTC_CLOCK_HOST = 0, /* the host's wall clock (CLOCK_REALTIME) */
	RTC_CLOCK_RT,	    /* the host's monotonic clock */
	RTC_CLOCK_VM,	    /* the machine's virtual clock (machine_clock_ns) */
};

/* A zeroed struct is QEMU's default, base=utc,clock=host. */
struct rtc_config {
	enum rtc_base base;
	enum rtc_clock clock;
	int64_t start; /* RTC_BASE_DATETIME: seconds since the epoch */
	/* The host's wall and monotonic clocks, in seconds, when the options
	 * were read (QEMU's configure_rtc): what utc and localtime start
	 * from, and where clock=rt counts from. 0: when the RTC is made. */
	int64_t host_s, rt_s;
};

/* Record the host clocks now (rtc_config's host_s and rt_s). */
void rtc_config_stamp(struct rtc_config *c);

/* "2006-06-17T16:01:21" or "2006-06-17" (QEMU's two formats, parsed as
 * QEMU parses them) as seconds since the epoch; false when neither. */
bool rtc_parse_datetime(const char *s, int64_t *secs);

struct goldfish_rtc;

/* Map the RTC at base, its interrupt on `irq`; NULL (after a message) when
 * out of memory or the bus or poller table is full. */
struct goldfish_rtc *goldfish_rtc_new(struct machine *m, uint64_t base, struct irq_line irq,
				      const struct rtc_config *c);
void goldfish_rtc_free(struct goldfish_rtc *r);

/* savevm/loadvm (core/vmstate.h): the RTC's count, alarm and interrupt
 * state. */
struct vmstate_out;
struct vmstate_in;
void goldfish_rtc_save(struct goldfish_rtc *r, struct vmstate_out *o);
void goldfish_rtc_load(struct goldfish_rtc *r, struct vmstate_in *in);

/* Its device-tree node (under /soc), as QEMU's create_fdt_rtc. */
struct fdt;
void goldfish_rtc_fdt(struct fdt *f, uint64_t base, unsigned irq, uint32_t plic);

#endif
