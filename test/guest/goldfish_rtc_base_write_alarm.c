// args: -rtc base=2006-06-17
// expect-output: goldfish rtc ok
/*
 * The Goldfish RTC at 0x101000 as Linux's rtc-goldfish driver uses it,
 * started by -rtc base=2006-06-17 (1150502400 s since the epoch):
 *  - TIME_LOW then TIME_HIGH read the count, within a minute of that date,
 *    and it advances;
 *  - writing TIME_HIGH then TIME_LOW sets it (2100-01-01), and it reads
 *    back from there;
 *  - an alarm 20 ms ahead is armed (ALARM_STATUS 1), fires through PLIC
 *    source 11 once IRQ_ENABLED is set, disarms itself, and
 *    CLEAR_INTERRUPT drops the line; an alarm already past fires at once;
 *    CLEAR_ALARM disarms one that has not fired;
 *  - garbage, as QEMU answers it: 1- and 2-byte accesses and offsets past
 *    0x24 are access faults; 8 bytes are two 4-byte registers; the unknown
 *    offset 0x20 reads 0.
 */
#include "guest.h"
#include "guest_irq.h"

#define RTC		    0x101000UL
#define RTC_IRQ		    11
#define RTC_TIME_LOW	    0x00
#define RTC_TIME_HIGH	    0x04
#define RTC_ALARM_LOW	    0x08
#define RTC_ALARM_HIGH	    0x0c
#define RTC_IRQ_ENABLED	    0x10
#define RTC_CLEAR_ALARM	    0x14
#define RTC_ALARM_STATUS    0x18
#define RTC_CLEAR_INTERRUPT 0x1c

#define NS_PER_S   1000000000ULL
#define BASE_S	   1150502400ULL /* 2006-06-17T00:00:00Z */
#define SET_S	   4102444800ULL /* 2100-01-01T00:00:00Z */
#define MCAUSE_LAF 5		 /* load access fault */
#define MCAUSE_SAF 7		 /* store/AMO access fault */

static volatile unsigned interrupts, bad_claim;
static volatile unsigned faults;
static volatile uint64_t fault_cause;

static uint64_t rtc_now(void)
{
	const uint32_t lo = mmio_read32(RTC + RTC_TIME_LOW);
	const uint32_t hi = mmio_read32(RTC + RTC_TIME_HIGH);
	return (uint64_t)hi << 32 | lo;
}

/* An access fault skips the (4-byte) access; the RTC's interrupt is
 * claimed, cleared at the RTC and completed. */
__attribute__((interrupt("machine"), aligned(4))) static void trap(void)
{
	const uint64_t cause = csr_read(mcause);
	if (cause == MCAUSE_LAF || cause == MCAUSE_SAF) {
		fault_cause = cause;
		faults++;
		csr_write(mepc, csr_read(mepc) + 4);
		return;
	}
	if (cause != MCAUSE_M_EXTERNAL)
		guest_exit(1000 + (int)(cause & 0xff));
	const uint32_t id = plic_claim_m0();
	if (id != RTC_IRQ)
		bad_claim = id ? id : 0xffff;
	else
		mmio_write32(RTC + RTC_CLEAR_INTERRUPT, 1);
	plic_complete_m0(id);
	interrupts++;
}

/* Loads and stores of each width, uncompressed so the handler can skip
 * them. */
#define ACCESS(insn, reg)                                                                          \
	__asm__ volatile(".option push\n.option norvc\n" insn " %0, 0(%1)\n.option pop"            \
			 : "+r"(reg)                                                               \
			 : "r"(addr)                                                               \
			 : "memory")

static unsigned faults_of_load(uintptr_t addr, int width)
{
	const unsigned before = faults;
	uint64_t v = 0;
	switch (width) {
	case 1:
		ACCESS("lbu", v);
		break;
	case 2:
		ACCESS("lhu", v);
		break;
	case 4:
		ACCESS("lwu", v);
		break;
	default:
		ACCESS("ld", v);
		break;
	}
	return faults - before;
}

static unsigned faults_of_store(uintptr_t addr, int width)
{
	const unsigned before = faults;
	uint64_t v = 0;
	switch (width) {
	case 1:
		ACCESS("sb", v);
		break;
	case 2:
		ACCESS("sh", v);
		break;
	default:
		ACCESS("sd", v);
		break;
	}
	return faults - before;
}

/* Sleep until an interrupt or until the RTC passes `deadline`. */
static void wait_interrupt(unsigned seen, uint64_t deadline)
{
	while (interrupts == seen && rtc_now() < deadline) {
		csr_clear(mstatus, MSTATUS_MIE);
		if (interrupts == seen)
			__asm__ volatile("wfi");
		csr_set(mstatus, MSTATUS_MIE);
	}
}

int main(void)
{
	csr_write(mtvec, (uint64_t)(uintptr_t)trap);

	/* The -rtc base, and time going on from it. */
	const uint64_t t0 = rtc_now();
	CHECK(t0 >= BASE_S * NS_PER_S && t0 < (BASE_S + 60) * NS_PER_S, 1);
	uint64_t t1;
	do
		t1 = rtc_now();
	while (t1 == t0);
	CHECK(t1 > t0 && t1 < t0 + NS_PER_S, 2);

	/* Set the time as Linux does (high half first) and read it back. */
	const uint64_t set = SET_S * NS_PER_S;
	mmio_write32(RTC + RTC_TIME_HIGH, (uint32_t)(set >> 32));
	mmio_write32(RTC + RTC_TIME_LOW, (uint32_t)set);
	const uint64_t t2 = rtc_now();
	CHECK(t2 >= set && t2 < set + NS_PER_S, 3);

	/* Nothing armed or enabled yet. */
	CHECK(mmio_read32(RTC + RTC_ALARM_STATUS) == 0, 4);
	CHECK(mmio_read32(RTC + RTC_IRQ_ENABLED) == 0, 5);

	plic_enable_m0(RTC_IRQ, 1);
	csr_set(mie, MIE_MEIE);
	csr_set(mstatus, MSTATUS_MIE);

	/* An alarm 20 ms ahead: armed, then fired through the PLIC. */
	mmio_write32(RTC + RTC_IRQ_ENABLED, 1);
	CHECK(mmio_read32(RTC + RTC_IRQ_ENABLED) == 1, 6);
	const uint64_t alarm = rtc_now() + 20000000ULL;
	mmio_write32(RTC + RTC_ALARM_HIGH, (uint32_t)(alarm >> 32));
	mmio_write32(RTC + RTC_ALARM_LOW, (uint32_t)alarm);
	CHECK(mmio_read32(RTC + RTC_ALARM_STATUS) == 1, 7);
	CHECK(mmio_read32(RTC + RTC_ALARM_LOW) == (uint32_t)alarm, 8);
	CHECK(mmio_read32(RTC + RTC_ALARM_HIGH) == (uint32_t)(alarm >> 32), 9);
	CHECK(interrupts == 0, 10);
	wait_interrupt(0, alarm + 5 * NS_PER_S);
	CHECK(interrupts == 1, 11);
	CHECK(!bad_claim, 12);
	CHECK(rtc_now() >= alarm, 13);
	CHECK(mmio_read32(RTC + RTC_ALARM_STATUS) == 0, 14);
	/* Cleared in the handler: nothing pending at the PLIC. */
	csr_clear(mstatus, MSTATUS_MIE);
	CHECK(!(mmio_read32(PLIC_PENDING(RTC_IRQ)) & (1u << RTC_IRQ)), 15);
	csr_set(mstatus, MSTATUS_MIE);

	/* An alarm in the past fires at once (never armed). */
	const uint64_t past = rtc_now() - NS_PER_S;
	mmio_write32(RTC + RTC_ALARM_HIGH, (uint32_t)(past >> 32));
	mmio_write32(RTC + RTC_ALARM_LOW, (uint32_t)past);
	wait_interrupt(1, rtc_now() + 5 * NS_PER_S);
	CHECK(interrupts == 2, 16);
	CHECK(mmio_read32(RTC + RTC_ALARM_STATUS) == 0, 17);

	/* CLEAR_ALARM disarms an alarm before it fires. */
	const uint64_t later = rtc_now() + 30000000ULL;
	mmio_write32(RTC + RTC_ALARM_HIGH, (uint32_t)(later >> 32));
	mmio_write32(RTC + RTC_ALARM_LOW, (uint32_t)later);
	CHECK(mmio_read32(RTC + RTC_ALARM_STATUS) == 1, 18);
	mmio_write32(RTC + RTC_CLEAR_ALARM, 1);
	CHECK(mmio_read32(RTC + RTC_ALARM_STATUS) == 0, 19);
	while (rtc_now() < later + 50000000ULL)
		;
	CHECK(interrupts == 2, 20);

	/* Garbage: QEMU's region takes 4-byte accesses in 0x24 bytes. */
	CHECK(faults_of_load(RTC + RTC_TIME_LOW, 1) == 1 && fault_cause == MCAUSE_LAF, 21);
	CHECK(faults_of_load(RTC + RTC_TIME_LOW, 2) == 1, 22);
	/* QEMU splits 8 bytes into two 4-byte accesses, low address first:
	 * ld TIME_LOW reads the whole count; sd IRQ_ENABLED writes
	 * CLEAR_ALARM too. */
	const uint64_t before = rtc_now();
	const uint64_t whole = *(volatile uint64_t *)(RTC + RTC_TIME_LOW);
	CHECK(whole >= before && whole < before + NS_PER_S, 23);
	CHECK(faults_of_store(RTC + RTC_IRQ_ENABLED, 1) == 1 && fault_cause == MCAUSE_SAF, 24);
	const uint64_t far = rtc_now() + 60 * NS_PER_S;
	mmio_write32(RTC + RTC_ALARM_HIGH, (uint32_t)(far >> 32));
	mmio_write32(RTC + RTC_ALARM_LOW, (uint32_t)far);
	CHECK(mmio_read32(RTC + RTC_ALARM_STATUS) == 1, 25);
	*(volatile uint64_t *)(RTC + RTC_IRQ_ENABLED) = 1 | 1ULL << 32;
	CHECK(mmio_read32(RTC + RTC_ALARM_STATUS) == 0, 31);
	CHECK(faults_of_load(RTC + 0x24, 4) == 1, 26);
	CHECK(faults_of_load(RTC + 0x100, 4) == 1, 27);
	CHECK(faults_of_load(RTC + 0x20, 4) == 0 && mmio_read32(RTC + 0x20) == 0, 28);
	CHECK(mmio_read32(RTC + RTC_IRQ_ENABLED) == 1, 29); /* the bad store did nothing */
	mmio_write32(RTC + 0x20, 0xffffffff);		    /* dropped */
	mmio_write32(RTC + RTC_ALARM_STATUS, 1);	    /* read-only: dropped */
	CHECK(mmio_read32(RTC + RTC_ALARM_STATUS) == 0, 30);

	puts_uart("goldfish rtc ok\n");
	return 0;
}
