// host-run: power_button.py
/*
 * Driven by test/power_button.py, not run as a guest_ test: a driver for
 * the board's virtio-input power button (devices/virtio_input.h, at
 * 0x10009000 on PLIC interrupt 9, loader/virt.h), written from virtio 1.2
 * sections 4.2 and 5.8.
 *
 *  1. The eight QEMU slots are empty (DeviceID 0) and the ninth transport
 *     is a modern virtio-input device; its configuration names it and
 *     says EV_KEY has KEY_POWER alone.
 *  2. Eight event buffers posted, an LED write on the status queue comes
 *     back unread; "ready". The host types system_powerdown: the press
 *     arrives by interrupt 9 as KEY_POWER 1, SYN, KEY_POWER 0, SYN.
 *  3. Hostile: a device-readable buffer and one outside RAM come back used
 *     length 0 and unwritten; "hostile ready", the next press goes to the
 *     good buffer after them. A chain whose next index is out of range
 *     sets DEVICE_NEEDS_RESET; after a reset the rest of the press comes.
 *
 * Prints "power button ok", or "FAIL STEP" and exits with STEP.
 */
#include "guest.h"
#include "guest_irq.h"

#define BASE	0x10009000UL
#define IRQ	9
#define NUM	8
#define RAM_END 0x88000000UL /* -m 128M */

#define R_MAGIC		0x000
#define R_VERSION	0x004
#define R_DEVICE_ID	0x008
#define R_VENDOR_ID	0x00c
#define R_DEV_FEATURES	0x010
#define R_DEV_FEAT_SEL	0x014
#define R_DRV_FEATURES	0x020
#define R_DRV_FEAT_SEL	0x024
#define R_QUEUE_SEL	0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM	0x038
#define R_QUEUE_READY	0x044
#define R_QUEUE_NOTIFY	0x050
#define R_INT_STATUS	0x060
#define R_INT_ACK	0x064
#define R_STATUS	0x070
#define R_DESC_LOW	0x080
#define R_DESC_HIGH	0x084
#define R_DRIVER_LOW	0x090
#define R_DRIVER_HIGH	0x094
#define R_DEVICE_LOW	0x0a0
#define R_DEVICE_HIGH	0x0a4
#define R_CONFIG	0x100
#define S_NEEDS_RESET	0x40u
#define D_NEXT		1u
#define D_WRITE		2u
#define CFG_ID_NAME	0x01
#define CFG_EV_BITS	0x11
#define EV_SYN		0
#define EV_KEY		1
#define EV_REL		2
#define KEY_POWER	116

struct vdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* One page per queue: descriptors, the avail ring at +1024, the used ring
 * at +2048. */
struct vq {
	volatile struct vdesc desc[NUM];
	uint8_t pad0[1024 - NUM * 16];
	volatile uint16_t avail[2 + NUM + 1];
	uint8_t pad1[1024 - 2 * (3 + NUM)];
	volatile uint16_t used_hdr[2];
	volatile uint32_t used[NUM][2];
};
static struct vq queues[2] __attribute__((aligned(4096)));
static volatile uint8_t events[NUM][16] __attribute__((aligned(16)));
static volatile uint8_t led[8];
static uint16_t avail_idx[2];
static volatile unsigned irqs;
static volatile uint32_t bad_claim;

static uint32_t rd(unsigned off)
{
	return mmio_read32(BASE + off);
}

static void wr(unsigned off, uint32_t v)
{
	mmio_write32(BASE + off, v);
}

static void fail(int step)
{
	puts_uart("FAIL ");
	print_dec((uint64_t)step);
	puts_uart("\n");
	guest_exit(step);
}

static void check(int cond, int step)
{
	if (!cond)
		fail(step);
}

__attribute__((interrupt("machine"), aligned(4))) static void trap(void)
{
	if (csr_read(mcause) != MCAUSE_M_EXTERNAL)
		guest_exit(1000 + (int)(csr_read(mcause) & 0xff));
	const uint32_t id = plic_claim_m0();
	if (id != IRQ)
		bad_claim = id ? id : 0xffff;
	else
		wr(R_INT_ACK, rd(R_INT_STATUS));
	if (id)
		plic_complete_m0(id);
	irqs++;
}

static uint8_t cfg8(unsigned off)
{
	return *(volatile uint8_t *)(BASE + R_CONFIG + off);
}

static void cfg_select(uint8_t select, uint8_t subsel)
{
	*(volatile uint8_t *)(BASE + R_CONFIG + 0) = select;
	*(volatile uint8_t *)(BASE + R_CONFIG + 1) = subsel;
}

static void setup_queue(unsigned q)
{
	struct vq *v = &queues[q];
	memset(v, 0, sizeof(*v));
	avail_idx[q] = 0;
	wr(R_QUEUE_SEL, q);
	check(rd(R_QUEUE_NUM_MAX) >= NUM, 20);
	wr(R_QUEUE_NUM, NUM);
	wr(R_DESC_LOW, (uint32_t)(uintptr_t)v->desc);
	wr(R_DESC_HIGH, 0);
	wr(R_DRIVER_LOW, (uint32_t)(uintptr_t)v->avail);
	wr(R_DRIVER_HIGH, 0);
	wr(R_DEVICE_LOW, (uint32_t)(uintptr_t)v->used_hdr);
	wr(R_DEVICE_HIGH, 0);
	wr(R_QUEUE_READY, 1);
}

/* 3.1.1: reset, ACKNOWLEDGE|DRIVER, VERSION_1 only, FEATURES_OK, the
 * queues, DRIVER_OK. */
static void init(void)
{
	wr(R_STATUS, 0);
	check(rd(R_STATUS) == 0, 10);
	wr(R_STATUS, 3);
	wr(R_DEV_FEAT_SEL, 1);
	check(rd(R_DEV_FEATURES) & 1, 11); /* VERSION_1 */
	wr(R_DRV_FEAT_SEL, 0);
	wr(R_DRV_FEATURES, 0);
	wr(R_DRV_FEAT_SEL, 1);
	wr(R_DRV_FEATURES, 1);
	wr(R_STATUS, 3 | 8);
	check(rd(R_STATUS) & 8, 12);
	setup_queue(0);
	setup_queue(1);
	wr(R_STATUS, 3 | 8 | 4);
}

static void post(unsigned q, uint16_t head)
{
	struct vq *v = &queues[q];
	v->avail[2 + avail_idx[q] % NUM] = head;
	__asm__ volatile("fence w, w");
	avail_idx[q]++;
	v->avail[1] = avail_idx[q];
	__asm__ volatile("fence w, w");
}

static void set_desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	queues[q].desc[i] = (struct vdesc){addr, len, flags, next};
}

static uint16_t used_idx(unsigned q)
{
	return queues[q].used_hdr[1];
}

/* Event buffers first..first+n-1 on descriptors of the same numbers. */
static void post_event_buffers(unsigned first, unsigned n)
{
	for (unsigned i = first; i < first + n; i++) {
		memset((void *)events[i], 0xee, 16);
		set_desc(0, i, (uintptr_t)events[i], 8, D_WRITE, 0);
		post(0, (uint16_t)i);
	}
	wr(R_QUEUE_NOTIFY, 0);
}

/* Wait by interrupt until the event queue's used index reaches `idx`. */
static void wait_used(uint16_t idx, int step)
{
	while (used_idx(0) != idx) {
		const unsigned seen = irqs;
		if (used_idx(0) == idx)
			break;
		wait_for_change(&irqs, seen);
		check(bad_claim == 0, step + 1);
	}
}

static void expect_event(unsigned buf, uint16_t type, uint16_t code, uint32_t value, int step)
{
	const volatile uint8_t *e = events[buf];
	check((e[0] | e[1] << 8) == type, step);
	check((e[2] | e[3] << 8) == code, step + 1);
	check(((uint32_t)e[4] | (uint32_t)e[5] << 8 | (uint32_t)e[6] << 16 |
	       (uint32_t)e[7] << 24) == value,
	      step + 2);
	check(e[8] == 0xee, step + 3);
}

static void check_used(uint16_t i, uint32_t id, uint32_t len, int step)
{
	check(queues[0].used[i % NUM][0] == id, step);
	check(queues[0].used[i % NUM][1] == len, step + 1);
}

int main(void)
{
	/* 1. QEMU's eight slots stay empty; the ninth is the button. */
	for (unsigned s = 0; s < 8; s++)
		check(mmio_read32(0x10001000UL + 0x1000 * s + R_DEVICE_ID) == 0, 1);
	check(rd(R_MAGIC) == 0x74726976u, 2);
	check(rd(R_VERSION) == 2, 3);
	check(rd(R_DEVICE_ID) == 18, 4);
	check(rd(R_VENDOR_ID) == 0x554d4551u, 5);
	init();

	static const char name[] = "rvjit power button";
	cfg_select(CFG_ID_NAME, 0);
	check(cfg8(2) == sizeof(name) - 1, 30);
	for (unsigned i = 0; i < sizeof(name) - 1; i++)
		check(cfg8(8 + i) == (uint8_t)name[i], 31);
	cfg_select(CFG_EV_BITS, EV_KEY);
	check(cfg8(2) == KEY_POWER / 8 + 1, 32);
	for (unsigned i = 0; i < 128; i++)
		check(cfg8(8 + i) == (i == KEY_POWER / 8 ? 1u << (KEY_POWER % 8) : 0), 33);
	cfg_select(CFG_EV_BITS, EV_REL);
	check(cfg8(2) == 0, 34);

	/* 2. Interrupt 9 to hart 0's M context; buffers; an LED write. */
	csr_write(mtvec, (uint64_t)(uintptr_t)trap);
	plic_enable_m0(IRQ, 1);
	csr_set(mie, MIE_MEIE);
	csr_set(mstatus, MSTATUS_MIE);
	post_event_buffers(0, NUM);
	led[0] = 0x11; /* EV_LED */
	set_desc(1, 0, (uintptr_t)led, 8, 0, 0);
	post(1, 0);
	wr(R_QUEUE_NOTIFY, 1);
	check(used_idx(1) == 1 && queues[1].used[0][1] == 0, 40);
	check(used_idx(0) == 0, 41);
	puts_uart("ready\n");

	wait_used(4, 50);
	for (unsigned i = 0; i < 4; i++)
		check_used((uint16_t)i, i, 8, 52);
	expect_event(0, EV_KEY, KEY_POWER, 1, 60);
	expect_event(1, EV_SYN, 0, 0, 64);
	expect_event(2, EV_KEY, KEY_POWER, 0, 68);
	expect_event(3, EV_SYN, 0, 0, 72);
	puts_uart("pressed\n");

	/* 3. Hostile chains. Fresh rings; 4 buffers are still posted. */
	init();
	memset((void *)events, 0xee, sizeof(events));
	set_desc(0, 0, (uintptr_t)events[0], 8, 0, 0);	     /* device-readable */
	set_desc(0, 1, RAM_END, 8, D_WRITE, 0);		     /* outside RAM */
	set_desc(0, 2, (uintptr_t)events[2], 8, D_WRITE, 0); /* good */
	for (uint16_t i = 0; i < 3; i++)
		post(0, i);
	wr(R_QUEUE_NOTIFY, 0);
	check(used_idx(0) == 0, 80);
	puts_uart("hostile ready\n");
	wait_used(3, 81);
	check_used(0, 0, 0, 83);
	check_used(1, 1, 0, 85);
	check_used(2, 2, 8, 87);
	check(events[0][0] == 0xee, 89);
	expect_event(2, EV_KEY, KEY_POWER, 1, 90);

	/* A next index out of range: the device needs a reset, and says so
	 * by a configuration change interrupt. */
	const unsigned seen = irqs;
	set_desc(0, 3, (uintptr_t)events[3], 8, D_WRITE | D_NEXT, 200);
	post(0, 3);
	wr(R_QUEUE_NOTIFY, 0);
	wait_for_change(&irqs, seen);
	check(rd(R_STATUS) & S_NEEDS_RESET, 95);
	check(used_idx(0) == 3, 96);

	/* The rest of the press after a reset. */
	init();
	post_event_buffers(0, 4);
	wait_used(3, 100);
	expect_event(0, EV_SYN, 0, 0, 102);
	expect_event(1, EV_KEY, KEY_POWER, 0, 106);
	expect_event(2, EV_SYN, 0, 0, 110);
	check(events[3][0] == 0xee, 114);
	puts_uart("power button ok\n");
	return 0;
}
