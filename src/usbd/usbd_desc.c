/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core's wire side: the setup packet's eight bytes, and the
 * application's descriptor bytes, checked once (usbd_desc_check()) and then
 * walked (usbd_desc_next(), usbd_find_alt()).
 */
#include <errno.h>
#include <stddef.h>

#include "dfukit/usbd.h"
#include "dfukit/wire.h"

#include "usbd_priv.h"

void usbd_setup_decode(struct usbd_setup *setup, const uint8_t raw[USB_SETUP_LEN])
{
	setup->bmRequestType = raw[USB_SETUP_bmRequestType];
	setup->bRequest = raw[USB_SETUP_bRequest];
	setup->wValue = wire_get_le16(raw + USB_SETUP_wValue);
	setup->wIndex = wire_get_le16(raw + USB_SETUP_wIndex);
	setup->wLength = wire_get_le16(raw + USB_SETUP_wLength);
}

void usbd_setup_encode(uint8_t raw[USB_SETUP_LEN], const struct usbd_setup *setup)
{
	raw[USB_SETUP_bmRequestType] = setup->bmRequestType;
	raw[USB_SETUP_bRequest] = setup->bRequest;
	wire_put_le16(raw + USB_SETUP_wValue, setup->wValue);
	wire_put_le16(raw + USB_SETUP_wIndex, setup->wIndex);
	wire_put_le16(raw + USB_SETUP_wLength, setup->wLength);
}

const uint8_t *usbd_desc_next(const uint8_t *cfg, const uint8_t *d)
{
	/* usbd_init() checked that the descriptors tile wTotalLength exactly. */
	const uint8_t *next = d + d[USB_DESC_bLength];
	return next < config_end(cfg) ? next : NULL;
}

const uint8_t *usbd_find_alt(const uint8_t *cfg, unsigned iface, unsigned alt)
{
	const uint8_t *d = cfg;
	while ((d = usbd_desc_next(cfg, d)) != NULL &&
	       !(d[USB_DESC_bDescriptorType] == USB_DESC_INTERFACE &&
		 d[USB_IF_bInterfaceNumber] == iface && d[USB_IF_bAlternateSetting] == alt)) {
	}
	return d;
}

/* A configuration's bytes: its header, then descriptors that tile wTotalLength. */
static bool config_ok(const struct usbd_config_desc *c, unsigned value)
{
	const uint8_t *cfg = c->desc;
	if (cfg == NULL || cfg[USB_DESC_bLength] != USBD_CONFIG_DESC_LEN ||
	    cfg[USB_DESC_bDescriptorType] != USB_DESC_CONFIGURATION ||
	    num_interfaces(cfg) > USBD_MAX_INTERFACES ||
	    cfg[USB_CFG_bConfigurationValue] != value ||
	    (num_interfaces(cfg) != 0 && c->owners == NULL)) {
		return false;
	}
	const uint8_t *end = config_end(cfg);
	for (const uint8_t *d = cfg + USBD_CONFIG_DESC_LEN; d != end; d += d[USB_DESC_bLength]) {
		if (end - d < 2) {
			return false;
		}
		unsigned type = d[USB_DESC_bDescriptorType];
		unsigned min = type == USB_DESC_INTERFACE  ? USBD_IFACE_DESC_LEN
			       : type == USB_DESC_ENDPOINT ? USBD_EP_DESC_LEN
							   : 2u;
		if (d[USB_DESC_bLength] < min || d[USB_DESC_bLength] > end - d) {
			return false;
		}
		/*
		 * EP0 belongs to the core: an interface must not enable or stall
		 * it. An endpoint that moves no bytes is one no port enables, and
		 * a refused endpoint fails SET_CONFIGURATION (udc.h).
		 */
		if (type == USB_DESC_ENDPOINT &&
		    ((d[USB_EP_bEndpointAddress] & 0x0fu) == 0 ||
		     (d[USB_EP_bEndpointAddress] & 0x70u) != 0 ||
		     (wire_get_le16(d + USB_EP_wMaxPacketSize) & 0x7ffu) == 0)) {
			return false;
		}
	}
	for (unsigned i = 0; i < num_interfaces(cfg); i++) {
		if (usbd_find_alt(cfg, i, 0) == NULL) {
			return false;
		}
	}
	return true;
}

int usbd_desc_check(const struct usbd_device_desc *desc)
{
	const uint8_t *dd = desc->device;
	if (dd == NULL || dd[USB_DESC_bLength] != USBD_DEVICE_DESC_LEN ||
	    dd[USB_DESC_bDescriptorType] != USB_DESC_DEVICE ||
	    dd[USB_DEV_bNumConfigurations] == 0 || desc->configs == NULL) {
		return -EINVAL;
	}
	unsigned mps = dd[USB_DEV_bMaxPacketSize0];
	/* bMaxPacketSize0 is 8, 16, 32 or 64: a power of two in 0x78. */
	if ((mps & 0x78u) == 0 || (mps & (mps - 1u)) != 0 ||
	    (desc->bos != NULL && wire_get_le16(dd + USB_DEV_bcdUSB) < 0x0201u)) {
		return -EINVAL;
	}
	for (unsigned c = 0; c < dd[USB_DEV_bNumConfigurations]; c++) {
		if (!config_ok(&desc->configs[c], c + 1u)) {
			return -EINVAL;
		}
	}
	return 0;
}
