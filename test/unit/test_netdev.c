/*
 * The queue between a network backend and its NIC (devices/netdev.c):
 * frames come out in order and whole, the queue is bounded (a flooding
 * backend loses frames, counted, instead of growing without end), and
 * what cannot be a frame is refused both ways.
 */
#include "devices/netdev.h"

#include <criterion/criterion.h>
#include <string.h>

struct sent {
	unsigned frames;
	size_t last_len;
};

static void record_send(void *opaque, const uint8_t *frame, size_t len)
{
	struct sent *s = opaque;
	s->frames++;
	s->last_len = len;
}

static const struct netdev_ops record_ops = {.send = record_send};

Test(netdev, frames_come_out_in_order_and_whole)
{
	struct netdev *nd = netdev_new("n0", "user", &record_ops, NULL);
	cr_assert(nd);
	uint8_t a[60], b[1514], out[2048];
	memset(a, 0xaa, sizeof(a));
	memset(b, 0xbb, sizeof(b));
	cr_assert(netdev_deliver(nd, a, sizeof(a)));
	cr_assert(netdev_deliver(nd, b, sizeof(b)));
	cr_assert_eq(netdev_peek(nd), sizeof(a));
	cr_assert_eq(netdev_receive(nd, out, sizeof(out)), sizeof(a));
	cr_assert_arr_eq(out, a, sizeof(a));
	cr_assert_eq(netdev_receive(nd, out, sizeof(out)), sizeof(b));
	cr_assert_arr_eq(out, b, sizeof(b));
	cr_assert_eq(netdev_receive(nd, out, sizeof(out)), 0);
	netdev_free(nd);
}

Test(netdev, a_flood_is_bounded_and_counted)
{
	struct netdev *nd = netdev_new("n0", "user", &record_ops, NULL);
	uint8_t f[64] = {0};
	unsigned kept = 0;
	for (unsigned i = 0; i < 10 * NETDEV_QUEUE_MAX; i++) {
		f[0] = (uint8_t)i;
		kept += netdev_deliver(nd, f, sizeof(f));
	}
	cr_assert_eq(kept, NETDEV_QUEUE_MAX);
	cr_assert_eq(nd->dropped, 9 * NETDEV_QUEUE_MAX);
	/* The oldest were kept; taking one makes room for one more. */
	uint8_t out[64];
	cr_assert_eq(netdev_receive(nd, out, sizeof(out)), sizeof(out));
	cr_assert_eq(out[0], 0);
	cr_assert(netdev_deliver(nd, f, sizeof(f)));
	cr_assert_not(netdev_deliver(nd, f, sizeof(f)));
	netdev_free(nd); /* frees what is still queued */
}

Test(netdev, what_cannot_be_a_frame_is_refused)
{
	struct sent s = {0};
	struct netdev *nd = netdev_new("n0", "user", &record_ops, &s);
	static uint8_t big[NETDEV_FRAME_MAX + 1];
	cr_assert_not(netdev_deliver(nd, big, 0));
	cr_assert_not(netdev_deliver(nd, big, sizeof(big)));
	cr_assert_eq(netdev_peek(nd), 0);
	netdev_send(nd, big, 0);
	netdev_send(nd, big, sizeof(big));
	cr_assert_eq(s.frames, 0);
	netdev_send(nd, big, 1514);
	cr_assert_eq(s.frames, 1);
	cr_assert_eq(s.last_len, 1514);
	/* A receiver with too little room gets the start and the length. */
	uint8_t frame[100], out[10];
	memset(frame, 7, sizeof(frame));
	cr_assert(netdev_deliver(nd, frame, sizeof(frame)));
	cr_assert_eq(netdev_receive(nd, out, sizeof(out)), sizeof(frame));
	cr_assert_eq(out[9], 7);
	cr_assert_eq(netdev_peek(nd), 0);
	netdev_free(nd);
}
