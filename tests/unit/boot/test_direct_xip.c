/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Direct-xip with revert (BOOT_MODE_DIRECT_XIP) boot flows: MCUboot's log
 * lines, the highest valid version wins, an invalid one is erased and
 * skipped, an unconfirmed image runs once and is erased at the next boot, a
 * confirmed one stays, a ROM_FIXED image built for the other slot is
 * refused, an image without trailer magic is erased, and the mode's name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rig.h"

#define BODY 5000u

static void xip_init(struct rig *r, const struct board_profile *bp)
{
	assert_int_equal(rig_init(r, bp), 0);
	r->cfg.mode = BOOT_MODE_DIRECT_XIP;
}

/* an image in fa with its trailer: a test (magic) or confirmed (magic + image_ok) */
static void put_image(const struct flash_area *fa, uint8_t major, bool confirmed)
{
	assert_int_equal(flash_area_erase(fa, 0, fa->size), 0);
	assert_int_equal(timg_write_rom_fixed(fa, major, BODY, major, true, fa->off), 0);
	assert_int_equal(boot_request_upgrade(fa, confirmed), 0);
}

static uint32_t boot_ops(struct rig *r, struct boot_result *res)
{
	flash_sim_reset_count(&r->sim);
	assert_int_equal(rig_boot(r, res), 0);
	return flash_sim_ops(&r->sim);
}

static void expect_log(const struct rig *r, const char *const *lines, int n)
{
	for (int i = 0; i < r->nlog; i++) {
		printf("    got: %s\n", r->log[i]);
	}
	assert_int_equal(r->nlog, n);
	for (int i = 0; i < n; i++) {
		assert_string_equal(r->log[i], lines[i]);
	}
}

static void expect_runs(const struct rig *r, const struct boot_result *res, uint32_t slot,
			int major)
{
	const struct flash_area *fa = slot == 0u ? &r->pri : &r->sec;

	assert_int_equal(res->slot, slot);
	assert_int_equal(res->offset, fa->off);
	assert_int_equal(res->image.major, major);
	assert_int_equal(rig_version(fa), major);
}

static void test_higher_version_wins(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;
	struct boot_swap_state st;
	char chain[64];
	const char *const want[] = {
		"I: Starting bootloader",
		"I: Primary   slot: version=1.0.0+0",
		"I: Secondary slot: version=2.0.0+0",
		"I: Image 0 loaded from the secondary slot",
		chain,
		"I: Image version: v2.0.0",
		"I: Jumping to the first image slot",
	};

	xip_init(&r, &board_reel_board);
	snprintf(chain, sizeof(chain), "I: Bootloader chainload address offset: 0x%x",
		 (unsigned)r.sec.off);
	put_image(&r.pri, 1, true);
	put_image(&r.sec, 2, false);
	/* one operation: copy_done, "booted once", in the secondary's trailer */
	assert_int_equal(boot_ops(&r, &res), 1);
	expect_log(&r, want, 7);
	expect_runs(&r, &res, 1, 2);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_int_equal(boot_read_swap_state(&r.sec, &st), 0);
	assert_int_equal(st.copy_done, BOOT_FLAG_SET);
	/* nothing was copied: the primary is untouched */
	assert_int_equal(rig_version(&r.pri), 1);
	rig_free(&r);
}

static void test_unconfirmed_reverted(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;

	xip_init(&r, &board_nucleo_u575zi_q);
	put_image(&r.pri, 1, true);
	put_image(&r.sec, 2, false);
	boot_ops(&r, &res);
	expect_runs(&r, &res, 1, 2);
	/* not confirmed: the next boot erases it and runs the primary */
	boot_ops(&r, &res);
	assert_true(rig_log_has(&r, "I: Erasing faulty image in the secondary slot."));
	assert_true(rig_log_has(&r, "I: Image 0 loaded from the primary slot"));
	expect_runs(&r, &res, 0, 1);
	assert_int_equal(flash_area_is_erased(&r.sec, 0, r.sec.size), 1);
	/* and that is stable: no flash operation any more */
	assert_int_equal(boot_ops(&r, &res), 0);
	expect_runs(&r, &res, 0, 1);
	assert_true(rig_log_has(&r, "I: Image 0 secondary slot: image not found"));
	rig_free(&r);
}

static void test_confirmed_stays(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;

	xip_init(&r, &board_reel_board);
	put_image(&r.pri, 1, true);
	put_image(&r.sec, 2, false);
	boot_ops(&r, &res);
	expect_runs(&r, &res, 1, 2);
	/* the image confirms itself, in its own slot */
	assert_int_equal(boot_confirm(&r.sec), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(boot_ops(&r, &res), 0);
		expect_runs(&r, &res, 1, 2);
	}
	/* the next update goes to the primary, and reverts to the secondary */
	put_image(&r.pri, 3, false);
	boot_ops(&r, &res);
	expect_runs(&r, &res, 0, 3);
	boot_ops(&r, &res);
	assert_true(rig_log_has(&r, "I: Erasing faulty image in the primary slot."));
	expect_runs(&r, &res, 1, 2);
	rig_free(&r);
}

static void test_invalid_higher_skipped(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;
	struct flash_sector fs;

	xip_init(&r, &board_reel_board);
	put_image(&r.pri, 1, true);
	put_image(&r.sec, 2, false);
	/* the sector with the secondary's TLVs erased: it no longer validates */
	assert_int_equal(flash_area_sector_at(&r.sec, timg_total(BODY) - 1u, &fs), 0);
	assert_int_equal(flash_area_erase(&r.sec, fs.off, fs.size), 0);
	assert_int_equal(rig_version(&r.sec), -1);
	boot_ops(&r, &res);
	assert_true(rig_log_has(&r, "E: Image in the secondary slot is not valid!"));
	expect_runs(&r, &res, 0, 1);
	assert_int_equal(flash_area_is_erased(&r.sec, 0, r.sec.size), 1);
	rig_free(&r);
}

static void test_rom_fixed_mismatch_refused(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;
	char line[128];

	xip_init(&r, &board_reel_board);
	put_image(&r.pri, 1, true);
	/* v2 built for the primary's address, written to the secondary */
	assert_int_equal(timg_write_rom_fixed(&r.sec, 2, BODY, 2, true, r.pri.off), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	boot_ops(&r, &res);
	snprintf(line, sizeof(line),
		 "W: Image in secondary slot at 0x%x has been built for offset 0x%x, skipping",
		 (unsigned)r.sec.off, (unsigned)r.pri.off);
	assert_true(rig_log_has(&r, line));
	expect_runs(&r, &res, 0, 1);
	/* refused, not erased (MCUboot leaves it), and not marked as tried */
	assert_int_equal(rig_version(&r.sec), 2);
	/* an image without ROM_FIXED may run from either slot */
	assert_int_equal(timg_write(&r.sec, 2, BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	boot_ops(&r, &res);
	expect_runs(&r, &res, 1, 2);
	rig_free(&r);
}

static void test_no_magic_erased_and_ties(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;

	xip_init(&r, &board_reel_board);
	/* equal versions: the primary */
	put_image(&r.pri, 1, true);
	put_image(&r.sec, 1, true);
	boot_ops(&r, &res);
	expect_runs(&r, &res, 0, 1);
	/* a higher version with no trailer (no imgtool --pad/--confirm): erased */
	assert_int_equal(flash_area_erase(&r.sec, 0, r.sec.size), 0);
	assert_int_equal(timg_write_rom_fixed(&r.sec, 4, BODY, 4, true, r.sec.off), 0);
	boot_ops(&r, &res);
	assert_true(rig_log_has(&r, "I: Erasing faulty image in the secondary slot."));
	expect_runs(&r, &res, 0, 1);
	/* nothing bootable at all */
	assert_int_equal(flash_area_erase(&r.pri, 0, r.pri.size), 0);
	r.nlog = 0;
	assert_int_equal(boot_go(&r.cfg, &res), -ENOENT);
	assert_true(rig_log_has(&r, "I: No slot to load for image 0"));
	rig_free(&r);
}

/* a torn "booted once" mark (copy_done neither set nor unset) */
static void tear_copy_done(const struct flash_area *fa)
{
	struct boot_trailer_layout lay;
	uint8_t v[16];

	assert_int_equal(boot_trailer_layout_for(&lay, fa, 0), 0);
	memset(v, 0xff, sizeof(v));
	v[0] = 0x55;
	assert_int_equal(flash_area_write(fa, lay.copy_done_off, v, lay.write_sz), 0);
}

static void test_torn_mark(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;

	xip_init(&r, &board_nucleo_u575zi_q);
	/* the only image: booted (MCUboot's rule), the rewrite refused by ECC flash */
	put_image(&r.sec, 2, false);
	tear_copy_done(&r.sec);
	boot_ops(&r, &res);
	expect_runs(&r, &res, 1, 2);
	assert_true(rig_log_has(&r, "W: Failed to set copy_done flag of the image in the "
				    "secondary slot."));
	/* another image that runs: the torn one counts as tried and is erased */
	put_image(&r.pri, 1, true);
	boot_ops(&r, &res);
	assert_true(rig_log_has(&r, "I: Erasing faulty image in the secondary slot."));
	expect_runs(&r, &res, 0, 1);
	rig_free(&r);
}

static void test_mode_name(void **state)
{
	(void)state;
	enum boot_mode m = BOOT_MODE_SWAP_MOVE;

	assert_int_equal(boot_mode_parse("direct-xip", &m), 0);
	assert_int_equal(m, BOOT_MODE_DIRECT_XIP);
	assert_string_equal(boot_mode_name(BOOT_MODE_DIRECT_XIP), "direct-xip");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_higher_version_wins),
		cmocka_unit_test(test_unconfirmed_reverted),
		cmocka_unit_test(test_confirmed_stays),
		cmocka_unit_test(test_invalid_higher_skipped),
		cmocka_unit_test(test_rom_fixed_mismatch_refused),
		cmocka_unit_test(test_no_magic_erased_and_ties),
		cmocka_unit_test(test_torn_mark),
		cmocka_unit_test(test_mode_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
