/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the usbd core and the DFU class, driven through the
 * virtual UDC exactly as a USB host would drive them.
 *
 * Input: a 2-byte header, then records until the input ends.
 *   header[0]  bit 0 run-time mode, bits 1-2 number of alternates - 1,
 *              bits 3-5 wTransferSize choice (see xfer_sizes)
 *   header[1]  DFU bmAttributes override (low 4 bits), bit 7 = keep the
 *              sample's attributes
 *   record     op byte, then operands:
 *     0-2  control transfer: 8-byte SETUP, then for an OUT request the data
 *          stage (wLength bytes, what the input has left, zero padded)
 *     3    token-level transfer: 8-byte SETUP, a count byte k, k token bytes
 *          (bit 7: IN token, else OUT packet of (byte & 0x7f) bytes clamped
 *          to what the device armed); the host then walks away, as one that
 *          timed out does. Data for OUT packets comes from the input.
 *     4    bus reset (vudc_bus_reset)
 *     5    usbd_enable(false) then, unless the next byte is odd, usbd_enable(true)
 *     6    suspend / resume (next byte's bit 0)
 *     7    backend knobs for alternates 1..3 (next byte): low nibble = number
 *          of -EINPROGRESS polls per operation, bit 4 fail the next write,
 *          bit 5 fail manifestation, bit 6 fail the next read
 *
 * Invariants (abort() on violation):
 *   - guard bytes around every RAM disk and around the DFU block buffer are
 *     never written: the backend writes only inside [0, size);
 *   - DFU and usbd states stay within their enums; written <= size;
 *   - an accepted DNLOAD block lands at the device-counted offset unchanged;
 *     an UPLOAD reply is the disk content at the device-counted offset;
 *   - at the end, after a bus reset, GET_DESCRIPTOR(device) returns the
 *     device descriptor and (DFU mode) a download + upload round trip on
 *     alternate 0 works: no input sequence can wedge the device.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfu_host.h"
#include "dfukit/dfu_ramdisk.h"
#include "dfukit/sample/device.h"
#include "dfukit/port/vudc.h"

#define GUARD      64u
#define GUARD_BYTE 0xc5u
#define DISK_SIZE  1024u
#define NUM_ALTS   SAMPLE_MAX_ALTS
#define MAX_XFER   4096u

#include "fuzz_check.h"

/* Alternates 1..3: a RAM disk whose timing and failures the input steers. */
struct flaky {
	struct dfu_ramdisk disk;
	unsigned busy_polls; /* -EINPROGRESS answers per operation */
	unsigned busy_left;
	bool fail_write;
	bool fail_manifest;
	bool fail_read;
};

struct rig {
	struct vudc v;
	struct sample_device d;
	struct flaky fl[NUM_ALTS];
	struct dfu_alt alts[NUM_ALTS];
	uint8_t dev_desc[18];
	bool runtime; /* the DFU class runs in run-time mode */
	/* every disk and the block buffer sit between guard bytes */
	uint8_t mem[NUM_ALTS][GUARD + DISK_SIZE + GUARD];
	uint8_t buf[GUARD + MAX_XFER + GUARD];
	uint8_t data[65536];
	uint8_t in[65536];
};

static int flaky_begin(void *ctx)
{
	struct flaky *f = ctx;
	f->busy_left = 0;
	return dfu_ramdisk_ops.dnload_begin(&f->disk);
}

static int flaky_write(void *ctx, uint32_t off, const uint8_t *data, uint16_t len,
		       uint16_t block_num)
{
	struct flaky *f = ctx;
	if (f->fail_write) {
		f->fail_write = false;
		return -EIO;
	}
	f->busy_left = f->busy_polls;
	return dfu_ramdisk_ops.write(&f->disk, off, data, len, block_num);
}

static int flaky_poll(void *ctx, uint32_t *ms)
{
	struct flaky *f = ctx;
	if (f->busy_left > 0) {
		f->busy_left--;
		*ms = 5;
		return -EINPROGRESS;
	}
	return 0;
}

static int flaky_manifest(void *ctx, uint32_t total)
{
	struct flaky *f = ctx;
	CHECK(total <= f->disk.size);
	f->busy_left = f->busy_polls;
	return f->fail_manifest ? -EILSEQ : 0;
}

static int flaky_read(void *ctx, uint32_t off, uint8_t *data, uint16_t len, uint16_t block_num)
{
	struct flaky *f = ctx;
	if (f->fail_read) {
		f->fail_read = false;
		return -EIO;
	}
	return dfu_ramdisk_ops.read(&f->disk, off, data, len, block_num);
}

static void flaky_abort(void *ctx)
{
	struct flaky *f = ctx;
	f->busy_left = 0;
}

static const struct dfu_backend_ops flaky_ops = {
	.dnload_begin = flaky_begin,
	.write = flaky_write,
	.poll = flaky_poll,
	.manifest = flaky_manifest,
	.read = flaky_read,
	.abort = flaky_abort,
};

static const char *const alt_names[NUM_ALTS] = {"ramdisk0", "flaky1", "flaky2", "flaky3"};
static const uint16_t xfer_sizes[8] = {64, 128, 256, 512, 1024, 4096, 100, 4095};

/* A cursor over the fuzz input. */
/* Copy up to len bytes from the input into out, zero padding the rest. */
static void take_bytes(struct in *in, uint8_t *out, size_t len)
{
	size_t k = len < in->n ? len : in->n;
	memcpy(out, in->p, k);
	memset(out + k, 0, len - k);
	in->p += k;
	in->n -= k;
}

static struct dfu_ramdisk *disk_of(struct rig *r, uint8_t alt)
{
	return &r->fl[alt].disk;
}

HARNESS_ONLY static void check_state(const struct rig *r)
{
	for (unsigned a = 0; a < NUM_ALTS; a++) {
		for (unsigned i = 0; i < GUARD; i++) {
			CHECK(r->mem[a][i] == GUARD_BYTE);
			CHECK(r->mem[a][GUARD + DISK_SIZE + i] == GUARD_BYTE);
		}
		CHECK(r->fl[a].disk.written <= r->fl[a].disk.size);
	}
	for (unsigned i = 0; i < GUARD; i++) {
		CHECK(r->buf[i] == GUARD_BYTE);
		CHECK(r->buf[GUARD + MAX_XFER + i] == GUARD_BYTE);
	}
	CHECK(r->d.dfu.state <= DFU_STATE_ERROR);
	CHECK(r->d.dfu.status <= DFU_STATUS_ERR_STALLEDPKT);
	CHECK(r->d.dfu.alt < NUM_ALTS);
	CHECK(r->d.usbd.state <= USBD_STATE_CONFIGURED);
	CHECK(r->d.usbd.ctrl.stage <= USBD_CTRL_STALLED);
	CHECK(r->d.usbd.config_value <= 1);
	CHECK(r->d.usbd.address <= 127);
}

static bool is_dfu_request(const struct usbd_setup *s)
{
	return (s->bmRequestType & (USB_REQTYPE_TYPE_MASK | USB_REQTYPE_RECIPIENT_MASK)) ==
		       (USB_REQTYPE_CLASS | USB_REQTYPE_INTERFACE) &&
	       (s->wIndex & 0xffu) == 0;
}

static void control(struct rig *r, struct in *in)
{
	uint8_t raw[8];
	struct usbd_setup s;

	take_bytes(in, raw, sizeof(raw));
	usbd_setup_decode(&s, raw);
	bool out = !(s.bmRequestType & USB_REQTYPE_DIR_IN);
	if (out) {
		take_bytes(in, r->data, s.wLength);
	}
	uint32_t off_before = r->d.dfu.offset;
	enum dfu_state state_before = r->d.dfu.state;
	int rc = vudc_control(&r->v, &s, out ? r->data : r->in);
	CHECK(rc == -ENOTCONN || rc == -EPIPE || rc == -ETIMEDOUT || (rc >= 0 && rc <= s.wLength));
	if (rc < 0 || r->runtime || !is_dfu_request(&s)) {
		return;
	}
	struct dfu_ramdisk *disk = disk_of(r, r->d.dfu.alt);
	if (s.bRequest == DFU_DNLOAD && out && s.wLength > 0 &&
	    r->d.dfu.state == DFU_STATE_DNLOAD_SYNC) {
		/* the block was stored where the device counted, byte for byte */
		uint32_t start = r->d.dfu.offset - s.wLength;
		CHECK(state_before == DFU_STATE_IDLE ? start == 0 : start == off_before);
		CHECK(start + s.wLength <= disk->size);
		CHECK(memcmp(disk->mem + start, r->data, s.wLength) == 0);
	}
	if (s.bRequest == DFU_UPLOAD && !out && rc > 0) {
		uint32_t start = r->d.dfu.offset - (uint32_t)rc;
		CHECK(start + (uint32_t)rc <= disk->size);
		CHECK(memcmp(disk->mem + start, r->in, (size_t)rc) == 0);
	}
	if (s.bRequest == DFU_GETSTATUS && !out && rc >= 6) {
		CHECK(r->in[4] == (uint8_t)r->d.dfu.state);
		CHECK(r->in[0] == (uint8_t)r->d.dfu.status);
	}
}

/* SETUP, then single tokens on EP0 as the input says, then silence. */
static void tokens(struct rig *r, struct in *in)
{
	struct vudc *v = &r->v;
	uint8_t raw[8];
	uint8_t count = 0;

	take_bytes(in, raw, sizeof(raw));
	(void)take(in, &count);
	if (!v->connected) {
		return;
	}
	/* what vudc_control does for a SETUP */
	v->in[0].stalled = false;
	v->out[0].stalled = false;
	v->in[0].armed = false;
	v->out[0].armed = false;
	usbd_on_setup(v->dev, raw);
	for (unsigned k = 0; k < (count & 0x1fu); k++) {
		uint8_t t;
		if (!take(in, &t)) {
			return;
		}
		struct vudc_ep *e = (t & 0x80u) ? &v->in[0] : &v->out[0];
		if (e->stalled || !e->armed) {
			continue; /* the device NAKs or STALLs this token */
		}
		uint16_t n = e->len;
		if (!(t & 0x80u)) {
			uint16_t want = t & 0x7fu;
			n = want < n ? want : n;
		}
		CHECK(n <= e->max_packet && n <= 64);
		if (n > 0) {
			if (t & 0x80u) {
				memcpy(r->in, e->buf, n);
			} else {
				take_bytes(in, e->buf, n);
			}
		}
		e->armed = false;
		usbd_on_xfer_done(v->dev, (t & 0x80u) ? UDC_EP0_IN : UDC_EP0_OUT, n);
		check_state(r);
	}
}

static void knobs(struct rig *r, uint8_t b)
{
	for (unsigned a = 1; a < NUM_ALTS; a++) {
		r->fl[a].busy_polls = b & 0x0fu;
		r->fl[a].fail_write = (b & 0x10u) != 0;
		r->fl[a].fail_manifest = (b & 0x20u) != 0;
		r->fl[a].fail_read = (b & 0x40u) != 0;
	}
}

/* After any sequence: a reset brings back a device that enumerates and works. */
static void check_alive(struct rig *r)
{
	uint8_t desc[18];
	struct dfu_host_status st;

	knobs(r, 0);
	if (!r->v.connected) {
		CHECK(usbd_enable(&r->d.usbd, true) == 0);
	}
	vudc_bus_reset(&r->v);
	CHECK(host_ctl(&r->v, USB_REQTYPE_DIR_IN, USB_REQ_GET_DESCRIPTOR, USB_DESC_DEVICE << 8, 0,
		       sizeof(desc), desc) == (int)sizeof(desc));
	CHECK(memcmp(desc, r->dev_desc, sizeof(desc)) == 0);
	CHECK(host_ctl(&r->v, 0, USB_REQ_SET_ADDRESS, 9, 0, 0, NULL) == 0);
	CHECK(host_ctl(&r->v, 0, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL) == 0);
	if (r->runtime) {
		CHECK(dfu_host_getstate(&r->v) == DFU_STATE_APP_IDLE);
		return;
	}
	uint8_t attr = r->d.dfu_cfg.attributes;
	if ((attr &
	     (DFU_ATTR_CAN_DNLOAD | DFU_ATTR_CAN_UPLOAD | DFU_ATTR_MANIFESTATION_TOLERANT)) !=
	    (DFU_ATTR_CAN_DNLOAD | DFU_ATTR_CAN_UPLOAD | DFU_ATTR_MANIFESTATION_TOLERANT)) {
		CHECK(dfu_host_getstate(&r->v) == DFU_STATE_IDLE);
		return;
	}
	uint8_t pattern[200];
	uint8_t back[DISK_SIZE + MAX_XFER];
	for (unsigned i = 0; i < sizeof(pattern); i++) {
		pattern[i] = (uint8_t)(i * 7u + 3u);
	}
	CHECK(dfu_host_download(&r->v, pattern, sizeof(pattern), 64, &st) == 0);
	CHECK(st.state == DFU_STATE_IDLE && st.status == DFU_STATUS_OK);
	long got = dfu_host_upload(&r->v, back, sizeof(back), r->d.dfu_cfg.transfer_size);
	CHECK(got == (long)DISK_SIZE);
	CHECK(memcmp(back, pattern, sizeof(pattern)) == 0);
	check_state(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rig rig; /* large: keep it off the stack */
	struct rig *r = &rig;
	struct in in = {data, size};
	uint8_t h0 = 0, h1 = 0x80;

	(void)take(&in, &h0);
	(void)take(&in, &h1);

	memset(&r->v, 0, sizeof(r->v));
	memset(&r->d, 0, sizeof(r->d));
	memset(r->fl, 0, sizeof(r->fl));
	memset(r->mem, GUARD_BYTE, sizeof(r->mem));
	memset(r->buf, GUARD_BYTE, sizeof(r->buf));
	for (unsigned a = 0; a < NUM_ALTS; a++) {
		memset(r->mem[a] + GUARD, 0, DISK_SIZE);
		dfu_ramdisk_init(&r->fl[a].disk, r->mem[a] + GUARD, DISK_SIZE);
		/* alternate 0 is the seed's plain ramdisk0 backend */
		r->alts[a] = a == 0 ? (struct dfu_alt){&dfu_ramdisk_ops, &r->fl[a].disk}
				    : (struct dfu_alt){&flaky_ops, &r->fl[a]};
	}
	uint16_t xfer = xfer_sizes[(h0 >> 3) & 7u];
	r->runtime = (h0 & 1u) != 0;
	struct sample_params p = {
		.runtime = r->runtime,
		.transfer_size = xfer,
		.buffer = r->buf + GUARD,
		.manufacturer = "dfukit",
		.product = "fuzz",
		.serial = "0123456789abcdef",
		.alt_names = alt_names,
		.alts = r->alts,
		.num_alts = (uint8_t)(1u + ((h0 >> 1) & 3u)),
	};
	vudc_init(&r->v, &r->d.usbd);
	struct udc u = vudc_udc(&r->v);
	CHECK(sample_device_init(&r->d, &p, &u) == 0);
	if (!(h1 & 0x80u)) {
		r->d.dfu_cfg.attributes = h1 & 0x0fu;
	}
	memcpy(r->dev_desc, r->d.desc.device, 18);
	CHECK(usbd_enable(&r->d.usbd, true) == 0);

	uint8_t op;
	while (take(&in, &op)) {
		uint8_t b = 0;
		switch (op & 7u) {
		case 0:
		case 1:
		case 2: control(r, &in); break;
		case 3: tokens(r, &in); break;
		case 4: vudc_bus_reset(&r->v); break;
		case 5:
			CHECK(usbd_enable(&r->d.usbd, false) == 0);
			CHECK(!r->v.connected && r->d.usbd.state == USBD_STATE_DETACHED);
			if (!take(&in, &b) || !(b & 1u)) {
				CHECK(usbd_enable(&r->d.usbd, true) == 0);
			}
			break;
		case 6:
			(void)take(&in, &b);
			if (b & 1u) {
				usbd_on_suspend(&r->d.usbd);
			} else {
				usbd_on_resume(&r->d.usbd);
			}
			break;
		default:
			(void)take(&in, &b);
			knobs(r, b);
			break;
		}
		check_state(r);
	}
	check_alive(r);
	return 0;
}
