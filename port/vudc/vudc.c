/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual device controller: a UDC port in software plus the host's half of
 * the bus. Everything runs in the caller's thread: the host-side calls feed
 * one packet, let the core react (it arms the next one synchronously), and
 * continue until the transfer is over or the device STALLs or NAKs.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "dfukit/port/vudc.h"

static struct vudc_ep *ep_of(struct vudc *v, uint8_t ep)
{
	uint8_t n = ep & 0x0fu;
	return (ep & UDC_EP_DIR_IN) ? &v->in[n] : &v->out[n];
}

static int op_enable(void *port, bool enable)
{
	struct vudc *v = port;
	v->connected = enable;
	return 0;
}

static int op_set_address(void *port, uint8_t address)
{
	struct vudc *v = port;
	v->address = address;
	return 0;
}

static int op_ep_enable(void *port, uint8_t ep, enum udc_ep_type type, uint16_t max_packet)
{
	(void)type;
	if ((ep & 0x70u) != 0 || max_packet == 0) {
		return -EINVAL;
	}
	struct vudc_ep *e = ep_of(port, ep);
	memset(e, 0, sizeof(*e));
	e->enabled = true;
	e->max_packet = max_packet;
	return 0;
}

static int op_ep_disable(void *port, uint8_t ep)
{
	if ((ep & 0x70u) != 0) {
		return -EINVAL;
	}
	memset(ep_of(port, ep), 0, sizeof(struct vudc_ep));
	return 0;
}

static int op_ep_xfer(void *port, uint8_t ep, uint8_t *buf, uint16_t len)
{
	if ((ep & 0x70u) != 0) {
		return -EINVAL;
	}
	struct vudc_ep *e = ep_of(port, ep);
	if (!e->enabled || (len > 0 && buf == NULL)) {
		return -EINVAL;
	}
	e->buf = buf;
	e->len = len;
	e->armed = true;
	return 0;
}

static int op_ep_set_stall(void *port, uint8_t ep, bool stall)
{
	if ((ep & 0x70u) != 0) {
		return -EINVAL;
	}
	struct vudc_ep *e = ep_of(port, ep);
	e->stalled = stall;
	if (stall) {
		e->armed = false;
	}
	return 0;
}

const struct udc_ops vudc_ops = {
	.enable = op_enable,
	.set_address = op_set_address,
	.ep_enable = op_ep_enable,
	.ep_disable = op_ep_disable,
	.ep_xfer = op_ep_xfer,
	.ep_set_stall = op_ep_set_stall,
};

void vudc_init(struct vudc *v, struct usbd_device *dev)
{
	memset(v, 0, sizeof(*v));
	v->dev = dev;
}

void vudc_bus_reset(struct vudc *v)
{
	for (unsigned i = 0; i < VUDC_NUM_EPS; i++) {
		memset(&v->in[i], 0, sizeof(v->in[i]));
		memset(&v->out[i], 0, sizeof(v->out[i]));
	}
	usbd_on_bus_reset(v->dev);
}

/* Wait for the device to arm ep: a STALL or nothing armed ends the transfer. */
static int ready(struct vudc *v, uint8_t ep)
{
	struct vudc_ep *e = ep_of(v, ep);
	if (e->stalled) {
		return -EPIPE;
	}
	if (!e->armed) {
		return -ETIMEDOUT;
	}
	return 0;
}

/* Host sends one OUT packet of n bytes (n <= what the device armed). */
static int host_out(struct vudc *v, uint8_t ep, const uint8_t *data, uint16_t n)
{
	int rc = ready(v, ep);
	if (rc < 0) {
		return rc;
	}
	struct vudc_ep *e = ep_of(v, ep);
	if (n > e->len || n > e->max_packet) {
		return -EOVERFLOW; /* babble: the device armed less than the host sends */
	}
	if (n > 0) {
		memcpy(e->buf, data, n);
	}
	e->armed = false;
	usbd_on_xfer_done(v->dev, ep, n);
	return 0;
}

/* Host receives one IN packet into data (room for room bytes); returns its size. */
static int host_in(struct vudc *v, uint8_t ep, uint8_t *data, uint16_t room)
{
	int rc = ready(v, ep);
	if (rc < 0) {
		return rc;
	}
	struct vudc_ep *e = ep_of(v, ep);
	uint16_t n = e->len;
	if (n > e->max_packet || n > room) {
		return -EOVERFLOW;
	}
	if (n > 0) {
		memcpy(data, e->buf, n);
	}
	e->armed = false;
	usbd_on_xfer_done(v->dev, ep, n);
	return n;
}

/*
 * One control transfer whose data stage may be larger than data (cap bytes):
 * the SETUP always goes out, as on a bus; only the data stage is bounded.
 */
static int control(struct vudc *v, const struct usbd_setup *setup, uint8_t *data, uint16_t cap)
{
	uint8_t raw[8];

	if (!v->connected) {
		return -ENOTCONN;
	}
	v->ctrl_count++;
	/* The core takes the SETUP as a controller delivers it: 8 raw bytes. */
	usbd_setup_encode(raw, setup);
	/* A SETUP is always accepted and clears a STALL (USB 2.0 8.5.3.4). */
	v->in[0].stalled = false;
	v->out[0].stalled = false;
	v->in[0].armed = false;
	v->out[0].armed = false;
	usbd_on_setup(v->dev, raw);

	uint16_t mps = v->in[0].max_packet ? v->in[0].max_packet : 8;
	uint16_t len = setup->wLength;
	uint16_t done = 0;
	int rc;

	if (len > 0 && (setup->bmRequestType & USB_REQTYPE_DIR_IN)) {
		for (;;) {
			uint16_t room = (uint16_t)(len - done);
			if (room > mps) {
				room = mps;
			}
			/* A packet the host would take but data cannot hold: give up here. */
			if (ready(v, UDC_EP0_IN) == 0 && v->in[0].len <= room &&
			    v->in[0].len > cap - done) {
				return -EMSGSIZE;
			}
			rc = host_in(v, UDC_EP0_IN, data + done, room);
			if (rc < 0) {
				return rc;
			}
			done = (uint16_t)(done + rc);
			if ((uint16_t)rc < mps || done == len) {
				break;
			}
		}
		rc = host_out(v, UDC_EP0_OUT, NULL, 0);
		return rc < 0 ? rc : done;
	}
	if (len > cap) {
		/* OUT data the caller does not have: the device's answer to the SETUP decides. */
		rc = ready(v, UDC_EP0_OUT);
		return rc < 0 ? rc : -EMSGSIZE;
	}
	while (done < len) {
		uint16_t n = (uint16_t)(len - done) < mps ? (uint16_t)(len - done) : mps;
		rc = host_out(v, UDC_EP0_OUT, data + done, n);
		if (rc < 0) {
			return rc;
		}
		done = (uint16_t)(done + n);
	}
	uint8_t zlp[1];
	rc = host_in(v, UDC_EP0_IN, zlp, 0);
	if (rc > 0) {
		return -EPROTO; /* data in a status stage */
	}
	return rc < 0 ? rc : 0;
}

int vudc_control(struct vudc *v, const struct usbd_setup *setup, uint8_t *data)
{
	return control(v, setup, data, setup->wLength);
}

int vudc_control_bounded(struct vudc *v, const struct usbd_setup *setup, uint8_t *data,
			 uint16_t capacity)
{
	return control(v, setup, data, capacity);
}

int vudc_control_raw(struct vudc *v, const uint8_t raw[8], uint8_t *data, uint16_t data_len)
{
	struct usbd_setup setup;
	usbd_setup_decode(&setup, raw);
	return control(v, &setup, data, data_len);
}

int vudc_transfer(struct vudc *v, uint8_t ep, uint8_t *data, uint16_t len)
{
	if ((ep & 0x70u) != 0 || (ep & 0x0fu) == 0) {
		return -EINVAL;
	}
	struct vudc_ep *e = ep_of(v, ep);
	if (!v->connected || !e->enabled) {
		return -EINVAL;
	}
	uint16_t n = len < e->max_packet ? len : e->max_packet;
	int rc = (ep & UDC_EP_DIR_IN) ? host_in(v, ep, data, len) : host_out(v, ep, data, n);
	/* Nothing armed on a data endpoint is a NAK: the host retries later. */
	if (rc == -ETIMEDOUT) {
		return -EAGAIN;
	}
	return (ep & UDC_EP_DIR_IN) || rc < 0 ? rc : n;
}
