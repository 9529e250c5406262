/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vudc_link: the seed's device driven through the link gives the same answers
 * as through the vudc itself, events reach the host side, and a broken or
 * malformed stream ends the link instead of confusing either side.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/dfu.h"
#include "dfukit/dfu_ramdisk.h"
#include "dfukit/sample/device.h"
#include "dfukit/port/vudc_link.h"
#include "dfukit/wire.h"

/* A byte queue per direction; the host's read runs the device until it has an answer. */
struct queue {
	uint8_t b[2 * VUDC_LINK_MAX_FRAME];
	uint32_t head, tail;
};

struct rig {
	struct vudc v;
	struct sample_device d;
	struct dfu_ramdisk disk;
	struct dfu_alt alts[1];
	uint8_t mem[8192];
	uint8_t buf[4096];
	struct queue h2d, d2h;
	struct vudc_link_dev dev;
	struct vudc_link_host host;
	int serve_rc; /* last result of vudc_link_dev_serve */
};

static int q_put(struct queue *q, const void *src, uint32_t len)
{
	if (q->tail + len > sizeof(q->b)) {
		return -ENOSPC;
	}
	memcpy(q->b + q->tail, src, len);
	q->tail += len;
	return 0;
}

static int q_get(struct queue *q, void *dst, uint32_t len)
{
	if (q->tail - q->head < len) {
		return -EPIPE;
	}
	memcpy(dst, q->b + q->head, len);
	q->head += len;
	if (q->head == q->tail) {
		q->head = q->tail = 0;
	}
	return 0;
}

static int host_write(void *ctx, const void *buf, uint32_t len)
{
	return q_put(&((struct rig *)ctx)->h2d, buf, len);
}

static int host_read(void *ctx, void *buf, uint32_t len)
{
	struct rig *r = ctx;
	while (r->d2h.tail - r->d2h.head < len && r->h2d.tail != r->h2d.head) {
		r->serve_rc = vudc_link_dev_serve(&r->dev);
		if (r->serve_rc < 0) {
			return r->serve_rc;
		}
	}
	return q_get(&r->d2h, buf, len);
}

static int dev_write(void *ctx, const void *buf, uint32_t len)
{
	return q_put(&((struct rig *)ctx)->d2h, buf, len);
}

static int dev_read(void *ctx, void *buf, uint32_t len)
{
	return q_get(&((struct rig *)ctx)->h2d, buf, len);
}

static const char *const names[] = {"ramdisk0"};

static int setup(void **state)
{
	static struct rig r;
	memset(&r, 0, sizeof(r));
	dfu_ramdisk_init(&r.disk, r.mem, sizeof(r.mem));
	r.alts[0] = (struct dfu_alt){&dfu_ramdisk_ops, &r.disk};
	struct sample_params p = {
		.transfer_size = 4096,
		.buffer = r.buf,
		.manufacturer = "ZEPHYR",
		.product = "USBD DFU sample",
		.serial = "0123",
		.alt_names = names,
		.alts = r.alts,
		.num_alts = 1,
	};
	vudc_init(&r.v, &r.d.usbd);
	struct udc u = vudc_udc(&r.v);
	assert_int_equal(sample_device_init(&r.d, &p, &u), 0);
	assert_int_equal(usbd_enable(&r.d.usbd, true), 0);
	vudc_link_dev_init(&r.dev, &(struct vudc_link_io){NULL, dev_write, &r}, &r.v);
	r.dev.io.read = dev_read;
	vudc_link_host_init(&r.host, &(struct vudc_link_io){host_read, host_write, &r});
	*state = &r;
	return 0;
}

static void mk_setup(uint8_t raw[8], uint8_t type, uint8_t req, uint16_t value, uint16_t index,
		     uint16_t len)
{
	raw[0] = type;
	raw[1] = req;
	wire_put_le16(raw + 2, value);
	wire_put_le16(raw + 4, index);
	wire_put_le16(raw + 6, len);
}

static int link_ctl(struct rig *r, uint8_t type, uint8_t req, uint16_t value, uint16_t len,
		    uint8_t *data)
{
	uint8_t raw[8];
	mk_setup(raw, type, req, value, 0, len);
	return vudc_link_host_control_raw(&r->host, raw, data, len);
}

static void test_same_descriptors(void **state)
{
	struct rig *r = *state;
	uint8_t via_link[255], direct[255];
	uint8_t raw[8];

	assert_int_equal(vudc_link_host_bus_reset(&r->host), 0);
	assert_true(r->host.connected);
	int n = link_ctl(r, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0200, sizeof(via_link), via_link);
	mk_setup(raw, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, sizeof(direct));
	int m = vudc_control_raw(&r->v, raw, direct, sizeof(direct));
	assert_true(n > 18);
	assert_int_equal(n, m);
	assert_memory_equal(via_link, direct, (size_t)n);
	assert_int_equal(r->host.ep_max_packet[0], r->v.out[0].max_packet);
}

static void test_download_and_stall(void **state)
{
	struct rig *r = *state;
	uint8_t block[4096], status[6], back[4096];

	assert_int_equal(link_ctl(r, 0x00, USB_REQ_SET_ADDRESS, 3, 0, NULL), 0);
	assert_int_equal(link_ctl(r, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, NULL), 0);
	for (size_t i = 0; i < sizeof(block); i++) {
		block[i] = (uint8_t)(i * 7u + 3u);
	}
	/* DNLOAD block 0 (4096 bytes, the largest data stage), then GETSTATUS. */
	assert_int_equal(link_ctl(r, 0x21, DFU_DNLOAD, 0, sizeof(block), block), 0);
	assert_int_equal(link_ctl(r, 0xa1, DFU_GETSTATUS, 0, 6, status), 6);
	assert_int_equal(status[0], DFU_STATUS_OK);
	assert_memory_equal(r->mem, block, sizeof(block));
	/* UPLOAD in dfuDNLOAD-IDLE is not allowed: the STALL crosses the link. */
	assert_int_equal(link_ctl(r, 0xa1, DFU_UPLOAD, 0, sizeof(back), back), -EPIPE);
	assert_int_equal(link_ctl(r, 0xa1, DFU_GETSTATUS, 0, 6, status), 6);
	assert_int_equal(status[4], DFU_STATE_ERROR);
	assert_false(r->host.broken);
}

/* An OUT data stage larger than the host side's capacity is not sent: the vudc refuses it. */
static void test_oversized_out(void **state)
{
	struct rig *r = *state;
	uint8_t raw[8], data[16] = {0};
	mk_setup(raw, 0x21, DFU_DNLOAD, 0, 0, 4097);
	assert_int_equal(vudc_link_host_control_raw(&r->host, raw, data, 16),
			 vudc_control_raw(&r->v, raw, data, 16));
	assert_false(r->host.broken);
}

static void test_events_before_reply(void **state)
{
	struct rig *r = *state;
	uint8_t d[18];

	assert_int_equal(vudc_link_host_event(&r->host), -EAGAIN);
	/* The device leaves and comes back between two requests. */
	assert_int_equal(vudc_link_dev_event(&r->dev, VUDC_LINK_EV_DETACHED), 0);
	assert_int_equal(vudc_link_dev_event(&r->dev, VUDC_LINK_EV_ATTACHED), 0);
	assert_int_equal(link_ctl(r, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 18, d), 18);
	assert_int_equal(d[1], USB_DESC_DEVICE);
	assert_int_equal(vudc_link_host_event(&r->host), VUDC_LINK_EV_DETACHED);
	assert_int_equal(vudc_link_host_event(&r->host), VUDC_LINK_EV_ATTACHED);
	assert_int_equal(vudc_link_host_event(&r->host), -EAGAIN);
	/* With no request outstanding, pump takes an event. */
	assert_int_equal(vudc_link_dev_event(&r->dev, VUDC_LINK_EV_DETACHED), 0);
	assert_int_equal(vudc_link_host_pump(&r->host), 0);
	assert_int_equal(vudc_link_host_event(&r->host), VUDC_LINK_EV_DETACHED);
}

/* A request the device cannot parse ends the link on the device side. */
static void test_malformed_request(void **state)
{
	struct rig *r = *state;
	static const uint8_t bad_op[4] = {0x77, 0, 0, 0};
	static const uint8_t short_ctl[6] = {VUDC_LINK_OP_CONTROL, 0, 2, 0, 0x80, 6};
	static const uint8_t huge[4] = {VUDC_LINK_OP_TRANSFER, 0x81, 0xff, 0xff};

	assert_int_equal(q_put(&r->h2d, bad_op, sizeof(bad_op)), 0);
	assert_int_equal(vudc_link_dev_serve(&r->dev), -EPROTO);
	assert_int_equal(q_put(&r->h2d, short_ctl, sizeof(short_ctl)), 0);
	assert_int_equal(vudc_link_dev_serve(&r->dev), -EPROTO);
	assert_int_equal(q_put(&r->h2d, huge, sizeof(huge)), 0);
	assert_int_equal(vudc_link_dev_serve(&r->dev), -EPROTO);
}

/* A reply that claims more IN data than its byte count breaks the link on the host side. */
static void test_lying_reply(void **state)
{
	struct rig *r = *state;
	uint8_t d[18];
	/* Queue the lie first: the host reads it as the reply to its request. */
	static const uint8_t lie[14] = {
		VUDC_LINK_OP_CONTROL | VUDC_LINK_OP_REPLY, 1, 10, 0, 2, 0, 0, 0, 64, 0, 1, 2, 3, 4};
	assert_int_equal(q_put(&r->d2h, lie, sizeof(lie)), 0);
	assert_int_equal(link_ctl(r, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 18, d), -EPROTO);
	assert_true(r->host.broken);
	assert_int_equal(link_ctl(r, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 18, d), -EPIPE);
}

static int dead_read(void *ctx, void *buf, uint32_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return -EPIPE;
}

/* The device side is gone (the emulator stopped): calls fail, the link stays failed. */
static void test_device_gone(void **state)
{
	struct rig *r = *state;
	uint8_t d[18];
	struct vudc_link_io dead = {dead_read, host_write, r};
	vudc_link_host_init(&r->host, &dead);
	assert_int_equal(link_ctl(r, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 18, d), -EPIPE);
	assert_true(r->host.broken);
	assert_false(r->host.connected);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_same_descriptors, setup),
		cmocka_unit_test_setup(test_download_and_stall, setup),
		cmocka_unit_test_setup(test_oversized_out, setup),
		cmocka_unit_test_setup(test_events_before_reply, setup),
		cmocka_unit_test_setup(test_malformed_request, setup),
		cmocka_unit_test_setup(test_lying_reply, setup),
		cmocka_unit_test_setup(test_device_gone, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
