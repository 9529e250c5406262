/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Descriptor serialisation. Descriptors are never stored as byte arrays: a
 * windowed writer walks the declarative description and keeps only the bytes
 * that fall inside [offset, offset + len), so a 64-byte packet is all the RAM
 * an arbitrarily long configuration descriptor needs.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "dfukit/usbd.h"

struct desc_writer {
	uint8_t *out;
	uint32_t begin; /* first byte wanted */
	uint32_t end;   /* one past the last byte wanted */
	uint32_t pos;   /* position of the next byte produced */
};

static void put8(struct desc_writer *w, uint8_t byte)
{
	if (w->pos >= w->begin && w->pos < w->end) {
		w->out[w->pos - w->begin] = byte;
	}
	w->pos++;
}

static void put16(struct desc_writer *w, uint16_t v)
{
	put8(w, (uint8_t)(v & 0xffu));
	put8(w, (uint8_t)(v >> 8));
}

static void put_bytes(struct desc_writer *w, const uint8_t *bytes, uint16_t len)
{
	for (uint16_t i = 0; i < len; i++) {
		put8(w, bytes[i]);
	}
}

static int written(const struct desc_writer *w)
{
	if (w->pos <= w->begin) {
		return 0;
	}
	uint32_t last = w->pos < w->end ? w->pos : w->end;
	return (int)(last - w->begin);
}

static void emit_device(struct desc_writer *w, const struct usbd_device_desc *d)
{
	put8(w, 18);
	put8(w, USB_DESC_DEVICE);
	put16(w, d->bcd_usb);
	put8(w, d->device_class);
	put8(w, d->device_subclass);
	put8(w, d->device_protocol);
	put8(w, d->max_packet0);
	put16(w, d->vendor_id);
	put16(w, d->product_id);
	put16(w, d->bcd_device);
	put8(w, d->manufacturer_index);
	put8(w, d->product_index);
	put8(w, d->serial_index);
	put8(w, d->num_configs);
}

static uint32_t config_len(const struct usbd_config_desc *c)
{
	uint32_t len = 9;
	for (uint8_t i = 0; i < c->num_ifaces; i++) {
		const struct usbd_iface_desc *iface = &c->ifaces[i];
		for (uint8_t a = 0; a < iface->num_alts; a++) {
			const struct usbd_alt_desc *alt = &iface->alts[a];
			len += 9u + alt->class_desc_len + 7u * alt->num_endpoints;
		}
	}
	return len;
}

static void emit_config(struct desc_writer *w, const struct usbd_config_desc *c, uint8_t value,
			uint16_t total)
{
	put8(w, 9);
	put8(w, USB_DESC_CONFIGURATION);
	put16(w, total);
	put8(w, c->num_ifaces);
	put8(w, value);
	put8(w, c->string_index);
	put8(w, (uint8_t)(c->attributes | USB_CONFIG_ATTR_ONE));
	put8(w, c->max_power_2ma);
	for (uint8_t i = 0; i < c->num_ifaces; i++) {
		const struct usbd_iface_desc *iface = &c->ifaces[i];
		for (uint8_t a = 0; a < iface->num_alts; a++) {
			const struct usbd_alt_desc *alt = &iface->alts[a];
			put8(w, 9);
			put8(w, USB_DESC_INTERFACE);
			put8(w, i);
			put8(w, a);
			put8(w, alt->num_endpoints);
			put8(w, alt->iface_class);
			put8(w, alt->iface_subclass);
			put8(w, alt->iface_protocol);
			put8(w, alt->string_index);
			put_bytes(w, alt->class_desc, alt->class_desc_len);
			for (uint8_t e = 0; e < alt->num_endpoints; e++) {
				const struct usbd_endpoint_desc *ep = &alt->endpoints[e];
				put8(w, 7);
				put8(w, USB_DESC_ENDPOINT);
				put8(w, ep->address);
				put8(w, ep->attributes);
				put16(w, ep->max_packet);
				put8(w, ep->interval);
			}
		}
	}
}

/* String descriptors hold at most 126 UTF-16 code units (bLength is a byte). */
#define STRING_MAX_CHARS 126u

static int emit_string(struct desc_writer *w, const struct usbd_device_desc *d, uint8_t index)
{
	if (index == 0) {
		put8(w, 4);
		put8(w, USB_DESC_STRING);
		put16(w, 0x0409); /* English (United States) */
		return 0;
	}
	if (index > d->num_strings || d->strings == NULL || d->strings[index - 1] == NULL) {
		return -ENOENT;
	}
	const char *s = d->strings[index - 1];
	size_t n = strlen(s);
	if (n > STRING_MAX_CHARS) {
		n = STRING_MAX_CHARS;
	}
	put8(w, (uint8_t)(2u + 2u * n));
	put8(w, USB_DESC_STRING);
	for (size_t i = 0; i < n; i++) {
		/* ASCII only: code points above 0x7f would need real UTF-8 decoding. */
		put16(w, (uint16_t)((uint8_t)s[i] & 0x7fu));
	}
	return 0;
}

int usbd_config_desc_len(const struct usbd_device_desc *desc, uint8_t idx)
{
	if (idx >= desc->num_configs) {
		return -ENOENT;
	}
	uint32_t len = config_len(&desc->configs[idx]);
	return len > 0xffffu ? -E2BIG : (int)len;
}

int usbd_desc_read(const struct usbd_device_desc *desc, uint8_t type, uint8_t index,
		   uint16_t offset, uint8_t *out, uint16_t len)
{
	struct desc_writer w = {
		.out = out, .begin = offset, .end = (uint32_t)offset + len, .pos = 0};

	switch (type) {
	case USB_DESC_DEVICE:
		if (index != 0) {
			return -ENOENT;
		}
		emit_device(&w, desc);
		break;
	case USB_DESC_CONFIGURATION: {
		int total = usbd_config_desc_len(desc, index);
		if (total < 0) {
			return total;
		}
		emit_config(&w, &desc->configs[index], (uint8_t)(index + 1u), (uint16_t)total);
		break;
	}
	case USB_DESC_STRING: {
		int rc = emit_string(&w, desc, index);
		if (rc < 0) {
			return rc;
		}
		break;
	}
	case USB_DESC_BOS:
		if (index != 0 || desc->bos == NULL || desc->bcd_usb < 0x0201u) {
			return -ENOENT;
		}
		put_bytes(&w, desc->bos, desc->bos_len);
		break;
	default:
		return -ENOENT;
	}
	return written(&w);
}
