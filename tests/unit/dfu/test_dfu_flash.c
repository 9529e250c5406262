/* SPDX-License-Identifier: Apache-2.0 */
/* The flash-area backend (SLOT-1) under the DFU class, on simulated NOR flash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfu_host.h"
#include "dfukit/dfu_flash.h"
#include "dfukit/sample_device.h"

#define SECTOR 4096u
#define FLASH_SIZE (16u * SECTOR)
/* The slot: sectors 4..11; its neighbours must never change. */
#define SLOT_OFF (4u * SECTOR)
#define SLOT_SIZE (8u * SECTOR)

struct rig {
	struct flash_geometry geo;
	struct flash_sim sim;
	struct flash_area slot;
	struct dfu_flash backend;
	struct vudc v;
	struct sample_device dev;
	struct dfu_alt alt;
	uint8_t buf[4096];
	uint8_t mem[FLASH_SIZE];
	unsigned completions;
	uint32_t completed_total;
	int complete_rc;
};

static int on_complete(void *ctx, uint32_t total)
{
	struct rig *r = ctx;
	r->completions++;
	r->completed_total = total;
	return r->complete_rc;
}

static void rig_start(struct rig *r, uint32_t write_block, uint16_t xfer)
{
	static const char *const names[] = {"SLOT-1"};
	memset(r, 0, sizeof(*r));
	r->geo = (struct flash_geometry){.size = FLASH_SIZE, .write_block = write_block,
					 .erased_val = 0xff, .sector_size = SECTOR};
	assert_int_equal(flash_sim_init(&r->sim, &r->geo, r->mem, sizeof(r->mem),
					write_block == 16 ? FLASH_SIM_F_WRITE_ONCE : 0), 0);
	/* Neighbours and the slot start with recognisable, non-erased content. */
	memset(r->mem, 0x5a, sizeof(r->mem));
	assert_int_equal(flash_area_init(&r->slot, &r->sim.dev, SLOT_OFF, SLOT_SIZE), 0);
	assert_int_equal(dfu_flash_init(&r->backend, &r->slot, on_complete, r), 0);
	r->alt = (struct dfu_alt){&dfu_flash_ops, &r->backend};
	struct sample_params p = {.transfer_size = xfer, .buffer = r->buf, .manufacturer = "m",
				  .product = "p", .serial = "s", .alt_names = names, .alts = &r->alt,
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

static void download_and_check(uint32_t write_block, uint16_t xfer, uint32_t size)
{
	static struct rig r;
	static uint8_t image[SLOT_SIZE], back[SLOT_SIZE + 4096];
	struct dfu_host_status st;

	rig_start(&r, write_block, xfer);
	fill(image, size, size + write_block);
	assert_int_equal(dfu_host_download(&r.v, image, size, xfer, &st), 0);
	assert_int_equal(r.completions, 1);
	assert_int_equal(r.completed_total, size);
	/* The image, then the erased value up to the end of its last write block. */
	assert_memory_equal(r.mem + SLOT_OFF, image, size);
	uint32_t padded = (size + write_block - 1) / write_block * write_block;
	for (uint32_t i = size; i < padded; i++) {
		assert_int_equal(r.mem[SLOT_OFF + i], 0xff);
	}
	/* The trailer's sector was erased, sectors past the image were not needed. */
	for (uint32_t i = SLOT_SIZE - SECTOR; i < SLOT_SIZE; i++) {
		if (i >= padded) {
			assert_int_equal(r.mem[SLOT_OFF + i], 0xff);
		}
	}
	assert_neighbours_untouched(&r);
	long got = dfu_host_upload(&r.v, back, sizeof(back), xfer);
	assert_int_equal(got, SLOT_SIZE);
	assert_memory_equal(back, image, size);
}

static void test_sizes_and_write_blocks(void **state)
{
	(void)state;
	static const uint32_t sizes[] = {1, 3, 4, 5, 15, 16, 17, 63, 64, 65, 4095, 4096, 4097,
					 10000, 3 * SECTOR + 7, SLOT_SIZE - 1, SLOT_SIZE};
	static const uint16_t xfers[] = {64, 100, 512, 4096};
	for (size_t w = 0; w < 2; w++) {
		for (size_t x = 0; x < sizeof(xfers) / sizeof(xfers[0]); x++) {
			for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
				download_and_check(w ? 16 : 4, xfers[x], sizes[i]);
			}
		}
	}
}

static void test_larger_than_slot_refused(void **state)
{
	(void)state;
	static struct rig r;
	static uint8_t image[SLOT_SIZE + 64];
	struct dfu_host_status st;
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
	struct dfu_host_status st;
	rig_start(&r, 4, 512);
	fill(block, sizeof(block), 2);
	/* A trailer of an earlier image sits at the end of the slot. */
	memset(r.mem + SLOT_OFF + SLOT_SIZE - 48, 0x11, 48);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(host_ctl(&r.v, DFU_REQ_OUT, DFU_DNLOAD, (uint16_t)i, 0, 512, block), 0);
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
	struct dfu_host_status st;
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
	struct dfu_host_status st;
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
	struct dfu_host_status st;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_and_write_blocks),
		cmocka_unit_test(test_larger_than_slot_refused),
		cmocka_unit_test(test_aborted_download_leaves_no_upgrade_request),
		cmocka_unit_test(test_completion_error_fails_download),
		cmocka_unit_test(test_flash_failure_is_errwrite),
		cmocka_unit_test(test_timing_reported_as_poll_timeout),
	};
	return cmocka_run_group_tests_name("dfu_flash", tests, NULL, NULL);
}
