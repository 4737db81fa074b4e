/*
 * The body of the virtio-net guests (legacy and modern): the device is
 * found and offers exactly what it implements, its config space has QEMU's
 * default MAC and the link up, and through slirp (-netdev user,
 * restrict=on) an ARP request for the gateway 10.0.2.2 gets slirp's reply
 * and ICMP echo requests to it come back. Prints "virtio-net ok".
 */
#include "guest.h"
#include "guest_irq.h"
#include "virtio_drv.h"
#include "virtio_net_drv.h"

static struct vnet dev;

static int run_net_test(int want_legacy)
{
	const int slot = vnet_find();
	CHECK(slot >= 0, 1);
	const int rc = vnet_init(&dev, slot);
	CHECK(rc == 0, 10 + rc);
	CHECK(dev.legacy == want_legacy, 2);
	/* 5.1.3 and 6: MAC, STATUS, the transport's INDIRECT_DESC and
	 * EVENT_IDX, VERSION_1 in modern only; nothing else (no offloads,
	 * no MRG_RXBUF, no control queue). */
	const uint64_t expect = 1ULL << F_NET_MAC | 1ULL << F_NET_STATUS | 1ULL << F_INDIRECT_DESC |
				1ULL << F_EVENT_IDX | (want_legacy ? 0 : 1ULL << F_VERSION_1);
	CHECK(dev.offered == expect, 3);
	CHECK(dev.hlen == (want_legacy ? 10u : 12u), 4);
	const uint8_t qemu_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	for (unsigned i = 0; i < 6; i++)
		CHECK(dev.mac[i] == qemu_mac[i], 5);
	CHECK((*(volatile uint16_t *)(dev.base + VM_CONFIG + 6) & 1) == 1, 6); /* LINK_UP */
	/* Two queues, no third (no control queue). */
	vnw(&dev, VM_QUEUE_SEL, 2);
	CHECK(vnr(&dev, VM_QUEUE_NUM_MAX) == 0, 7);

	uint8_t gw_mac[6];
	const int arp = vnet_arp(&dev, GATEWAY_IP, gw_mac);
	CHECK(arp == 0, 20 + arp);
	/* slirp answers for its hosts with 52:55:IP. */
	CHECK(gw_mac[0] == 0x52 && gw_mac[1] == 0x55 && gw_mac[5] == 2, 24);
	/* The header of a received frame: no flags, GSO_NONE, num_buffers 1
	 * when it has one (5.1.6.4). The last buffer used was given back. */
	const uint8_t *hdr = vnet_rx[vnet_used_id(&dev.q[0], dev.q[0].used_seen - 1)];
	for (unsigned i = 0; i < 10; i++)
		CHECK(hdr[i] == 0, 25);
	if (!want_legacy)
		CHECK(hdr[10] == 1 && hdr[11] == 0, 26);

	for (uint16_t seq = 1; seq <= 20; seq++) {
		const int ping = vnet_ping(&dev, gw_mac, GATEWAY_IP, seq);
		CHECK(ping == 0, 30 + ping);
	}
	puts_uart("virtio-net ok\n");
	return 0;
}
