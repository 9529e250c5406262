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
	uint32_t len;   /* bytes wanted from begin */
	uint32_t pos;   /* position of the next byte produced */
};

static void put8(struct desc_writer *w, unsigned byte)
{
	/* One unsigned compare: positions before begin wrap to huge values. */
	uint32_t rel = w->pos - w->begin;
	if (rel < w->len) {
		w->out[rel] = (uint8_t)byte;
	}
	w->pos++;
}

static void put16(struct desc_writer *w, unsigned v)
{
	put8(w, v & 0xffu);
	put8(w, v >> 8);
}

static void put_bytes(struct desc_writer *w, const uint8_t *bytes, uint16_t len)
{
	for (unsigned i = 0; i < len; i++) {
		put8(w, bytes[i]);
	}
}

/*
 * Descriptors are laid out by field lists, one byte per descriptor field:
 * a literal byte (< 0x40), an 8-bit member (F8) or a 16-bit member (F16) of
 * the struct that describes it, or a value computed by the caller (X: byte i
 * of the extra word).
 */
#define F8(type, member) (0x40u | offsetof(type, member))
#define F16(type, member) (0x80u | offsetof(type, member))
#define X(i) (0xc0u | (i))

static void put_fields(struct desc_writer *w, const void *obj, const uint8_t *fields, unsigned n,
		       uint32_t extra)
{
	const uint8_t *base = obj;
	for (unsigned i = 0; i < n; i++) {
		unsigned f = fields[i], off = f & 0x3fu;
		switch (f >> 6) {
		case 0:
			put8(w, f);
			break;
		case 1:
			put8(w, base[off]);
			break;
		case 2:
			/* An F16 offset is that of a uint16_t member. */
			put16(w, *(const uint16_t *)(const void *)(base + off));
			break;
		default:
			put8(w, (uint8_t)(extra >> (8u * off)));
			break;
		}
	}
}

#define D struct usbd_device_desc
static const uint8_t device_fields[] = {
	18, USB_DESC_DEVICE, F16(D, bcd_usb), F8(D, device_class), F8(D, device_subclass),
	F8(D, device_protocol), F8(D, max_packet0), F16(D, vendor_id), F16(D, product_id),
	F16(D, bcd_device), F8(D, manufacturer_index), F8(D, product_index), F8(D, serial_index),
	F8(D, num_configs),
};
_Static_assert(offsetof(D, num_configs) < 0x40, "device fields fit the list encoding");
#undef D

/* Extras (bytes 0-3): total length (2 bytes), bConfigurationValue, bmAttributes. */
#define C struct usbd_config_desc
static const uint8_t config_fields[] = {
	9, USB_DESC_CONFIGURATION, X(0), X(1), F8(C, num_ifaces), X(2), F8(C, string_index), X(3),
	F8(C, max_power_2ma),
};
_Static_assert(offsetof(C, num_ifaces) < 0x40, "config fields fit the list encoding");
#undef C

/* Extras (bytes 0-1): bInterfaceNumber, bAlternateSetting. */
#define A struct usbd_alt_desc
static const uint8_t iface_fields[] = {
	9, USB_DESC_INTERFACE, X(0), X(1), F8(A, num_endpoints), F8(A, iface_class),
	F8(A, iface_subclass), F8(A, iface_protocol), F8(A, string_index),
};
_Static_assert(offsetof(A, num_endpoints) < 0x40, "interface fields fit the list encoding");
#undef A

#define E struct usbd_endpoint_desc
static const uint8_t endpoint_fields[] = {
	7, USB_DESC_ENDPOINT, F8(E, address), F8(E, attributes), F16(E, max_packet), F8(E, interval),
};
_Static_assert(offsetof(E, interval) < 0x40, "endpoint fields fit the list encoding");
#undef E

/* Emits the whole configuration; its length is where the writer ends. */
static void emit_config(struct desc_writer *w, const struct usbd_config_desc *c, uint8_t value,
			uint16_t total)
{
	put_fields(w, c, config_fields, sizeof(config_fields),
		   total | (uint32_t)value << 16 | (uint32_t)(c->attributes | USB_CONFIG_ATTR_ONE) << 24);
	for (unsigned i = 0; i < c->num_ifaces; i++) {
		const struct usbd_iface_desc *iface = &c->ifaces[i];
		for (unsigned a = 0; a < iface->num_alts; a++) {
			const struct usbd_alt_desc *alt = &iface->alts[a];
			put_fields(w, alt, iface_fields, sizeof(iface_fields), i | a << 8);
			put_bytes(w, alt->class_desc, alt->class_desc_len);
			for (unsigned e = 0; e < alt->num_endpoints; e++) {
				put_fields(w, &alt->endpoints[e], endpoint_fields,
					   sizeof(endpoint_fields), 0);
			}
		}
	}
}

/* String descriptors hold at most 126 UTF-16 code units (bLength is a byte). */
#define STRING_MAX_CHARS 126u

static int emit_string(struct desc_writer *w, const struct usbd_device_desc *d, uint8_t index)
{
	if (index == 0) {
		static const uint8_t langid[] = {4, USB_DESC_STRING, 0x09, 0x04}; /* en-US */
		put_bytes(w, langid, sizeof(langid));
		return 0;
	}
	if (index > d->num_strings || d->strings == NULL || d->strings[index - 1] == NULL) {
		return -ENOENT;
	}
	const char *s = d->strings[index - 1];
	unsigned n = 0;
	while (n < STRING_MAX_CHARS && s[n] != '\0') {
		n++;
	}
	put8(w, 2u + 2u * n);
	put8(w, USB_DESC_STRING);
	for (unsigned i = 0; i < n; i++) {
		/* ASCII only: code points above 0x7f would need real UTF-8 decoding. */
		put16(w, (uint8_t)s[i] & 0x7fu);
	}
	return 0;
}

/*
 * Serialise a descriptor through the window [begin, begin + len) into out.
 * Returns its whole length (whatever the window) or <0 if there is none.
 */
static int emit(const struct usbd_device_desc *desc, uint8_t type, uint8_t index, uint8_t *out,
		uint32_t begin, uint32_t len)
{
	struct desc_writer w = {.out = out, .begin = begin, .len = len, .pos = 0};

	switch (type) {
	case USB_DESC_DEVICE:
		if (index != 0) {
			return -ENOENT;
		}
		put_fields(&w, desc, device_fields, sizeof(device_fields), 0);
		break;
	case USB_DESC_CONFIGURATION: {
		if (index >= desc->num_configs) {
			return -ENOENT;
		}
		const struct usbd_config_desc *c = &desc->configs[index];
		/* A pass with an empty window only counts: wTotalLength. */
		w.len = 0;
		emit_config(&w, c, 0, 0);
		uint32_t total = w.pos;
		if (total > 0xffffu) {
			return -E2BIG;
		}
		w.len = len;
		w.pos = 0;
		emit_config(&w, c, (uint8_t)(index + 1u), (uint16_t)total);
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
		/* usbd_init() refused a BOS on a device older than USB 2.01. */
		if (index != 0 || desc->bos == NULL) {
			return -ENOENT;
		}
		put_bytes(&w, desc->bos, desc->bos_len);
		break;
	default:
		return -ENOENT;
	}
	return (int)w.pos;
}

int usbd_desc_len(const struct usbd_device_desc *desc, uint8_t type, uint8_t index)
{
	return emit(desc, type, index, NULL, 0, 0);
}

int usbd_desc_read(const struct usbd_device_desc *desc, uint8_t type, uint8_t index,
		   uint16_t offset, uint8_t *out, uint16_t len)
{
	int total = emit(desc, type, index, out, offset, len);
	if (total <= offset) {
		return total < 0 ? total : 0;
	}
	int n = total - offset;
	return n < len ? n : len;
}
