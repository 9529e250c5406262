/* SPDX-License-Identifier: Apache-2.0 */
/* Chapter 9 and the EP0 control pipe, driven through the virtual controller. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfu_host.h"
#include "dfukit/dfu_ramdisk.h"
#include "dfukit/sample/device.h"
#include "dfukit/port/vudc.h"

#define STD_IN_DEV  (USB_REQTYPE_DIR_IN | USB_REQTYPE_STANDARD | USB_REQTYPE_DEVICE)
#define STD_OUT_DEV (USB_REQTYPE_STANDARD | USB_REQTYPE_DEVICE)
#define STD_IN_IF   (USB_REQTYPE_DIR_IN | USB_REQTYPE_STANDARD | USB_REQTYPE_INTERFACE)
#define STD_OUT_IF  (USB_REQTYPE_STANDARD | USB_REQTYPE_INTERFACE)
#define STD_IN_EP   (USB_REQTYPE_DIR_IN | USB_REQTYPE_STANDARD | USB_REQTYPE_ENDPOINT)
#define STD_OUT_EP  (USB_REQTYPE_STANDARD | USB_REQTYPE_ENDPOINT)

/* ---- the seed's device ------------------------------------------------- */

struct seed {
	struct vudc v;
	struct sample_device d;
	struct dfu_ramdisk disk;
	struct dfu_alt alts[2];
	uint8_t mem[1024];
	uint8_t buf[4096];
};

static const char *const alt_names[] = {"ramdisk0", "SLOT-1"};

static void seed_start(struct seed *s, bool runtime)
{
	memset(s, 0, sizeof(*s));
	dfu_ramdisk_init(&s->disk, s->mem, sizeof(s->mem));
	s->alts[0] = (struct dfu_alt){&dfu_ramdisk_ops, &s->disk};
	s->alts[1] = (struct dfu_alt){&dfu_ramdisk_ops, &s->disk};
	struct sample_params p = {
		.runtime = runtime,
		.transfer_size = 4096,
		.buffer = s->buf,
		.manufacturer = "ZEPHYR",
		.product = "USBD DFU sample",
		.serial = "0123456789ABCDEF",
		.alt_names = alt_names,
		.alts = s->alts,
		.num_alts = 2,
	};
	vudc_init(&s->v, &s->d.usbd);
	struct udc u = vudc_udc(&s->v);
	assert_int_equal(sample_device_init(&s->d, &p, &u), 0);
	assert_int_equal(usbd_enable(&s->d.usbd, true), 0);
}

static int ctl(struct seed *s, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
	       uint16_t len, uint8_t *data)
{
	return host_ctl(&s->v, type, req, value, index, len, data);
}

static void configure(struct seed *s)
{
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_ADDRESS, 5, 0, 0, NULL), 0);
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
}

static void assert_alive(struct seed *s)
{
	uint8_t b[18];
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, b), 18);
	assert_int_equal(b[1], USB_DESC_DEVICE);
}

static const uint8_t seed_device_desc[18] = {0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0xe3,
					     0x2f, 0x05, 0x00, 0x02, 0x04, 0x01, 0x02, 0x03, 0x01};

static void test_device_descriptor_runtime(void **state)
{
	struct seed *s = *state;
	uint8_t b[64];
	seed_start(s, true);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 64, b), 18);
	assert_memory_equal(b, seed_device_desc, 18);
}

static void test_device_descriptor_dfu_mode(void **state)
{
	struct seed *s = *state;
	uint8_t b[18];
	seed_start(s, false);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, b), 18);
	assert_memory_equal(b, seed_device_desc, 18);
}

static void test_config_descriptor_runtime(void **state)
{
	static const uint8_t expect[27] = {
		0x09, 0x02, 0x1b, 0x00, 0x01, 0x01, 0x00, 0xc0, 0x32, /* configuration */
		0x09, 0x04, 0x00, 0x00, 0x00, 0xfe, 0x01, 0x01, 0x00, /* DFU run-time interface */
		0x09, 0x21, 0x0f, 0xe8, 0x03, 0x00, 0x10, 0x10, 0x01, /* functional descriptor */
	};
	struct seed *s = *state;
	uint8_t b[255];
	seed_start(s, true);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 255, b), 27);
	assert_memory_equal(b, expect, sizeof(expect));
}

static void test_config_descriptor_dfu_mode(void **state)
{
	static const uint8_t expect[45] = {
		0x09, 0x02, 0x2d, 0x00, 0x01, 0x01, 0x00, 0xc0, 0x32, /* configuration */
		0x09, 0x04, 0x00, 0x00, 0x00, 0xfe, 0x01, 0x02, 0x04, /* alt 0 "ramdisk0" */
		0x09, 0x21, 0x0f, 0xe8, 0x03, 0x00, 0x10, 0x10, 0x01,
		0x09, 0x04, 0x00, 0x01, 0x00, 0xfe, 0x01, 0x02, 0x05, /* alt 1 "SLOT-1" */
		0x09, 0x21, 0x0f, 0xe8, 0x03, 0x00, 0x10, 0x10, 0x01,
	};
	struct seed *s = *state;
	uint8_t b[255];
	seed_start(s, false);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 255, b), 45);
	assert_memory_equal(b, expect, sizeof(expect));
}

static void test_short_wlength_truncates(void **state)
{
	struct seed *s = *state;
	uint8_t b[64];
	seed_start(s, false);
	/* Linux reads 8 bytes of the device descriptor, then 9 of the configuration. */
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 8, b), 8);
	assert_memory_equal(b, seed_device_desc, 8);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 9, b), 9);
	assert_int_equal(b[2], 45);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0302, 0x0409, 3, b), 3);
	assert_int_equal(b[0], 2 + 2 * strlen("USBD DFU sample"));
}

static void test_string_descriptors(void **state)
{
	struct seed *s = *state;
	uint8_t b[255];
	static const uint8_t langid[] = {0x04, 0x03, 0x09, 0x04};
	static const uint8_t ramdisk0[] = {18, 3,   'r', 0,   'a', 0,   'm', 0,   'd',
					   0,  'i', 0,   's', 0,   'k', 0,   '0', 0};
	seed_start(s, false);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0300, 0, 255, b), 4);
	assert_memory_equal(b, langid, 4);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0304, 0x0409, 255, b), 18);
	assert_memory_equal(b, ramdisk0, sizeof(ramdisk0));
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0303, 0x0409, 255, b), 34);
	assert_int_equal(b[2], '0');
	assert_int_equal(b[32], 'F');
	/* No string 6 exists: request error. */
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0306, 0x0409, 255, b),
			 -EPIPE);
	assert_alive(s);
}

static void test_full_speed_only_descriptors_stall(void **state)
{
	struct seed *s = *state;
	uint8_t b[64];
	seed_start(s, true);
	/* USB 2.0 9.6.2: a full-speed-only device answers DEVICE_QUALIFIER with a request error. */
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0600, 0, 10, b), -EPIPE);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0700, 0, 64, b), -EPIPE);
	/* bcdUSB 2.00 has no BOS. */
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0f00, 0, 5, b), -EPIPE);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0201, 0, 64, b), -EPIPE);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0101, 0, 18, b), -EPIPE);
	assert_alive(s);
}

static void test_set_address(void **state)
{
	struct seed *s = *state;
	seed_start(s, true);
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_ADDRESS, 128, 0, 0, NULL), -EPIPE);
	assert_int_equal(s->d.usbd.state, USBD_STATE_DEFAULT);
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_ADDRESS, 42, 0, 0, NULL), 0);
	assert_int_equal(s->v.address, 42);
	assert_int_equal(s->d.usbd.state, USBD_STATE_ADDRESS);
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
	/* Not allowed once configured. */
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_ADDRESS, 7, 0, 0, NULL), -EPIPE);
	assert_int_equal(s->v.address, 42);
}

static void test_configuration(void **state)
{
	struct seed *s = *state;
	uint8_t b[1];
	seed_start(s, true);
	/* SET_CONFIGURATION in the default state is a request error. */
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), -EPIPE);
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_ADDRESS, 3, 0, 0, NULL), 0);
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 2, 0, 0, NULL), -EPIPE);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_CONFIGURATION, 0, 0, 1, b), 1);
	assert_int_equal(b[0], 0);
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_CONFIGURATION, 0, 0, 1, b), 1);
	assert_int_equal(b[0], 1);
	assert_int_equal(s->d.usbd.state, USBD_STATE_CONFIGURED);
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 0, 0, 0, NULL), 0);
	assert_int_equal(s->d.usbd.state, USBD_STATE_ADDRESS);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_CONFIGURATION, 0, 0, 1, b), 1);
	assert_int_equal(b[0], 0);
}

static void test_get_status(void **state)
{
	struct seed *s = *state;
	uint8_t b[2];
	seed_start(s, false);
	configure(s);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_STATUS, 0, 0, 2, b), 2);
	assert_int_equal(b[0], 1); /* self-powered, no remote wakeup */
	assert_int_equal(b[1], 0);
	assert_int_equal(ctl(s, STD_IN_IF, USB_REQ_GET_STATUS, 0, 0, 2, b), 2);
	assert_int_equal(b[0] | b[1], 0);
	assert_int_equal(ctl(s, STD_IN_EP, USB_REQ_GET_STATUS, 0, 0x80, 2, b), 2);
	assert_int_equal(b[0] | b[1], 0);
	/* Interface 1 and endpoint 0x81 do not exist. */
	assert_int_equal(ctl(s, STD_IN_IF, USB_REQ_GET_STATUS, 0, 1, 2, b), -EPIPE);
	assert_int_equal(ctl(s, STD_IN_EP, USB_REQ_GET_STATUS, 0, 0x81, 2, b), -EPIPE);
	assert_alive(s);
}

static void test_remote_wakeup_unsupported_stalls(void **state)
{
	struct seed *s = *state;
	seed_start(s, false);
	configure(s);
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_FEATURE, USB_FEATURE_DEVICE_REMOTE_WAKEUP,
			     0, 0, NULL),
			 -EPIPE);
	/* TEST_MODE is high-speed only. */
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_FEATURE, 2, 0x0100, 0, NULL), -EPIPE);
	assert_alive(s);
}

static void test_interface_alternates(void **state)
{
	struct seed *s = *state;
	uint8_t b[1];
	seed_start(s, false);
	/* Not configured yet: interface requests are errors. */
	assert_int_equal(ctl(s, STD_IN_IF, USB_REQ_GET_INTERFACE, 0, 0, 1, b), -EPIPE);
	configure(s);
	assert_int_equal(ctl(s, STD_IN_IF, USB_REQ_GET_INTERFACE, 0, 0, 1, b), 1);
	assert_int_equal(b[0], 0);
	assert_int_equal(ctl(s, STD_OUT_IF, USB_REQ_SET_INTERFACE, 1, 0, 0, NULL), 0);
	assert_int_equal(ctl(s, STD_IN_IF, USB_REQ_GET_INTERFACE, 0, 0, 1, b), 1);
	assert_int_equal(b[0], 1);
	assert_int_equal(s->d.dfu.alt, 1);
	assert_int_equal(ctl(s, STD_OUT_IF, USB_REQ_SET_INTERFACE, 2, 0, 0, NULL), -EPIPE);
	assert_int_equal(ctl(s, STD_OUT_IF, USB_REQ_SET_INTERFACE, 0, 1, 0, NULL), -EPIPE);
	assert_int_equal(ctl(s, STD_IN_IF, USB_REQ_GET_INTERFACE, 0, 0, 1, b), 1);
	assert_int_equal(b[0], 1);
}

static void test_malformed_requests_stall_and_recover(void **state)
{
	struct seed *s = *state;
	uint8_t b[64];
	seed_start(s, false);
	configure(s);
	/* Each one STALLs; the next SETUP works. */
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_DESCRIPTOR, 0x0100, 0, 18, b), -EPIPE);
	assert_alive(s);
	assert_int_equal(ctl(s, STD_IN_EP, USB_REQ_SYNCH_FRAME, 0, 0, 2, b), -EPIPE);
	assert_alive(s);
	assert_int_equal(ctl(s, STD_IN_DEV, 0x55, 0, 0, 4, b), -EPIPE);
	assert_alive(s);
	assert_int_equal(ctl(s, USB_REQTYPE_DIR_IN | 0x03, USB_REQ_GET_STATUS, 0, 0, 2, b), -EPIPE);
	assert_alive(s);
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_GET_STATUS, 0, 0, 2, b),
			 -EPIPE); /* wrong direction */
	assert_alive(s);
	assert_int_equal(ctl(s, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 0x0101, 0, 0, NULL),
			 -EPIPE);
	assert_alive(s);
	/* A class request to an interface that does not exist, and a vendor request nobody owns. */
	assert_int_equal(ctl(s, DFU_REQ_IN, DFU_GETSTATUS, 0, 3, 6, b), -EPIPE);
	assert_int_equal(ctl(s, USB_REQTYPE_DIR_IN | USB_REQTYPE_VENDOR, 0x20, 0, 7, 16, b),
			 -EPIPE);
	assert_alive(s);
	assert_int_equal(s->d.usbd.state, USBD_STATE_CONFIGURED);
}

static void test_detached_device_stalls(void **state)
{
	struct seed *s = *state;
	uint8_t b[18];
	seed_start(s, true);
	assert_int_equal(usbd_enable(&s->d.usbd, false), 0);
	assert_int_equal(ctl(s, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, b), -ENOTCONN);
	assert_int_equal(usbd_enable(&s->d.usbd, true), 0);
	assert_alive(s);
}

static void test_two_devices_in_one_process(void **state)
{
	(void)state;
	static struct seed a, b;
	uint8_t st[6];
	seed_start(&a, true);
	seed_start(&b, false);
	configure(&a);
	configure(&b);
	assert_int_equal(ctl(&a, DFU_REQ_IN, DFU_GETSTATUS, 0, 0, 6, st), 6);
	assert_int_equal(st[4], DFU_STATE_APP_IDLE);
	assert_int_equal(ctl(&b, DFU_REQ_IN, DFU_GETSTATUS, 0, 0, 6, st), 6);
	assert_int_equal(st[4], DFU_STATE_IDLE);
	assert_int_equal(ctl(&a, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 0, 0, 0, NULL), 0);
	assert_int_equal(b.d.usbd.state, USBD_STATE_CONFIGURED);
}

/* ---- a purpose-built device: bulk endpoints, remote wakeup, echo class --- */

struct echo {
	struct usbd_class base;
	uint8_t buf[4096];
	uint16_t stored;
	unsigned out_done_calls;
};

static int echo_control(struct usbd_class *cls, const struct usbd_setup *s,
			struct usbd_ctrl_reply *r)
{
	struct echo *e = (struct echo *)(void *)cls;
	if ((s->bmRequestType & USB_REQTYPE_TYPE_MASK) != USB_REQTYPE_VENDOR || s->bRequest != 1) {
		return -ENOTSUP;
	}
	if (s->bmRequestType & USB_REQTYPE_DIR_IN) {
		r->in_data = e->buf;
		r->in_len = e->stored;
	} else {
		r->out_buf = e->buf;
	}
	return 0;
}

static int echo_out_done(struct usbd_class *cls, const struct usbd_setup *s, uint16_t len)
{
	struct echo *e = (struct echo *)(void *)cls;
	(void)s;
	e->stored = len;
	e->out_done_calls++;
	return 0;
}

static const struct usbd_class_ops echo_ops = {.control = echo_control,
					       .control_out_done = echo_out_done};

static const uint8_t bos[] = {0x05, 0x0f, 0x0c, 0x00, 0x01, 0x07,
			      0x10, 0x02, 0x00, 0x00, 0x00, 0x00};
static const uint8_t custom_device[] = {
	USBD_DEVICE_DESC(0x0201, 0, 0, 0, 64, 0x1209, 0x0001, 0x0100, 0, 0, 0, 1)};

struct custom {
	struct vudc v;
	struct usbd_device dev;
	struct echo echo;
	struct usbd_class *owners[1];
	struct usbd_config_desc config;
	struct usbd_device_desc desc;
	uint8_t config_desc[512];
	unsigned refuse; /* REFUSE_* ops the flaky port refuses */
};

/*
 * One vendor interface: alternate 0 with a class-specific descriptor of
 * class_len bytes (none if 0) and two bulk endpoints, alternate 1 without.
 */
static void custom_build(struct custom *c, uint8_t class_len)
{
	const uint8_t head[] = {
		USBD_CONFIG_DESC(41u + class_len, 1, 1, 0, USB_CONFIG_ATTR_REMOTE_WAKEUP, 250),
		USBD_IFACE_DESC(0, 0, 2, 0xff, 0, 0, 0),
	};
	static const uint8_t tail[] = {
		USBD_EP_DESC(0x81, UDC_EP_BULK, 64, 0),
		USBD_EP_DESC(0x02, UDC_EP_BULK, 64, 0),
		USBD_IFACE_DESC(0, 1, 0, 0xff, 0, 0, 0),
	};
	uint8_t *at = c->config_desc;
	memcpy(at, head, sizeof(head));
	at += sizeof(head);
	if (class_len != 0) {
		memset(at, 0, class_len);
		at[0] = class_len;
		at[1] = 0x24; /* CS_INTERFACE */
		at += class_len;
	}
	memcpy(at, tail, sizeof(tail));
	c->owners[0] = &c->echo.base;
	c->config = (struct usbd_config_desc){.desc = c->config_desc, .owners = c->owners};
	c->desc = (struct usbd_device_desc){.device = custom_device,
					    .configs = &c->config,
					    .bos = bos,
					    .vendor = &c->echo.base};
}

static void custom_start(struct custom *c, uint8_t class_len)
{
	memset(c, 0, sizeof(*c));
	c->echo.base.ops = &echo_ops;
	custom_build(c, class_len);
	vudc_init(&c->v, &c->dev);
	struct udc u = vudc_udc(&c->v);
	assert_int_equal(usbd_init(&c->dev, &c->desc, &u), 0);
	assert_int_equal(usbd_enable(&c->dev, true), 0);
	assert_int_equal(host_ctl(&c->v, STD_OUT_DEV, USB_REQ_SET_ADDRESS, 9, 0, 0, NULL), 0);
	assert_int_equal(host_ctl(&c->v, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
}

static void test_bos_descriptor(void **state)
{
	struct custom *c = *state;
	uint8_t b[64];
	custom_start(c, 0);
	assert_int_equal(host_ctl(&c->v, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0f00, 0, 5, b), 5);
	assert_int_equal(b[2], sizeof(bos));
	assert_int_equal(host_ctl(&c->v, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0f00, 0, 64, b),
			 (int)sizeof(bos));
	assert_memory_equal(b, bos, sizeof(bos));
}

static void test_remote_wakeup_feature(void **state)
{
	struct custom *c = *state;
	uint8_t b[2];
	custom_start(c, 0);
	assert_int_equal(host_ctl(&c->v, STD_IN_DEV, USB_REQ_GET_STATUS, 0, 0, 2, b), 2);
	assert_int_equal(b[0], 0);
	assert_int_equal(host_ctl(&c->v, STD_OUT_DEV, USB_REQ_SET_FEATURE, 1, 0, 0, NULL), 0);
	assert_int_equal(host_ctl(&c->v, STD_IN_DEV, USB_REQ_GET_STATUS, 0, 0, 2, b), 2);
	assert_int_equal(b[0], 2);
	assert_int_equal(host_ctl(&c->v, STD_OUT_DEV, USB_REQ_CLEAR_FEATURE, 1, 0, 0, NULL), 0);
	assert_int_equal(host_ctl(&c->v, STD_IN_DEV, USB_REQ_GET_STATUS, 0, 0, 2, b), 2);
	assert_int_equal(b[0], 0);
}

static void test_endpoint_halt(void **state)
{
	struct custom *c = *state;
	uint8_t b[64];
	custom_start(c, 0);
	assert_int_equal(host_ctl(&c->v, STD_OUT_EP, USB_REQ_SET_FEATURE, 0, 0x81, 0, NULL), 0);
	assert_int_equal(host_ctl(&c->v, STD_IN_EP, USB_REQ_GET_STATUS, 0, 0x81, 2, b), 2);
	assert_int_equal(b[0], 1);
	assert_int_equal(vudc_transfer(&c->v, 0x81, b, 64), -EPIPE);
	assert_int_equal(host_ctl(&c->v, STD_OUT_EP, USB_REQ_CLEAR_FEATURE, 0, 0x81, 0, NULL), 0);
	assert_int_equal(host_ctl(&c->v, STD_IN_EP, USB_REQ_GET_STATUS, 0, 0x81, 2, b), 2);
	assert_int_equal(b[0], 0);
	assert_int_equal(vudc_transfer(&c->v, 0x81, b, 64), -EAGAIN); /* nothing armed: NAK */
	/* 0x82 and 0x01 are not endpoints of this configuration. */
	assert_int_equal(host_ctl(&c->v, STD_OUT_EP, USB_REQ_SET_FEATURE, 0, 0x82, 0, NULL),
			 -EPIPE);
	assert_int_equal(host_ctl(&c->v, STD_OUT_EP, USB_REQ_SET_FEATURE, 5, 0x81, 0, NULL),
			 -EPIPE);
	/* The alternate without endpoints drops them. */
	assert_int_equal(host_ctl(&c->v, STD_OUT_IF, USB_REQ_SET_INTERFACE, 1, 0, 0, NULL), 0);
	assert_int_equal(host_ctl(&c->v, STD_IN_EP, USB_REQ_GET_STATUS, 0, 0x81, 2, b), -EPIPE);
	assert_int_equal(vudc_transfer(&c->v, 0x81, b, 64), -EINVAL);
}

static void check_echo(struct custom *c, uint16_t len)
{
	static uint8_t out[4096], in[4096];
	for (uint16_t i = 0; i < len; i++) {
		out[i] = (uint8_t)(i * 7u + len);
	}
	unsigned calls = c->echo.out_done_calls;
	assert_int_equal(host_ctl(&c->v, USB_REQTYPE_VENDOR, 1, 0, 0, len, out), 0);
	assert_int_equal(c->echo.out_done_calls, calls + 1);
	assert_int_equal(c->echo.stored, len);
	memset(in, 0, sizeof(in));
	assert_int_equal(host_ctl(&c->v, USB_REQTYPE_DIR_IN | USB_REQTYPE_VENDOR, 1, 0, 0, len, in),
			 len);
	assert_memory_equal(in, out, len);
}

static void test_multi_packet_data_stages(void **state)
{
	struct custom *c = *state;
	static const uint16_t sizes[] = {1, 63, 64, 65, 127, 128, 129, 959, 960, 961, 4095, 4096};
	custom_start(c, 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		check_echo(c, sizes[i]);
	}
}

static void test_in_reply_shorter_than_wlength_ends_with_zlp(void **state)
{
	struct custom *c = *state;
	static uint8_t out[128], in[512];
	custom_start(c, 0);
	/* 128 bytes stored, 512 asked: two full packets, then a ZLP ends the stage. */
	assert_int_equal(host_ctl(&c->v, USB_REQTYPE_VENDOR, 1, 0, 0, 128, out), 0);
	assert_int_equal(host_ctl(&c->v, USB_REQTYPE_DIR_IN | USB_REQTYPE_VENDOR, 1, 0, 0, 512, in),
			 128);
	/* A configuration descriptor of exactly 64 bytes read with wLength 255. */
	custom_start(c, 64 - 41);
	assert_int_equal(host_ctl(&c->v, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 255, in),
			 64);
	assert_int_equal(in[2], 64);
	assert_int_equal(host_ctl(&c->v, STD_IN_DEV, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 64, in),
			 64);
}

static void test_setup_aborts_transfer_in_progress(void **state)
{
	struct custom *c = *state;
	uint8_t raw[8];
	static uint8_t data[256];
	custom_start(c, 0);
	/* Start an OUT data stage, send one packet, then a new SETUP arrives. */
	struct usbd_setup s = {USB_REQTYPE_VENDOR, 1, 0, 0, 256};
	usbd_setup_encode(raw, &s);
	usbd_on_setup(&c->dev, raw);
	assert_true(c->v.out[0].armed);
	memcpy(c->v.out[0].buf, data, 64);
	c->v.out[0].armed = false;
	usbd_on_xfer_done(&c->dev, 0x00, 64);
	check_echo(c, 10);
	assert_int_equal(c->echo.out_done_calls, 1);
}

/* usbd_init() refuses this description, whose device descriptor is dd. */
static void assert_refused(struct custom *c, const uint8_t *dd, const uint8_t *cfg)
{
	struct usbd_device dev;
	struct udc u = vudc_udc(&c->v);
	struct usbd_config_desc config = c->config;
	struct usbd_device_desc d = c->desc;
	config.desc = cfg;
	d.device = dd;
	d.configs = &config;
	assert_int_equal(usbd_init(&dev, &d, &u), -EINVAL);
}

static void test_init_rejects_bad_descriptions(void **state)
{
	struct custom *c = *state;
	uint8_t dd[18], cfg[512];
	custom_start(c, 0);
	const uint8_t *good = c->config_desc;
	const size_t good_len = 41;

#define DEVICE_WITH(byte, value) (memcpy(dd, custom_device, 18), dd[byte] = (value), dd)
#define CONFIG_WITH(byte, value) (memcpy(cfg, good, good_len), cfg[byte] = (value), cfg)
	assert_refused(c, DEVICE_WITH(7, 7), good);          /* bMaxPacketSize0 7 */
	assert_refused(c, DEVICE_WITH(7, 128), good);        /* bMaxPacketSize0 128 */
	assert_refused(c, DEVICE_WITH(17, 0), good);         /* no configuration */
	assert_refused(c, DEVICE_WITH(0, 17), good);         /* bLength */
	assert_refused(c, DEVICE_WITH(1, 2), good);          /* bDescriptorType */
	assert_refused(c, DEVICE_WITH(2, 0x00), good);       /* a BOS needs bcdUSB >= 2.01 */
	assert_refused(c, custom_device, CONFIG_WITH(5, 2)); /* bConfigurationValue != index + 1 */
	assert_refused(c, custom_device,
		       CONFIG_WITH(4, 5)); /* more interfaces than USBD_MAX_INTERFACES */
	assert_refused(c, custom_device, CONFIG_WITH(4, 2)); /* interface 1 has no alternate 0 */
	assert_refused(c, custom_device,
		       CONFIG_WITH(2, 42)); /* wTotalLength past the last descriptor */
	assert_refused(c, custom_device, CONFIG_WITH(2, 40)); /* wTotalLength inside it */
	assert_refused(c, custom_device, CONFIG_WITH(2, 8));  /* shorter than the header */
	assert_refused(c, custom_device, CONFIG_WITH(9, 0));  /* a descriptor of bLength 0 */
	assert_refused(c, custom_device,
		       CONFIG_WITH(9, 8)); /* an interface descriptor of 8 bytes */
	assert_refused(c, custom_device,
		       CONFIG_WITH(18, 6)); /* an endpoint descriptor of 6 bytes */
	assert_refused(c, custom_device,
		       CONFIG_WITH(20, 0x80)); /* an endpoint descriptor for EP0 */
	assert_refused(c, custom_device, CONFIG_WITH(20, 0x91)); /* reserved address bits */
	assert_refused(c, custom_device, CONFIG_WITH(22, 0));    /* wMaxPacketSize 0 */
	assert_refused(c, custom_device, CONFIG_WITH(0, 10));    /* configuration bLength */
	/* Interfaces need their owners table. */
	struct usbd_device dev;
	struct udc u = vudc_udc(&c->v);
	struct usbd_config_desc config = {.desc = good, .owners = NULL};
	struct usbd_device_desc d = c->desc;
	d.configs = &config;
	assert_int_equal(usbd_init(&dev, &d, &u), -EINVAL);
	/* The unchanged copies are accepted: each refusal above is the one byte. */
	config.owners = c->owners;
	memcpy(cfg, good, good_len);
	config.desc = cfg;
	d.device = memcpy(dd, custom_device, 18);
	assert_int_equal(usbd_init(&dev, &d, &u), 0);
#undef DEVICE_WITH
#undef CONFIG_WITH
}

/* ---- a port that refuses: the core honours each op's return (udc.h) ---- */

enum {
	REFUSE_SET_ADDRESS = 1u << 0,
	REFUSE_EP_ENABLE = 1u << 1, /* data endpoints */
	REFUSE_EP_DISABLE = 1u << 2,
	REFUSE_STALL = 1u << 3, /* data endpoints */
	REFUSE_EP0 = 1u << 4,   /* enabling EP0 */
};

/* The port is the struct custom whose first member is the vudc. */
static int flaky_refuses(void *port, unsigned what)
{
	return (((struct custom *)port)->refuse & what) != 0 ? -EIO : 0;
}

static int flaky_set_address(void *port, uint8_t address)
{
	int rc = flaky_refuses(port, REFUSE_SET_ADDRESS);
	return rc < 0 ? rc : vudc_ops.set_address(port, address);
}

static int flaky_ep_enable(void *port, uint8_t ep, enum udc_ep_type type, uint16_t max_packet)
{
	int rc = flaky_refuses(port, (ep & 0x0fu) != 0 ? REFUSE_EP_ENABLE : REFUSE_EP0);
	return rc < 0 ? rc : vudc_ops.ep_enable(port, ep, type, max_packet);
}

static int flaky_ep_disable(void *port, uint8_t ep)
{
	int rc = vudc_ops.ep_disable(port, ep); /* a refusal still leaves it disabled */
	return rc < 0 ? rc : flaky_refuses(port, REFUSE_EP_DISABLE);
}

static int flaky_ep_set_stall(void *port, uint8_t ep, bool stall)
{
	int rc = (ep & 0x0fu) != 0 ? flaky_refuses(port, REFUSE_STALL) : 0;
	return rc < 0 ? rc : vudc_ops.ep_set_stall(port, ep, stall);
}

static int flaky_enable(void *port, bool enable)
{
	return vudc_ops.enable(port, enable);
}

static int flaky_ep_xfer(void *port, uint8_t ep, uint8_t *buf, uint16_t len)
{
	return vudc_ops.ep_xfer(port, ep, buf, len);
}

static const struct udc_ops flaky_ops = {
	.enable = flaky_enable,
	.set_address = flaky_set_address,
	.ep_enable = flaky_ep_enable,
	.ep_disable = flaky_ep_disable,
	.ep_xfer = flaky_ep_xfer,
	.ep_set_stall = flaky_ep_set_stall,
};

static void flaky_start(struct custom *c)
{
	custom_start(c, 0);
	c->dev.udc.ops = &flaky_ops;
}

static int get_configuration(struct custom *c)
{
	uint8_t b[1] = {0xff};
	int rc = host_ctl(&c->v, STD_IN_DEV, USB_REQ_GET_CONFIGURATION, 0, 0, 1, b);
	return rc < 0 ? rc : b[0];
}

static void test_refused_endpoint_enable_unconfigures(void **state)
{
	struct custom *c = *state;
	flaky_start(c);
	c->refuse = REFUSE_EP_ENABLE;
	/* Alternate 1 has no endpoints, alternate 0 two that the port refuses. */
	assert_int_equal(host_ctl(&c->v, STD_OUT_IF, USB_REQ_SET_INTERFACE, 1, 0, 0, NULL), 0);
	assert_int_equal(host_ctl(&c->v, STD_OUT_IF, USB_REQ_SET_INTERFACE, 0, 0, 0, NULL), -EPIPE);
	assert_int_equal(get_configuration(c), 0);
	assert_int_equal(host_ctl(&c->v, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL),
			 -EPIPE);
	assert_int_equal(get_configuration(c), 0);
	assert_false(c->v.in[1].enabled);
	c->refuse = 0;
	assert_int_equal(host_ctl(&c->v, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
	assert_int_equal(get_configuration(c), 1);
	assert_true(c->v.in[1].enabled);
}

static void test_refused_endpoint_disable_is_reported(void **state)
{
	struct custom *c = *state;
	flaky_start(c);
	c->refuse = REFUSE_EP_DISABLE;
	assert_int_equal(host_ctl(&c->v, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 0, 0, 0, NULL),
			 -EPIPE);
	assert_int_equal(get_configuration(c), 0); /* the teardown itself completed */
	assert_false(c->v.in[1].enabled);
	assert_int_equal(usbd_enable(&c->dev, false), 0); /* nothing configured left */
}

static void test_refused_halt_keeps_endpoint_state(void **state)
{
	struct custom *c = *state;
	uint8_t b[2];
	flaky_start(c);
	c->refuse = REFUSE_STALL;
	assert_int_equal(host_ctl(&c->v, STD_OUT_EP, USB_REQ_SET_FEATURE, 0, 0x81, 0, NULL),
			 -EPIPE);
	assert_int_equal(host_ctl(&c->v, STD_IN_EP, USB_REQ_GET_STATUS, 0, 0x81, 2, b), 2);
	assert_int_equal(b[0], 0);
}

static void test_refused_address_keeps_old_one(void **state)
{
	struct custom *c = *state;
	flaky_start(c);
	assert_int_equal(host_ctl(&c->v, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 0, 0, 0, NULL), 0);
	c->refuse = REFUSE_SET_ADDRESS;
	/* The status stage is over before the port is asked: the host saw success. */
	assert_int_equal(host_ctl(&c->v, STD_OUT_DEV, USB_REQ_SET_ADDRESS, 12, 0, 0, NULL), 0);
	assert_int_equal(c->dev.address, 9);
	assert_int_equal(c->v.address, 9);
	assert_int_equal(c->dev.state, USBD_STATE_ADDRESS);
}

static void test_failed_bus_reset_leaves_device_detached(void **state)
{
	struct custom *c = *state;
	flaky_start(c);
	c->refuse = REFUSE_EP0;
	vudc_bus_reset(&c->v);
	assert_int_equal(c->dev.state, USBD_STATE_DETACHED);
	assert_int_equal(c->dev.config_value, 0);
	assert_int_equal(c->dev.address, 0);
	c->refuse = 0;
	vudc_bus_reset(&c->v);
	assert_int_equal(c->dev.state, USBD_STATE_DEFAULT);
	assert_int_equal(host_ctl(&c->v, STD_OUT_DEV, USB_REQ_SET_ADDRESS, 3, 0, 0, NULL), 0);
	assert_int_equal(host_ctl(&c->v, STD_OUT_DEV, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
	/* usbd_enable() reports the port's refusal. */
	assert_int_equal(usbd_enable(&c->dev, false), 0);
	c->refuse = REFUSE_EP0;
	assert_int_equal(usbd_enable(&c->dev, true), -EIO);
	assert_int_equal(c->dev.state, USBD_STATE_DETACHED);
}

/* A bus reset clears the bus state field by field, whatever it was. */
static void test_bus_reset_clears_bus_state(void **state)
{
	struct custom *c = *state;
	custom_start(c, 0);
	assert_int_equal(host_ctl(&c->v, STD_OUT_DEV, USB_REQ_SET_FEATURE, 1, 0, 0, NULL), 0);
	assert_int_equal(host_ctl(&c->v, STD_OUT_EP, USB_REQ_SET_FEATURE, 0, 0x81, 0, NULL), 0);
	usbd_on_suspend(&c->dev);
	vudc_bus_reset(&c->v);
	assert_int_equal(c->dev.state, USBD_STATE_DEFAULT);
	assert_int_equal(c->dev.address, 0);
	assert_int_equal(c->dev.pending_address, 0);
	assert_int_equal(c->dev.config_value, 0);
	assert_null(c->dev.alt[0]);
	assert_false(c->dev.remote_wakeup);
	assert_false(c->dev.suspended);
	assert_int_equal(c->dev.halted, 0);
	assert_int_equal(c->dev.ctrl.stage, USBD_CTRL_IDLE);
	assert_true(c->v.in[0].enabled && c->v.out[0].enabled);
	assert_false(c->v.in[1].enabled);
}

int main(void)
{
	static struct seed seed;
	static struct custom custom;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_device_descriptor_runtime, &seed),
		cmocka_unit_test_prestate(test_device_descriptor_dfu_mode, &seed),
		cmocka_unit_test_prestate(test_config_descriptor_runtime, &seed),
		cmocka_unit_test_prestate(test_config_descriptor_dfu_mode, &seed),
		cmocka_unit_test_prestate(test_short_wlength_truncates, &seed),
		cmocka_unit_test_prestate(test_string_descriptors, &seed),
		cmocka_unit_test_prestate(test_full_speed_only_descriptors_stall, &seed),
		cmocka_unit_test_prestate(test_set_address, &seed),
		cmocka_unit_test_prestate(test_configuration, &seed),
		cmocka_unit_test_prestate(test_get_status, &seed),
		cmocka_unit_test_prestate(test_remote_wakeup_unsupported_stalls, &seed),
		cmocka_unit_test_prestate(test_interface_alternates, &seed),
		cmocka_unit_test_prestate(test_malformed_requests_stall_and_recover, &seed),
		cmocka_unit_test_prestate(test_detached_device_stalls, &seed),
		cmocka_unit_test(test_two_devices_in_one_process),
		cmocka_unit_test_prestate(test_bos_descriptor, &custom),
		cmocka_unit_test_prestate(test_remote_wakeup_feature, &custom),
		cmocka_unit_test_prestate(test_endpoint_halt, &custom),
		cmocka_unit_test_prestate(test_multi_packet_data_stages, &custom),
		cmocka_unit_test_prestate(test_in_reply_shorter_than_wlength_ends_with_zlp,
					  &custom),
		cmocka_unit_test_prestate(test_setup_aborts_transfer_in_progress, &custom),
		cmocka_unit_test_prestate(test_init_rejects_bad_descriptions, &custom),
		cmocka_unit_test_prestate(test_refused_endpoint_enable_unconfigures, &custom),
		cmocka_unit_test_prestate(test_refused_endpoint_disable_is_reported, &custom),
		cmocka_unit_test_prestate(test_refused_halt_keeps_endpoint_state, &custom),
		cmocka_unit_test_prestate(test_refused_address_keeps_old_one, &custom),
		cmocka_unit_test_prestate(test_failed_bus_reset_leaves_device_detached, &custom),
		cmocka_unit_test_prestate(test_bus_reset_clears_bus_state, &custom),
	};
	return cmocka_run_group_tests_name("usbd", tests, NULL, NULL);
}
