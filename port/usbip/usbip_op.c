/* SPDX-License-Identifier: Apache-2.0 */
/*
 * USB/IP server, the OP phase (before import): OP_REQ_DEVLIST and
 * OP_REQ_IMPORT, and the descriptors a device record is made of, read from
 * the device as a host reads them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dfukit/wire.h"
#include "usbip_priv.h"

/* Interfaces listed per device in OP_REP_DEVLIST. */
#define USBIP_MAX_LISTED_IFACES 32

_Static_assert(USBIP_MAX_DEVICES *(USBIP_DEV_RECORD_SIZE +
				   USBIP_MAX_LISTED_IFACES * USBIP_IFACE_RECORD_SIZE) +
			       USBIP_OP_REP_DEVLIST_HDR_SIZE <=
		       USBIP_HDR_SIZE + USBIP_MAX_XFER_LEN,
	       "the device list must fit the transmit buffer");

/* The fields of the USB descriptors read here (USB 2.0 tables 9-8, 9-10, 9-12). */
enum {
	DESC_LENGTH = 0,
	DESC_TYPE = 1,
	DEV_DESC_CLASS = 4,
	DEV_DESC_SUBCLASS = 5,
	DEV_DESC_PROTOCOL = 6,
	DEV_DESC_ID_VENDOR = 8,
	DEV_DESC_ID_PRODUCT = 10,
	DEV_DESC_BCD_DEVICE = 12,
	DEV_DESC_NUM_CONFIGS = 17,
	DEV_DESC_SIZE = 18,
	CFG_DESC_TOTAL_LENGTH = 2,
	CFG_DESC_CONFIG_VALUE = 5,
	CFG_DESC_SIZE = 9,
	IF_DESC_ALT_SETTING = 3,
	IF_DESC_CLASS = 5,
	IF_DESC_SUBCLASS = 6,
	IF_DESC_PROTOCOL = 7,
	IF_DESC_SIZE = 9,
};

/* What OP_REP_DEVLIST / OP_REP_IMPORT say about a device. */
struct dev_info {
	struct usbip_dev_record rec; /* rec.bNumInterfaces entries in ifaces */
	struct usbip_iface_record ifaces[USBIP_MAX_LISTED_IFACES];
};

/* A control transfer of the server's own (import, descriptors), as a host sends it. */
static int dev_control(struct usbip_device *d, const struct usbd_setup *s, uint8_t *data)
{
	return d->ops->control(d->dev, s, data, s->wLength);
}

static struct usbd_setup get_descriptor(uint8_t type, uint16_t len)
{
	struct usbd_setup s = {
		.bmRequestType = USB_REQTYPE_DIR_IN,
		.bRequest = USB_REQ_GET_DESCRIPTOR,
		.wValue = (uint16_t)(type << 8),
		.wIndex = 0,
		.wLength = len,
	};

	return s;
}

static int read_device_desc(struct usbip_device *d, struct usbip_dev_record *rec)
{
	uint8_t dd[DEV_DESC_SIZE];
	struct usbd_setup s = get_descriptor(USB_DESC_DEVICE, sizeof(dd));
	int r = dev_control(d, &s, dd);

	if (r < 0)
		return r;
	if (r < (int)sizeof(dd) || dd[DESC_LENGTH] < DEV_DESC_SIZE ||
	    dd[DESC_TYPE] != USB_DESC_DEVICE)
		return -EPROTO;
	rec->idVendor = wire_get_le16(dd + DEV_DESC_ID_VENDOR);
	rec->idProduct = wire_get_le16(dd + DEV_DESC_ID_PRODUCT);
	rec->bcdDevice = wire_get_le16(dd + DEV_DESC_BCD_DEVICE);
	rec->bDeviceClass = dd[DEV_DESC_CLASS];
	rec->bDeviceSubClass = dd[DEV_DESC_SUBCLASS];
	rec->bDeviceProtocol = dd[DEV_DESC_PROTOCOL];
	rec->bNumConfigurations = dd[DEV_DESC_NUM_CONFIGS];
	return 0;
}

/* The first configuration descriptor, whole (up to the scratch buffer), into srv->desc. */
static int read_config_desc(struct usbip_server *srv, struct usbip_device *d)
{
	struct usbd_setup s = get_descriptor(USB_DESC_CONFIGURATION, CFG_DESC_SIZE);
	int r = dev_control(d, &s, srv->desc);
	uint16_t total;

	if (r < 0)
		return r;
	if (r < CFG_DESC_SIZE || srv->desc[DESC_TYPE] != USB_DESC_CONFIGURATION)
		return -EPROTO;
	total = wire_get_le16(srv->desc + CFG_DESC_TOTAL_LENGTH);
	if (total < CFG_DESC_SIZE)
		return -EPROTO;
	if (total > sizeof(srv->desc))
		total = sizeof(srv->desc);
	s.wLength = total;
	r = dev_control(d, &s, srv->desc);
	if (r < CFG_DESC_SIZE)
		return r < 0 ? r : -EPROTO;
	return r;
}

/* One entry per interface (its alternate 0), as sysfs would list them. */
static void list_interfaces(struct dev_info *info, const uint8_t *cfg, int len)
{
	for (int off = 0; off + 2 <= len;) {
		const uint8_t *p = cfg + off;
		uint8_t bl = p[DESC_LENGTH];

		if (bl < 2 || off + bl > len)
			break;
		if (p[DESC_TYPE] == USB_DESC_INTERFACE && bl >= IF_DESC_SIZE &&
		    p[IF_DESC_ALT_SETTING] == 0 &&
		    info->rec.bNumInterfaces < USBIP_MAX_LISTED_IFACES) {
			struct usbip_iface_record *ifr = &info->ifaces[info->rec.bNumInterfaces++];

			ifr->bInterfaceClass = p[IF_DESC_CLASS];
			ifr->bInterfaceSubClass = p[IF_DESC_SUBCLASS];
			ifr->bInterfaceProtocol = p[IF_DESC_PROTOCOL];
		}
		off += bl;
	}
}

/* Read device + first configuration descriptor through the device's host-side ops. */
static int read_dev_info(struct usbip_server *srv, struct usbip_device *d, struct dev_info *info)
{
	struct usbip_dev_record *rec = &info->rec;
	int r;

	memset(info, 0, sizeof(*info));
	snprintf(rec->path, USBIP_PATH_SIZE, "/sys/devices/platform/dfukit-vudc/usb%u/%s",
		 (unsigned)d->busnum, d->busid);
	snprintf(rec->busid, sizeof(rec->busid), "%s", d->busid);
	rec->busnum = d->busnum;
	rec->devnum = d->devnum;
	rec->speed = USBIP_SPEED_FULL;
	r = read_device_desc(d, rec);
	if (r < 0)
		return r;
	r = read_config_desc(srv, d);
	if (r < 0)
		return r;
	rec->bConfigurationValue = srv->desc[CFG_DESC_CONFIG_VALUE];
	list_interfaces(info, srv->desc, r);
	return 0;
}

/* A device record and its interface records at p (room bytes); their size or -ENOSPC. */
static int put_device(uint8_t *p, size_t room, const struct dev_info *info)
{
	int len = usbip_dev_record_build(p, room, &info->rec);

	for (unsigned k = 0; len >= 0 && k < info->rec.bNumInterfaces; k++) {
		int r = usbip_iface_record_build(p + len, room - (size_t)len, &info->ifaces[k]);

		len = r < 0 ? r : len + r;
	}
	return len;
}

static enum step op_devlist(struct usbip_server *srv, struct usbip_conn *c)
{
	uint8_t *t = srv->tx;
	size_t len = USBIP_OP_REP_DEVLIST_HDR_SIZE;
	uint32_t count = 0;

	for (int i = 0; i < USBIP_MAX_DEVICES; i++) {
		struct usbip_device *d = &srv->devs[i];
		struct dev_info info;
		int r;

		if (!d->used)
			continue;
		r = read_dev_info(srv, d, &info);
		if (r >= 0)
			r = put_device(t + len, sizeof(srv->tx) - len, &info);
		if (r < 0) {
			usbip_log(srv,
				  "conn %u (%s): devlist: %s left out: descriptors unreadable (%d)",
				  c->id, c->peer, d->busid, r);
			continue;
		}
		len += (size_t)r;
		count++;
	}
	(void)usbip_op_rep_devlist_build(t, sizeof(srv->tx), count);
	usbip_log(srv, "conn %u (%s): devlist: %u device%s", c->id, c->peer, (unsigned)count,
		  count == 1 ? "" : "s");
	if (usbip_conn_send(srv, c, t, len) == STEP_CLOSED)
		return STEP_CLOSED;
	/* One request per connection, as usbipd does. */
	usbip_conn_close(srv, c, "device list sent");
	return STEP_CLOSED;
}

static enum step op_import_refuse(struct usbip_server *srv, struct usbip_conn *c, uint32_t st,
				  const char *busid, const char *why)
{
	uint8_t h[USBIP_OP_HDR_SIZE];

	usbip_log(srv, "conn %u (%s): import %s refused: %s", c->id, c->peer, busid, why);
	(void)usbip_op_rep_import_build(h, sizeof(h), st, NULL);
	if (usbip_conn_send(srv, c, h, sizeof(h)) == STEP_CLOSED)
		return STEP_CLOSED;
	usbip_conn_close(srv, c, "import refused");
	return STEP_CLOSED;
}

/* What the exporting host's stack would have done: reset, then address; then the descriptors. */
static int prepare_import(struct usbip_server *srv, struct usbip_device *d, struct dev_info *info)
{
	struct usbd_setup s = {
		.bmRequestType = USB_REQTYPE_STANDARD | USB_REQTYPE_DEVICE,
		.bRequest = USB_REQ_SET_ADDRESS,
		.wValue = (uint16_t)d->devnum,
	};
	uint8_t dummy[1];
	int r = d->ops->bus_reset(d->dev);

	if (r >= 0)
		r = dev_control(d, &s, dummy);
	if (r >= 0)
		r = read_dev_info(srv, d, info);
	return r;
}

static enum step op_import(struct usbip_server *srv, struct usbip_conn *c, char *busid)
{
	struct usbip_device *d;
	struct dev_info info;
	char why[64];
	int r;

	usbip_printable(busid); /* keep the log line printable */
	d = usbip_find_device(srv, busid);
	if (!d)
		return op_import_refuse(srv, c, USBIP_ST_NODEV, busid, "no such device");
	if (d->importer >= 0) {
		snprintf(why, sizeof(why), "already imported by conn %u",
			 srv->conns[d->importer].id);
		return op_import_refuse(srv, c, USBIP_ST_DEV_BUSY, busid, why);
	}
	r = prepare_import(srv, d, &info);
	if (r >= 0)
		r = usbip_op_rep_import_build(srv->tx, sizeof(srv->tx), USBIP_ST_OK, &info.rec);
	if (r < 0) {
		snprintf(why, sizeof(why), "device not responding (%d)", r);
		return op_import_refuse(srv, c, USBIP_ST_DEV_ERR, busid, why);
	}
	if (usbip_conn_send(srv, c, srv->tx, (size_t)r) == STEP_CLOSED)
		return STEP_CLOSED;
	c->dev = (int)(d - srv->devs);
	d->importer = (int)(c - srv->conns);
	usbip_log(srv, "conn %u (%s): imported %s (%04x:%04x)", c->id, c->peer, d->busid,
		  info.rec.idVendor, info.rec.idProduct);
	return STEP_DONE;
}

enum step usbip_step_op(struct usbip_server *srv, struct usbip_conn *c)
{
	struct usbip_op_header h;
	struct usbip_op_req_import req;
	int r = usbip_op_header_parse(&h, c->rx, c->rx_len);

	if (r == -EAGAIN)
		return STEP_MORE;
	if (r < 0)
		return usbip_proto_error(srv, c, "bad version 0x%04x (op 0x%04x)", h.version,
					 h.code);
	switch (h.code) {
	case USBIP_OP_REQ_DEVLIST: usbip_consume(c, (size_t)r); return op_devlist(srv, c);
	case USBIP_OP_REQ_IMPORT:
		r = usbip_op_req_import_parse(&req, c->rx, c->rx_len);
		if (r < 0)
			return STEP_MORE; /* -EAGAIN: the header was checked above */
		usbip_consume(c, (size_t)r);
		return op_import(srv, c, req.busid);
	default: return usbip_proto_error(srv, c, "unknown op code 0x%04x", h.code);
	}
}
