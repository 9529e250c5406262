/* SPDX-License-Identifier: Apache-2.0 */
/* The DFU 1.1 class: appendix A state machine, transfers and their edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dfu_host.h"
#include "dfukit/dfu_ramdisk.h"
#include "dfukit/sample/device.h"
#include "dfukit/port/vudc.h"

/* A backend the test steers: poll and manifest results are set by hand. */
struct scripted {
	struct dfu_ramdisk disk;
	int write_rc;
	int poll_rc;
	uint32_t poll_ms;
	int manifest_rc;
	uint32_t manifest_total;
	unsigned aborts;
	unsigned begins;
};

static int scripted_begin(void *ctx)
{
	struct scripted *b = ctx;
	b->begins++;
	return dfu_ramdisk_ops.dnload_begin(&b->disk);
}

static int scripted_write(void *ctx, uint32_t off, const uint8_t *data, uint16_t len,
			  uint16_t block_num)
{
	struct scripted *b = ctx;
	if (b->write_rc) {
		return b->write_rc;
	}
	return dfu_ramdisk_ops.write(&b->disk, off, data, len, block_num);
}

static int scripted_poll(void *ctx, uint32_t *ms)
{
	struct scripted *b = ctx;
	*ms = b->poll_ms;
	return b->poll_rc;
}

static int scripted_manifest(void *ctx, uint32_t total)
{
	struct scripted *b = ctx;
	b->manifest_total = total;
	return b->manifest_rc;
}

static int scripted_read(void *ctx, uint32_t off, uint8_t *data, uint16_t len, uint16_t block_num)
{
	struct scripted *b = ctx;
	return dfu_ramdisk_ops.read(&b->disk, off, data, len, block_num);
}

static void scripted_abort(void *ctx)
{
	struct scripted *b = ctx;
	b->aborts++;
}

static const struct dfu_backend_ops scripted_ops = {
	.dnload_begin = scripted_begin,
	.write = scripted_write,
	.poll = scripted_poll,
	.manifest = scripted_manifest,
	.read = scripted_read,
	.abort = scripted_abort,
};

#define BIG (1024u * 1024u)

struct bench {
	struct vudc v;
	struct sample_device d;
	struct scripted backend[2];
	struct dfu_alt alts[2];
	uint8_t buf[4096];
	unsigned events[5];
	uint8_t mem[BIG + 4096]; /* disk plus a guard zone */
};

static struct bench *T;

static void on_event(void *app, enum dfu_event event, uint8_t alt)
{
	struct bench *b = app;
	(void)alt;
	b->events[event]++;
}

static const char *const names[] = {"ramdisk0", "scratch"};

static void start_with(bool runtime, uint16_t xfer, uint32_t disk_size, uint8_t attributes)
{
	struct bench *b = T;
	memset(b, 0, offsetof(struct bench, mem));
	memset(b->mem, 0xa5, sizeof(b->mem));
	for (int i = 0; i < 2; i++) {
		dfu_ramdisk_init(&b->backend[i].disk, b->mem, disk_size);
		b->alts[i] = (struct dfu_alt){&scripted_ops, &b->backend[i]};
	}
	struct sample_params p = {
		.runtime = runtime,
		.transfer_size = xfer,
		.buffer = b->buf,
		.manufacturer = "ZEPHYR",
		.product = "DFU",
		.serial = "1",
		.alt_names = names,
		.alts = b->alts,
		.num_alts = 2,
		.event = on_event,
		.app = b,
	};
	assert_int_equal(dfu_host_attach(&b->v, &b->d, &p), 0);
	b->d.dfu_cfg.attributes = attributes; /* may differ from the descriptor for tests */
}

static void start(bool runtime, uint16_t xfer, uint32_t disk_size)
{
	start_with(runtime, xfer, disk_size, SAMPLE_DFU_ATTRIBUTES);
}

static int req(uint8_t type, uint8_t request, uint16_t len)
{
	static uint8_t data[4096];
	return host_ctl(&T->v, type, request, 0, 0, len, data);
}

/* ---- every request in every state (appendix A) ------------------------- */

enum r {
	R_DETACH,
	R_DNLOAD,
	R_DNLOAD0,
	R_UPLOAD,
	R_GETSTATUS,
	R_CLRSTATUS,
	R_GETSTATE,
	R_ABORT,
	R_UNKNOWN,
	R_COUNT
};
static const char *const rname[R_COUNT] = {"DETACH",   "DNLOAD",    "DNLOAD(0)",
					   "UPLOAD",   "GETSTATUS", "CLRSTATUS",
					   "GETSTATE", "ABORT",     "request 7"};

static int send_request(enum r r)
{
	switch (r) {
	case R_DETACH: return req(DFU_REQ_OUT, DFU_DETACH, 0);
	case R_DNLOAD: return req(DFU_REQ_OUT, DFU_DNLOAD, 16);
	case R_DNLOAD0: return req(DFU_REQ_OUT, DFU_DNLOAD, 0);
	case R_UPLOAD: return req(DFU_REQ_IN, DFU_UPLOAD, 64);
	case R_GETSTATUS: return req(DFU_REQ_IN, DFU_GETSTATUS, 6);
	case R_CLRSTATUS: return req(DFU_REQ_OUT, DFU_CLRSTATUS, 0);
	case R_GETSTATE: return req(DFU_REQ_IN, DFU_GETSTATE, 1);
	case R_ABORT: return req(DFU_REQ_OUT, DFU_ABORT, 0);
	default: return req(DFU_REQ_OUT, 7, 0);
	}
}

/* Bring a fresh device into the given state by the host's own requests. */
static void drive_to(enum dfu_state s)
{
	bool runtime = s == DFU_STATE_APP_IDLE || s == DFU_STATE_APP_DETACH;
	uint8_t attrs = SAMPLE_DFU_ATTRIBUTES;
	if (s == DFU_STATE_MANIFEST_WAIT_RESET) {
		attrs &= (uint8_t)~DFU_ATTR_MANIFESTATION_TOLERANT;
	}
	start_with(runtime, 4096, BIG, attrs);
	switch (s) {
	case DFU_STATE_APP_DETACH: assert_int_equal(send_request(R_DETACH), 0); break;
	case DFU_STATE_DNLOAD_SYNC: assert_int_equal(send_request(R_DNLOAD), 0); break;
	case DFU_STATE_DNBUSY:
		T->backend[0].poll_rc = -EINPROGRESS;
		T->backend[0].poll_ms = 20;
		assert_int_equal(send_request(R_DNLOAD), 0);
		assert_int_equal(send_request(R_GETSTATUS), 6);
		break;
	case DFU_STATE_DNLOAD_IDLE:
		assert_int_equal(send_request(R_DNLOAD), 0);
		assert_int_equal(send_request(R_GETSTATUS), 6);
		break;
	case DFU_STATE_MANIFEST_SYNC:
	case DFU_STATE_MANIFEST:
	case DFU_STATE_MANIFEST_WAIT_RESET:
		assert_int_equal(send_request(R_DNLOAD), 0);
		assert_int_equal(send_request(R_GETSTATUS), 6);
		assert_int_equal(send_request(R_DNLOAD0), 0);
		if (s == DFU_STATE_MANIFEST) {
			T->backend[0].poll_rc = -EINPROGRESS;
			assert_int_equal(send_request(R_GETSTATUS), 6);
		} else if (s == DFU_STATE_MANIFEST_WAIT_RESET) {
			/* dfuMANIFEST reported; manifestation is over by the next request. */
			assert_int_equal(send_request(R_GETSTATUS), 6);
			assert_int_equal(T->d.dfu.state, DFU_STATE_MANIFEST);
			assert_int_equal(send_request(R_GETSTATE), -EPIPE);
		}
		break;
	case DFU_STATE_UPLOAD_IDLE: assert_int_equal(send_request(R_UPLOAD), 64); break;
	case DFU_STATE_ERROR: assert_int_equal(send_request(R_CLRSTATUS), -EPIPE); break;
	default: break;
	}
	assert_int_equal(T->d.dfu.state, s);
}

#define OK(next)                                                                                   \
	{                                                                                          \
		true, DFU_STATE_##next                                                             \
	}
#define STALL(next)                                                                                \
	{                                                                                          \
		false, DFU_STATE_##next                                                            \
	}
struct outcome {
	bool accepted;
	enum dfu_state next;
};

static const struct {
	enum dfu_state state;
	struct outcome o[R_COUNT];
} table[] = {
	/*                        DETACH            DNLOAD              DNLOAD(0)      UPLOAD             GETSTATUS           CLRSTATUS     GETSTATE             ABORT       unknown */
	{DFU_STATE_APP_IDLE,
	 {OK(APP_DETACH), STALL(APP_IDLE), STALL(APP_IDLE), STALL(APP_IDLE), OK(APP_IDLE),
	  STALL(APP_IDLE), OK(APP_IDLE), STALL(APP_IDLE), STALL(APP_IDLE)}},
	{DFU_STATE_APP_DETACH,
	 {STALL(APP_IDLE), STALL(APP_IDLE), STALL(APP_IDLE), STALL(APP_IDLE), OK(APP_DETACH),
	  STALL(APP_IDLE), OK(APP_DETACH), STALL(APP_IDLE), STALL(APP_IDLE)}},
	{DFU_STATE_IDLE,
	 {STALL(ERROR), OK(DNLOAD_SYNC), STALL(ERROR), OK(UPLOAD_IDLE), OK(IDLE), STALL(ERROR),
	  OK(IDLE), OK(IDLE), STALL(ERROR)}},
	{DFU_STATE_DNLOAD_SYNC,
	 {STALL(ERROR), STALL(ERROR), STALL(ERROR), STALL(ERROR), OK(DNLOAD_IDLE), STALL(ERROR),
	  OK(DNLOAD_SYNC), STALL(ERROR), STALL(ERROR)}},
	/* GETSTATUS in dfuDNBUSY/dfuMANIFEST is answered (the spec STALLs it): see dfu.c. */
	{DFU_STATE_DNBUSY,
	 {STALL(ERROR), STALL(ERROR), STALL(ERROR), STALL(ERROR), OK(DNBUSY), STALL(ERROR),
	  STALL(ERROR), STALL(ERROR), STALL(ERROR)}},
	{DFU_STATE_DNLOAD_IDLE,
	 {STALL(ERROR), OK(DNLOAD_SYNC), OK(MANIFEST_SYNC), STALL(ERROR), OK(DNLOAD_IDLE),
	  STALL(ERROR), OK(DNLOAD_IDLE), OK(IDLE), STALL(ERROR)}},
	{DFU_STATE_MANIFEST_SYNC,
	 {STALL(ERROR), STALL(ERROR), STALL(ERROR), STALL(ERROR), OK(IDLE), STALL(ERROR),
	  OK(MANIFEST_SYNC), STALL(ERROR), STALL(ERROR)}},
	{DFU_STATE_MANIFEST,
	 {STALL(ERROR), STALL(ERROR), STALL(ERROR), STALL(ERROR), OK(MANIFEST), STALL(ERROR),
	  STALL(ERROR), STALL(ERROR), STALL(ERROR)}},
	{DFU_STATE_MANIFEST_WAIT_RESET,
	 {STALL(MANIFEST_WAIT_RESET), STALL(MANIFEST_WAIT_RESET), STALL(MANIFEST_WAIT_RESET),
	  STALL(MANIFEST_WAIT_RESET), STALL(MANIFEST_WAIT_RESET), STALL(MANIFEST_WAIT_RESET),
	  STALL(MANIFEST_WAIT_RESET), STALL(MANIFEST_WAIT_RESET), STALL(MANIFEST_WAIT_RESET)}},
	{DFU_STATE_UPLOAD_IDLE,
	 {STALL(ERROR), STALL(ERROR), STALL(ERROR), OK(UPLOAD_IDLE), OK(UPLOAD_IDLE), STALL(ERROR),
	  OK(UPLOAD_IDLE), OK(IDLE), STALL(ERROR)}},
	{DFU_STATE_ERROR,
	 {STALL(ERROR), STALL(ERROR), STALL(ERROR), STALL(ERROR), OK(ERROR), OK(IDLE), OK(ERROR),
	  STALL(ERROR), STALL(ERROR)}},
};

static void test_state_row(void **state)
{
	size_t row = (size_t)(uintptr_t)*state;
	for (int r = 0; r < R_COUNT; r++) {
		drive_to(table[row].state);
		int rc = send_request((enum r)r);
		const struct outcome *o = &table[row].o[r];
		if (o->accepted != (rc >= 0) || T->d.dfu.state != o->next) {
			fail_msg("state %d, %s: got rc %d state %d, want %s and state %d",
				 table[row].state, rname[r], rc, T->d.dfu.state,
				 o->accepted ? "accept" : "STALL", o->next);
		}
		if (table[row].state != DFU_STATE_ERROR && !o->accepted &&
		    o->next == DFU_STATE_ERROR) {
			assert_int_equal(T->d.dfu.status, DFU_STATUS_ERR_STALLEDPKT);
		}
	}
}

/* ---- transfers ------------------------------------------------------- */

static void fill(uint8_t *p, uint32_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1u;
	for (uint32_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

static void round_trip(uint32_t size, uint16_t xfer)
{
	static uint8_t image[BIG], back[BIG + 4096];
	struct dfu_host_status st;
	start(false, xfer, size);
	fill(image, size, size ^ xfer);
	assert_int_equal(dfu_host_download(&T->v, image, size, xfer, &st), 0);
	assert_int_equal(st.status, DFU_STATUS_OK);
	assert_int_equal(T->backend[0].manifest_total, size);
	assert_int_equal(T->events[DFU_EVENT_DNLOAD_COMPLETED], 1);
	long got = dfu_host_upload(&T->v, back, sizeof(back), xfer);
	if (got != (long)size || memcmp(back, image, size) != 0) {
		fail_msg("size %u xfer %u: uploaded %ld bytes", size, xfer, got);
	}
	assert_int_equal(T->mem[size], 0xa5); /* nothing written past the disk */
	assert_int_equal(dfu_host_getstate(&T->v), DFU_STATE_IDLE);
}

static void test_round_trips(void **state)
{
	uint16_t xfer = (uint16_t)(uintptr_t)*state;
	static const uint32_t sizes[] = {1,   63,  64,  65,   127,  128,  129,
					 959, 960, 961, 4095, 4096, 4097, BIG};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		round_trip(sizes[i], xfer);
	}
}

static void test_upload_exact_multiple_ends_with_zero_length_reply(void **state)
{
	(void)state;
	static uint8_t back[4096];
	start(false, 64, 128);
	uint32_t before = T->v.ctrl_count;
	assert_int_equal(dfu_host_upload(&T->v, back, sizeof(back), 64), 128);
	assert_int_equal(T->v.ctrl_count - before, 3); /* 64 + 64 + 0 */
	assert_int_equal(T->events[DFU_EVENT_UPLOAD_COMPLETED], 1);
}

static void test_upload_of_disk_larger_than_download(void **state)
{
	(void)state;
	static uint8_t back[8192];
	static const uint8_t data[100] = {1, 2, 3};
	struct dfu_host_status st;
	start(false, 512, 4096);
	assert_int_equal(dfu_host_download(&T->v, data, sizeof(data), 512, &st), 0);
	assert_int_equal(dfu_host_upload(&T->v, back, sizeof(back), 512), 4096);
	assert_memory_equal(back, data, sizeof(data));
}

/*
 * Counts bytes and checks each lands at the offset the data says it belongs
 * to, with the host's wBlockNum (64-byte blocks numbered from 0) beside it.
 */
struct counter {
	uint32_t expected_offset;
	uint32_t mismatches;
};

static int counter_write(void *ctx, uint32_t off, const uint8_t *data, uint16_t len,
			 uint16_t block_num)
{
	struct counter *c = ctx;
	uint32_t tag;
	memcpy(&tag, data, sizeof(tag));
	if (off != c->expected_offset || tag != off || block_num != (uint16_t)(off / 64u)) {
		c->mismatches++;
	}
	c->expected_offset = off + len;
	return 0;
}

static const struct dfu_backend_ops counter_ops = {.write = counter_write};

static void test_block_number_wrap(void **state)
{
	(void)state;
	static struct counter c;
	static const char *const n[] = {"count"};
	struct dfu_alt alt = {&counter_ops, &c};
	struct dfu_host_status st;
	uint8_t block[64] = {0};
	const uint32_t blocks = 65536u + 300u;

	memset(&c, 0, sizeof(c));
	struct sample_params p = {.transfer_size = 64,
				  .buffer = T->buf,
				  .manufacturer = "m",
				  .product = "p",
				  .serial = "s",
				  .alt_names = n,
				  .alts = &alt,
				  .num_alts = 1};
	assert_int_equal(dfu_host_attach(&T->v, &T->d, &p), 0);
	for (uint32_t i = 0; i < blocks; i++) {
		uint32_t tag = i * 64u;
		memcpy(block, &tag, sizeof(tag));
		/* wBlockNum is 16 bits: it wraps to 0 after 65535. */
		assert_int_equal(
			host_ctl(&T->v, DFU_REQ_OUT, DFU_DNLOAD, (uint16_t)i, 0, 64, block), 0);
		assert_int_equal(dfu_host_getstatus(&T->v, &st), 0);
		assert_int_equal(st.state, DFU_STATE_DNLOAD_IDLE);
	}
	assert_int_equal(c.mismatches, 0);
	assert_int_equal(c.expected_offset, blocks * 64u);
}

static void test_download_larger_than_backend_is_refused(void **state)
{
	(void)state;
	static uint8_t image[1100];
	struct dfu_host_status st;
	start(false, 64, 1000);
	fill(image, sizeof(image), 7);
	assert_int_equal(dfu_host_download(&T->v, image, sizeof(image), 64, &st), -EIO);
	assert_int_equal(st.state, DFU_STATE_ERROR);
	assert_int_equal(st.status, DFU_STATUS_ERR_ADDRESS);
	for (uint32_t i = 1000; i < 1000 + 4096; i++) {
		assert_int_equal(T->mem[i], 0xa5);
	}
	assert_int_equal(T->events[DFU_EVENT_DNLOAD_FAILED], 1);
	/* The device recovers and takes a download that fits. */
	assert_int_equal(req(DFU_REQ_OUT, DFU_CLRSTATUS, 0), 0);
	assert_int_equal(dfu_host_download(&T->v, image, 1000, 64, &st), 0);
	assert_memory_equal(T->mem, image, 1000);
}

static void test_wlength_above_transfer_size_stalls(void **state)
{
	(void)state;
	struct dfu_host_status st;
	start(false, 64, 4096);
	assert_int_equal(req(DFU_REQ_OUT, DFU_DNLOAD, 65), -EPIPE);
	assert_int_equal(dfu_host_getstatus(&T->v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_ERROR);
	assert_int_equal(st.status, DFU_STATUS_ERR_STALLEDPKT);
	assert_int_equal(T->mem[0], 0xa5);
	assert_int_equal(req(DFU_REQ_OUT, DFU_CLRSTATUS, 0), 0);
	assert_int_equal(req(DFU_REQ_IN, DFU_UPLOAD, 4096), -EPIPE);
	assert_int_equal(req(DFU_REQ_OUT, DFU_CLRSTATUS, 0), 0);
	assert_int_equal(dfu_host_getstate(&T->v), DFU_STATE_IDLE);
	/* GETSTATUS asking for fewer than 6 bytes is malformed. */
	assert_int_equal(req(DFU_REQ_IN, DFU_GETSTATUS, 5), -EPIPE);
}

static void test_write_error_reported_as_errwrite(void **state)
{
	(void)state;
	struct dfu_host_status st;
	start(false, 64, 4096);
	T->backend[0].write_rc = -EIO;
	assert_int_equal(req(DFU_REQ_OUT, DFU_DNLOAD, 64), 0);
	assert_int_equal(dfu_host_getstatus(&T->v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_ERROR);
	assert_int_equal(st.status, DFU_STATUS_ERR_WRITE);
	assert_int_equal(T->backend[0].aborts, 1);
}

static void test_busy_backend_reports_poll_timeout(void **state)
{
	(void)state;
	struct dfu_host_status st;
	start(false, 64, 4096);
	T->backend[0].poll_rc = -EINPROGRESS;
	T->backend[0].poll_ms = 89;
	assert_int_equal(req(DFU_REQ_OUT, DFU_DNLOAD, 64), 0);
	assert_int_equal(dfu_host_getstatus(&T->v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(st.poll_ms, 89);
	T->backend[0].poll_rc = 0; /* the host waited; the write is over */
	assert_int_equal(dfu_host_getstatus(&T->v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNLOAD_IDLE);
	assert_int_equal(st.poll_ms, 0);
	/* Manifestation that takes time: dfuMANIFEST, then dfuIDLE. */
	assert_int_equal(req(DFU_REQ_OUT, DFU_DNLOAD, 0), 0);
	T->backend[0].poll_rc = -EINPROGRESS;
	T->backend[0].poll_ms = 0x123456;
	assert_int_equal(dfu_host_getstatus(&T->v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_MANIFEST);
	assert_int_equal(st.poll_ms, 0x123456);
	T->backend[0].poll_rc = 0;
	assert_int_equal(dfu_host_getstatus(&T->v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_IDLE);
	assert_int_equal(T->events[DFU_EVENT_DNLOAD_COMPLETED], 1);
}

static void test_manifest_failure(void **state)
{
	(void)state;
	struct dfu_host_status st;
	static const uint8_t junk[200];
	start(false, 64, 4096);
	T->backend[0].manifest_rc = -EBADMSG;
	assert_int_equal(dfu_host_download(&T->v, junk, sizeof(junk), 64, &st), -EIO);
	assert_int_equal(st.state, DFU_STATE_ERROR);
	assert_int_equal(st.status, DFU_STATUS_ERR_FILE);
	assert_int_equal(T->events[DFU_EVENT_DNLOAD_FAILED], 1);
	assert_int_equal(T->events[DFU_EVENT_DNLOAD_COMPLETED], 0);
}

static void test_set_interface_aborts_download(void **state)
{
	(void)state;
	struct dfu_host_status st;
	start(false, 64, 4096);
	assert_int_equal(req(DFU_REQ_OUT, DFU_DNLOAD, 64), 0);
	assert_int_equal(dfu_host_getstatus(&T->v, &st), 0);
	assert_int_equal(
		host_ctl(&T->v, USB_REQTYPE_INTERFACE, USB_REQ_SET_INTERFACE, 1, 0, 0, NULL), 0);
	assert_int_equal(T->backend[0].aborts, 1);
	assert_int_equal(T->d.dfu.alt, 1);
	assert_int_equal(dfu_host_getstate(&T->v), DFU_STATE_IDLE);
	/* The next download goes to the new alternate from offset 0. */
	assert_int_equal(req(DFU_REQ_OUT, DFU_DNLOAD, 16), 0);
	assert_int_equal(T->backend[1].begins, 1);
}

static void test_killed_download_then_fresh_download(void **state)
{
	(void)state;
	static uint8_t image[5000];
	struct dfu_host_status st;
	start(false, 512, 8192);
	fill(image, sizeof(image), 3);
	/* A host that vanished after three blocks, as a killed dfu-util does. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(req(DFU_REQ_OUT, DFU_DNLOAD, 512), 0);
		assert_int_equal(dfu_host_getstatus(&T->v, &st), 0);
	}
	/* dfu-util's start-up: SET_INTERFACE, GETSTATUS, ABORT if not idle. */
	assert_int_equal(
		host_ctl(&T->v, USB_REQTYPE_INTERFACE, USB_REQ_SET_INTERFACE, 0, 0, 0, NULL), 0);
	assert_int_equal(dfu_host_getstatus(&T->v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_IDLE);
	assert_int_equal(dfu_host_download(&T->v, image, sizeof(image), 512, &st), 0);
	assert_memory_equal(T->mem, image, sizeof(image));
}

static void test_detach_runtime(void **state)
{
	(void)state;
	struct dfu_host_status st;
	start(true, 4096, 64);
	assert_int_equal(dfu_host_getstatus(&T->v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_APP_IDLE);
	assert_int_equal(host_ctl(&T->v, DFU_REQ_OUT, DFU_DETACH, 1000, 0, 0, NULL), 0);
	assert_int_equal(T->events[DFU_EVENT_DETACH], 1);
	assert_int_equal(dfu_host_getstatus(&T->v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_APP_DETACH);
	/* A run-time interface has one alternate only. */
	assert_int_equal(
		host_ctl(&T->v, USB_REQTYPE_INTERFACE, USB_REQ_SET_INTERFACE, 1, 0, 0, NULL),
		-EPIPE);
}

static void test_status_mapping(void **state)
{
	(void)state;
	assert_int_equal(dfu_status_from_errno(0), DFU_STATUS_OK);
	assert_int_equal(dfu_status_from_errno(-ENOSPC), DFU_STATUS_ERR_ADDRESS);
	assert_int_equal(dfu_status_from_errno(-EIO), DFU_STATUS_ERR_WRITE);
	assert_int_equal(dfu_status_from_errno(-EFAULT), DFU_STATUS_ERR_ERASE);
	assert_int_equal(dfu_status_from_errno(-ENOTEMPTY), DFU_STATUS_ERR_CHECK_ERASED);
	assert_int_equal(dfu_status_from_errno(-EILSEQ), DFU_STATUS_ERR_VERIFY);
	assert_int_equal(dfu_status_from_errno(-EBADMSG), DFU_STATUS_ERR_FILE);
	assert_int_equal(dfu_status_from_errno(-EPROTO), DFU_STATUS_ERR_PROG);
	assert_int_equal(dfu_status_from_errno(-ENODATA), DFU_STATUS_ERR_NOTDONE);
	assert_int_equal(dfu_status_from_errno(-EACCES), DFU_STATUS_ERR_TARGET);
	assert_int_equal(dfu_status_from_errno(-EPIPE), DFU_STATUS_ERR_STALLEDPKT);
	assert_int_equal(dfu_status_from_errno(-E2BIG), DFU_STATUS_ERR_UNKNOWN);
}

static void test_init_checks_config(void **state)
{
	(void)state;
	struct dfu_class dfu;
	struct dfu_config cfg = {.transfer_size = 63};
	assert_int_equal(dfu_init(&dfu, &cfg), -EINVAL);
	assert_int_equal(dfu_runtime_init(&dfu, &cfg), -EINVAL);
	cfg.transfer_size = 4097;
	assert_int_equal(dfu_init(&dfu, &cfg), -EINVAL);
	assert_int_equal(dfu_runtime_init(&dfu, &cfg), -EINVAL);
	cfg.transfer_size = 64; /* DFU mode without a buffer or alternates */
	assert_int_equal(dfu_init(&dfu, &cfg), -EINVAL);
	/* run-time mode needs neither */
	assert_int_equal(dfu_runtime_init(&dfu, &cfg), 0);
	assert_int_equal(dfu.state, DFU_STATE_APP_IDLE);
}

#define ROW(i)                                                                                     \
	{                                                                                          \
		"state machine row " #i, test_state_row, NULL, NULL, (void *)(uintptr_t)(i)        \
	}

int main(void)
{
	static struct bench bench;
	T = &bench;
	const struct CMUnitTest tests[] = {
		ROW(0),
		ROW(1),
		ROW(2),
		ROW(3),
		ROW(4),
		ROW(5),
		ROW(6),
		ROW(7),
		ROW(8),
		ROW(9),
		ROW(10),
		{"round trips, wTransferSize 64", test_round_trips, NULL, NULL, (void *)64},
		{"round trips, wTransferSize 512", test_round_trips, NULL, NULL, (void *)512},
		{"round trips, wTransferSize 4096", test_round_trips, NULL, NULL, (void *)4096},
		cmocka_unit_test(test_upload_exact_multiple_ends_with_zero_length_reply),
		cmocka_unit_test(test_upload_of_disk_larger_than_download),
		cmocka_unit_test(test_block_number_wrap),
		cmocka_unit_test(test_download_larger_than_backend_is_refused),
		cmocka_unit_test(test_wlength_above_transfer_size_stalls),
		cmocka_unit_test(test_write_error_reported_as_errwrite),
		cmocka_unit_test(test_busy_backend_reports_poll_timeout),
		cmocka_unit_test(test_manifest_failure),
		cmocka_unit_test(test_set_interface_aborts_download),
		cmocka_unit_test(test_killed_download_then_fresh_download),
		cmocka_unit_test(test_detach_runtime),
		cmocka_unit_test(test_status_mapping),
		cmocka_unit_test(test_init_checks_config),
	};
	_Static_assert(sizeof(table) / sizeof(table[0]) == 11, "one row per DFU state");
	return cmocka_run_group_tests_name("dfu", tests, NULL, NULL);
}
