// args: -global virtio-mmio.force-legacy=false -net nic -net user,restrict=on
// expect-output: virtio-net hostile ok
/*
 * A hostile driver against virtio-net (modern), through slirp (given the
 * old way, -net nic -net user). Whatever
 * the driver does, the device drops what it cannot trust and stays up:
 *   - transmit chains that lie (a buffer outside RAM, a length running
 *     past the end of RAM, a device-writable part, too short for a
 *     header, longer than any frame) come back with used length 0 and
 *     nothing is sent: slirp's ARP reply, which the same bytes in a sound
 *     chain would get, never comes;
 *   - a receive buffer too small for the frame gets the frame dropped and
 *     comes back with used length 0;
 *   - a flood of transmitted frames whose replies outrun the receive
 *     buffers loses replies (a bounded queue), never hangs, and the
 *     device works afterwards;
 *   - a looping chain sets DEVICE_NEEDS_RESET; after a reset it works.
 * Each step is an exit code in the hundreds.
 */
#include "guest.h"
#include "guest_irq.h"
#include "virtio_drv.h"
#include "virtio_net_drv.h"

#define RAM_END 0x88000000UL

static struct vnet dev;
static uint8_t arp[64];
static unsigned arp_len;

/* A chain of n descriptors (addresses and lengths, flags per entry)
 * posted on the transmit queue; returns the used length, -1 if none. */
static int tx_chain(unsigned n, const uint64_t *addr, const uint32_t *len, const uint16_t *flags)
{
	struct vnet_queue *q = &dev.q[1];
	for (unsigned i = 0; i < n; i++)
		q->desc[i] =
		    (struct vdesc){addr[i], len[i], (uint16_t)(flags[i] | (i + 1 < n ? D_NEXT : 0)),
				   (uint16_t)(i + 1)};
	vnet_post(&dev, 1, 0);
	for (unsigned spin = 0; spin < 10000000; spin++) {
		if (vnet_used_idx(q) != q->used_seen) {
			const uint32_t l = vnet_used_len(q, q->used_seen);
			q->used_seen++;
			return (int)l;
		}
	}
	return -1;
}

/* Nothing arrived on the receive queue (replies are synchronous with the
 * transmit, so a short wait is enough to see one). */
static int no_rx(void)
{
	uint32_t len;
	return vnet_recv(&dev, &len, 2000000) < 0;
}

static void expect_working(int code)
{
	uint8_t mac[6];
	CHECK((vnr(&dev, VM_STATUS) & S_NEEDS_RESET) == 0, code);
	CHECK(vnet_arp(&dev, GATEWAY_IP, mac) == 0, code + 1);
}

int main(void)
{
	const int slot = vnet_find();
	CHECK(slot >= 0, 1);
	CHECK(vnet_init(&dev, slot) == 0, 2);
	CHECK(!dev.legacy, 3);
	expect_working(4);

	/* The ARP request, header first, in vnet_tx. */
	arp_len = arp_request(&dev, arp, GATEWAY_IP);
	for (unsigned i = 0; i < dev.hlen; i++)
		vnet_tx[i] = 0;
	for (unsigned i = 0; i < arp_len; i++)
		vnet_tx[dev.hlen + i] = arp[i];
	const uint64_t tx = (uintptr_t)vnet_tx;
	const uint32_t whole = dev.hlen + arp_len;

	/* A sound chain of two parts is sent: the reference. */
	{
		const uint64_t a[2] = {tx, tx + 5};
		const uint32_t l[2] = {5, whole - 5};
		const uint16_t f[2] = {0, 0};
		CHECK(tx_chain(2, a, l, f) == 0, 100);
		CHECK(!no_rx(), 101);
		vnet_give_rx(&dev, vnet_used_id(&dev.q[0], dev.q[0].used_seen - 1), VNET_RXBUF);
	}
	/* A buffer outside RAM (the boot ROM's neighbourhood, MMIO). */
	{
		const uint64_t a[2] = {tx, 0x10000000UL};
		const uint32_t l[2] = {whole, 64};
		const uint16_t f[2] = {0, 0};
		CHECK(tx_chain(2, a, l, f) == 0, 200);
		CHECK(no_rx(), 201);
		expect_working(202);
	}
	/* A length running past the end of RAM, and one wrapping. */
	{
		const uint64_t a[1] = {tx};
		const uint32_t l[1] = {0xfffffff0u};
		const uint16_t f[1] = {0};
		CHECK(tx_chain(1, a, l, f) == 0, 300);
		CHECK(no_rx(), 301);
		const uint64_t a2[1] = {0xfffffffffffff000UL};
		const uint32_t l2[1] = {0x2000};
		CHECK(tx_chain(1, a2, l2, f) == 0, 302);
		CHECK(no_rx(), 303);
		expect_working(304);
	}
	/* A device-writable part in a transmit chain. */
	{
		const uint64_t a[2] = {tx, (uintptr_t)vnet_rx[0]};
		const uint32_t l[2] = {whole, 16};
		const uint16_t f[2] = {0, D_WRITE};
		CHECK(tx_chain(2, a, l, f) == 0, 400);
		CHECK(no_rx(), 401);
		expect_working(402);
	}
	/* Too short: a header and half an Ethernet header; zero-sized. */
	{
		const uint64_t a[1] = {tx};
		const uint32_t l[1] = {dev.hlen + 7};
		const uint16_t f[1] = {0};
		CHECK(tx_chain(1, a, l, f) == 0, 500);
		const uint32_t l0[1] = {0};
		CHECK(tx_chain(1, a, l0, f) == 0, 501);
		CHECK(no_rx(), 502);
		expect_working(503);
	}
	/* Longer than any frame: 96 KiB of RAM (our own code and data). */
	{
		const uint64_t a[2] = {0x80000000UL, 0x80000000UL + 0x10000};
		const uint32_t l[2] = {0x10000, 0x8000};
		const uint16_t f[2] = {0, 0};
		CHECK(tx_chain(2, a, l, f) == 0, 600);
		expect_working(601);
	}
	/* Receive buffers too small for slirp's reply (header + 64). */
	{
		CHECK(vnet_init_rx(&dev, slot, 20) == 0, 700);
		CHECK(vnet_send(&dev, arp, arp_len) == 0, 701);
		uint32_t len = 99;
		CHECK(vnet_recv(&dev, &len, 2000000) >= 0, 702);
		CHECK(len == 0, 703);
		CHECK(no_rx(), 704);
		CHECK(vnet_init(&dev, slot) == 0, 705);
		expect_working(706);
	}
	/* A flood: 2000 requests, every descriptor of the transmit queue at
	 * once, while nobody takes the replies. */
	{
		struct vnet_queue *q = &dev.q[1];
		for (unsigned i = 0; i < VNET_QN; i++)
			q->desc[i] = (struct vdesc){tx, whole, 0, 0};
		for (unsigned round = 0; round < 250; round++) {
			for (unsigned i = 0; i < VNET_QN; i++) {
				q->avail[2 + q->avail_idx % VNET_QN] = (uint16_t)i;
				q->avail_idx++;
			}
			vnet_fence();
			q->avail[1] = q->avail_idx;
			vnet_fence();
			vnw(&dev, VM_QUEUE_NOTIFY, 1);
			unsigned spin = 0;
			while (vnet_used_idx(q) != q->avail_idx && spin++ < 10000000)
				;
			CHECK(vnet_used_idx(q) == q->avail_idx, 800);
			q->used_seen = q->avail_idx;
		}
		/* Drain: the 8 buffers, then what the bounded queue kept. */
		unsigned got = 0;
		uint32_t len;
		int b;
		while ((b = vnet_recv(&dev, &len, 2000000)) >= 0) {
			CHECK(len > dev.hlen, 801);
			got++;
			CHECK(got <= 2000, 802);
			vnet_give_rx(&dev, (unsigned)b, VNET_RXBUF);
		}
		CHECK(got >= VNET_QN && got < 2000, 803);
		expect_working(804);
	}
	/* A looping chain: the device needs a reset, then works again. */
	{
		struct vnet_queue *q = &dev.q[1];
		q->desc[0] = (struct vdesc){tx, whole, D_NEXT, 0};
		vnet_post(&dev, 1, 0);
		CHECK(vnr(&dev, VM_STATUS) & S_NEEDS_RESET, 900);
		CHECK(vnet_init(&dev, slot) == 0, 901);
		expect_working(902);
	}
	puts_uart("virtio-net hostile ok\n");
	return 0;
}
