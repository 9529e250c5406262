/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the usbd core's descriptor checks and walker, fed a
 * configuration descriptor made of the input's bytes.
 *
 * Descriptors are the application's bytes; usbd_init() checks them, and the
 * core walks them on SET_CONFIGURATION, SET_INTERFACE and endpoint requests.
 * A description usbd_init() accepts must never make the core read outside
 * it, whatever the host then sends.
 *
 * Input: a length byte L, then L bytes of configuration descriptor (at least
 * the 9-byte header, zero padded; wTotalLength is set to the real length, as
 * an application's array has it), then records until the input ends:
 *   op 0-3  control transfer: 8-byte SETUP; an OUT data stage from the input
 *   op 4    bus reset
 *   op 5    SET_CONFIGURATION (next byte)
 *   op 6    SET_INTERFACE (next two bytes: interface, alternate)
 *   op 7    endpoint request on the next byte's endpoint: GET_STATUS, SET_FEATURE
 *           or CLEAR_FEATURE(ENDPOINT_HALT), chosen by the byte after
 *
 * The blob sits in a heap block of exactly its length, so ASan reports any
 * read past it. Invariants (abort() on violation):
 *   - an accepted configuration's descriptors tile wTotalLength, each of
 *     bLength >= 2 (walked here independently of the core);
 *   - GET_DESCRIPTOR(configuration 0) returns the blob's bytes, cut at wLength;
 *   - at the end, after a bus reset, the device enumerates: device descriptor,
 *     SET_ADDRESS, SET_CONFIGURATION(1), GET_CONFIGURATION = 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfu_host.h"
#include "dfukit/usbd.h"
#include "dfukit/port/vudc.h"

#include "fuzz_check.h"

#define STD_IN_DEV (USB_REQTYPE_DIR_IN | USB_REQTYPE_STANDARD | USB_REQTYPE_DEVICE)

/* An owner for every interface: vendor requests answered from a small buffer. */
struct owner {
	struct usbd_class base;
	uint8_t buf[64];
};

static int owner_control(struct usbd_class *cls, const struct usbd_setup *s,
			 struct usbd_ctrl_reply *r)
{
	struct owner *o = (struct owner *)(void *)cls;
	if (s->wLength > sizeof(o->buf)) {
		return -EINVAL;
	}
	if (s->bmRequestType & USB_REQTYPE_DIR_IN) {
		r->in_data = o->buf;
		r->in_len = sizeof(o->buf);
	} else {
		r->out_buf = o->buf;
	}
	return 0;
}

static int owner_out_done(struct usbd_class *cls, const struct usbd_setup *s, uint16_t len)
{
	(void)cls;
	(void)s;
	(void)len;
	return 0;
}

static const struct usbd_class_ops owner_ops = {.control = owner_control,
						.control_out_done = owner_out_done};

static const uint8_t device[] = {
	USBD_DEVICE_DESC(0x0200, 0, 0, 0, 64, 0x1209, 0x0001, 0x0100, 1, 0, 0, 1)};
static const char *const strings[] = {"fuzz"};

/* The harness's own walk: the descriptors tile wTotalLength. */
HARNESS_ONLY static void check_tiling(const uint8_t *cfg, size_t len)
{
	size_t at = 9;
	while (at < len) {
		CHECK(len - at >= 2 && cfg[at] >= 2 && cfg[at] <= len - at);
		at += cfg[at];
	}
	CHECK(at == len);
}

HARNESS_ONLY static void check_config_reply(const uint8_t *cfg, size_t len, uint16_t wlength,
					    const uint8_t *reply, int rc)
{
	size_t want = wlength < len ? wlength : len;
	CHECK(rc == (int)want);
	CHECK(memcmp(reply, cfg, want) == 0);
}

HARNESS_ONLY static void check_enumerates(struct vudc *v)
{
	uint8_t b[18];
	CHECK(host_ctl(v, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, b) == 18);
	CHECK(memcmp(b, device, 18) == 0);
	CHECK(host_ctl(v, 0, USB_REQ_SET_ADDRESS, 3, 0, 0, NULL) == 0);
	CHECK(host_ctl(v, 0, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL) == 0);
	CHECK(host_ctl(v, STD_IN_DEV, USB_REQ_GET_CONFIGURATION, 0, 0, 1, b) == 1);
	CHECK(b[0] == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vudc v;
	static struct usbd_device dev;
	static struct owner owners[USBD_MAX_INTERFACES];
	static struct usbd_class *owner_table[USBD_MAX_INTERFACES];
	static uint8_t reply[4096];
	struct in in = {data, size};
	uint8_t len = 0;

	(void)take(&in, &len);
	size_t blob_len = len < 9 ? 9 : len;
	uint8_t *cfg = calloc(1, blob_len);
	CHECK(cfg != NULL);
	for (size_t i = 0; i < len && take(&in, &cfg[i]); i++) {
	}
	cfg[2] = (uint8_t)blob_len;
	cfg[3] = 0;

	for (unsigned i = 0; i < USBD_MAX_INTERFACES; i++) {
		owners[i].base.ops = &owner_ops;
		owner_table[i] = &owners[i].base;
	}
	const struct usbd_config_desc config = {.desc = cfg, .owners = owner_table};
	const struct usbd_device_desc desc = {
		.device = device, .configs = &config, .strings = strings, .num_strings = 1};

	vudc_init(&v, &dev);
	struct udc u = vudc_udc(&v);
	if (usbd_init(&dev, &desc, &u) < 0) {
		free(cfg);
		return 0;
	}
	check_tiling(cfg, blob_len);
	CHECK(usbd_enable(&dev, true) == 0);

	uint8_t op, a = 0, b = 0;
	while (take(&in, &op)) {
		switch (op & 7u) {
		case 4: vudc_bus_reset(&v); break;
		case 5:
			(void)take(&in, &a);
			(void)host_ctl(&v, 0, USB_REQ_SET_CONFIGURATION, a, 0, 0, NULL);
			break;
		case 6:
			(void)take(&in, &a);
			(void)take(&in, &b);
			(void)host_ctl(&v, USB_REQTYPE_INTERFACE, USB_REQ_SET_INTERFACE, b, a, 0,
				       NULL);
			break;
		case 7:
			(void)take(&in, &a);
			(void)take(&in, &b);
			if (b % 3u == 0) {
				(void)host_ctl(&v, USB_REQTYPE_DIR_IN | USB_REQTYPE_ENDPOINT,
					       USB_REQ_GET_STATUS, 0, a, 2, reply);
			} else {
				(void)host_ctl(&v, USB_REQTYPE_ENDPOINT,
					       b % 3u == 1 ? USB_REQ_SET_FEATURE
							   : USB_REQ_CLEAR_FEATURE,
					       USB_FEATURE_ENDPOINT_HALT, a, 0, NULL);
			}
			break;
		default: {
			uint8_t raw[8] = {0};
			for (unsigned i = 0; i < 8; i++) {
				(void)take(&in, &raw[i]);
			}
			struct usbd_setup s;
			usbd_setup_decode(&s, raw);
			if (!(s.bmRequestType & USB_REQTYPE_DIR_IN)) {
				for (unsigned i = 0; i < s.wLength && i < sizeof(reply); i++) {
					reply[i] = 0;
					(void)take(&in, &reply[i]);
				}
			}
			int rc = vudc_control_raw(&v, raw, reply, sizeof(reply));
			if (s.bmRequestType == STD_IN_DEV && s.bRequest == USB_REQ_GET_DESCRIPTOR &&
			    s.wValue == 0x0200 && s.wLength <= sizeof(reply)) {
				check_config_reply(cfg, blob_len, s.wLength, reply, rc);
			}
			break;
		}
		}
	}
	vudc_bus_reset(&v);
	check_enumerates(&v);
	free(cfg);
	return 0;
}
