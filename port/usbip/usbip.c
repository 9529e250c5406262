/* SPDX-License-Identifier: Apache-2.0 */
/*
 * USB/IP server: see include/dfukit/usbip.h for the model and the rules.
 *
 * Message handling is a loop over each connection's receive buffer: a step
 * looks at the buffered bytes, returns STEP_MORE when the next message has not
 * fully arrived (or cannot be taken yet), handles and consumes it otherwise.
 * Every length taken from the wire is checked against the buffers before use.
 */
#define _POSIX_C_SOURCE 200809L

#include "dfukit/usbip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dfukit/usbd.h"
#include "dfukit/vudc.h"

/* A transfer_buffer_length above this is garbage, not a big transfer: close. */
#define USBIP_ABSURD_LEN (16u * 1024u * 1024u)
/* Interfaces listed per device in OP_REP_DEVLIST. */
#define USBIP_MAX_LISTED_IFACES 32

_Static_assert(USBIP_MAX_XFER_LEN >= 64 && USBIP_MAX_XFER_LEN <= 65535,
	       "USBIP_MAX_XFER_LEN must fit a uint16_t transfer");
_Static_assert(USBIP_MAX_DEVICES * (USBIP_DEV_RECORD_SIZE +
				    USBIP_MAX_LISTED_IFACES * USBIP_IFACE_RECORD_SIZE) + 12 <=
		       USBIP_HDR_SIZE + USBIP_MAX_XFER_LEN,
	       "the device list must fit the transmit buffer");

enum step { STEP_DONE, STEP_MORE, STEP_CLOSED };

/* ---------------------------------------------------------------- helpers */

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(((unsigned)p[0] << 8) | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | ((unsigned)p[1] << 8));
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

__attribute__((format(printf, 2, 3))) static void slog(struct usbip_server *srv,
							 const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (srv->log)
		srv->log(srv->log_ctx, line);
	else
		fprintf(stderr, "usbip: %s\n", line);
}

static uint32_t devid_of(const struct usbip_device *d)
{
	return (d->busnum << 16) | d->devnum;
}

static int conn_index(const struct usbip_server *srv, const struct usbip_conn *c)
{
	return (int)(c - srv->conns);
}

static struct usbip_device *find_device(struct usbip_server *srv, const char *busid)
{
	for (int i = 0; i < USBIP_MAX_DEVICES; i++) {
		struct usbip_device *d = &srv->devs[i];

		if (d->used && strncmp(d->busid, busid, USBIP_BUSID_SIZE) == 0)
			return d;
	}
	return NULL;
}

static unsigned pending_count(const struct usbip_device *d)
{
	unsigned n = 0;

	for (int i = 0; i < USBIP_MAX_PENDING; i++)
		n += d->pending[i].used;
	return n;
}

static void consume(struct usbip_conn *c, size_t n)
{
	if (n > c->rx_len)
		n = c->rx_len;
	memmove(c->rx, c->rx + n, c->rx_len - n);
	c->rx_len -= n;
}

/* ------------------------------------------------------------ connections */

__attribute__((format(printf, 3, 4))) static void conn_close(struct usbip_server *srv,
							       struct usbip_conn *c,
							       const char *fmt, ...)
{
	char why[160];
	va_list ap;

	if (c->fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);

	if (c->dev >= 0) {
		struct usbip_device *d = &srv->devs[c->dev];
		unsigned inflight = pending_count(d);

		slog(srv, "conn %u (%s): %s disconnected: %s (%u URB%s dropped)", c->id, c->peer,
		     d->busid, why, inflight, inflight == 1 ? "" : "s");
		d->importer = -1;
		for (int i = 0; i < USBIP_MAX_PENDING; i++)
			d->pending[i].used = false;
	} else {
		slog(srv, "conn %u (%s): closed: %s", c->id, c->peer, why);
	}
	close(c->fd);
	c->fd = -1;
	c->dev = -1;
	c->blocked = false;
	c->skip = 0;
	c->rx_len = 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send all of buf, waiting for room up to USBIP_WRITE_TIMEOUT_MS. 0 or -errno. */
static int send_all(int fd, const uint8_t *buf, size_t len)
{
	int64_t deadline = now_ms() + USBIP_WRITE_TIMEOUT_MS;
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int64_t left = deadline - now_ms();
			struct pollfd p = {.fd = fd, .events = POLLOUT};

			if (left <= 0)
				return -ETIMEDOUT;
			if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		return n < 0 ? -errno : -EIO;
	}
	return 0;
}

/* Send, closing the connection on failure. */
static enum step conn_send(struct usbip_server *srv, struct usbip_conn *c, const uint8_t *buf,
			   size_t len)
{
	int r = send_all(c->fd, buf, len);

	if (r < 0) {
		conn_close(srv, c, "write failed: %s", strerror(-r));
		return STEP_CLOSED;
	}
	return STEP_DONE;
}

__attribute__((format(printf, 3, 4))) static enum step proto_error(struct usbip_server *srv,
								     struct usbip_conn *c,
								     const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	conn_close(srv, c, "protocol error: %s", why);
	return STEP_CLOSED;
}

/* ---------------------------------------------------- device descriptors */

struct dev_info {
	uint8_t ddesc[18];
	uint8_t config_value;
	uint8_t num_ifaces;
	uint8_t ifaces[USBIP_MAX_LISTED_IFACES][3];
};

/* Read device + first configuration descriptor through the host side of the vudc. */
static int read_dev_info(struct usbip_server *srv, struct usbip_device *d, struct dev_info *info)
{
	struct usbd_setup s = {
		.bmRequestType = USB_REQTYPE_DIR_IN,
		.bRequest = USB_REQ_GET_DESCRIPTOR,
		.wValue = (uint16_t)(USB_DESC_DEVICE << 8),
		.wIndex = 0,
		.wLength = sizeof(info->ddesc),
	};
	int r;
	uint16_t total;

	memset(info, 0, sizeof(*info));
	r = vudc_control(d->vudc, &s, info->ddesc);
	if (r < 0)
		return r;
	if (r < (int)sizeof(info->ddesc) || info->ddesc[0] < 18 || info->ddesc[1] != USB_DESC_DEVICE)
		return -EPROTO;

	s.wValue = (uint16_t)(USB_DESC_CONFIGURATION << 8);
	s.wLength = 9;
	r = vudc_control(d->vudc, &s, srv->desc);
	if (r < 0)
		return r;
	if (r < 9 || srv->desc[1] != USB_DESC_CONFIGURATION)
		return -EPROTO;
	total = get_le16(srv->desc + 2);
	if (total < 9)
		return -EPROTO;
	if (total > sizeof(srv->desc))
		total = sizeof(srv->desc);
	s.wLength = total;
	r = vudc_control(d->vudc, &s, srv->desc);
	if (r < 9)
		return r < 0 ? r : -EPROTO;

	info->config_value = srv->desc[5];
	/* One entry per interface (its alternate 0), as sysfs would list them. */
	for (int off = 0; off + 2 <= r;) {
		uint8_t bl = srv->desc[off];

		if (bl < 2 || off + bl > r)
			break;
		if (srv->desc[off + 1] == USB_DESC_INTERFACE && bl >= 9 && srv->desc[off + 3] == 0 &&
		    info->num_ifaces < USBIP_MAX_LISTED_IFACES) {
			memcpy(info->ifaces[info->num_ifaces], srv->desc + off + 5, 3);
			info->num_ifaces++;
		}
		off += bl;
	}
	return 0;
}

/* The 312-byte device record of OP_REP_DEVLIST / OP_REP_IMPORT. */
static void put_dev_record(uint8_t *p, const struct usbip_device *d, const struct dev_info *info)
{
	memset(p, 0, USBIP_DEV_RECORD_SIZE);
	snprintf((char *)p, USBIP_PATH_SIZE, "/sys/devices/platform/dfukit-vudc/usb%u/%s",
		 (unsigned)d->busnum, d->busid);
	memcpy(p + USBIP_PATH_SIZE, d->busid, USBIP_BUSID_SIZE);
	put_be32(p + 288, d->busnum);
	put_be32(p + 292, d->devnum);
	put_be32(p + 296, 2); /* full speed */
	put_be16(p + 300, get_le16(info->ddesc + 8));	/* idVendor */
	put_be16(p + 302, get_le16(info->ddesc + 10)); /* idProduct */
	put_be16(p + 304, get_le16(info->ddesc + 12)); /* bcdDevice */
	p[306] = info->ddesc[4];		       /* bDeviceClass */
	p[307] = info->ddesc[5];
	p[308] = info->ddesc[6];
	p[309] = info->config_value;
	p[310] = info->ddesc[17]; /* bNumConfigurations */
	p[311] = info->num_ifaces;
}

/* ------------------------------------------------------- OP_* (pre-import) */

static void put_op_header(uint8_t *p, uint16_t code, uint32_t status)
{
	put_be16(p, USBIP_VERSION);
	put_be16(p + 2, code);
	put_be32(p + 4, status);
}

static enum step op_devlist(struct usbip_server *srv, struct usbip_conn *c)
{
	uint8_t *t = srv->tx;
	size_t len = 12;
	uint32_t count = 0;

	for (int i = 0; i < USBIP_MAX_DEVICES; i++) {
		struct usbip_device *d = &srv->devs[i];
		struct dev_info info;
		int r;

		if (!d->used)
			continue;
		r = read_dev_info(srv, d, &info);
		if (r < 0) {
			slog(srv, "conn %u (%s): devlist: %s left out: descriptors unreadable (%d)",
			     c->id, c->peer, d->busid, r);
			continue;
		}
		put_dev_record(t + len, d, &info);
		len += USBIP_DEV_RECORD_SIZE;
		for (unsigned k = 0; k < info.num_ifaces; k++) {
			memcpy(t + len, info.ifaces[k], 3);
			t[len + 3] = 0;
			len += USBIP_IFACE_RECORD_SIZE;
		}
		count++;
	}
	put_op_header(t, USBIP_OP_REP_DEVLIST, USBIP_ST_OK);
	put_be32(t + 8, count);
	slog(srv, "conn %u (%s): devlist: %u device%s", c->id, c->peer, (unsigned)count,
	     count == 1 ? "" : "s");
	if (conn_send(srv, c, t, len) == STEP_CLOSED)
		return STEP_CLOSED;
	/* One request per connection, as usbipd does. */
	conn_close(srv, c, "device list sent");
	return STEP_CLOSED;
}

static enum step op_import_refuse(struct usbip_server *srv, struct usbip_conn *c, uint32_t st,
				  const char *busid, const char *why)
{
	uint8_t h[8];

	slog(srv, "conn %u (%s): import %s refused: %s", c->id, c->peer, busid, why);
	put_op_header(h, USBIP_OP_REP_IMPORT, st);
	if (conn_send(srv, c, h, sizeof(h)) == STEP_CLOSED)
		return STEP_CLOSED;
	conn_close(srv, c, "import refused");
	return STEP_CLOSED;
}

static enum step op_import(struct usbip_server *srv, struct usbip_conn *c)
{
	char busid[USBIP_BUSID_SIZE + 1];
	struct usbip_device *d;
	struct dev_info info;
	uint8_t dummy[1];
	int r;

	memcpy(busid, c->rx + 8, USBIP_BUSID_SIZE);
	busid[USBIP_BUSID_SIZE] = '\0';
	for (char *p = busid; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?'; /* keep the log line printable */
	consume(c, 8 + USBIP_BUSID_SIZE);

	d = find_device(srv, busid);
	if (!d)
		return op_import_refuse(srv, c, USBIP_ST_NODEV, busid, "no such device");
	if (d->importer >= 0) {
		char why[64];

		snprintf(why, sizeof(why), "already imported by conn %u",
			 srv->conns[d->importer].id);
		return op_import_refuse(srv, c, USBIP_ST_DEV_BUSY, busid, why);
	}

	/* What the exporting host's stack would have done: reset, then address. */
	vudc_bus_reset(d->vudc);
	{
		struct usbd_setup s = {
			.bmRequestType = USB_REQTYPE_STANDARD | USB_REQTYPE_DEVICE,
			.bRequest = USB_REQ_SET_ADDRESS,
			.wValue = (uint16_t)d->devnum,
		};

		r = vudc_control(d->vudc, &s, dummy);
	}
	if (r >= 0)
		r = read_dev_info(srv, d, &info);
	if (r < 0) {
		char why[64];

		snprintf(why, sizeof(why), "device not responding (%d)", r);
		return op_import_refuse(srv, c, USBIP_ST_DEV_ERR, busid, why);
	}

	put_op_header(srv->tx, USBIP_OP_REP_IMPORT, USBIP_ST_OK);
	put_dev_record(srv->tx + 8, d, &info);
	if (conn_send(srv, c, srv->tx, 8 + USBIP_DEV_RECORD_SIZE) == STEP_CLOSED)
		return STEP_CLOSED;
	c->dev = (int)(d - srv->devs);
	d->importer = conn_index(srv, c);
	slog(srv, "conn %u (%s): imported %s (%04x:%04x)", c->id, c->peer, d->busid,
	     get_le16(info.ddesc + 8), get_le16(info.ddesc + 10));
	return STEP_DONE;
}

static enum step step_op(struct usbip_server *srv, struct usbip_conn *c)
{
	uint16_t version, code;

	if (c->rx_len < 8)
		return STEP_MORE;
	version = get_be16(c->rx);
	code = get_be16(c->rx + 2);
	if (version != USBIP_VERSION)
		return proto_error(srv, c, "bad version 0x%04x (op 0x%04x)", version, code);
	switch (code) {
	case USBIP_OP_REQ_DEVLIST:
		consume(c, 8);
		return op_devlist(srv, c);
	case USBIP_OP_REQ_IMPORT:
		if (c->rx_len < 8 + USBIP_BUSID_SIZE)
			return STEP_MORE;
		return op_import(srv, c);
	default:
		return proto_error(srv, c, "unknown op code 0x%04x", code);
	}
}

/* ------------------------------------------------------------ URB phase */

/* Is the importer of d still there after a call into the device? */
static bool device_gone(struct usbip_server *srv, struct usbip_device *d)
{
	if (d->importer < 0)
		return true;
	if (!d->vudc->connected) {
		conn_close(srv, &srv->conns[d->importer], "device disconnected itself");
		return true;
	}
	return false;
}

/* The URB status a host expects for a device-side error. */
static int32_t urb_status(struct usbip_server *srv, struct usbip_conn *c, uint32_t seq,
			  uint8_t ep, int r)
{
	int32_t st;

	switch (r) {
	case -EPIPE:
		return -EPIPE; /* STALL: the normal way a device refuses */
	case -EOVERFLOW:
	case -ETIMEDOUT:
		st = r; /* babble, or a control transfer the device NAKs forever */
		break;
	case -ENOTCONN:
		st = -ESHUTDOWN;
		break;
	default:
		st = -EPROTO;
		break;
	}
	slog(srv, "conn %u (%s): seq %u ep 0x%02x: device error %d, answered %d", c->id, c->peer,
	     (unsigned)seq, ep, r, (int)st);
	return st;
}

/* RET_SUBMIT; IN data, if any, must already be at srv->tx + 48. */
static enum step ret_submit(struct usbip_server *srv, struct usbip_conn *c, uint32_t seq,
			    int32_t status, uint32_t actual, int32_t npackets, size_t in_len)
{
	uint8_t *t = srv->tx;

	memset(t, 0, USBIP_HDR_SIZE);
	put_be32(t, USBIP_RET_SUBMIT);
	put_be32(t + 4, seq);
	put_be32(t + 8, devid_of(&srv->devs[c->dev]));
	put_be32(t + 20, (uint32_t)status);
	put_be32(t + 24, actual);
	put_be32(t + 32, (uint32_t)npackets);
	return conn_send(srv, c, t, USBIP_HDR_SIZE + in_len);
}

static enum step urb_control(struct usbip_server *srv, struct usbip_conn *c, uint32_t seq,
			     uint32_t dir, uint32_t len, int32_t np)
{
	struct usbip_device *d = &srv->devs[c->dev];
	const uint8_t *setup = c->rx + 40;
	uint16_t wlength = get_le16(setup + 6);
	bool setup_in = (setup[0] & USB_REQTYPE_DIR_IN) != 0;
	int32_t status = 0;
	uint32_t actual = 0;
	size_t in_len = 0;
	enum step st;

	if (wlength != len || (wlength && setup_in != (dir == USBIP_DIR_IN))) {
		slog(srv, "conn %u (%s): seq %u: setup (wLength %u, %s) does not match the URB "
			  "(%u bytes %s), answered -EINVAL",
		     c->id, c->peer, (unsigned)seq, wlength, setup_in ? "IN" : "OUT",
		     (unsigned)len, dir ? "IN" : "OUT");
		status = -EINVAL;
	} else if (setup[0] == 0 && setup[1] == USB_REQ_SET_ADDRESS) {
		/* The device got its address at import; a host never forwards this. */
		status = 0;
	} else {
		uint8_t *buf = setup_in ? srv->tx + USBIP_HDR_SIZE : c->rx + USBIP_HDR_SIZE;
		int r = vudc_control_raw(d->vudc, setup, buf, wlength);

		if (r >= 0) {
			if (setup_in) {
				actual = (uint32_t)r < wlength ? (uint32_t)r : wlength;
				in_len = actual;
			} else {
				actual = wlength;
			}
		} else {
			status = urb_status(srv, c, seq, 0, r);
		}
	}
	consume(c, USBIP_HDR_SIZE + (dir == USBIP_DIR_OUT ? len : 0));
	st = ret_submit(srv, c, seq, status, actual, np, in_len);
	if (st == STEP_CLOSED || device_gone(srv, d))
		return STEP_CLOSED;
	return STEP_DONE;
}

static uint32_t ep_bit(uint8_t ep)
{
	return 1u << ((ep & 0x0fu) + ((ep & 0x80u) ? 16u : 0u));
}

static bool is_nak(int r)
{
	/* vudc.h documents -EAGAIN for "nothing armed"; vudc.c returns -ETIMEDOUT. */
	return r == -EAGAIN || r == -ETIMEDOUT;
}

/*
 * Move packets of p until the URB is complete (returns true; *err is 0 or the
 * device's error) or the device NAKs (returns false, progress kept in p).
 */
static bool advance(struct usbip_device *d, struct usbip_pending *p, int *err)
{
	bool in = (p->ep & 0x80u) != 0;
	const struct vudc_ep *e = in ? &d->vudc->in[p->ep & 0x0fu] : &d->vudc->out[p->ep & 0x0fu];

	*err = 0;
	for (;;) {
		uint16_t left = (uint16_t)(p->len - p->done);
		int r;

		if (!in && left == 0 && !p->need_zlp)
			return true;
		r = vudc_transfer(d->vudc, p->ep, p->data + p->done, left);
		if (is_nak(r))
			return false;
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
			if (r == 0 || r < e->max_packet || p->done == p->len)
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
		if (p->done == p->len && p->zero_packet && r == e->max_packet)
			p->need_zlp = true;
	}
}

/* Answer a finished queued URB and free its slot. */
static enum step complete(struct usbip_server *srv, struct usbip_device *d,
			  struct usbip_pending *p, int err)
{
	struct usbip_conn *c = &srv->conns[d->importer];
	bool in = (p->ep & 0x80u) != 0;
	int32_t status = err < 0 ? urb_status(srv, c, p->seqnum, p->ep, err) : 0;
	uint32_t actual = err < 0 ? 0 : p->done;

	p->used = false;
	c->blocked = false;
	if (in && actual)
		memcpy(srv->tx + USBIP_HDR_SIZE, p->data, actual);
	if (ret_submit(srv, c, p->seqnum, status, actual, p->number_of_packets,
		       in ? actual : 0) == STEP_CLOSED)
		return STEP_CLOSED;
	if (device_gone(srv, d))
		return STEP_CLOSED;
	return STEP_DONE;
}

static enum step urb_xfer(struct usbip_server *srv, struct usbip_conn *c, uint32_t seq,
			  uint32_t dir, uint8_t epnum, uint32_t len, uint32_t flags, int32_t np)
{
	struct usbip_device *d = &srv->devs[c->dev];
	uint8_t ep = (uint8_t)(epnum | (dir == USBIP_DIR_IN ? 0x80u : 0u));
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
	p->seqnum = seq;
	p->order = d->next_order++;
	p->number_of_packets = np;
	p->len = (uint16_t)len;
	p->done = 0;
	p->zero_packet = (flags & USBIP_URB_ZERO_PACKET) != 0;
	p->need_zlp = dir == USBIP_DIR_OUT && len == 0;
	if (dir == USBIP_DIR_OUT)
		memcpy(p->data, c->rx + USBIP_HDR_SIZE, len);
	consume(c, USBIP_HDR_SIZE + (dir == USBIP_DIR_OUT ? len : 0));
	/* Behind an older URB of the same endpoint it waits its turn. */
	if (queued || !advance(d, p, &err))
		return STEP_DONE;
	return complete(srv, d, p, err);
}

/* Retry the queued URBs of d, oldest first, one head per endpoint. */
static void retry_pending(struct usbip_server *srv, struct usbip_device *d)
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

static enum step urb_unlink(struct usbip_server *srv, struct usbip_conn *c, uint32_t seq)
{
	struct usbip_device *d = &srv->devs[c->dev];
	uint32_t victim = get_be32(c->rx + 20);
	int32_t status = 0;
	uint8_t *t = srv->tx;

	for (int i = 0; i < USBIP_MAX_PENDING; i++) {
		if (d->pending[i].used && d->pending[i].seqnum == victim) {
			d->pending[i].used = false;
			c->blocked = false;
			status = -ECONNRESET;
		}
	}
	consume(c, USBIP_HDR_SIZE);
	memset(t, 0, USBIP_HDR_SIZE);
	put_be32(t, USBIP_RET_UNLINK);
	put_be32(t + 4, seq);
	put_be32(t + 8, devid_of(d));
	put_be32(t + 20, (uint32_t)status);
	return conn_send(srv, c, t, USBIP_HDR_SIZE);
}

static enum step step_urb(struct usbip_server *srv, struct usbip_conn *c)
{
	struct usbip_device *d = &srv->devs[c->dev];
	uint32_t cmd, seq, devid, dir, ep, len;
	int32_t slen, np;

	if (c->rx_len < USBIP_HDR_SIZE)
		return STEP_MORE;
	cmd = get_be32(c->rx);
	seq = get_be32(c->rx + 4);
	devid = get_be32(c->rx + 8);
	dir = get_be32(c->rx + 12);
	ep = get_be32(c->rx + 16);

	if (cmd != USBIP_CMD_SUBMIT && cmd != USBIP_CMD_UNLINK)
		return proto_error(srv, c, "unknown command 0x%08x (seq %u)", (unsigned)cmd,
				   (unsigned)seq);
	if (devid != devid_of(d))
		return proto_error(srv, c, "devid 0x%08x is not %s's 0x%08x (seq %u)",
				   (unsigned)devid, d->busid, (unsigned)devid_of(d), (unsigned)seq);
	if (cmd == USBIP_CMD_UNLINK)
		return urb_unlink(srv, c, seq);

	if (dir > USBIP_DIR_IN)
		return proto_error(srv, c, "bad direction %u (seq %u)", (unsigned)dir, (unsigned)seq);
	if (ep > 15)
		return proto_error(srv, c, "bad endpoint %u (seq %u)", (unsigned)ep, (unsigned)seq);
	slen = (int32_t)get_be32(c->rx + 24);
	np = (int32_t)get_be32(c->rx + 32);
	if (slen < 0 || (uint32_t)slen > USBIP_ABSURD_LEN)
		return proto_error(srv, c, "absurd transfer_buffer_length %d (seq %u)", (int)slen,
				   (unsigned)seq);
	if (np != 0 && np != -1)
		return proto_error(srv, c, "isochronous URB (%d packets) not supported (seq %u)",
				   (int)np, (unsigned)seq);
	len = (uint32_t)slen;
	if (len > USBIP_MAX_XFER_LEN) {
		slog(srv, "conn %u (%s): seq %u ep %u: %u-byte transfer exceeds the %u-byte limit, "
			  "answered -EMSGSIZE",
		     c->id, c->peer, (unsigned)seq, (unsigned)ep, (unsigned)len,
		     (unsigned)USBIP_MAX_XFER_LEN);
		consume(c, USBIP_HDR_SIZE);
		c->skip = dir == USBIP_DIR_OUT ? len : 0;
		return ret_submit(srv, c, seq, -EMSGSIZE, 0, np, 0);
	}
	if (c->rx_len < USBIP_HDR_SIZE + (dir == USBIP_DIR_OUT ? len : 0))
		return STEP_MORE;
	if (ep == 0)
		return urb_control(srv, c, seq, dir, len, np);
	return urb_xfer(srv, c, seq, dir, (uint8_t)ep, len, get_be32(c->rx + 20), np);
}

/* Handle every complete message buffered on c. */
static void process(struct usbip_server *srv, struct usbip_conn *c)
{
	c->blocked = false;
	while (c->fd >= 0) {
		enum step st;

		if (c->skip) {
			size_t k = c->skip < c->rx_len ? c->skip : c->rx_len;

			consume(c, k);
			c->skip -= (uint32_t)k;
			if (c->skip)
				return;
		}
		st = c->dev < 0 ? step_op(srv, c) : step_urb(srv, c);
		if (st != STEP_DONE)
			return;
	}
}

static void conn_read(struct usbip_server *srv, struct usbip_conn *c, short revents)
{
	size_t room = sizeof(c->rx) - c->rx_len;
	ssize_t n;

	if (c->blocked || room == 0) {
		if (revents & (POLLHUP | POLLERR))
			conn_close(srv, c, "connection lost");
		return;
	}
	n = recv(c->fd, c->rx + c->rx_len, room, 0);
	if (n == 0) {
		conn_close(srv, c, "peer closed the connection%s",
			   c->rx_len ? " in the middle of a message" : "");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			conn_close(srv, c, "recv: %s", strerror(errno));
		return;
	}
	c->rx_len += (size_t)n;
	process(srv, c);
}

/* Peer address of a connection for the log: "host:port", or "local" for a unix socket. */
static void peer_name(int fd, const struct sockaddr_storage *known, char *out, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (known)
		ss = *known;
	else if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		ss.ss_family = AF_UNSPEC;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
	} else if (ss.ss_family == AF_UNIX) {
		snprintf(out, n, "local");
		return;
	}
	snprintf(out, n, "%s:%u", host, port);
}

/* Take a connected socket (accepted, or handed over by a hub) as a new connection. */
static void conn_add(struct usbip_server *srv, int fd, const char *peer)
{
	struct usbip_conn *c = NULL;
	int one = 1;

	for (int i = 0; i < USBIP_MAX_CONNS; i++) {
		if (srv->conns[i].fd < 0) {
			c = &srv->conns[i];
			break;
		}
	}
	if (!c) {
		slog(srv, "connection from %s refused: %d connections open", peer, USBIP_MAX_CONNS);
		close(fd);
		return;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		slog(srv, "connection from %s dropped: fcntl: %s", peer, strerror(errno));
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails on unix sockets */
	c->fd = fd;
	c->id = ++srv->next_id;
	c->dev = -1;
	c->blocked = false;
	c->skip = 0;
	c->rx_len = 0;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	slog(srv, "conn %u (%s): connected%s", c->id, c->peer, srv->handoff ? " (handed over)" : "");
}

static void accept_all(struct usbip_server *srv)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char peer[64];
		int fd = accept(srv->listen_fd, (struct sockaddr *)&ss, &sl);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				slog(srv, "accept: %s", strerror(errno));
			return;
		}
		peer_name(fd, &ss, peer, sizeof(peer));
		conn_add(srv, fd, peer);
	}
}

/*
 * Hand-off mode: take every connection the hub sent (one per message, in
 * SCM_RIGHTS). Returns 0, or -EPIPE once the hub has closed its end.
 */
static int receive_handoffs(struct usbip_server *srv)
{
	for (;;) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(USBIP_HANDOFF_MAX_FDS * sizeof(int))];
		} cm;
		uint8_t tag[16];
		struct iovec iov = {.iov_base = tag, .iov_len = sizeof(tag)};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
				   .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf)};
		ssize_t n = recvmsg(srv->listen_fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			slog(srv, "hand-off socket: %s", strerror(errno));
			return -EPIPE;
		}
		if (n == 0 && !m.msg_controllen) {
			slog(srv, "hand-off socket closed by the hub");
			return -EPIPE;
		}
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
			size_t nfd;

			if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
				continue;
			nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t k = 0; k < nfd; k++) {
				int fd;
				char peer[64];

				memcpy(&fd, CMSG_DATA(h) + k * sizeof(int), sizeof(int));
				if (n < 1 || tag[0] != USBIP_HANDOFF_CONN) {
					close(fd); /* not a connection hand-over: drop it */
					continue;
				}
				peer_name(fd, NULL, peer, sizeof(peer));
				conn_add(srv, fd, peer);
			}
		}
		if (m.msg_flags & MSG_CTRUNC)
			slog(srv, "hand-off socket: too many descriptors in one message, some dropped");
	}
}

/* Retry queued URBs, then take whatever became possible on every connection. */
static bool service(struct usbip_server *srv)
{
	bool any = false;

	for (int i = 0; i < USBIP_MAX_DEVICES; i++)
		if (srv->devs[i].used)
			retry_pending(srv, &srv->devs[i]);
	for (int i = 0; i < USBIP_MAX_CONNS; i++)
		if (srv->conns[i].fd >= 0 && (srv->conns[i].blocked || srv->conns[i].rx_len))
			process(srv, &srv->conns[i]);
	for (int i = 0; i < USBIP_MAX_DEVICES; i++)
		if (srv->devs[i].used && srv->devs[i].importer >= 0 && pending_count(&srv->devs[i]))
			any = true;
	return any;
}

/* ------------------------------------------------------------- public API */

int usbip_listen(const char *addr, uint16_t port)
{
	struct addrinfo hints, *res = NULL;
	char service[8];
	int one = 1;
	int fd, r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	if (getaddrinfo(addr ? addr : "127.0.0.1", service, &hints, &res) != 0 || !res)
		return -EINVAL;
	fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd < 0) {
		r = -errno;
		freeaddrinfo(res);
		return r;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 16) < 0) {
		r = -errno;
		close(fd);
		freeaddrinfo(res);
		return r;
	}
	freeaddrinfo(res);
	return fd;
}

/* A connected unix socket (socketpair end) rather than a listening socket? */
static bool is_handoff_socket(int fd)
{
	int domain = 0, listening = 0;
	socklen_t l1 = sizeof(domain), l2 = sizeof(listening);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l1) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l2) < 0)
		return false;
	return domain == AF_UNIX && !listening;
}

int usbip_server_init(struct usbip_server *srv, int listen_fd)
{
	int fl;
	bool handoff;

	if (!srv || listen_fd < 0)
		return -EINVAL;
	fl = fcntl(listen_fd, F_GETFL);
	if (fl < 0 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -EINVAL;
	handoff = is_handoff_socket(listen_fd);
	memset(srv, 0, sizeof(*srv));
	srv->listen_fd = listen_fd;
	srv->handoff = handoff;
	for (int i = 0; i < USBIP_MAX_DEVICES; i++)
		srv->devs[i].importer = -1;
	for (int i = 0; i < USBIP_MAX_CONNS; i++) {
		srv->conns[i].fd = -1;
		srv->conns[i].dev = -1;
	}
	if (handoff) {
		/* Tell the hub that connections can come. */
		uint8_t ready = USBIP_HANDOFF_READY;

		if (send_all(listen_fd, &ready, 1) < 0)
			return -EPIPE;
	}
	return 0;
}

int usbip_handoff_send(int handoff_fd, int conn_fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	uint8_t tag = USBIP_HANDOFF_CONN;
	struct iovec iov = {.iov_base = &tag, .iov_len = 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
			   .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf)};
	struct cmsghdr *h;
	ssize_t n;

	if (handoff_fd < 0 || conn_fd < 0)
		return -EINVAL;
	memset(&cm, 0, sizeof(cm));
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &conn_fd, sizeof(int));
	do
		n = sendmsg(handoff_fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 1 ? 0 : -EIO;
}

void usbip_server_set_log(struct usbip_server *srv, usbip_log_fn fn, void *ctx)
{
	srv->log = fn;
	srv->log_ctx = ctx;
}

/* "B-P": decimal bus 1..65535, port 1..127. */
static int parse_busid(const char *busid, uint32_t *bus, uint32_t *port)
{
	const char *p = busid;
	uint32_t v[2] = {0, 0};

	for (int k = 0; k < 2; k++) {
		int digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 6) {
			v[k] = v[k] * 10u + (uint32_t)(*p - '0');
			p++;
			digits++;
		}
		if (!digits || (k == 0 && *p++ != '-'))
			return -EINVAL;
	}
	if (*p || v[0] < 1 || v[0] > 0xffff || v[1] < 1 || v[1] > 127)
		return -EINVAL;
	*bus = v[0];
	*port = v[1];
	return 0;
}

int usbip_server_add_device(struct usbip_server *srv, const char *busid, struct vudc *v)
{
	uint32_t bus, port;
	struct usbip_device *free_slot = NULL;

	if (!srv || !busid || !v || strlen(busid) >= USBIP_BUSID_SIZE ||
	    parse_busid(busid, &bus, &port) < 0)
		return -EINVAL;
	if (find_device(srv, busid))
		return -EEXIST;
	for (int i = 0; i < USBIP_MAX_DEVICES && !free_slot; i++)
		if (!srv->devs[i].used)
			free_slot = &srv->devs[i];
	if (!free_slot)
		return -ENOSPC;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	snprintf(free_slot->busid, sizeof(free_slot->busid), "%s", busid);
	free_slot->busnum = bus;
	free_slot->devnum = port;
	free_slot->vudc = v;
	free_slot->importer = -1;
	slog(srv, "exporting %s (devid 0x%08x)", busid, (unsigned)devid_of(free_slot));
	return 0;
}

int usbip_server_disconnect(struct usbip_server *srv, const char *busid)
{
	struct usbip_device *d = busid ? find_device(srv, busid) : NULL;

	if (!d)
		return -ENOENT;
	if (d->importer >= 0)
		conn_close(srv, &srv->conns[d->importer], "disconnected by the device");
	return 0;
}

int usbip_server_remove_device(struct usbip_server *srv, const char *busid)
{
	struct usbip_device *d = busid ? find_device(srv, busid) : NULL;

	if (!d)
		return -ENOENT;
	if (d->importer >= 0)
		conn_close(srv, &srv->conns[d->importer], "device removed");
	slog(srv, "no longer exporting %s", d->busid);
	d->used = false;
	d->vudc = NULL;
	return 0;
}

bool usbip_server_is_imported(const struct usbip_server *srv, const char *busid)
{
	for (int i = 0; i < USBIP_MAX_DEVICES; i++) {
		const struct usbip_device *d = &srv->devs[i];

		if (d->used && strncmp(d->busid, busid, USBIP_BUSID_SIZE) == 0)
			return d->importer >= 0;
	}
	return false;
}

int usbip_server_poll(struct usbip_server *srv, int timeout_ms)
{
	struct pollfd pfd[1 + USBIP_MAX_CONNS];
	int who[1 + USBIP_MAX_CONNS];
	nfds_t n = 0;
	bool hub_gone = false;
	int r;

	if (service(srv) && (timeout_ms < 0 || timeout_ms > USBIP_RETRY_MS))
		timeout_ms = USBIP_RETRY_MS;

	pfd[n].fd = srv->listen_fd;
	pfd[n].events = POLLIN;
	pfd[n].revents = 0;
	who[n++] = -1;
	for (int i = 0; i < USBIP_MAX_CONNS; i++) {
		if (srv->conns[i].fd < 0)
			continue;
		pfd[n].fd = srv->conns[i].fd;
		pfd[n].events = srv->conns[i].blocked ? 0 : POLLIN;
		pfd[n].revents = 0;
		who[n++] = i;
	}
	r = poll(pfd, n, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;

	if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
		if (!srv->handoff)
			accept_all(srv);
		else if (receive_handoffs(srv) < 0)
			hub_gone = true;
	}
	for (nfds_t k = 1; k < n; k++) {
		struct usbip_conn *c = &srv->conns[who[k]];

		if (pfd[k].revents && c->fd == pfd[k].fd)
			conn_read(srv, c, pfd[k].revents);
	}
	service(srv);
	return hub_gone ? -EPIPE : r;
}

void usbip_server_close(struct usbip_server *srv)
{
	for (int i = 0; i < USBIP_MAX_CONNS; i++)
		conn_close(srv, &srv->conns[i], "server shutting down");
}
