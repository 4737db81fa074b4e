// host-run: net_tap.py
/*
 * Driven by test/net_tap.py: virtio-net on -netdev tap, the host's end of
 * the TAP interface holding 10.0.2.2. An ARP request for 10.0.2.2 gets the
 * host kernel's reply, and ICMP echo requests to it come back: frames went
 * through the interface both ways. Prints "virtio-net tap ok, host MAC M"
 * (M as the host sees its interface, for the test to compare).
 */
#include "guest.h"
#include "guest_irq.h"
#include "virtio_drv.h"
#include "virtio_net_drv.h"

static struct vnet dev;

static void put_hex2(uint8_t v)
{
	const char *digits = "0123456789abcdef";
	char s[3] = {digits[v >> 4], digits[v & 15], 0};
	puts_uart(s);
}

int main(void)
{
	const int slot = vnet_find();
	CHECK(slot >= 0, 1);
	const int rc = vnet_init(&dev, slot);
	CHECK(rc == 0, 10 + rc);
	uint8_t host_mac[6];
	const int arp = vnet_arp(&dev, GATEWAY_IP, host_mac);
	CHECK(arp == 0, 20 + arp);
	for (uint16_t seq = 1; seq <= 5; seq++) {
		const int ping = vnet_ping(&dev, host_mac, GATEWAY_IP, seq);
		CHECK(ping == 0, 30 + ping);
	}
	puts_uart("virtio-net tap ok, host MAC ");
	for (unsigned i = 0; i < 6; i++) {
		put_hex2(host_mac[i]);
		puts_uart(i < 5 ? ":" : "\n");
	}
	return 0;
}
