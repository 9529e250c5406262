/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Overwrite-only (BOOT_MODE_OVERWRITE_ONLY) boot flows: MCUboot's log lines,
 * no revert, what is erased when, the size limit, downgrade prevention, and
 * the mode names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rig.h"

#define OLD_BODY 5000u /* v1 */
#define NEW_BODY 9000u /* v2 */

static void ow_init(struct rig *r, const struct board_profile *bp, bool dp)
{
	assert_int_equal(rig_init(r, bp), 0);
	r->cfg.mode = BOOT_MODE_OVERWRITE_ONLY;
	r->cfg.downgrade_prevention = dp;
}

/* boot and return the number of flash operations it took */
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

static bool sector_erased(const struct flash_area *fa, uint32_t off)
{
	struct flash_sector s;

	assert_int_equal(flash_area_sector_at(fa, off, &s), 0);
	return flash_area_is_erased(fa, s.off, s.size) == 1;
}

static void test_upgrade_log_lines(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;
	char copy[96];
	const char *const want[] = {
		"I: Starting bootloader",
		"I: Image index: 0, Swap type: test",
		"I: Image 0 upgrade secondary slot -> primary slot",
		"I: Erasing the primary slot",
		copy,
		"I: Bootloader chainload address offset: 0xc000",
		"I: Image version: v2.0.0",
		"I: Jumping to the first image slot",
	};

	snprintf(copy, sizeof(copy),
		 "I: Image 0 copying the secondary slot to the primary slot: 0x%x bytes",
		 (timg_total(NEW_BODY) + 3u) & ~3u);
	ow_init(&r, &board_reel_board, false);
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&r.sec, 2, NEW_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	expect_log(&r, want, 8);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_TEST);
	assert_int_equal(res.image.major, 2);
	/* the request is gone: the secondary's header and trailer sectors are erased */
	assert_true(sector_erased(&r.sec, 0));
	assert_true(sector_erased(&r.sec, r.sec.size - 1u));
	/* the primary carries the magic, so the image can confirm itself */
	struct boot_swap_state st;
	assert_int_equal(boot_read_swap_state(&r.pri, &st), 0);
	assert_int_equal(st.magic, BOOT_MAGIC_GOOD);
	assert_int_equal(st.image_ok, BOOT_FLAG_UNSET);

	/* no revert: the unconfirmed image keeps running, and nothing is written */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(boot_ops(&r, &res), 0);
		assert_true(rig_log_has(&r, "I: Image index: 0, Swap type: none"));
		assert_int_equal(res.image.major, 2);
	}
	assert_int_equal(boot_confirm(&r.pri), 0);
	assert_true(boot_is_confirmed(&r.pri));
	assert_int_equal(boot_ops(&r, &res), 0);
	assert_int_equal(res.image.major, 2);
	rig_free(&r);
}

static void perm_on(const struct board_profile *bp)
{
	struct rig r;
	struct boot_result res;

	ow_init(&r, bp, true);
	assert_int_equal(timg_write(&r.pri, 1, NEW_BODY, 1), 0);
	/* a smaller image over a larger one: the old tail stays, harmless */
	assert_int_equal(timg_write(&r.sec, 2, OLD_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, true), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(&r, "I: Image index: 0, Swap type: perm"));
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_PERM);
	assert_int_equal(rig_version(&r.pri), 2);
	assert_int_equal(rig_version(&r.sec), 0);
	assert_int_equal(boot_ops(&r, &res), 0);
	assert_int_equal(res.image.major, 2);
	rig_free(&r);
}

static void test_perm_both_boards(void **state)
{
	(void)state;
	perm_on(&board_reel_board);
	perm_on(&board_nucleo_u575zi_q);
}

static void test_bad_secondary(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;
	uint8_t z[4] = {0, 0, 0, 0};

	ow_init(&r, &board_reel_board, false);
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&r.sec, 2, NEW_BODY, 2), 0);
	assert_int_equal(flash_area_write(&r.sec, 0x100, z, 4), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(&r, "E: Image in the secondary slot is not valid!"));
	assert_false(rig_log_has(&r, "Erasing the primary slot"));
	assert_int_equal(res.image.major, 1);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_int_equal(flash_area_is_erased(&r.sec, 0, r.sec.size), 1);

	/* a request without an image: the trailer sector alone is erased */
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(boot_ops(&r, &res), 1);
	assert_false(rig_log_has(&r, "not valid"));
	assert_int_equal(flash_area_is_erased(&r.sec, 0, r.sec.size), 1);
	assert_int_equal(res.image.major, 1);
	rig_free(&r);
}

static void test_size_limit(void **state)
{
	(void)state;
	/* largest image: up to the trailer's swap_info field (S - 40 with M = 8) */
	struct rig r;
	struct boot_result res;
	const uint32_t max = 0x76000u - 40u;

	ow_init(&r, &board_reel_board, false);
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	/* one write block more covers swap_info: a request written as imgtool --pad does */
	assert_int_equal(timg_write(&r.sec, 3, max + 4u - timg_total(0), 3), 0);
	assert_int_equal(boot_write_magic(&r.sec), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(&r, "E: Image of 483292 bytes, at most 483288 fit below the "
				    "trailer"));
	assert_true(rig_log_has(&r, "E: Image in the secondary slot is not valid!"));
	assert_int_equal(res.image.major, 1);

	assert_int_equal(timg_write(&r.sec, 2, max - timg_total(0), 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, true), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(res.image.major, 2);
	assert_int_equal(res.image.total_size, max);
	/* and it still fits with the primary's magic after it */
	assert_int_equal(boot_ops(&r, &res), 0);
	assert_int_equal(res.image.major, 2);
	rig_free(&r);
}

static void test_downgrade_prevention(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;

	ow_init(&r, &board_reel_board, true);
	assert_int_equal(timg_write(&r.pri, 2, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&r.sec, 1, NEW_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, true), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(&r, "E: Insufficient version in secondary slot"));
	assert_false(rig_log_has(&r, "Erasing the primary slot"));
	assert_int_equal(res.image.major, 2);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_int_equal(flash_area_is_erased(&r.sec, 0, r.sec.size), 1);

	/* the same version is accepted (MCUboot refuses only a lower one) */
	assert_int_equal(timg_write(&r.sec, 2, NEW_BODY, 3), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(&r, "Image 0 upgrade secondary slot -> primary slot"));
	assert_int_equal(res.image.major, 2);
	assert_int_equal(res.image.total_size, timg_total(NEW_BODY));

	/* an invalid primary sets no floor */
	uint8_t z[4] = {0, 0, 0, 0};
	assert_int_equal(flash_area_write(&r.pri, 0x100, z, 4), 0);
	assert_int_equal(timg_write(&r.sec, 1, OLD_BODY, 4), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(res.image.major, 1);

	/* without downgrade prevention an older image is copied */
	r.cfg.downgrade_prevention = false;
	assert_int_equal(timg_write(&r.pri, 3, OLD_BODY, 5), 0);
	assert_int_equal(timg_write(&r.sec, 1, OLD_BODY, 6), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(res.image.major, 1);
	rig_free(&r);
}

static void test_no_revert_of_swap_state(void **state)
{
	(void)state;
	/* a primary trailer that swap-using-move would revert: overwrite-only does not */
	struct rig r;
	struct boot_result res;

	ow_init(&r, &board_reel_board, false);
	assert_int_equal(timg_write(&r.pri, 2, NEW_BODY, 2), 0);
	assert_int_equal(timg_write(&r.sec, 1, OLD_BODY, 1), 0);
	assert_int_equal(boot_write_magic(&r.pri), 0);
	assert_int_equal(boot_write_copy_done(&r.pri), 0);
	assert_int_equal(boot_ops(&r, &res), 0);
	assert_true(rig_log_has(&r, "I: Image index: 0, Swap type: none"));
	assert_int_equal(res.image.major, 2);
	assert_int_equal(rig_version(&r.sec), 1);
	rig_free(&r);
}

static void test_config_checks(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;
	enum boot_mode m = BOOT_MODE_SWAP_MOVE;

	assert_int_equal(rig_init(&r, &board_reel_board), 0);
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	/* downgrade prevention is an overwrite-only option */
	r.cfg.downgrade_prevention = true;
	assert_int_equal(rig_boot(&r, &res), -EINVAL);
	r.cfg.downgrade_prevention = false;
	r.cfg.mode = (enum boot_mode)7;
	assert_int_equal(rig_boot(&r, &res), -EINVAL);
	rig_free(&r);

	assert_int_equal(boot_mode_parse("overwrite-only", &m), 0);
	assert_int_equal(m, BOOT_MODE_OVERWRITE_ONLY);
	assert_int_equal(boot_mode_parse("move", &m), 0);
	assert_int_equal(m, BOOT_MODE_SWAP_MOVE);
	/* MCUboot's swap-using-scratch is not offered */
	assert_int_equal(boot_mode_parse("scratch", &m), -EINVAL);
	assert_string_equal(boot_mode_name(BOOT_MODE_OVERWRITE_ONLY), "overwrite-only");
	assert_null(boot_mode_name((enum boot_mode)7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upgrade_log_lines),
		cmocka_unit_test(test_perm_both_boards),
		cmocka_unit_test(test_bad_secondary),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_downgrade_prevention),
		cmocka_unit_test(test_no_revert_of_swap_state),
		cmocka_unit_test(test_config_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
