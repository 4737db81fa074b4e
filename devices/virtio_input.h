/*
 * virtio-input (virtio 1.2 section 5.8) as a power button: a device whose
 * only key is KEY_POWER, which the host presses (the monitor's
 * system_powerdown). A guest that listens to input devices for it (Linux's
 * virtio_input driver, then systemd-logind on the evdev node) shuts down
 * cleanly. QEMU's virt board booted with a device tree has no way to ask
 * the guest to power off; rvjit's board adds this device for it.
 */
#ifndef RVJIT_VIRTIO_INPUT_H
#define RVJIT_VIRTIO_INPUT_H

#include "devices/virtio_mmio.h"
#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_ID_INPUT 18

/* 5.8.2: the event queue (device to driver) and the status queue (driver
 * to device: LEDs and the like). */
#define VIRTIO_INPUT_EVENTQ  0
#define VIRTIO_INPUT_STATUSQ 1

/* 5.8.5 struct virtio_input_config: select, subsel, size, 5 reserved
 * bytes, then a 128-byte union. */
#define VIRTIO_INPUT_CFG_SELECT	 0
#define VIRTIO_INPUT_CFG_SUBSEL	 1
#define VIRTIO_INPUT_CFG_SIZE	 2
#define VIRTIO_INPUT_CFG_U	 8
#define VIRTIO_INPUT_CFG_U_SIZE	 128
#define VIRTIO_INPUT_CONFIG_SIZE (VIRTIO_INPUT_CFG_U + VIRTIO_INPUT_CFG_U_SIZE)

/* 5.8.5 enum virtio_input_config_select. */
#define VIRTIO_INPUT_CFG_UNSET	   0x00
#define VIRTIO_INPUT_CFG_ID_NAME   0x01
#define VIRTIO_INPUT_CFG_ID_SERIAL 0x02
#define VIRTIO_INPUT_CFG_ID_DEVIDS 0x03
#define VIRTIO_INPUT_CFG_PROP_BITS 0x10
#define VIRTIO_INPUT_CFG_EV_BITS   0x11
#define VIRTIO_INPUT_CFG_ABS_INFO  0x12

/* 5.8.6 struct virtio_input_event: le16 type, le16 code, le32 value. */
#define VIRTIO_INPUT_EVENT_SIZE 8

/* Linux's input-event-codes.h, which the spec refers to (5.8.6). */
#define INPUT_EV_SYN	  0x00
#define INPUT_EV_KEY	  0x01
#define INPUT_SYN_REPORT  0
#define INPUT_KEY_POWER	  116
#define INPUT_BUS_VIRTUAL 0x06

#define VIRTIO_INPUT_NAME   "rvjit power button"
#define VIRTIO_INPUT_SERIAL "rvjit-power-0"

/* Events waiting for the driver's buffers, at most: 16 presses. */
#define VIRTIO_INPUT_PENDING_MAX 64

struct virtio_input;

/* Map the power button at `base` on m->bus, always on a modern (version 2)
 * transport: 5.8 has no legacy interface, and Linux's driver requires
 * VIRTIO_F_VERSION_1. NULL with a message on failure. */
struct virtio_input *virtio_input_power_button_new(struct machine *m, uint64_t base,
						   struct irq_line irq);

/* Its transport (savevm, loadvm). */
struct virtio_mmio *virtio_input_transport(struct virtio_input *in);

/* Press and release the power button: KEY_POWER 1, SYN_REPORT, KEY_POWER
 * 0, SYN_REPORT. Delivered at once as far as the driver has given
 * buffers and the machine runs; the rest waits (the device's poller).
 * False when too many events already wait (the press is dropped, and
 * counted). Never blocks. Registers a poller with the machine. */
bool virtio_input_press_power(struct virtio_input *in);

struct virtio_input_stats {
	uint64_t presses;   /* accepted by virtio_input_press_power */
	uint64_t dropped;   /* presses refused: the pending events were full */
	uint64_t delivered; /* events written to the driver's buffers */
	unsigned pending;   /* events waiting for buffers */
};
void virtio_input_stats(const struct virtio_input *in, struct virtio_input_stats *s);

/* Same rules as virtio_mmio_free. */
void virtio_input_free(struct virtio_input *in);

#endif
