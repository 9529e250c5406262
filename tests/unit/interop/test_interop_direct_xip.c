/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interop with MCUboot's imgtool in direct-xip mode: an image signed by the
 * real imgtool with --rom-fixed for the secondary slot's address and --pad
 * (trailer magic, a test image) runs from the secondary slot in place,
 * marked "booted once" in copy_done at MCUboot's offset, and is erased at
 * the next boot because it never confirmed itself; one signed for another
 * address is refused with MCUboot's line. Fixtures: README.vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_boot.h"

#define SLOT_SIZE 0x60000u /* the vectors were signed with --slot-size 0x60000 */

struct rig {
	struct flash_geometry geo;
	struct flash_sim sim;
	struct flash_area primary, secondary;
	struct fixture_keys keys;
	char log[8][128];
	int nlog;
	uint8_t mem[2 * SLOT_SIZE];
};

static void rig_log(void *ctx, char level, const char *line)
{
	struct rig *r = ctx;

	if (r->nlog < 8) {
		snprintf(r->log[r->nlog++], sizeof(r->log[0]), "%c: %s", level, line);
	}
}

static bool has_line(const struct rig *r, const char *s)
{
	for (int i = 0; i < r->nlog; i++) {
		if (strcmp(r->log[i], s) == 0) {
			return true;
		}
	}
	return false;
}

/* slot 0 at 0, slot 1 at 0x60000: the address the slot-1 vector was signed for */
static void rig_init(struct rig *r)
{
	memset(r, 0, offsetof(struct rig, mem));
	r->geo = (struct flash_geometry){
		.size = sizeof(r->mem), .write_block = 4, .erased_val = 0xff, .sector_size = 4096};
	assert_int_equal(flash_sim_init(&r->sim, &r->geo, r->mem, sizeof(r->mem), 0), 0);
	flash_sim_format(&r->sim);
	assert_int_equal(flash_area_init(&r->primary, &r->sim.dev, 0, SLOT_SIZE), 0);
	assert_int_equal(flash_area_init(&r->secondary, &r->sim.dev, SLOT_SIZE, SLOT_SIZE), 0);
	fixture_keys_load(&r->keys);
}

static void program(const struct flash_area *fa, const char *rel)
{
	size_t len = 0;
	uint8_t *img = fixture_load(rel, &len);

	assert_non_null(img);
	assert_int_equal(len, SLOT_SIZE);
	assert_int_equal(flash_area_write(fa, 0, img, (uint32_t)len), 0);
	free(img);
}

static int boot(struct rig *r, struct boot_result *res)
{
	struct boot_config cfg = {.primary = &r->primary,
				  .secondary = &r->secondary,
				  .validate = fixture_validate,
				  .validate_ctx = &r->keys,
				  .log = rig_log,
				  .log_ctx = r,
				  .mode = BOOT_MODE_DIRECT_XIP};
	r->nlog = 0;
	return boot_go(&cfg, res);
}

static void test_imgtool_rom_fixed_runs_in_place_and_reverts(void **state)
{
	(void)state;
	static struct rig r;
	struct boot_result res;

	rig_init(&r);
	/* v1.2.3+4 --pad --confirm in slot 0; v2.0.0 -F 0x60000 --pad in slot 1 */
	program(&r.primary, "images/ecdsa-p256-z70000-pad-confirm.bin");
	program(&r.secondary, "images/ecdsa-p256-z70000-v2.0.0-xip-slot1-pad.bin");
	assert_int_equal(boot(&r, &res), 0);
	assert_true(has_line(&r, "I: Secondary slot: version=2.0.0+0"));
	assert_true(has_line(&r, "I: Image 0 loaded from the secondary slot"));
	assert_int_equal(res.slot, 1);
	assert_int_equal(res.offset, SLOT_SIZE);
	assert_int_equal(res.image.major, 2);
	/* "booted once": copy_done = 0x01 at MCUboot's offset (image_ok - 8 = 0x5ffe0) */
	assert_int_equal(r.mem[SLOT_SIZE + 0x5ffe0u], 0x01);
	assert_int_equal(r.mem[SLOT_SIZE + 0x5ffe8u], 0xff);
	/* not confirmed: erased at the next boot, the primary runs */
	assert_int_equal(boot(&r, &res), 0);
	assert_true(has_line(&r, "I: Erasing faulty image in the secondary slot."));
	assert_int_equal(res.slot, 0);
	assert_int_equal(res.image.major, 1);
	assert_int_equal(res.image.build, 4);
	assert_int_equal(flash_area_is_erased(&r.secondary, 0, SLOT_SIZE), 1);
	fixture_keys_free(&r.keys);
}

static void test_imgtool_rom_fixed_elsewhere_refused(void **state)
{
	(void)state;
	static struct rig r;
	struct boot_result res;

	rig_init(&r);
	program(&r.primary, "images/ecdsa-p256-z70000-pad-confirm.bin");
	program(&r.secondary, "images/ecdsa-p256-z70000-v2.0.0-xip-elsewhere-pad.bin");
	assert_int_equal(boot(&r, &res), 0);
	assert_true(has_line(&r, "W: Image in secondary slot at 0x60000 has been built for offset "
				 "0x20000, skipping"));
	assert_int_equal(res.slot, 0);
	assert_int_equal(res.image.major, 1);
	/* refused, not erased */
	assert_int_equal(r.mem[SLOT_SIZE], 0x3d);
	fixture_keys_free(&r.keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imgtool_rom_fixed_runs_in_place_and_reverts),
		cmocka_unit_test(test_imgtool_rom_fixed_elsewhere_refused),
	};
	return cmocka_run_group_tests_name("interop-direct-xip", tests, NULL, NULL);
}
