/* SPDX-License-Identifier: Apache-2.0 */
/*
 * USB/IP message codec: see include/dfukit/port/usbip_codec.h for the contract.
 * Offsets are named after the fields of usbip_protocol.rst; every read
 * checks len first, every write checks cap first.
 */
#include "dfukit/port/usbip_codec.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "dfukit/wire.h"

/* OP header and OP_REQ_IMPORT / OP_REP_DEVLIST. */
enum {
	OP_VERSION = 0,
	OP_CODE = 2,
	OP_STATUS = 4,
	OP_IMPORT_BUSID = 8,
	OP_DEVLIST_NDEV = 8,
};

/* The device record. */
enum {
	DEV_PATH = 0,
	DEV_BUSID = 256,
	DEV_BUSNUM = 288,
	DEV_DEVNUM = 292,
	DEV_SPEED = 296,
	DEV_ID_VENDOR = 300,
	DEV_ID_PRODUCT = 302,
	DEV_BCD_DEVICE = 304,
	DEV_CLASS = 306,
	DEV_SUBCLASS = 307,
	DEV_PROTOCOL = 308,
	DEV_CONFIG_VALUE = 309,
	DEV_NUM_CONFIGS = 310,
	DEV_NUM_IFACES = 311,
};

/* The interface record. */
enum { IF_CLASS = 0, IF_SUBCLASS = 1, IF_PROTOCOL = 2 };

/* The 48-byte URB header: usbip_header_basic, then per command. */
enum {
	URB_COMMAND = 0,
	URB_SEQNUM = 4,
	URB_DEVID = 8,
	URB_DIRECTION = 12,
	URB_EP = 16,
	/* CMD_SUBMIT */
	SUBMIT_FLAGS = 20,
	SUBMIT_LENGTH = 24,
	SUBMIT_START_FRAME = 28,
	SUBMIT_NPACKETS = 32,
	SUBMIT_INTERVAL = 36,
	SUBMIT_SETUP = 40,
	/* RET_SUBMIT */
	RET_STATUS = 20,
	RET_ACTUAL = 24,
	RET_START_FRAME = 28,
	RET_NPACKETS = 32,
	RET_ERROR_COUNT = 36,
	/* CMD_UNLINK / RET_UNLINK */
	UNLINK_SEQNUM = 20,
	UNLINK_STATUS = 20,
};

_Static_assert(SUBMIT_SETUP + USBIP_SETUP_SIZE == USBIP_HDR_SIZE, "CMD_SUBMIT layout");
_Static_assert(DEV_NUM_IFACES + 1 == USBIP_DEV_RECORD_SIZE, "device record layout");
_Static_assert(DEV_BUSID == DEV_PATH + USBIP_PATH_SIZE, "device record layout");
_Static_assert(DEV_BUSNUM == DEV_BUSID + USBIP_BUSID_SIZE, "device record layout");

static int32_t get_s32(const uint8_t *p)
{
	return (int32_t)wire_get_be32(p);
}

static void put_s32(uint8_t *p, int32_t v)
{
	wire_put_be32(p, (uint32_t)v);
}

/* A fixed-size string field: n bytes, NUL padded, not necessarily terminated. */
static void get_str(char *out, const uint8_t *p, size_t n)
{
	memcpy(out, p, n);
	out[n] = '\0';
}

static int put_str(uint8_t *p, const char *s, size_t n)
{
	size_t l = 0;

	while (l <= n && s[l] != '\0')
		l++;
	if (l > n)
		return -EINVAL;
	memset(p, 0, n);
	memcpy(p, s, l);
	return 0;
}

/* ------------------------------------------------------------- OP phase */

int usbip_op_header_parse(struct usbip_op_header *h, const uint8_t *buf, size_t len)
{
	if (len < USBIP_OP_HDR_SIZE)
		return -EAGAIN;
	h->version = wire_get_be16(buf + OP_VERSION);
	h->code = wire_get_be16(buf + OP_CODE);
	h->status = wire_get_be32(buf + OP_STATUS);
	return h->version == USBIP_VERSION ? (int)USBIP_OP_HDR_SIZE : -EPROTO;
}

int usbip_op_header_build(uint8_t *buf, size_t cap, uint16_t code, uint32_t status)
{
	if (cap < USBIP_OP_HDR_SIZE)
		return -ENOSPC;
	wire_put_be16(buf + OP_VERSION, USBIP_VERSION);
	wire_put_be16(buf + OP_CODE, code);
	wire_put_be32(buf + OP_STATUS, status);
	return (int)USBIP_OP_HDR_SIZE;
}

/* The header of a message whose code must be want. */
static int op_header_expect(struct usbip_op_header *h, const uint8_t *buf, size_t len,
			    uint16_t want)
{
	int r = usbip_op_header_parse(h, buf, len);

	if (r < 0)
		return r;
	return h->code == want ? r : -EBADMSG;
}

int usbip_op_req_import_parse(struct usbip_op_req_import *req, const uint8_t *buf, size_t len)
{
	int r = op_header_expect(&req->hdr, buf, len, USBIP_OP_REQ_IMPORT);

	if (r < 0)
		return r;
	if (len < USBIP_OP_REQ_IMPORT_SIZE)
		return -EAGAIN;
	get_str(req->busid, buf + OP_IMPORT_BUSID, USBIP_BUSID_SIZE);
	return (int)USBIP_OP_REQ_IMPORT_SIZE;
}

int usbip_op_req_import_build(uint8_t *buf, size_t cap, const char *busid)
{
	uint8_t field[USBIP_BUSID_SIZE];

	if (busid == NULL || put_str(field, busid, sizeof(field)) < 0)
		return -EINVAL;
	if (cap < USBIP_OP_REQ_IMPORT_SIZE)
		return -ENOSPC;
	(void)usbip_op_header_build(buf, cap, USBIP_OP_REQ_IMPORT, 0);
	memcpy(buf + OP_IMPORT_BUSID, field, sizeof(field));
	return (int)USBIP_OP_REQ_IMPORT_SIZE;
}

int usbip_dev_record_parse(struct usbip_dev_record *rec, const uint8_t *buf, size_t len)
{
	if (len < USBIP_DEV_RECORD_SIZE)
		return -EAGAIN;
	get_str(rec->path, buf + DEV_PATH, USBIP_PATH_SIZE);
	get_str(rec->busid, buf + DEV_BUSID, USBIP_BUSID_SIZE);
	rec->busnum = wire_get_be32(buf + DEV_BUSNUM);
	rec->devnum = wire_get_be32(buf + DEV_DEVNUM);
	rec->speed = wire_get_be32(buf + DEV_SPEED);
	rec->idVendor = wire_get_be16(buf + DEV_ID_VENDOR);
	rec->idProduct = wire_get_be16(buf + DEV_ID_PRODUCT);
	rec->bcdDevice = wire_get_be16(buf + DEV_BCD_DEVICE);
	rec->bDeviceClass = buf[DEV_CLASS];
	rec->bDeviceSubClass = buf[DEV_SUBCLASS];
	rec->bDeviceProtocol = buf[DEV_PROTOCOL];
	rec->bConfigurationValue = buf[DEV_CONFIG_VALUE];
	rec->bNumConfigurations = buf[DEV_NUM_CONFIGS];
	rec->bNumInterfaces = buf[DEV_NUM_IFACES];
	return USBIP_DEV_RECORD_SIZE;
}

int usbip_dev_record_build(uint8_t *buf, size_t cap, const struct usbip_dev_record *rec)
{
	uint8_t path[USBIP_PATH_SIZE], busid[USBIP_BUSID_SIZE];

	if (rec == NULL || put_str(path, rec->path, sizeof(path)) < 0 ||
	    put_str(busid, rec->busid, sizeof(busid)) < 0)
		return -EINVAL;
	if (cap < USBIP_DEV_RECORD_SIZE)
		return -ENOSPC;
	memcpy(buf + DEV_PATH, path, sizeof(path));
	memcpy(buf + DEV_BUSID, busid, sizeof(busid));
	wire_put_be32(buf + DEV_BUSNUM, rec->busnum);
	wire_put_be32(buf + DEV_DEVNUM, rec->devnum);
	wire_put_be32(buf + DEV_SPEED, rec->speed);
	wire_put_be16(buf + DEV_ID_VENDOR, rec->idVendor);
	wire_put_be16(buf + DEV_ID_PRODUCT, rec->idProduct);
	wire_put_be16(buf + DEV_BCD_DEVICE, rec->bcdDevice);
	buf[DEV_CLASS] = rec->bDeviceClass;
	buf[DEV_SUBCLASS] = rec->bDeviceSubClass;
	buf[DEV_PROTOCOL] = rec->bDeviceProtocol;
	buf[DEV_CONFIG_VALUE] = rec->bConfigurationValue;
	buf[DEV_NUM_CONFIGS] = rec->bNumConfigurations;
	buf[DEV_NUM_IFACES] = rec->bNumInterfaces;
	return USBIP_DEV_RECORD_SIZE;
}

int usbip_iface_record_parse(struct usbip_iface_record *rec, const uint8_t *buf, size_t len)
{
	if (len < USBIP_IFACE_RECORD_SIZE)
		return -EAGAIN;
	rec->bInterfaceClass = buf[IF_CLASS];
	rec->bInterfaceSubClass = buf[IF_SUBCLASS];
	rec->bInterfaceProtocol = buf[IF_PROTOCOL];
	return USBIP_IFACE_RECORD_SIZE;
}

int usbip_iface_record_build(uint8_t *buf, size_t cap, const struct usbip_iface_record *rec)
{
	if (rec == NULL)
		return -EINVAL;
	if (cap < USBIP_IFACE_RECORD_SIZE)
		return -ENOSPC;
	memset(buf, 0, USBIP_IFACE_RECORD_SIZE);
	buf[IF_CLASS] = rec->bInterfaceClass;
	buf[IF_SUBCLASS] = rec->bInterfaceSubClass;
	buf[IF_PROTOCOL] = rec->bInterfaceProtocol;
	return USBIP_IFACE_RECORD_SIZE;
}

int usbip_op_rep_devlist_parse(struct usbip_op_rep_devlist *rep, const uint8_t *buf, size_t len)
{
	int r = op_header_expect(&rep->hdr, buf, len, USBIP_OP_REP_DEVLIST);
	size_t off = USBIP_OP_REP_DEVLIST_HDR_SIZE;

	rep->ndev = 0;
	rep->records_len = 0;
	if (r < 0)
		return r;
	if (len < USBIP_OP_REP_DEVLIST_HDR_SIZE)
		return -EAGAIN;
	rep->ndev = wire_get_be32(buf + OP_DEVLIST_NDEV);
	/* Each record is at least USBIP_DEV_RECORD_SIZE bytes, so this ends by len. */
	for (uint32_t i = 0; i < rep->ndev; i++) {
		if (len - off < USBIP_DEV_RECORD_SIZE)
			return -EAGAIN;
		size_t ifaces = (size_t)buf[off + DEV_NUM_IFACES] * USBIP_IFACE_RECORD_SIZE;

		off += USBIP_DEV_RECORD_SIZE;
		if (len - off < ifaces)
			return -EAGAIN;
		off += ifaces;
		if (off > (size_t)INT_MAX)
			return -EOVERFLOW;
	}
	rep->records_len = off - USBIP_OP_REP_DEVLIST_HDR_SIZE;
	return (int)off;
}

int usbip_op_rep_devlist_build(uint8_t *buf, size_t cap, uint32_t ndev)
{
	if (cap < USBIP_OP_REP_DEVLIST_HDR_SIZE)
		return -ENOSPC;
	(void)usbip_op_header_build(buf, cap, USBIP_OP_REP_DEVLIST, USBIP_ST_OK);
	wire_put_be32(buf + OP_DEVLIST_NDEV, ndev);
	return (int)USBIP_OP_REP_DEVLIST_HDR_SIZE;
}

int usbip_op_rep_import_parse(struct usbip_op_rep_import *rep, const uint8_t *buf, size_t len)
{
	int r = op_header_expect(&rep->hdr, buf, len, USBIP_OP_REP_IMPORT);

	if (r < 0 || rep->hdr.status != USBIP_ST_OK)
		return r;
	r = usbip_dev_record_parse(&rep->dev, buf + USBIP_OP_HDR_SIZE, len - USBIP_OP_HDR_SIZE);
	return r < 0 ? r : (int)USBIP_OP_REP_IMPORT_SIZE;
}

int usbip_op_rep_import_build(uint8_t *buf, size_t cap, uint32_t status,
			      const struct usbip_dev_record *dev)
{
	if (status != USBIP_ST_OK)
		return usbip_op_header_build(buf, cap, USBIP_OP_REP_IMPORT, status);
	if (dev == NULL)
		return -EINVAL;
	if (cap < USBIP_OP_REP_IMPORT_SIZE)
		return -ENOSPC;
	int r = usbip_dev_record_build(buf + USBIP_OP_HDR_SIZE, cap - USBIP_OP_HDR_SIZE, dev);

	if (r < 0)
		return r;
	(void)usbip_op_header_build(buf, cap, USBIP_OP_REP_IMPORT, status);
	return (int)USBIP_OP_REP_IMPORT_SIZE;
}

/* ------------------------------------------------------------ URB phase */

static void urb_basic_parse(struct usbip_urb_basic *b, const uint8_t *buf)
{
	b->command = wire_get_be32(buf + URB_COMMAND);
	b->seqnum = wire_get_be32(buf + URB_SEQNUM);
	b->devid = wire_get_be32(buf + URB_DEVID);
	b->direction = wire_get_be32(buf + URB_DIRECTION);
	b->ep = wire_get_be32(buf + URB_EP);
}

int usbip_urb_parse_cmd(struct usbip_urb *urb, const uint8_t *buf, size_t len)
{
	if (len < USBIP_HDR_SIZE)
		return -EAGAIN;
	urb_basic_parse(&urb->basic, buf);
	if (urb->basic.command == USBIP_CMD_UNLINK) {
		urb->u.cmd_unlink.unlink_seqnum = wire_get_be32(buf + UNLINK_SEQNUM);
		return USBIP_HDR_SIZE;
	}
	if (urb->basic.command != USBIP_CMD_SUBMIT)
		return -EBADMSG;

	struct usbip_cmd_submit *s = &urb->u.cmd_submit;

	s->transfer_flags = wire_get_be32(buf + SUBMIT_FLAGS);
	s->transfer_buffer_length = get_s32(buf + SUBMIT_LENGTH);
	s->start_frame = get_s32(buf + SUBMIT_START_FRAME);
	s->number_of_packets = get_s32(buf + SUBMIT_NPACKETS);
	s->interval = get_s32(buf + SUBMIT_INTERVAL);
	usbd_setup_decode(&s->setup, buf + SUBMIT_SETUP);
	if (urb->basic.direction > USBIP_DIR_IN || urb->basic.ep > USBIP_EP_MAX ||
	    s->transfer_buffer_length < 0)
		return -EPROTO;
	return USBIP_HDR_SIZE;
}

int usbip_urb_parse_ret(struct usbip_urb *urb, const uint8_t *buf, size_t len)
{
	if (len < USBIP_HDR_SIZE)
		return -EAGAIN;
	urb_basic_parse(&urb->basic, buf);
	if (urb->basic.command == USBIP_RET_UNLINK) {
		urb->u.ret_unlink.status = get_s32(buf + UNLINK_STATUS);
		return USBIP_HDR_SIZE;
	}
	if (urb->basic.command != USBIP_RET_SUBMIT)
		return -EBADMSG;

	struct usbip_ret_submit *s = &urb->u.ret_submit;

	s->status = get_s32(buf + RET_STATUS);
	s->actual_length = get_s32(buf + RET_ACTUAL);
	s->start_frame = get_s32(buf + RET_START_FRAME);
	s->number_of_packets = get_s32(buf + RET_NPACKETS);
	s->error_count = get_s32(buf + RET_ERROR_COUNT);
	return USBIP_HDR_SIZE;
}

/* The command-specific part of a header, after usbip_header_basic. */
static int urb_body_build(uint8_t *buf, const struct usbip_urb *urb)
{
	switch (urb->basic.command) {
	case USBIP_CMD_SUBMIT: {
		const struct usbip_cmd_submit *s = &urb->u.cmd_submit;

		wire_put_be32(buf + SUBMIT_FLAGS, s->transfer_flags);
		put_s32(buf + SUBMIT_LENGTH, s->transfer_buffer_length);
		put_s32(buf + SUBMIT_START_FRAME, s->start_frame);
		put_s32(buf + SUBMIT_NPACKETS, s->number_of_packets);
		put_s32(buf + SUBMIT_INTERVAL, s->interval);
		usbd_setup_encode(buf + SUBMIT_SETUP, &s->setup);
		return 0;
	}
	case USBIP_RET_SUBMIT: {
		const struct usbip_ret_submit *s = &urb->u.ret_submit;

		put_s32(buf + RET_STATUS, s->status);
		put_s32(buf + RET_ACTUAL, s->actual_length);
		put_s32(buf + RET_START_FRAME, s->start_frame);
		put_s32(buf + RET_NPACKETS, s->number_of_packets);
		put_s32(buf + RET_ERROR_COUNT, s->error_count);
		return 0;
	}
	case USBIP_CMD_UNLINK:
		wire_put_be32(buf + UNLINK_SEQNUM, urb->u.cmd_unlink.unlink_seqnum);
		return 0;
	case USBIP_RET_UNLINK: put_s32(buf + UNLINK_STATUS, urb->u.ret_unlink.status); return 0;
	default: return -EINVAL;
	}
}

int usbip_urb_build(uint8_t *buf, size_t cap, const struct usbip_urb *urb)
{
	uint8_t h[USBIP_HDR_SIZE];

	if (urb == NULL)
		return -EINVAL;
	memset(h, 0, sizeof(h));
	if (urb_body_build(h, urb) < 0)
		return -EINVAL;
	if (cap < USBIP_HDR_SIZE)
		return -ENOSPC;
	wire_put_be32(h + URB_COMMAND, urb->basic.command);
	wire_put_be32(h + URB_SEQNUM, urb->basic.seqnum);
	wire_put_be32(h + URB_DEVID, urb->basic.devid);
	wire_put_be32(h + URB_DIRECTION, urb->basic.direction);
	wire_put_be32(h + URB_EP, urb->basic.ep);
	memcpy(buf, h, sizeof(h));
	return USBIP_HDR_SIZE;
}

uint32_t usbip_urb_out_len(const struct usbip_urb *urb)
{
	const struct usbip_cmd_submit *s = &urb->u.cmd_submit;

	if (urb->basic.command != USBIP_CMD_SUBMIT || urb->basic.direction != USBIP_DIR_OUT ||
	    s->transfer_buffer_length < 0)
		return 0;
	return (uint32_t)s->transfer_buffer_length;
}

void usbip_printable(char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
}
