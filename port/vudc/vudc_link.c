/* SPDX-License-Identifier: Apache-2.0 */
#include "dfukit/port/vudc_link.h"

#include <errno.h>
#include <string.h>

#include "dfukit/wire.h"

/* Offsets in a frame. */
#define F_OP        0u
#define F_ARG       1u
#define F_LEN       2u
#define F_PAYLOAD   VUDC_LINK_HDR_SIZE
/* A reply's payload: rc, the ep's wMaxPacketSize, then IN data. */
#define R_RC        F_PAYLOAD
#define R_MPS       (F_PAYLOAD + 4u)
#define R_DATA      (F_PAYLOAD + 6u)
#define REPLY_FIXED 6u
/* A CONTROL request's payload: setup, capacity, OUT data. */
#define C_SETUP     F_PAYLOAD
#define C_CAP       (F_PAYLOAD + 8u)
#define C_DATA      (F_PAYLOAD + 10u)
/* A TRANSFER request's payload: capacity, OUT data. */
#define T_CAP       F_PAYLOAD
#define T_DATA      (F_PAYLOAD + 2u)

#define SETUP_DIR_IN  0x80u
#define SETUP_WLENGTH 6u

static int send_frame(const struct vudc_link_io *io, uint8_t *f, uint8_t op, uint8_t arg,
		      uint16_t len)
{
	f[F_OP] = op;
	f[F_ARG] = arg;
	wire_put_le16(f + F_LEN, len);
	return io->write(io->ctx, f, VUDC_LINK_HDR_SIZE + (uint32_t)len);
}

/* One whole frame into f; its payload length in *len. */
static int recv_frame(const struct vudc_link_io *io, uint8_t *f, uint16_t *len)
{
	int rc = io->read(io->ctx, f, VUDC_LINK_HDR_SIZE);
	if (rc < 0) {
		return rc;
	}
	*len = wire_get_le16(f + F_LEN);
	if (*len > VUDC_LINK_MAX_FRAME - VUDC_LINK_HDR_SIZE) {
		return -EPROTO;
	}
	return *len != 0u ? io->read(io->ctx, f + F_PAYLOAD, *len) : 0;
}

/* ------------------------------------------------------------ device side */

void vudc_link_dev_init(struct vudc_link_dev *l, const struct vudc_link_io *io, struct vudc *v)
{
	l->io = *io;
	l->vudc = v;
}

static uint8_t dev_flags(const struct vudc_link_dev *l)
{
	return l->vudc->connected ? VUDC_LINK_FLAG_CONNECTED : 0u;
}

static uint16_t ep_max_packet(const struct vudc *v, uint8_t ep)
{
	const struct vudc_ep *e =
		(ep & UDC_EP_DIR_IN) != 0u ? &v->in[ep & 0x0fu] : &v->out[ep & 0x0fu];
	return e->max_packet;
}

/* Run a CONTROL request; IN data goes to R_DATA. Returns the vudc's result or -EPROTO. */
static int dev_control(struct vudc_link_dev *l, uint16_t len)
{
	uint8_t setup[8];
	if (len < C_DATA - F_PAYLOAD) {
		return -EPROTO;
	}
	memcpy(setup, l->frame + C_SETUP, sizeof(setup));
	uint16_t cap = wire_get_le16(l->frame + C_CAP);
	uint16_t wlength = wire_get_le16(setup + SETUP_WLENGTH);
	uint32_t out_len = len - (C_DATA - F_PAYLOAD);
	bool in = (setup[0] & SETUP_DIR_IN) != 0u;
	uint32_t want_out = in || wlength > cap ? 0u : wlength;
	if (cap > VUDC_LINK_MAX_DATA || out_len != want_out) {
		return -EPROTO;
	}
	uint8_t *buf = in ? l->frame + R_DATA : l->frame + C_DATA;
	return vudc_control_raw(l->vudc, setup, buf, cap);
}

static int dev_transfer(struct vudc_link_dev *l, uint8_t ep, uint16_t len)
{
	if (len < T_DATA - F_PAYLOAD) {
		return -EPROTO;
	}
	uint16_t cap = wire_get_le16(l->frame + T_CAP);
	uint16_t out_len = (uint16_t)(len - (T_DATA - F_PAYLOAD));
	if ((ep & UDC_EP_DIR_IN) != 0u) {
		if (out_len != 0u || cap > VUDC_LINK_MAX_DATA) {
			return -EPROTO;
		}
		return vudc_transfer(l->vudc, ep, l->frame + R_DATA, cap);
	}
	if (cap != 0u || out_len > VUDC_LINK_MAX_DATA) {
		return -EPROTO;
	}
	return vudc_transfer(l->vudc, ep, l->frame + T_DATA, out_len);
}

int vudc_link_dev_serve(struct vudc_link_dev *l)
{
	uint16_t len;
	int r = recv_frame(&l->io, l->frame, &len);
	if (r < 0) {
		return r;
	}
	uint8_t op = l->frame[F_OP], arg = l->frame[F_ARG];
	uint8_t ep = 0;
	bool in = false;
	switch (op) {
	case VUDC_LINK_OP_BUS_RESET:
		vudc_bus_reset(l->vudc);
		r = len == 0u ? 0 : -EPROTO;
		break;
	case VUDC_LINK_OP_CONTROL:
		in = len >= C_DATA - F_PAYLOAD && (l->frame[C_SETUP] & SETUP_DIR_IN) != 0u;
		r = dev_control(l, len);
		break;
	case VUDC_LINK_OP_TRANSFER:
		ep = arg;
		in = (ep & UDC_EP_DIR_IN) != 0u;
		r = dev_transfer(l, ep, len);
		break;
	default: r = -EPROTO; break;
	}
	if (r == -EPROTO) {
		return r;
	}
	uint16_t data_len = in && r > 0 ? (uint16_t)r : 0u;
	wire_put_le32(l->frame + R_RC, (uint32_t)r);
	wire_put_le16(l->frame + R_MPS, ep_max_packet(l->vudc, ep));
	return send_frame(&l->io, l->frame, (uint8_t)(op | VUDC_LINK_OP_REPLY), dev_flags(l),
			  (uint16_t)(REPLY_FIXED + data_len));
}

int vudc_link_dev_event(struct vudc_link_dev *l, enum vudc_link_event ev)
{
	l->frame[F_PAYLOAD] = dev_flags(l);
	return send_frame(&l->io, l->frame, VUDC_LINK_OP_EVENT, (uint8_t)ev, 1u);
}

/* -------------------------------------------------------------- host side */

void vudc_link_host_init(struct vudc_link_host *h, const struct vudc_link_io *io)
{
	memset(h, 0, sizeof(*h));
	h->io = *io;
}

static int host_fail(struct vudc_link_host *h, int err)
{
	h->broken = true;
	h->connected = false;
	return err;
}

static int host_take_event(struct vudc_link_host *h, uint16_t len)
{
	if (len != 1u || h->num_events == VUDC_LINK_MAX_EVENTS) {
		return host_fail(h, -EPROTO);
	}
	h->connected = (h->frame[F_PAYLOAD] & VUDC_LINK_FLAG_CONNECTED) != 0u;
	h->events[h->num_events++] = h->frame[F_ARG];
	return 0;
}

/*
 * Send the request already in h->frame and wait for its reply, keeping the
 * events that come first. Returns the device's rc; IN data is at R_DATA,
 * its length in *data_len.
 */
static int host_call(struct vudc_link_host *h, uint8_t op, uint8_t arg, uint16_t len, uint8_t ep,
		     uint16_t *data_len)
{
	uint16_t got;
	if (h->broken) {
		return -EPIPE;
	}
	int r = send_frame(&h->io, h->frame, op, arg, len);
	while (r == 0) {
		r = recv_frame(&h->io, h->frame, &got);
		if (r == 0 && h->frame[F_OP] == VUDC_LINK_OP_EVENT) {
			r = host_take_event(h, got);
			continue;
		}
		if (r < 0) {
			break;
		}
		if (h->frame[F_OP] != (uint8_t)(op | VUDC_LINK_OP_REPLY) || got < REPLY_FIXED) {
			return host_fail(h, -EPROTO);
		}
		h->connected = (h->frame[F_ARG] & VUDC_LINK_FLAG_CONNECTED) != 0u;
		h->ep_max_packet[(ep & 0x0fu) + ((ep & UDC_EP_DIR_IN) != 0u ? 16u : 0u)] =
			wire_get_le16(h->frame + R_MPS);
		*data_len = (uint16_t)(got - REPLY_FIXED);
		int32_t rc = (int32_t)wire_get_le32(h->frame + R_RC);
		/* IN data and a byte count must agree. */
		if (*data_len != 0u && (rc < 0 || (uint32_t)rc != *data_len)) {
			return host_fail(h, -EPROTO);
		}
		return (int)rc;
	}
	return host_fail(h, r == -EPROTO ? r : -EPIPE);
}

int vudc_link_host_bus_reset(struct vudc_link_host *h)
{
	uint16_t n;
	int r = host_call(h, VUDC_LINK_OP_BUS_RESET, 0u, 0u, 0u, &n);
	return r < 0 ? r : 0;
}

int vudc_link_host_control_raw(struct vudc_link_host *h, const uint8_t raw[8], uint8_t *data,
			       uint16_t data_len)
{
	uint16_t cap = data_len < VUDC_LINK_MAX_DATA ? data_len : (uint16_t)VUDC_LINK_MAX_DATA;
	uint16_t wlength = wire_get_le16(raw + SETUP_WLENGTH);
	bool in = (raw[0] & SETUP_DIR_IN) != 0u;
	uint16_t out_len = in || wlength > cap ? 0u : wlength;
	uint16_t got;

	if (h->broken) {
		return -EPIPE;
	}
	memcpy(h->frame + C_SETUP, raw, 8u);
	wire_put_le16(h->frame + C_CAP, cap);
	if (out_len != 0u) {
		memcpy(h->frame + C_DATA, data, out_len);
	}
	int r = host_call(h, VUDC_LINK_OP_CONTROL, 0u, (uint16_t)(C_DATA - F_PAYLOAD + out_len), 0u,
			  &got);
	if (r >= 0 && in) {
		if (got > cap) {
			return host_fail(h, -EPROTO);
		}
		memcpy(data, h->frame + R_DATA, got);
	}
	return r;
}

int vudc_link_host_transfer(struct vudc_link_host *h, uint8_t ep, uint8_t *data, uint16_t len)
{
	bool in = (ep & UDC_EP_DIR_IN) != 0u;
	uint16_t n = len < VUDC_LINK_MAX_DATA ? len : (uint16_t)VUDC_LINK_MAX_DATA;
	uint16_t got;

	if (h->broken) {
		return -EPIPE;
	}
	wire_put_le16(h->frame + T_CAP, in ? n : 0u);
	if (!in) {
		memcpy(h->frame + T_DATA, data, n);
	}
	int r = host_call(h, VUDC_LINK_OP_TRANSFER, ep,
			  (uint16_t)(T_DATA - F_PAYLOAD + (in ? 0u : n)), ep, &got);
	if (r >= 0 && in) {
		if (got > n) {
			return host_fail(h, -EPROTO);
		}
		memcpy(data, h->frame + R_DATA, got);
	}
	return r;
}

int vudc_link_host_pump(struct vudc_link_host *h)
{
	uint16_t len;
	if (h->broken) {
		return -EPIPE;
	}
	int r = recv_frame(&h->io, h->frame, &len);
	if (r < 0) {
		return host_fail(h, r);
	}
	if (h->frame[F_OP] != VUDC_LINK_OP_EVENT) {
		return host_fail(h, -EPROTO);
	}
	return host_take_event(h, len);
}

int vudc_link_host_event(struct vudc_link_host *h)
{
	if (h->num_events == 0u) {
		return -EAGAIN;
	}
	int ev = h->events[0];
	h->num_events--;
	memmove(h->events, h->events + 1, h->num_events);
	return ev;
}
