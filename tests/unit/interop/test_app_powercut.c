/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power cuts on the application side, on reel_board's real flash layout:
 * while a DFU download writes SLOT-1 and requests the upgrade, and while the
 * new image confirms itself. After every cut the board must boot a valid
 * image — the old one or the new one, as the cut point allows — and keep the
 * other intact for a revert.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfu_host.h"
#include "dfukit/board_profile.h"
#include "dfukit/dfu_flash.h"
#include "dfukit/sample/device.h"
#include "fixture_boot.h"

struct rig {
	const struct board_profile *bp;
	struct flash_sim sim;
	struct flash_area slot0, slot1;
	struct fixture_keys keys;
	struct dfu_flash backend;
	struct vudc v;
	struct sample_device dev;
	struct dfu_alt alt;
	uint8_t buf[4096];
	uint8_t staging[4096];
	struct dfu_flash_timing timing;
	unsigned pending_seen; /* blocks that had to wait for the flash */
	uint8_t *mem;
	uint8_t *old_img, *new_img;
	size_t old_len, new_len;
};

static int on_complete(void *ctx, uint32_t total)
{
	struct rig *r = ctx;
	struct boot_image_info info;
	(void)total;
	if (fixture_validate(&r->keys, &r->slot1, &info) < 0) {
		return -EBADMSG;
	}
	return boot_request_upgrade(&r->slot1, false);
}

/*
 * Staged downloads: double-buffered, with the chip's flash timing on a clock
 * that runs 5 ms per reading, so that blocks wait for the flash (and the
 * host, which polls without sleeping, still gets on).
 */
static bool staged;
static uint64_t clock_us;

static uint64_t running_clock(void *ctx)
{
	(void)ctx;
	return clock_us += 5000u;
}

static int on_progress(void *ctx, uint32_t received)
{
	struct rig *r = ctx;
	(void)received;
	if (r->backend.pending_len > 0) {
		r->pending_seen++;
	}
	return 0;
}

static void rig_setup(struct rig *r, const struct board_profile *bp)
{
	static const char *const names[] = {"SLOT-1"};
	r->bp = bp;
	r->mem = malloc(bp->flash.size);
	assert_int_equal(flash_sim_init(&r->sim, &bp->flash, r->mem, bp->flash.size, bp->sim_flags),
			 0);
	flash_sim_format(&r->sim);
	assert_int_equal(board_profile_slots(bp, &r->sim.dev, &r->slot0, &r->slot1), 0);
	fixture_keys_load(&r->keys);
	/* Old image: imgtool's ECDSA one, factory-programmed into slot 0. */
	r->old_img = fixture_load("images/ecdsa-p256-z70000.bin", &r->old_len);
	r->new_img = fixture_load("images/rsa-2048-z70000.bin", &r->new_len);
	assert_non_null(r->old_img);
	assert_non_null(r->new_img);
	uint32_t wb = bp->flash.write_block;
	size_t padded = (r->old_len + wb - 1) / wb * wb;
	uint8_t *tmp = calloc(1, padded);
	memset(tmp, 0xff, padded);
	memcpy(tmp, r->old_img, r->old_len);
	assert_int_equal(flash_area_write(&r->slot0, 0, tmp, (uint32_t)padded), 0);
	free(tmp);
	flash_sim_reset_count(&r->sim);

	assert_int_equal(dfu_flash_init(&r->backend, &r->slot1, on_complete, r), 0);
	if (staged) {
		assert_int_equal(dfu_flash_set_staging(&r->backend, r->staging, sizeof(r->staging)),
				 0);
		r->timing = (struct dfu_flash_timing){running_clock, NULL, bp->timing.erase_us,
						      bp->timing.write_us};
		r->backend.timing = &r->timing;
		r->backend.on_progress = on_progress;
	}
	r->alt = (struct dfu_alt){&dfu_flash_ops, &r->backend};
	struct sample_params p = {.transfer_size = 4096,
				  .buffer = r->buf,
				  .manufacturer = "m",
				  .product = "p",
				  .serial = "s",
				  .alt_names = names,
				  .alts = &r->alt,
				  .num_alts = 1};
	assert_int_equal(dfu_host_attach(&r->v, &r->dev, &p), 0);
}

static void rig_free(struct rig *r)
{
	fixture_keys_free(&r->keys);
	free(r->old_img);
	free(r->new_img);
	free(r->mem);
}

static int boot(struct rig *r, struct boot_result *res)
{
	struct boot_config cfg = {.primary = &r->slot0,
				  .secondary = &r->slot1,
				  .validate = fixture_validate,
				  .validate_ctx = &r->keys};
	return boot_go(&cfg, res);
}

static bool slot_holds(const struct flash_area *fa, const uint8_t *img, size_t len)
{
	uint8_t *tmp = malloc(len);
	bool same = flash_area_read(fa, 0, tmp, (uint32_t)len) == 0 && memcmp(tmp, img, len) == 0;
	free(tmp);
	return same;
}

/* Boot until stable after a cut; returns 1 if the new image runs, 0 if the old one. */
static int boot_after_cut(struct rig *r)
{
	struct boot_result res;
	flash_sim_power_on(&r->sim);
	assert_int_equal(boot(r, &res), 0);
	if (slot_holds(&r->slot0, r->new_img, r->new_len)) {
		assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_TEST);
		assert_true(slot_holds(&r->slot1, r->old_img, r->old_len));
		return 1;
	}
	assert_true(slot_holds(&r->slot0, r->old_img, r->old_len));
	return 0;
}

static uint32_t download(struct rig *r, bool expect_ok)
{
	struct dfu_host_status st;
	int rc = dfu_host_download(&r->v, r->new_img, (uint32_t)r->new_len, 4096, &st);
	if (expect_ok) {
		assert_int_equal(rc, 0);
	}
	return flash_sim_ops(&r->sim);
}

static void powercut_download(const struct board_profile *bp)
{
	static struct rig r;
	static const enum flash_sim_tear tears[] = {FLASH_SIM_TEAR_PREFIX, FLASH_SIM_TEAR_NOTHING,
						    FLASH_SIM_TEAR_BITS};
	rig_setup(&r, bp);
	r.pending_seen = 0;
	uint32_t total = download(&r, true);
	if (staged) {
		assert_true(r.pending_seen > 0);
	}
	rig_free(&r);
	unsigned cuts = 0, new_runs = 0;
	for (size_t t = 0; t < 3; t++) {
		for (uint32_t n = 0; n <= total; n++) {
			rig_setup(&r, bp);
			flash_sim_cut_at(&r.sim, n, tears[t]);
			download(&r, false);
			int ran_new = boot_after_cut(&r);
			new_runs += (unsigned)ran_new;
			/* The test image, never confirmed, is reverted at the next reset. */
			struct boot_result res;
			assert_int_equal(boot(&r, &res), 0);
			assert_true(slot_holds(&r.slot0, r.old_img, r.old_len));
			if (ran_new) {
				assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_REVERT);
			}
			rig_free(&r);
			cuts++;
		}
	}
	printf("%s%s: download + upgrade request: %u flash operations, %u power cuts tried "
	       "(3 tear modes), new image ran after %u\n",
	       bp->id, staged ? " (staged)" : "", total, cuts, new_runs);
}

static void powercut_confirm(const struct board_profile *bp)
{
	static struct rig r;
	static const enum flash_sim_tear tears[] = {FLASH_SIM_TEAR_PREFIX, FLASH_SIM_TEAR_NOTHING,
						    FLASH_SIM_TEAR_BITS};
	struct boot_result res;
	unsigned cuts = 0, kept = 0, reverted = 0;
	for (size_t t = 0; t < 3; t++)
		for (uint32_t n = 0;; n++) {
			rig_setup(&r, bp);
			download(&r, true);
			assert_int_equal(boot(&r, &res), 0); /* test swap: the new image runs */
			assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_TEST);
			flash_sim_reset_count(&r.sim);
			flash_sim_cut_at(&r.sim, n, tears[t]);
			int rc = boot_confirm(&r.slot0);
			uint32_t ops = flash_sim_ops(&r.sim);
			flash_sim_power_on(&r.sim);
			assert_int_equal(boot(&r, &res), 0);
			if (slot_holds(&r.slot0, r.new_img, r.new_len)) {
				kept++; /* confirmed: it stays */
				assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
			} else {
				assert_true(slot_holds(&r.slot0, r.old_img, r.old_len));
				assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_REVERT);
				reverted++;
			}
			rig_free(&r);
			cuts++;
			if (rc == 0 && n >= ops) {
				break; /* the cut came after the last operation: the confirm completed */
			}
		}
	printf("%s: confirm: %u power cuts tried (3 tear modes), new image kept after %u, "
	       "reverted after %u\n",
	       bp->id, cuts, kept, reverted);
	assert_true(kept >= 1 && reverted >= 1);
}

static void test_download_reel_board(void **state)
{
	(void)state;
	powercut_download(&board_reel_board);
}

static void test_download_nucleo(void **state)
{
	(void)state;
	powercut_download(&board_nucleo_u575zi_q);
}

static void test_download_staged_both_boards(void **state)
{
	(void)state;
	staged = true;
	powercut_download(&board_reel_board);
	powercut_download(&board_nucleo_u575zi_q);
	staged = false;
}

static void test_confirm_both_boards(void **state)
{
	(void)state;
	powercut_confirm(&board_reel_board);
	powercut_confirm(&board_nucleo_u575zi_q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_download_reel_board),
		cmocka_unit_test(test_download_nucleo),
		cmocka_unit_test(test_download_staged_both_boards),
		cmocka_unit_test(test_confirm_both_boards),
	};
	return cmocka_run_group_tests_name("app_powercut", tests, NULL, NULL);
}
