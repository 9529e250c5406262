/* SPDX-License-Identifier: Apache-2.0 */
/*
 * USB/IP server, the exported devices: the busid table, adding and removing
 * devices, dropping an importer, and the ops that put a struct vudc behind
 * the server.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dfukit/port/vudc.h"
#include "usbip_priv.h"

struct usbip_device *usbip_find_device(struct usbip_server *srv, const char *busid)
{
	for (int i = 0; i < USBIP_MAX_DEVICES; i++) {
		struct usbip_device *d = &srv->devs[i];

		if (d->used && strncmp(d->busid, busid, USBIP_BUSID_SIZE) == 0)
			return d;
	}
	return NULL;
}

unsigned usbip_pending_count(const struct usbip_device *d)
{
	unsigned n = 0;

	for (int i = 0; i < USBIP_MAX_PENDING; i++)
		n += d->pending[i].used;
	return n;
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

static int vudc_op_bus_reset(void *dev)
{
	vudc_bus_reset(dev);
	return 0;
}

static int vudc_op_control(void *dev, const struct usbd_setup *setup, uint8_t *data,
			   uint16_t capacity)
{
	return vudc_control_bounded(dev, setup, data, capacity);
}

static int vudc_op_transfer(void *dev, uint8_t ep, uint8_t *data, uint16_t len)
{
	return vudc_transfer(dev, ep, data, len);
}

static bool vudc_op_connected(const void *dev)
{
	const struct vudc *v = dev;

	return v->connected;
}

static uint16_t vudc_op_max_packet(const void *dev, uint8_t ep)
{
	const struct vudc *v = dev;

	return (ep & 0x80u) ? v->in[ep & 0x0fu].max_packet : v->out[ep & 0x0fu].max_packet;
}

static const struct usbip_dev_ops vudc_host_ops = {
	.bus_reset = vudc_op_bus_reset,
	.control = vudc_op_control,
	.transfer = vudc_op_transfer,
	.connected = vudc_op_connected,
	.max_packet = vudc_op_max_packet,
};

int usbip_server_add_device(struct usbip_server *srv, const char *busid, struct vudc *v)
{
	return usbip_server_add_device_ops(srv, busid, v ? &vudc_host_ops : NULL, v);
}

int usbip_server_add_device_ops(struct usbip_server *srv, const char *busid,
				const struct usbip_dev_ops *ops, void *dev)
{
	uint32_t bus, port;
	struct usbip_device *free_slot = NULL;

	if (!srv || !busid || !ops || !dev || strlen(busid) >= USBIP_BUSID_SIZE ||
	    parse_busid(busid, &bus, &port) < 0)
		return -EINVAL;
	if (usbip_find_device(srv, busid))
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
	free_slot->ops = ops;
	free_slot->dev = dev;
	free_slot->importer = -1;
	usbip_log(srv, "exporting %s (devid 0x%08x)", busid, (unsigned)usbip_dev_devid(free_slot));
	return 0;
}

int usbip_server_disconnect(struct usbip_server *srv, const char *busid)
{
	struct usbip_device *d = busid ? usbip_find_device(srv, busid) : NULL;

	if (!d)
		return -ENOENT;
	if (d->importer >= 0)
		usbip_conn_close(srv, &srv->conns[d->importer], "disconnected by the device");
	return 0;
}

int usbip_server_remove_device(struct usbip_server *srv, const char *busid)
{
	struct usbip_device *d = busid ? usbip_find_device(srv, busid) : NULL;

	if (!d)
		return -ENOENT;
	if (d->importer >= 0)
		usbip_conn_close(srv, &srv->conns[d->importer], "device removed");
	usbip_log(srv, "no longer exporting %s", d->busid);
	d->used = false;
	d->ops = NULL;
	d->dev = NULL;
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
