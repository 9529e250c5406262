/* SPDX-License-Identifier: Apache-2.0 */
/*
 * USB/IP server, the URB engine (after import): CMD_SUBMIT on ep 0 runs a
 * control transfer at once; on other endpoints it moves packets until the
 * URB is complete or the device NAKs, and a NAKed URB waits in the device's
 * queue, retried from the poll loop, in order per endpoint. CMD_UNLINK
 * cancels a queued URB.
 */
#include <errno.h>
#include <string.h>

#include "usbip_priv.h"

/* A transfer_buffer_length above this is garbage, not a big transfer: close. */
#define USBIP_ABSURD_LEN (16u * 1024u * 1024u)

_Static_assert(USBIP_MAX_XFER_LEN >= 64 && USBIP_MAX_XFER_LEN <= 65535,
	       "USBIP_MAX_XFER_LEN must fit a uint16_t transfer");

/* Is the importer of d still there after a call into the device? */
static bool device_gone(struct usbip_server *srv, struct usbip_device *d)
{
	if (d->importer < 0)
		return true;
	if (!d->ops->connected(d->dev)) {
		usbip_conn_close(srv, &srv->conns[d->importer], "device disconnected itself");
		return true;
	}
	return false;
}

/* The URB status a host expects for a device-side error. */
static int32_t urb_status(struct usbip_server *srv, struct usbip_conn *c, uint32_t seq, uint8_t ep,
			  int r)
{
	int32_t st;

	switch (r) {
	case -EPIPE: return -EPIPE; /* STALL: the normal way a device refuses */
	case -EOVERFLOW:
	case -ETIMEDOUT:
	case -EMSGSIZE:
		/* babble, a control transfer the device NAKs forever, or one whose
		 * data stage the device accepted but the server cannot carry */
		st = r;
		break;
	case -ENOTCONN: st = -ESHUTDOWN; break;
	default: st = -EPROTO; break;
	}
	usbip_log(srv, "conn %u (%s): seq %u ep 0x%02x: device error %d, answered %d", c->id,
		  c->peer, (unsigned)seq, ep, r, (int)st);
	return st;
}

/* RET_SUBMIT; IN data, if any, must already be at srv->tx + USBIP_HDR_SIZE. */
static enum step ret_submit(struct usbip_server *srv, struct usbip_conn *c, uint32_t seq,
			    int32_t status, uint32_t actual, int32_t npackets, size_t in_len)
{
	struct usbip_urb ret = {
		.basic = {.command = USBIP_RET_SUBMIT,
			  .seqnum = seq,
			  .devid = usbip_dev_devid(&srv->devs[c->dev])},
		.u.ret_submit = {.status = status,
				 .actual_length = (int32_t)actual,
				 .number_of_packets = npackets},
	};

	(void)usbip_urb_build(srv->tx, sizeof(srv->tx), &ret);
	return usbip_conn_send(srv, c, srv->tx, USBIP_HDR_SIZE + in_len);
}

/*
 * Run a control URB on the device; returns the RET_SUBMIT status and sets
 * *actual (and *in_len, IN data at srv->tx + USBIP_HDR_SIZE).
 */
static int32_t run_control(struct usbip_server *srv, struct usbip_conn *c,
			   const struct usbip_urb *u, uint32_t *actual, size_t *in_len)
{
	struct usbip_device *d = &srv->devs[c->dev];
	const struct usbd_setup *setup = &u->u.cmd_submit.setup;
	uint32_t len = (uint32_t)u->u.cmd_submit.transfer_buffer_length;
	uint32_t dir = u->basic.direction;
	uint16_t wlength = setup->wLength;
	bool setup_in = (setup->bmRequestType & USB_REQTYPE_DIR_IN) != 0;
	bool carried = len <= USBIP_MAX_XFER_LEN; /* the OUT data is in c->rx */

	if (wlength != len || (wlength && setup_in != (dir == USBIP_DIR_IN))) {
		usbip_log(srv,
			  "conn %u (%s): seq %u: setup (wLength %u, %s) does not match the URB "
			  "(%u bytes %s), answered -EINVAL",
			  c->id, c->peer, (unsigned)u->basic.seqnum, wlength,
			  setup_in ? "IN" : "OUT", (unsigned)len, dir ? "IN" : "OUT");
		return -EINVAL;
	}
	if (setup->bmRequestType == 0 && setup->bRequest == USB_REQ_SET_ADDRESS)
		return 0; /* The device got its address at import; a host never forwards this. */

	uint8_t *buf = setup_in ? srv->tx + USBIP_HDR_SIZE : c->rx + USBIP_HDR_SIZE;
	/*
	 * A data stage larger than the buffers still has its SETUP delivered,
	 * as on a bus, so the device can STALL it; its OUT data (skipped, not
	 * buffered) never reaches the device.
	 */
	uint16_t cap = setup_in ? (uint16_t)(carried ? wlength : USBIP_MAX_XFER_LEN)
				: (uint16_t)(carried ? wlength : 0);
	int r = d->ops->control(d->dev, setup, buf, cap);

	if (r < 0)
		return urb_status(srv, c, u->basic.seqnum, 0, r);
	if (setup_in) {
		*actual = (uint32_t)r < wlength ? (uint32_t)r : wlength;
		*in_len = *actual;
	} else {
		*actual = wlength;
	}
	return 0;
}

static enum step urb_control(struct usbip_server *srv, struct usbip_conn *c,
			     const struct usbip_urb *u)
{
	struct usbip_device *d = &srv->devs[c->dev];
	uint32_t len = (uint32_t)u->u.cmd_submit.transfer_buffer_length;
	bool out = u->basic.direction == USBIP_DIR_OUT;
	bool carried = len <= USBIP_MAX_XFER_LEN;
	uint32_t actual = 0;
	size_t in_len = 0;
	int32_t status = run_control(srv, c, u, &actual, &in_len);
	enum step st;

	usbip_consume(c, USBIP_HDR_SIZE + (out && carried ? len : 0));
	c->skip = out && !carried ? len : 0;
	st = ret_submit(srv, c, u->basic.seqnum, status, actual, u->u.cmd_submit.number_of_packets,
			in_len);
	if (st == STEP_CLOSED || device_gone(srv, d))
		return STEP_CLOSED;
	return STEP_DONE;
}

static uint32_t ep_bit(uint8_t ep)
{
	return 1u << ((ep & 0x0fu) + ((ep & 0x80u) ? 16u : 0u));
}

/*
 * Move packets of p until the URB is complete (returns true; *err is 0 or the
 * device's error) or the device NAKs (returns false, progress kept in p).
 */
static bool advance(struct usbip_device *d, struct usbip_pending *p, int *err)
{
	bool in = (p->ep & 0x80u) != 0;
	uint16_t max_packet = d->ops->max_packet(d->dev, p->ep);

	*err = 0;
	for (;;) {
		uint16_t left = (uint16_t)(p->len - p->done);
		int r;

		if (!in && left == 0 && !p->need_zlp)
			return true;
		r = d->ops->transfer(d->dev, p->ep, p->data + p->done, left);
		if (r == -EAGAIN)
			return false; /* a NAK: nothing armed yet */
		if (r < 0) {
			*err = r;
			return true;
		}
		if ((uint32_t)r > left) {
			*err = -EOVERFLOW;
			return true;
		}
		if (in) {
			p->done = (uint16_t)(p->done + r);
			if (r == 0 || r < max_packet || p->done == p->len)
				return true; /* short packet or buffer full */
			continue;
		}
		if (left == 0) {
			p->need_zlp = false; /* the ZLP went out */
			continue;
		}
		if (r == 0) {
			*err = -EPROTO; /* the device took nothing of a non-empty packet */
			return true;
		}
		p->done = (uint16_t)(p->done + r);
		if (p->done == p->len && p->zero_packet && r == max_packet)
			p->need_zlp = true;
	}
}

/* Answer a finished queued URB and free its slot. */
static enum step complete(struct usbip_server *srv, struct usbip_device *d, struct usbip_pending *p,
			  int err)
{
	struct usbip_conn *c = &srv->conns[d->importer];
	bool in = (p->ep & 0x80u) != 0;
	int32_t status = err < 0 ? urb_status(srv, c, p->seqnum, p->ep, err) : 0;
	uint32_t actual = err < 0 ? 0 : p->done;

	p->used = false;
	c->blocked = false;
	if (in && actual)
		memcpy(srv->tx + USBIP_HDR_SIZE, p->data, actual);
	if (ret_submit(srv, c, p->seqnum, status, actual, p->number_of_packets, in ? actual : 0) ==
	    STEP_CLOSED)
		return STEP_CLOSED;
	if (device_gone(srv, d))
		return STEP_CLOSED;
	return STEP_DONE;
}

static enum step urb_xfer(struct usbip_server *srv, struct usbip_conn *c, const struct usbip_urb *u)
{
	struct usbip_device *d = &srv->devs[c->dev];
	bool out = u->basic.direction == USBIP_DIR_OUT;
	uint8_t ep = (uint8_t)(u->basic.ep | (out ? 0u : 0x80u));
	uint32_t len = (uint32_t)u->u.cmd_submit.transfer_buffer_length;
	bool queued = false;
	struct usbip_pending *p = NULL;
	int err;

	for (int i = 0; i < USBIP_MAX_PENDING; i++) {
		if (d->pending[i].used && d->pending[i].ep == ep)
			queued = true;
		else if (!d->pending[i].used && !p)
			p = &d->pending[i];
	}
	if (!p) {
		c->blocked = true; /* taken again once a queued URB completes */
		return STEP_MORE;
	}
	p->used = true;
	p->ep = ep;
	p->seqnum = u->basic.seqnum;
	p->order = d->next_order++;
	p->number_of_packets = u->u.cmd_submit.number_of_packets;
	p->len = (uint16_t)len;
	p->done = 0;
	p->zero_packet = (u->u.cmd_submit.transfer_flags & USBIP_URB_ZERO_PACKET) != 0;
	p->need_zlp = out && len == 0;
	if (out)
		memcpy(p->data, c->rx + USBIP_HDR_SIZE, len);
	usbip_consume(c, USBIP_HDR_SIZE + (out ? len : 0));
	/* Behind an older URB of the same endpoint it waits its turn. */
	if (queued || !advance(d, p, &err))
		return STEP_DONE;
	return complete(srv, d, p, err);
}

/* Retry the queued URBs of d, oldest first, one head per endpoint. */
void usbip_retry_pending(struct usbip_server *srv, struct usbip_device *d)
{
	uint32_t nak = 0;
	bool tried[USBIP_MAX_PENDING] = {false};

	while (d->importer >= 0) {
		struct usbip_pending *p = NULL;
		int idx = -1;
		int err;

		for (int i = 0; i < USBIP_MAX_PENDING; i++) {
			struct usbip_pending *q = &d->pending[i];

			if (!q->used || tried[i])
				continue;
			if (!p || (int32_t)(q->order - p->order) < 0) {
				p = q;
				idx = i;
			}
		}
		if (!p)
			return;
		tried[idx] = true;
		if (nak & ep_bit(p->ep))
			continue; /* an older URB on this endpoint is still waiting */
		if (!advance(d, p, &err)) {
			nak |= ep_bit(p->ep);
			continue;
		}
		if (complete(srv, d, p, err) == STEP_CLOSED)
			return;
	}
}

static enum step urb_unlink(struct usbip_server *srv, struct usbip_conn *c,
			    const struct usbip_urb *u)
{
	struct usbip_device *d = &srv->devs[c->dev];
	struct usbip_urb ret = {
		.basic = {.command = USBIP_RET_UNLINK,
			  .seqnum = u->basic.seqnum,
			  .devid = usbip_dev_devid(d)},
	};

	for (int i = 0; i < USBIP_MAX_PENDING; i++) {
		if (d->pending[i].used && d->pending[i].seqnum == u->u.cmd_unlink.unlink_seqnum) {
			d->pending[i].used = false;
			c->blocked = false;
			ret.u.ret_unlink.status = -ECONNRESET;
		}
	}
	usbip_consume(c, USBIP_HDR_SIZE);
	(void)usbip_urb_build(srv->tx, sizeof(srv->tx), &ret);
	return usbip_conn_send(srv, c, srv->tx, USBIP_HDR_SIZE);
}

/* Say which field of a CMD_SUBMIT is out of range, in wire order, and close. */
static enum step submit_refused(struct usbip_server *srv, struct usbip_conn *c,
				const struct usbip_urb *u)
{
	unsigned seq = (unsigned)u->basic.seqnum;

	if (u->basic.direction > USBIP_DIR_IN)
		return usbip_proto_error(srv, c, "bad direction %u (seq %u)",
					 (unsigned)u->basic.direction, seq);
	if (u->basic.ep > USBIP_EP_MAX)
		return usbip_proto_error(srv, c, "bad endpoint %u (seq %u)", (unsigned)u->basic.ep,
					 seq);
	return usbip_proto_error(srv, c, "absurd transfer_buffer_length %d (seq %u)",
				 (int)u->u.cmd_submit.transfer_buffer_length, seq);
}

/* A well-formed CMD_SUBMIT: run it, refuse it as too long, or wait for its OUT data. */
static enum step urb_submit(struct usbip_server *srv, struct usbip_conn *c,
			    const struct usbip_urb *u)
{
	uint32_t len = (uint32_t)u->u.cmd_submit.transfer_buffer_length;
	uint32_t ep = u->basic.ep;

	if (len > USBIP_MAX_XFER_LEN && ep == 0)
		return urb_control(srv, c, u);
	if (len > USBIP_MAX_XFER_LEN) {
		usbip_log(srv,
			  "conn %u (%s): seq %u ep %u: %u-byte transfer exceeds the %u-byte "
			  "limit, answered -EMSGSIZE",
			  c->id, c->peer, (unsigned)u->basic.seqnum, (unsigned)ep, (unsigned)len,
			  (unsigned)USBIP_MAX_XFER_LEN);
		usbip_consume(c, USBIP_HDR_SIZE);
		c->skip = usbip_urb_out_len(u);
		return ret_submit(srv, c, u->basic.seqnum, -EMSGSIZE, 0,
				  u->u.cmd_submit.number_of_packets, 0);
	}
	if (c->rx_len < USBIP_HDR_SIZE + usbip_urb_out_len(u))
		return STEP_MORE;
	if (ep == 0)
		return urb_control(srv, c, u);
	return urb_xfer(srv, c, u);
}

enum step usbip_step_urb(struct usbip_server *srv, struct usbip_conn *c)
{
	struct usbip_device *d = &srv->devs[c->dev];
	struct usbip_urb u;
	int r = usbip_urb_parse_cmd(&u, c->rx, c->rx_len);
	int32_t np;

	if (r == -EAGAIN)
		return STEP_MORE;
	if (r == -EBADMSG)
		return usbip_proto_error(srv, c, "unknown command 0x%08x (seq %u)",
					 (unsigned)u.basic.command, (unsigned)u.basic.seqnum);
	if (u.basic.devid != usbip_dev_devid(d))
		return usbip_proto_error(srv, c, "devid 0x%08x is not %s's 0x%08x (seq %u)",
					 (unsigned)u.basic.devid, d->busid,
					 (unsigned)usbip_dev_devid(d), (unsigned)u.basic.seqnum);
	if (u.basic.command == USBIP_CMD_UNLINK)
		return urb_unlink(srv, c, &u);
	/* -EPROTO (direction, ep, negative length) or a length no host sends */
	if (r < 0 || (uint32_t)u.u.cmd_submit.transfer_buffer_length > USBIP_ABSURD_LEN)
		return submit_refused(srv, c, &u);
	np = u.u.cmd_submit.number_of_packets;
	if (np != 0 && np != -1)
		return usbip_proto_error(srv, c,
					 "isochronous URB (%d packets) not supported (seq %u)",
					 (int)np, (unsigned)u.basic.seqnum);
	return urb_submit(srv, c, &u);
}
