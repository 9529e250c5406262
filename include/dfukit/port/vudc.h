/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vudc: a virtual device controller. It implements the UDC port interface in
 * software and gives a host-side API that plays the USB host: send a SETUP
 * with its data stage, read what comes back, see STALLs. Unit tests drive the
 * stack through it, and the USB/IP server turns URBs into calls of it.
 *
 * Control transfers are split into bMaxPacketSize0 packets exactly as a bus
 * would carry them, so the core's multi-packet handling is exercised.
 */
#ifndef DFUKIT_VUDC_H
#define DFUKIT_VUDC_H

#include <stdbool.h>
#include <stdint.h>

#include "dfukit/udc.h"
#include "dfukit/usbd.h"

#define VUDC_NUM_EPS 16

struct vudc_ep {
	uint8_t *buf;
	uint16_t len;
	uint16_t max_packet;
	bool armed;
	bool stalled;
	bool enabled;
};

struct vudc {
	struct usbd_device *dev;
	struct vudc_ep in[VUDC_NUM_EPS];
	struct vudc_ep out[VUDC_NUM_EPS];
	uint8_t address;
	bool connected;
	/* Statistics the benchmarks read: control transfers seen (all requests). */
	uint32_t ctrl_count;
};

extern const struct udc_ops vudc_ops;

/* Prepare the controller; bind it with usbd_init(dev, desc, &(struct udc){&vudc_ops, v}). */
void vudc_init(struct vudc *v, struct usbd_device *dev);
static inline struct udc vudc_udc(struct vudc *v)
{
	struct udc u = {&vudc_ops, v};
	return u;
}

/* Host side. */
void vudc_bus_reset(struct vudc *v);
/*
 * One control transfer. setup->wLength bytes of data: sent from data for OUT
 * requests, received into data for IN requests (data must hold wLength).
 * Returns bytes received for IN (0 for OUT) or -EPIPE if the device STALLed,
 * -ETIMEDOUT if it NAKs forever (nothing armed), -ENOTCONN if not connected.
 */
int vudc_control(struct vudc *v, const struct usbd_setup *setup, uint8_t *data);
/*
 * One packet on a non-control endpoint: OUT sends min(len, wMaxPacketSize)
 * bytes, IN receives up to len (a packet of at most wMaxPacketSize). Returns bytes moved, -EPIPE if halted, -EAGAIN if the device has
 * nothing armed (a NAK), -EINVAL for an endpoint that is not enabled.
 */
int vudc_transfer(struct vudc *v, uint8_t ep, uint8_t *data, uint16_t len);
/*
 * Same as vudc_control, but data holds only capacity bytes. The SETUP reaches
 * the device whatever its wLength, as on a bus, so a device that STALLs a too
 * long request does so (-EPIPE) and its classes see it. Only the data stage
 * is bounded by capacity: an OUT request with wLength > capacity sends no
 * data (the caller has none to give) and returns -EMSGSIZE if the device
 * accepted the SETUP; an IN request returns what the device sent if its reply
 * ended within capacity, -EMSGSIZE if it had more to send. A transfer given
 * up with -EMSGSIZE is left unfinished, as a host does by sending the next
 * SETUP. The USB/IP server calls this with the SETUP its codec decoded.
 */
int vudc_control_bounded(struct vudc *v, const struct usbd_setup *setup, uint8_t *data,
			 uint16_t capacity);
/* vudc_control_bounded with the 8-byte setup packet as it comes off a wire. */
int vudc_control_raw(struct vudc *v, const uint8_t raw[8], uint8_t *data, uint16_t data_len);

#endif /* DFUKIT_VUDC_H */
