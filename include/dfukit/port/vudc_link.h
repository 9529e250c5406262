/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vudc_link: the host side of a vudc (vudc.h) carried over a byte stream, so
 * that the USB device (usbd core, classes, the vudc itself) runs on one CPU
 * and the USB host that drives it (the USB/IP server) on another. The
 * emulated Cortex-M boards use it: QEMU has no USB device controller for
 * M-profile machines, so the firmware serves vudc calls that the board
 * process sends over a semihosting channel.
 *
 * Every host call is one request and one reply, in order; the device side
 * answers each request before it reads the next. Between replies the device
 * may send events (it left the bus, it came back with new descriptors),
 * which the host side keeps until vudc_link_host_event() takes them.
 *
 * Frames: a 4-byte header (op, arg, payload length little-endian 16) and
 * the payload. All integers little-endian.
 *   BUS_RESET   host->dev  no payload
 *   CONTROL     host->dev  setup[8], capacity le16, OUT data (min(wLength, capacity))
 *   TRANSFER    host->dev  arg = ep; capacity le16 (IN), OUT data
 *   reply       dev->host  op = request | 0x80, arg = flags (bit 0 connected);
 *                          rc le32 (signed), wMaxPacketSize le16 of the ep, IN data
 *   EVENT       dev->host  arg = VUDC_LINK_EV_*, flags byte as payload
 * A frame that breaks these rules ends the link (-EPROTO).
 */
#ifndef DFUKIT_VUDC_LINK_H
#define DFUKIT_VUDC_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "dfukit/port/vudc.h"

/* Largest data stage carried; the USB/IP server buffers no more (usbfs's cap). */
#define VUDC_LINK_MAX_DATA  4096u
#define VUDC_LINK_HDR_SIZE  4u
#define VUDC_LINK_MAX_FRAME (VUDC_LINK_HDR_SIZE + 8u + 2u + VUDC_LINK_MAX_DATA)

enum vudc_link_op {
	VUDC_LINK_OP_BUS_RESET = 0x01,
	VUDC_LINK_OP_CONTROL = 0x02,
	VUDC_LINK_OP_TRANSFER = 0x03,
	VUDC_LINK_OP_EVENT = 0x40,
	VUDC_LINK_OP_REPLY = 0x80,
};

enum vudc_link_event {
	VUDC_LINK_EV_DETACHED = 1, /* the device left the bus */
	VUDC_LINK_EV_ATTACHED = 2, /* it is on the bus (again), descriptors may have changed */
};

#define VUDC_LINK_FLAG_CONNECTED 0x01u

/*
 * The byte stream: read and write move exactly len bytes or fail
 * (negative errno; -EPIPE when the other side is gone).
 */
struct vudc_link_io {
	int (*read)(void *ctx, void *buf, uint32_t len);
	int (*write)(void *ctx, const void *buf, uint32_t len);
	void *ctx;
};

/* ---- device side (the firmware) */

struct vudc_link_dev {
	struct vudc_link_io io;
	struct vudc *vudc;
	uint8_t frame[VUDC_LINK_MAX_FRAME];
};

void vudc_link_dev_init(struct vudc_link_dev *l, const struct vudc_link_io *io, struct vudc *v);
/* Read one request, run it on the vudc, send the reply. 0, or the link's error. */
int vudc_link_dev_serve(struct vudc_link_dev *l);
/* Tell the host side that the device left the bus or came back. */
int vudc_link_dev_event(struct vudc_link_dev *l, enum vudc_link_event ev);

/* ---- host side (the board process, beside the USB/IP server) */

#define VUDC_LINK_MAX_EVENTS 8u

struct vudc_link_host {
	struct vudc_link_io io;
	bool connected; /* as the device said in its last frame */
	bool broken;    /* a link error happened: every call fails with -EPIPE */
	uint8_t events[VUDC_LINK_MAX_EVENTS];
	uint8_t num_events;
	uint8_t frame[VUDC_LINK_MAX_FRAME];
	uint16_t
		ep_max_packet[32]; /* last wMaxPacketSize seen per ep (index ep & 15, +16 for IN) */
};

void vudc_link_host_init(struct vudc_link_host *h, const struct vudc_link_io *io);
/* The vudc host API (vudc.h), over the link: same arguments, same results. */
int vudc_link_host_bus_reset(struct vudc_link_host *h);
int vudc_link_host_control_raw(struct vudc_link_host *h, const uint8_t raw[8], uint8_t *data,
			       uint16_t data_len);
int vudc_link_host_transfer(struct vudc_link_host *h, uint8_t ep, uint8_t *data, uint16_t len);
/*
 * Read one frame that the device sent by itself (call when the stream is
 * readable and no request is outstanding). 0, or the link's error.
 */
int vudc_link_host_pump(struct vudc_link_host *h);
/* The oldest event not taken yet, or -EAGAIN. */
int vudc_link_host_event(struct vudc_link_host *h);

#endif /* DFUKIT_VUDC_LINK_H */
