/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hardware rollback protection (boot_config.security_counter): an image
 * below the stored counter is refused with MCUboot's line, in the secondary
 * (every strategy) and in the primary; an equal one is accepted; the store
 * is raised only when the image is confirmed (no trailer, image_ok, a
 * permanent swap, overwrite-only), never by a test boot that reverts; the
 * OTP store itself (torn records, never lower, full).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dfukit/fih.h>

#include "seccnt_rig.h"

#define BODY 5000u

static const char *const lower_2 = "Image security counter value 1 lower than monotonic value 2";

/* A factory image vN in the primary (no trailer: confirmed), booted once. */
static void factory(struct seccnt_rig *s, uint8_t v)
{
	struct boot_result res;

	assert_int_equal(timg_write(&s->r.pri, v, BODY, v), 0);
	assert_int_equal(rig_boot(&s->r, &res), 0);
	assert_int_equal(res.image.major, v);
	assert_int_equal(seccnt_stored(s), v);
}

static void secondary(struct seccnt_rig *s, uint8_t v, uint32_t seed, bool perm)
{
	assert_int_equal(timg_write(&s->r.sec, v, BODY + 100u, seed), 0);
	assert_int_equal(boot_request_upgrade(&s->r.sec, perm), 0);
}

static int boot_major(struct seccnt_rig *s)
{
	struct boot_result res;
	int rc = rig_boot(&s->r, &res);

	return rc == 0 ? res.image.major : rc;
}

static void test_below_refused_in_secondary(void **state)
{
	static const enum boot_mode modes[] = {BOOT_MODE_SWAP_MOVE, BOOT_MODE_OVERWRITE_ONLY};
	struct seccnt_rig s;
	(void)state;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(seccnt_rig_init(&s, &board_reel_board), 0);
		s.r.cfg.mode = modes[i];
		factory(&s, 2);
		secondary(&s, 1, 7, false);
		assert_int_equal(boot_major(&s), 2);
		assert_true(rig_log_has(&s.r, lower_2));
		assert_true(rig_log_has(&s.r, "Image in the secondary slot is not valid!"));
		assert_int_equal(rig_version(&s.r.sec), 0); /* erased */
		assert_int_equal(seccnt_stored(&s), 2);
		rig_free(&s.r);
	}
}

static void test_below_refused_offset(void **state)
{
	struct seccnt_rig s;
	struct flash_area upd;
	(void)state;

	assert_int_equal(seccnt_rig_init(&s, &board_reel_board), 0);
	s.r.cfg.mode = BOOT_MODE_SWAP_OFFSET;
	factory(&s, 2);
	assert_int_equal(boot_secondary_image_area(&s.r.sec, BOOT_MODE_SWAP_OFFSET, &upd), 0);
	assert_int_equal(timg_write(&upd, 1, BODY, 7), 0);
	assert_int_equal(boot_request_upgrade(&upd, false), 0);
	assert_int_equal(boot_major(&s), 2);
	assert_true(rig_log_has(&s.r, lower_2));
	assert_int_equal(seccnt_stored(&s), 2);
	rig_free(&s.r);
}

static void test_equal_accepted(void **state)
{
	struct seccnt_rig s;
	(void)state;

	assert_int_equal(seccnt_rig_init(&s, &board_reel_board), 0);
	factory(&s, 2);
	secondary(&s, 2, 9, false);
	assert_int_equal(boot_major(&s), 2);
	assert_true(rig_log_has(&s.r, "Starting swap using move algorithm."));
	assert_false(rig_log_has(&s.r, "lower than monotonic value"));
	rig_free(&s.r);
}

static void test_below_refused_in_primary(void **state)
{
	struct seccnt_rig s;
	struct boot_result res;
	(void)state;

	assert_int_equal(seccnt_rig_init(&s, &board_nucleo_u575zi_q), 0);
	assert_int_equal(s.store.raise(s.store.ctx, 2), 0);
	assert_int_equal(timg_write(&s.r.pri, 1, BODY, 1), 0);
	assert_int_equal(rig_boot(&s.r, &res), -ENOENT);
	assert_true(rig_log_has(&s.r, lower_2));
	assert_true(rig_log_has(&s.r, "Unable to find bootable image"));
	assert_int_equal(seccnt_stored(&s), 2);
	rig_free(&s.r);
}

static void test_no_counter_refused(void **state)
{
	struct seccnt_rig s;
	struct boot_result res;
	(void)state;

	assert_int_equal(seccnt_rig_init(&s, &board_reel_board), 0);
	s.no_counter = true;
	assert_int_equal(timg_write(&s.r.pri, 1, BODY, 1), 0);
	assert_int_equal(rig_boot(&s.r, &res), -ENOENT);
	assert_true(rig_log_has(&s.r, "Image has no security counter"));
	/* the same board with the store off boots it */
	s.r.cfg.security_counter = NULL;
	assert_int_equal(rig_boot(&s.r, &res), 0);
	rig_free(&s.r);
}

static void test_raised_on_confirm_only(void **state)
{
	struct seccnt_rig s;
	(void)state;

	assert_int_equal(seccnt_rig_init(&s, &board_reel_board), 0);
	factory(&s, 1);
	secondary(&s, 3, 5, false);
	assert_int_equal(boot_major(&s), 3); /* test boot */
	assert_int_equal(seccnt_stored(&s), 1);
	assert_int_equal(boot_confirm(&s.r.pri), 0);
	assert_int_equal(boot_major(&s), 3);
	assert_int_equal(seccnt_stored(&s), 3);
	rig_free(&s.r);
}

static void test_revert_not_raised(void **state)
{
	struct seccnt_rig s;
	(void)state;

	assert_int_equal(seccnt_rig_init(&s, &board_nucleo_u575zi_q), 0);
	factory(&s, 1);
	secondary(&s, 3, 5, false);
	assert_int_equal(boot_major(&s), 3); /* test boot, never confirmed */
	assert_int_equal(boot_major(&s), 1); /* reverted */
	assert_true(rig_log_has(&s.r, "Swap type: revert"));
	assert_int_equal(seccnt_stored(&s), 1);
	/* so a v2 is still accepted */
	secondary(&s, 2, 6, false);
	assert_int_equal(boot_major(&s), 2);
	rig_free(&s.r);
}

static void test_permanent_and_overwrite_raise(void **state)
{
	struct seccnt_rig s;
	(void)state;

	assert_int_equal(seccnt_rig_init(&s, &board_reel_board), 0);
	factory(&s, 1);
	secondary(&s, 3, 5, true);
	assert_int_equal(boot_major(&s), 3);
	assert_int_equal(seccnt_stored(&s), 3);
	rig_free(&s.r);

	assert_int_equal(seccnt_rig_init(&s, &board_reel_board), 0);
	s.r.cfg.mode = BOOT_MODE_OVERWRITE_ONLY;
	factory(&s, 1);
	secondary(&s, 4, 5, false); /* a test request: overwrite-only never reverts */
	assert_int_equal(boot_major(&s), 4);
	assert_int_equal(seccnt_stored(&s), 4);
	rig_free(&s.r);
}

static void test_otp_store(void **state)
{
	struct seccnt_rig s;
	/* value 9 written, its complement not yet: a record torn by a power cut */
	uint8_t torn[8] = {0x09, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff};
	(void)state;

	assert_int_equal(seccnt_rig_init(&s, &board_reel_board), 0);
	assert_int_equal(seccnt_stored(&s), 0); /* blank */
	assert_int_equal(s.store.raise(s.store.ctx, 5), 0);
	assert_int_equal(s.store.raise(s.store.ctx, 3), 0); /* never lower */
	assert_int_equal(seccnt_stored(&s), 5);
	assert_int_equal(flash_area_write(&s.otp_fa, 8, torn, sizeof(torn)), 0);
	assert_int_equal(seccnt_stored(&s), 5);
	assert_int_equal(s.store.raise(s.store.ctx, 0x01020003u), 0);
	assert_int_equal(seccnt_stored(&s), 0x01020003u);
	/* full: 4096 / 8 records, three used */
	for (uint32_t v = 0; v < 4096u / 8u - 3u; v++) {
		assert_int_equal(s.store.raise(s.store.ctx, 0x01020004u + v), 0);
	}
	assert_int_equal(s.store.raise(s.store.ctx, 0x7fffffffu), -ENOSPC);
	assert_int_equal(seccnt_stored(&s), 0x01020004u + 4096u / 8u - 4u);
	rig_free(&s.r);
}

static void test_refused_verdict(void **state)
{
	struct seccnt_rig s;
	struct boot_result res;
	(void)state;

	assert_int_equal(seccnt_rig_init(&s, &board_reel_board), 0);
	assert_int_equal(s.store.raise(s.store.ctx, 2), 0);
	assert_int_equal(timg_write(&s.r.pri, 1, BODY, 1), 0);
	/* what the bootloader's FIH gate sees for a refused primary */
	assert_int_equal(rig_boot(&s.r, &res), -ENOENT);
	assert_int_not_equal(res.image.verdict, FIH_SUCCESS);
	rig_free(&s.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_below_refused_in_secondary),
		cmocka_unit_test(test_below_refused_offset),
		cmocka_unit_test(test_equal_accepted),
		cmocka_unit_test(test_below_refused_in_primary),
		cmocka_unit_test(test_no_counter_refused),
		cmocka_unit_test(test_raised_on_confirm_only),
		cmocka_unit_test(test_revert_not_raised),
		cmocka_unit_test(test_permanent_and_overwrite_raise),
		cmocka_unit_test(test_otp_store),
		cmocka_unit_test(test_refused_verdict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
