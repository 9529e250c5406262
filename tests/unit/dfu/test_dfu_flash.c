/* SPDX-License-Identifier: Apache-2.0 */
/* The flash-area backend (SLOT-1) under the DFU class, on simulated NOR flash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfu_host.h"
#include "dfukit/dfu_flash.h"
#include "dfukit/sample/device.h"

#define SECTOR     4096u
#define FLASH_SIZE (16u * SECTOR)
/* The slot: sectors 4..11; its neighbours must never change. */
#define SLOT_OFF   (4u * SECTOR)
#define SLOT_SIZE  (8u * SECTOR)

struct rig {
	struct flash_geometry geo;
	struct flash_sim sim;
	struct flash_area slot;
	struct dfu_flash backend;
	struct vudc v;
	struct sample_device dev;
	struct dfu_alt alt;
	uint8_t buf[4096];
	uint8_t staging[4096];
	uint8_t mem[FLASH_SIZE];
	unsigned completions;
	uint32_t completed_total;
	int complete_rc;
	/* on_progress: checks dfu_flash_read_received() against expect */
	const uint8_t *expect;
	uint32_t expect_len;
	bool end_hint; /* say DFU_FLASH_END_OF_IMAGE once expect_len bytes are in */
	unsigned progress_calls, progress_pending;
};

static int on_complete(void *ctx, uint32_t total)
{
	struct rig *r = ctx;
	r->completions++;
	r->completed_total = total;
	return r->complete_rc;
}

static int on_progress(void *ctx, uint32_t received)
{
	static uint8_t got[SLOT_SIZE];
	struct rig *r = ctx;
	r->progress_calls++;
	if (r->backend.pending_len > 0) {
		r->progress_pending++;
	}
	if (r->expect != NULL) {
		/* Everything so far, wherever it is: flash, carry, the pending block. */
		assert_int_equal(dfu_flash_read_received(&r->backend, 0, got, received), 0);
		assert_memory_equal(got, r->expect, received);
		assert_int_equal(dfu_flash_read_received(&r->backend, received, got, 1), -ENODATA);
	}
	return r->end_hint && received == r->expect_len ? DFU_FLASH_END_OF_IMAGE : 0;
}

static void rig_start(struct rig *r, uint32_t write_block, uint16_t xfer)
{
	static const char *const names[] = {"SLOT-1"};
	memset(r, 0, sizeof(*r));
	r->geo = (struct flash_geometry){.size = FLASH_SIZE,
					 .write_block = write_block,
					 .erased_val = 0xff,
					 .sector_size = SECTOR};
	assert_int_equal(flash_sim_init(&r->sim, &r->geo, r->mem, sizeof(r->mem),
					write_block == 16 ? FLASH_SIM_F_WRITE_ONCE : 0),
			 0);
	/* Neighbours and the slot start with recognisable, non-erased content. */
	memset(r->mem, 0x5a, sizeof(r->mem));
	assert_int_equal(flash_area_init(&r->slot, &r->sim.dev, SLOT_OFF, SLOT_SIZE), 0);
	assert_int_equal(dfu_flash_init(&r->backend, &r->slot, on_complete, r), 0);
	r->backend.on_progress = on_progress;
	r->alt = (struct dfu_alt){&dfu_flash_ops, &r->backend};
	struct sample_params p = {.transfer_size = xfer,
				  .buffer = r->buf,
				  .manufacturer = "m",
				  .product = "p",
				  .serial = "s",
				  .alt_names = names,
				  .alts = &r->alt,
				  .num_alts = 1};
	assert_int_equal(dfu_host_attach(&r->v, &r->dev, &p), 0);
}

static void assert_neighbours_untouched(const struct rig *r)
{
	for (uint32_t i = 0; i < SLOT_OFF; i++) {
		assert_int_equal(r->mem[i], 0x5a);
	}
	for (uint32_t i = SLOT_OFF + SLOT_SIZE; i < FLASH_SIZE; i++) {
		assert_int_equal(r->mem[i], 0x5a);
	}
}

static void fill(uint8_t *p, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (uint8_t)(seed >> 24);
	}
}

/* The slot after a download of image[0, size): the image, padding, an erased trailer. */
static void check_slot(struct rig *r, const uint8_t *image, uint32_t write_block, uint16_t xfer,
		       uint32_t size)
{
	static uint8_t back[SLOT_SIZE + 4096];
	assert_int_equal(r->completions, 1);
	assert_int_equal(r->completed_total, size);
	/* The image, then the erased value up to the end of its last write block. */
	assert_memory_equal(r->mem + SLOT_OFF, image, size);
	uint32_t padded = (size + write_block - 1) / write_block * write_block;
	for (uint32_t i = size; i < padded; i++) {
		assert_int_equal(r->mem[SLOT_OFF + i], 0xff);
	}
	/* The trailer's sector was erased, sectors past the image were not needed. */
	for (uint32_t i = SLOT_SIZE - SECTOR; i < SLOT_SIZE; i++) {
		if (i >= padded) {
			assert_int_equal(r->mem[SLOT_OFF + i], 0xff);
		}
	}
	assert_neighbours_untouched(r);
	long got = dfu_host_upload(&r->v, back, sizeof(back), xfer);
	assert_int_equal(got, SLOT_SIZE);
	assert_memory_equal(back, image, size);
}

/* staging: 0 for none, else the staging buffer's size. */
static void download_and_check(uint32_t write_block, uint16_t xfer, uint32_t size, uint32_t staging)
{
	static struct rig r;
	static uint8_t image[SLOT_SIZE];
	struct dfu_host_status st = {0};

	rig_start(&r, write_block, xfer);
	if (staging > 0) {
		assert_int_equal(dfu_flash_set_staging(&r.backend, r.staging, staging), 0);
	}
	fill(image, size, size + write_block);
	r.expect = image;
	assert_int_equal(dfu_host_download(&r.v, image, size, xfer, &st), 0);
	assert_int_equal(r.progress_calls, (size + xfer - 1) / xfer);
	assert_int_equal(r.progress_pending, 0); /* no timing: the flash is always free */
	check_slot(&r, image, write_block, xfer, size);
}

static const uint32_t sizes[] = {1,
				 3,
				 4,
				 5,
				 15,
				 16,
				 17,
				 63,
				 64,
				 65,
				 4095,
				 4096,
				 4097,
				 10000,
				 3 * SECTOR + 7,
				 SLOT_SIZE - 1,
				 SLOT_SIZE};
static const uint16_t xfers[] = {64, 100, 512, 4096};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void test_sizes_and_write_blocks(void **state)
{
	(void)state;
	for (size_t w = 0; w < 2; w++) {
		for (size_t x = 0; x < COUNT(xfers); x++) {
			for (size_t i = 0; i < COUNT(sizes); i++) {
				download_and_check(w ? 16 : 4, xfers[x], sizes[i], 0);
			}
		}
	}
}

/* Staging with instant flash: every block goes through the staging buffer at once. */
static void test_staging_sizes_and_write_blocks(void **state)
{
	(void)state;
	for (size_t w = 0; w < 2; w++) {
		for (size_t x = 0; x < COUNT(xfers); x++) {
			for (size_t i = 0; i < COUNT(sizes); i++) {
				download_and_check(w ? 16 : 4, xfers[x], sizes[i], 4096);
			}
		}
	}
	/* A staging buffer smaller than the blocks: those are programmed unstaged. */
	download_and_check(16, 512, 10000, 100);
	download_and_check(4, 100, 10000, 100);
}

static void test_set_staging_arguments(void **state)
{
	(void)state;
	static struct rig r;
	rig_start(&r, 4, 64);
	assert_int_equal(dfu_flash_set_staging(&r.backend, NULL, 64), -EINVAL);
	assert_int_equal(dfu_flash_set_staging(&r.backend, r.staging, 0), -EINVAL);
	assert_int_equal(dfu_flash_set_staging(&r.backend, r.staging, 64), 0);
	assert_int_equal(dfu_flash_set_staging(&r.backend, NULL, 0), 0); /* off again */
	assert_null(r.backend.staging);
}

static void test_larger_than_slot_refused(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t image[SLOT_SIZE + 64];
	struct dfu_host_status st = {0};
	rig_start(&r, 4, 64);
	fill(image, sizeof(image), 1);
	assert_int_equal(dfu_host_download(&r.v, image, sizeof(image), 64, &st), -EIO);
	assert_int_equal(st.status, DFU_STATUS_ERR_ADDRESS);
	assert_int_equal(r.completions, 0);
	assert_neighbours_untouched(&r);
}

static void test_aborted_download_leaves_no_upgrade_request(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t block[512];
	struct dfu_host_status st = {0};
	rig_start(&r, 4, 512);
	fill(block, sizeof(block), 2);
	/* A trailer of an earlier image sits at the end of the slot. */
	memset(r.mem + SLOT_OFF + SLOT_SIZE - 48, 0x11, 48);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(
			host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, (uint16_t)i, 0, 512, block), 0);
		assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	}
	assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_ABORT, 0, 0, 0, NULL), 0);
	for (uint32_t i = SLOT_SIZE - SECTOR; i < SLOT_SIZE; i++) {
		assert_int_equal(r.mem[SLOT_OFF + i], 0xff);
	}
	assert_int_equal(r.completions, 0);
	assert_neighbours_untouched(&r);
}

static void test_completion_error_fails_download(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t image[1000];
	struct dfu_host_status st = {0};
	rig_start(&r, 4, 512);
	r.complete_rc = -EBADMSG; /* e.g. the image does not verify */
	assert_int_equal(dfu_host_download(&r.v, image, sizeof(image), 512, &st), -EIO);
	assert_int_equal(st.state, DFU_STATE_ERROR);
	assert_int_equal(st.status, DFU_STATUS_ERR_FILE);
}

static void test_flash_failure_is_errwrite(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t image[8192];
	struct dfu_host_status st = {0};
	rig_start(&r, 4, 4096);
	fill(image, sizeof(image), 5);
	/* Power fails at the 4th flash operation: everything after it errors. */
	flash_sim_cut_at(&r.sim, 3, FLASH_SIM_TEAR_NOTHING);
	assert_int_equal(dfu_host_download(&r.v, image, sizeof(image), 4096, &st), -EIO);
	assert_int_equal(st.state, DFU_STATE_ERROR);
	assert_true(st.status == DFU_STATUS_ERR_WRITE || st.status == DFU_STATUS_ERR_ERASE);
}

static uint64_t fake_now;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static void test_timing_reported_as_poll_timeout(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t block[4096];
	/* nRF52840-like: 85 ms per 4 KiB page erase, 41 us per 4-byte word. */
	static const struct dfu_flash_timing t = {fake_clock, NULL, 85000, 41};
	struct dfu_host_status st = {0};
	rig_start(&r, 4, 4096);
	r.backend.timing = &t;
	fake_now = 1000000;
	fill(block, sizeof(block), 9);
	assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, 0, 0, 4096, block), 0);
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	/* The slot's last page (stale trailer) + the first page + 1024 words. */
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(st.poll_ms, (85000 + 85000 + 1024 * 41 + 999) / 1000);
	fake_now += 100000; /* a host that polls too early sees dfuDNBUSY again */
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(st.poll_ms, (85000 + 85000 + 1024 * 41 - 100000 + 999) / 1000);
	fake_now += (uint64_t)st.poll_ms * 1000u;
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNLOAD_IDLE);
	assert_int_equal(st.poll_ms, 0);
	/* The next page: one erase and 1024 words, reported the same way. */
	assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, 1, 0, 4096, block), 0);
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(st.poll_ms, (85000 + 1024 * 41 + 999) / 1000);
}

/* STM32U5-like speeds on this rig's 4 KiB sectors. */
#define ERASE_US 1500u
#define WRITE_US 118u
static const struct dfu_flash_timing u5_timing = {fake_clock, NULL, ERASE_US, WRITE_US};

static void rig_start_staged(struct rig *r, uint32_t write_block, uint16_t xfer)
{
	rig_start(r, write_block, xfer);
	assert_int_equal(dfu_flash_set_staging(&r->backend, r->staging, sizeof(r->staging)), 0);
	r->backend.timing = &u5_timing;
	fake_now = 1000000;
}

/* Flash time of a 4096-byte block at offset off (erasing its sector first). */
static uint32_t block_cost(uint32_t write_block)
{
	return ERASE_US + 4096u / write_block * WRITE_US;
}

static uint32_t ceil_ms(uint64_t us)
{
	return (uint32_t)((us + 999u) / 1000u);
}

struct timed {
	unsigned busy;          /* dfuDNBUSY answers during the blocks */
	unsigned max_busy;      /* most dfuDNBUSY answers for one block */
	unsigned manifest_busy; /* dfuMANIFEST answers with a bwPollTimeout */
	uint64_t elapsed;       /* from the first DNLOAD to dfuIDLE */
};

/*
 * A punctual host: each block takes transfer_us to send, and it sleeps
 * exactly bwPollTimeout whenever told to.
 */
static void timed_download(struct rig *r, const uint8_t *data, uint32_t len, uint16_t xfer,
			   uint32_t transfer_us, struct timed *t)
{
	struct dfu_host_status st = {0};
	uint64_t start = fake_now;
	uint16_t block = 0;

	memset(t, 0, sizeof(*t));
	for (uint32_t off = 0; off < len;) {
		uint16_t n = (uint16_t)(len - off < xfer ? len - off : xfer);
		fake_now += transfer_us;
		assert_int_equal(host_ctl(&r->v, DFU_REQ_OUT, DFU_DNLOAD, block++, 0, n,
					  (uint8_t *)(uintptr_t)(data + off)),
				 0);
		unsigned busy = 0;
		for (;;) {
			assert_int_equal(dfu_host_getstatus(&r->v, &st), 0);
			if (st.state != DFU_STATE_DNBUSY) {
				break;
			}
			assert_true(st.poll_ms > 0);
			busy++;
			fake_now += (uint64_t)st.poll_ms * 1000u;
		}
		assert_int_equal(st.state, DFU_STATE_DNLOAD_IDLE);
		assert_int_equal(st.poll_ms, 0);
		t->busy += busy;
		t->max_busy = busy > t->max_busy ? busy : t->max_busy;
		off += n;
	}
	assert_int_equal(host_ctl(&r->v, DFU_REQ_OUT, DFU_DNLOAD, block, 0, 0, NULL), 0);
	for (;;) {
		assert_int_equal(dfu_host_getstatus(&r->v, &st), 0);
		if (st.state != DFU_STATE_MANIFEST && st.state != DFU_STATE_MANIFEST_SYNC) {
			break;
		}
		if (st.poll_ms > 0) {
			t->manifest_busy++;
		}
		fake_now += (uint64_t)st.poll_ms * 1000u;
	}
	assert_int_equal(st.state, DFU_STATE_IDLE);
	t->elapsed = fake_now - start;
}

/*
 * Staging with timing: every size lands byte for byte, read_received sees
 * each block while it waits, and the host's transfers overlap programming.
 */
static void test_staging_timed_sizes(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t image[SLOT_SIZE];
	static const uint32_t timed_sizes[] = {
		1,          17,    4095,           4096,          4097,
		8192 + 100, 10000, 3 * SECTOR + 7, SLOT_SIZE - 1, SLOT_SIZE};
	static const uint16_t timed_xfers[] = {100, 4096};
	struct timed t;

	for (uint32_t wb = 4; wb <= 16; wb += 12) {
		for (size_t x = 0; x < COUNT(timed_xfers); x++) {
			for (size_t i = 0; i < COUNT(timed_sizes); i++) {
				uint16_t xfer = timed_xfers[x];
				uint32_t size = timed_sizes[i];
				uint32_t blocks = (size + xfer - 1) / xfer;
				rig_start_staged(&r, wb, xfer);
				fill(image, size, size ^ wb);
				r.expect = image;
				timed_download(&r, image, size, xfer, 5000, &t);
				check_slot(&r, image, wb, xfer, size);
				assert_int_equal(r.progress_calls, blocks);
				/* Rounded up, bwPollTimeout never sends the host back too early. */
				assert_true(t.max_busy <= 1);
				if (xfer == 4096) {
					/* Programming a block (~31 ms) outlasts sending one (5 ms). */
					assert_int_equal(r.progress_pending, blocks - 1);
					uint32_t sectors = (size + SECTOR - 1) / SECTOR;
					uint64_t flash = (uint64_t)(1u + sectors - (sectors == 8)) *
								 ERASE_US +
							 (uint64_t)(size / wb) * WRITE_US;
					/* The flash works all the time but for the first transfer and ≤ 1 ms
					 * of rounding per wait; unstaged it would also wait for each transfer. */
					assert_true(t.elapsed <=
						    5000u + flash + (blocks + 1u) * 1000u);
					assert_true(t.elapsed >= 5000u + flash);
				}
			}
		}
	}
}

/* The class answers dfuDNLOAD-IDLE at once while the flash is free, dfuDNBUSY while a block waits. */
static void test_staging_idle_then_pending(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t block[4096];
	struct dfu_host_status st = {0};

	rig_start_staged(&r, 16, 4096);
	fill(block, sizeof(block), 3);
	assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, 0, 0, 4096, block), 0);
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNLOAD_IDLE);
	assert_int_equal(st.poll_ms, 0);
	/* The trailer's sector, the first sector, 256 words: programming from the staging buffer. */
	uint64_t ready = fake_now + ERASE_US + block_cost(16);
	assert_int_equal(r.backend.ready_at, ready);
	assert_memory_equal(r.mem + SLOT_OFF, block, 4096);

	fake_now +=
		5000; /* the next block, while the flash is busy: it waits in the class's buffer */
	fill(block, sizeof(block), 4);
	assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, 1, 0, 4096, block), 0);
	assert_int_equal(r.backend.pending_len, 4096);
	for (uint32_t i = SECTOR; i < 2 * SECTOR; i++) {
		assert_int_equal(r.mem[SLOT_OFF + i], 0x5a); /* not even erased yet */
	}
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(st.poll_ms, ceil_ms(ready - fake_now));
	/* Too early by 200 us: still busy, for 1 ms more (never less than needed). */
	fake_now = ready - 200;
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(st.poll_ms, 1);
	/* Free: the waiting block goes to the staging buffer and the flash. */
	fake_now = ready + 300;
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNLOAD_IDLE);
	assert_int_equal(st.poll_ms, 0);
	assert_int_equal(r.backend.pending_len, 0);
	assert_memory_equal(r.mem + SLOT_OFF + 4096, block, 4096);
	ready = fake_now + block_cost(16);
	assert_int_equal(r.backend.ready_at, ready);
	/* The third block waits for all of the second one. */
	assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, 2, 0, 4096, block), 0);
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(st.poll_ms, ceil_ms(block_cost(16)));
}

/* An abort drops the waiting block: it never reaches the flash, and no upgrade request is left. */
static void test_staging_abort_drops_pending(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t block[4096], image[10000];
	struct dfu_host_status st = {0};

	rig_start_staged(&r, 16, 4096);
	memset(r.mem + SLOT_OFF + SLOT_SIZE - 48, 0x11, 48); /* an earlier image's trailer */
	fill(block, sizeof(block), 5);
	assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, 0, 0, 4096, block), 0);
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	fake_now += 5000;
	assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, 1, 0, 4096, block), 0);
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	/* ABORT is not valid in dfuDNBUSY: STALL, dfuERROR, and the backend aborts. */
	assert_true(host_ctl(&r.v, DFU_REQ_OUT, DFU_ABORT, 0, 0, 0, NULL) < 0);
	assert_int_equal(dfu_host_getstate(&r.v), DFU_STATE_ERROR);
	assert_int_equal(r.backend.pending_len, 0);
	assert_int_equal(r.backend.received, 0);
	/* Later, with the flash free, the dropped block still does not land anywhere. */
	fake_now += 1000000;
	assert_int_equal(dfu_flash_service(&r.backend), 0);
	for (uint32_t i = SECTOR; i < 2 * SECTOR; i++) {
		assert_int_equal(r.mem[SLOT_OFF + i], 0x5a);
	}
	for (uint32_t i = SLOT_SIZE - SECTOR; i < SLOT_SIZE; i++) {
		assert_int_equal(r.mem[SLOT_OFF + i], 0xff);
	}
	assert_int_equal(r.completions, 0);
	assert_neighbours_untouched(&r);
	/* A new download after CLRSTATUS is whole. */
	assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_CLRSTATUS, 0, 0, 0, NULL), 0);
	fill(image, sizeof(image), 6);
	struct timed t;
	timed_download(&r, image, sizeof(image), 4096, 5000, &t);
	check_slot(&r, image, 16, 4096, sizeof(image));
}

/* Manifestation waits until the last block is programmed; the tail rides along. */
static void test_staging_manifest_waits(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t image[8192 + 100];
	struct dfu_host_status st = {0};

	rig_start_staged(&r, 16, 4096);
	fill(image, sizeof(image), 7);
	for (uint16_t b = 0; b < 3; b++) {
		uint16_t n = b < 2 ? 4096 : 100;
		assert_int_equal(
			host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, b, 0, n, image + b * 4096u), 0);
		do {
			assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
			fake_now += (uint64_t)st.poll_ms * 1000u;
		} while (st.state == DFU_STATE_DNBUSY);
		assert_int_equal(st.state, DFU_STATE_DNLOAD_IDLE);
	}
	/* The 100-byte block went to the flash behind the second one; 4 bytes are carried. */
	assert_true(r.backend.ready_at > fake_now);
	assert_int_equal(r.backend.carry_len, 4);
	assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, 3, 0, 0, NULL), 0);
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_MANIFEST);
	assert_int_equal(st.poll_ms, ceil_ms(r.backend.ready_at - fake_now));
	fake_now = r.backend.ready_at - 1;
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_MANIFEST);
	assert_int_equal(st.poll_ms, 1);
	fake_now++;
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_IDLE);
	check_slot(&r, image, 16, 4096, sizeof(image));
}

/* manifest() itself programs a block still waiting (the class never leaves one, another caller might). */
static void test_staging_manifest_programs_pending(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t a[4096], b[4096], got[8192 + 10];
	uint32_t ms = 0;

	rig_start_staged(&r, 16, 4096);
	fill(a, sizeof(a), 8);
	fill(b, sizeof(b), 9);
	struct dfu_flash *df = &r.backend;
	assert_int_equal(dfu_flash_ops.dnload_begin(df), 0);
	assert_int_equal(dfu_flash_ops.write(df, 0, a, 4096, 0), 0);
	assert_int_equal(dfu_flash_ops.poll(df, &ms), 0);
	assert_int_equal(dfu_flash_ops.write(df, 4096, b, 4096, 1), 0);
	assert_int_equal(df->pending_len, 4096);
	assert_int_equal(dfu_flash_ops.write(df, 8192, a, 10, 2), -EBUSY); /* not before poll() */
	/* Pending data is read from where it waits, across the boundary too. */
	assert_int_equal(dfu_flash_read_received(df, 4000, got, 200), 0);
	assert_memory_equal(got, a + 4000, 96);
	assert_memory_equal(got + 96, b, 104);
	uint64_t first_done = df->ready_at;
	assert_int_equal(dfu_flash_ops.manifest(df, 8192), 0);
	assert_int_equal(df->pending_len, 0);
	assert_int_equal(r.completions, 1);
	/* Queued behind the first block. */
	assert_int_equal(df->ready_at, first_done + block_cost(16));
	assert_int_equal(dfu_flash_ops.poll(df, &ms), -EINPROGRESS);
	assert_int_equal(ms, ceil_ms(df->ready_at - fake_now));
	fake_now = df->ready_at;
	assert_int_equal(dfu_flash_ops.poll(df, &ms), 0);
	assert_memory_equal(r.mem + SLOT_OFF, a, 4096);
	assert_memory_equal(r.mem + SLOT_OFF + 4096, b, 4096);
}

/* DFU_FLASH_END_OF_IMAGE: the host waits for the last block, so manifestation is over at once. */
static void test_staging_end_of_image(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t image[8192 + 100];
	struct timed t;

	rig_start_staged(&r, 16, 4096);
	fill(image, sizeof(image), 10);
	r.expect = image;
	r.expect_len = sizeof(image);
	r.end_hint = true;
	timed_download(&r, image, sizeof(image), 4096, 5000, &t);
	assert_int_equal(t.manifest_busy,
			 0); /* dfu-util would sleep a whole second in dfuMANIFEST */
	assert_int_equal(t.max_busy,
			 2); /* the last block: until the second one, then until itself */
	check_slot(&r, image, 16, 4096, sizeof(image));

	/* Without the hint the last block is still programming at manifestation. */
	rig_start_staged(&r, 16, 4096);
	r.expect = image;
	timed_download(&r, image, sizeof(image), 4096, 5000, &t);
	assert_int_equal(t.manifest_busy, 1);
	check_slot(&r, image, 16, 4096, sizeof(image));
}

/* dfu_flash_service() starts a waiting block as soon as the flash is free. */
static void test_staging_service(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t block[4096];
	struct dfu_host_status st = {0};

	rig_start_staged(&r, 16, 4096);
	fill(block, sizeof(block), 11);
	assert_int_equal(dfu_flash_service(&r.backend), 0); /* nothing waits */
	assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, 0, 0, 4096, block), 0);
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(dfu_flash_service(&r.backend), 0);
	uint64_t ready = r.backend.ready_at;
	fake_now += 5000;
	assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, 1, 0, 4096, block), 0);
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(dfu_flash_service(&r.backend), ready); /* call again then */
	assert_int_equal(r.backend.pending_len, 4096);
	fake_now = ready + 100; /* the main loop wakes up a little late */
	assert_int_equal(dfu_flash_service(&r.backend), 0);
	assert_int_equal(r.backend.pending_len, 0);
	assert_int_equal(r.backend.ready_at, ready + 100 + block_cost(16));
	/* The host comes back after its bwPollTimeout: the block is already on its way. */
	fake_now = ready + 1000;
	assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
	assert_int_equal(st.state, DFU_STATE_DNLOAD_IDLE);
	assert_int_equal(r.backend.ready_at, ready + 100 + block_cost(16));
	assert_memory_equal(r.mem + SLOT_OFF + 4096, block, 4096);
}

/* A flash failure while programming a waiting block is the next GETSTATUS's error. */
static void test_staging_flash_failure(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t block[4096];
	struct dfu_host_status st = {0};

	for (int by_service = 0; by_service < 2; by_service++) {
		rig_start_staged(&r, 16, 4096);
		fill(block, sizeof(block), 12);
		assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, 0, 0, 4096, block), 0);
		assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
		fake_now += 5000;
		assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, 1, 0, 4096, block), 0);
		assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
		assert_int_equal(st.state, DFU_STATE_DNBUSY);
		/* Power fails now: the waiting block's erase and program fail. */
		flash_sim_cut_at(&r.sim, flash_sim_ops(&r.sim), FLASH_SIM_TEAR_NOTHING);
		fake_now = r.backend.ready_at;
		if (by_service) {
			assert_int_equal(dfu_flash_service(&r.backend), 0);
			assert_int_equal(dfu_flash_service(&r.backend),
					 0); /* reported once, not retried */
		}
		assert_int_equal(dfu_host_getstatus(&r.v, &st), 0);
		assert_int_equal(st.state, DFU_STATE_ERROR);
		assert_true(st.status == DFU_STATUS_ERR_WRITE || st.status == DFU_STATUS_ERR_ERASE);
		assert_int_equal(r.backend.error, 0); /* the abort cleared it */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_and_write_blocks),
		cmocka_unit_test(test_larger_than_slot_refused),
		cmocka_unit_test(test_aborted_download_leaves_no_upgrade_request),
		cmocka_unit_test(test_completion_error_fails_download),
		cmocka_unit_test(test_flash_failure_is_errwrite),
		cmocka_unit_test(test_timing_reported_as_poll_timeout),
		cmocka_unit_test(test_staging_sizes_and_write_blocks),
		cmocka_unit_test(test_set_staging_arguments),
		cmocka_unit_test(test_staging_timed_sizes),
		cmocka_unit_test(test_staging_idle_then_pending),
		cmocka_unit_test(test_staging_abort_drops_pending),
		cmocka_unit_test(test_staging_manifest_waits),
		cmocka_unit_test(test_staging_manifest_programs_pending),
		cmocka_unit_test(test_staging_end_of_image),
		cmocka_unit_test(test_staging_service),
		cmocka_unit_test(test_staging_flash_failure),
	};
	return cmocka_run_group_tests_name("dfu_flash", tests, NULL, NULL);
}
