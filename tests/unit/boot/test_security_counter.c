/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hardware rollback protection (boot_config.security_counter): an image
 * below the stored counter is refused with MCUboot's line, in the secondary
 * (every strategy) and in the primary; an equal one is accepted; the store
 * is raised only when the image is confirmed (no trailer, image_ok, a
 * permanent swap, overwrite-only), never by a test boot that reverts; in
 * direct-xip the same from the slot that runs (an image below the counter
 * is erased and the next version runs; raised for image_ok only, not on a
 * test boot, nor by its revert); the OTP store itself (torn records, never
 * lower, full).
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

/* direct-xip: vN in fa for its own slot, a test (magic) or confirmed (image_ok) */
static void xip_put(const struct flash_area *fa, uint8_t v, bool confirmed)
{
	assert_int_equal(flash_area_erase(fa, 0, fa->size), 0);
	assert_int_equal(timg_write_rom_fixed(fa, v, BODY, v, true, fa->off), 0);
	assert_int_equal(boot_request_upgrade(fa, confirmed), 0);
}

static void xip_init(struct seccnt_rig *s, const struct board_profile *bp)
{
	assert_int_equal(seccnt_rig_init(s, bp), 0);
	s->r.cfg.mode = BOOT_MODE_DIRECT_XIP;
}

/* the slot and version that run */
static void xip_runs(struct seccnt_rig *s, uint32_t slot, int v)
{
	struct boot_result res;

	assert_int_equal(rig_boot(&s->r, &res), 0);
	assert_int_equal(res.slot, slot);
	assert_int_equal(res.image.major, v);
	assert_int_equal(rig_version(slot == 0u ? &s->r.pri : &s->r.sec), v);
}

static void test_xip_below_refused(void **state)
{
	struct seccnt_rig s;
	struct boot_result res;
	(void)state;

	xip_init(&s, &board_reel_board);
	assert_int_equal(s.store.raise(s.store.ctx, 3), 0);
	xip_put(&s.r.pri, 3, true);
	xip_put(&s.r.sec, 4, true); /* newer, but its counter is 2 */
	s.odd_major = 4;
	s.odd_counter = 2;
	xip_runs(&s, 0, 3);
	assert_true(
		rig_log_has(&s.r, "Image security counter value 2 lower than monotonic value 3"));
	assert_true(rig_log_has(&s.r, "Image in the secondary slot is not valid!"));
	assert_true(rig_log_has(&s.r, "Image 0 loaded from the primary slot"));
	assert_int_equal(rig_version(&s.r.sec), 0); /* erased */
	assert_int_equal(seccnt_stored(&s), 3);
	/* the only image below the counter: nothing runs */
	xip_put(&s.r.pri, 2, true);
	assert_int_equal(rig_boot(&s.r, &res), -ENOENT);
	assert_true(
		rig_log_has(&s.r, "Image security counter value 2 lower than monotonic value 3"));
	assert_true(rig_log_has(&s.r, "Unable to find bootable image"));
	assert_int_equal(seccnt_stored(&s), 3);
	rig_free(&s.r);
}

static void test_xip_raised_on_confirm_only(void **state)
{
	struct seccnt_rig s;
	(void)state;

	xip_init(&s, &board_nucleo_u575zi_q);
	xip_put(&s.r.pri, 1, true); /* --confirm: raised at its first boot */
	xip_runs(&s, 0, 1);
	assert_int_equal(seccnt_stored(&s), 1);
	xip_put(&s.r.sec, 3, false);
	xip_runs(&s, 1, 3); /* its test boot */
	assert_int_equal(seccnt_stored(&s), 1);
	assert_int_equal(boot_confirm(&s.r.sec), 0); /* the image confirms itself */
	xip_runs(&s, 1, 3);
	assert_int_equal(seccnt_stored(&s), 3);
	xip_runs(&s, 1, 3);
	assert_int_equal(seccnt_stored(&s), 3);
	rig_free(&s.r);
}

static void test_xip_revert_not_raised(void **state)
{
	struct seccnt_rig s;
	(void)state;

	xip_init(&s, &board_reel_board);
	xip_put(&s.r.pri, 1, true);
	xip_put(&s.r.sec, 3, false);
	xip_runs(&s, 1, 3); /* test boot, never confirmed */
	assert_int_equal(seccnt_stored(&s), 0);
	xip_runs(&s, 0, 1); /* reverted: the secondary is erased */
	assert_true(rig_log_has(&s.r, "Erasing faulty image in the secondary slot."));
	assert_int_equal(seccnt_stored(&s), 1);
	/* so a v2 is still accepted, and a test image in the primary does not raise */
	xip_put(&s.r.sec, 2, true);
	xip_put(&s.r.pri, 4, false);
	xip_runs(&s, 0, 4);
	assert_int_equal(seccnt_stored(&s), 1);
	xip_runs(&s, 1, 2);
	assert_int_equal(seccnt_stored(&s), 2);
	rig_free(&s.r);
}

static void test_xip_raise_failure_fails_boot(void **state)
{
	struct seccnt_rig s;
	struct boot_result res;
	(void)state;

	xip_init(&s, &board_reel_board);
	for (uint32_t v = 1; v <= 4096u / 8u; v++) {
		assert_int_equal(s.store.raise(s.store.ctx, v), 0); /* the store is full */
	}
	xip_put(&s.r.sec, 3, true);
	s.odd_major = 3;
	s.odd_counter = 1000;
	assert_int_equal(rig_boot(&s.r, &res), -ENOSPC);
	assert_true(
		rig_log_has(&s.r, "Security counter update failed after image 0 validation: -28"));
	assert_false(rig_log_has(&s.r, "Jumping to the first image slot"));
	/* a test image does not need the raise: it boots */
	xip_put(&s.r.sec, 3, false);
	xip_runs(&s, 1, 3);
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
		cmocka_unit_test(test_xip_below_refused),
		cmocka_unit_test(test_xip_raised_on_confirm_only),
		cmocka_unit_test(test_xip_revert_not_raised),
		cmocka_unit_test(test_xip_raise_failure_fails_boot),
		cmocka_unit_test(test_otp_store),
		cmocka_unit_test(test_refused_verdict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
