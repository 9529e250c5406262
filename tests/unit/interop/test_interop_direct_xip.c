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

#define SLOT_SIZE INTEROP_SLOT_SIZE

/* slot 0 at 0, slot 1 at 0x60000: the address the slot-1 vector was signed for */
static void rig_init(struct interop_rig *r)
{
	interop_rig_init(r, 4096, 4);
	r->cfg.mode = BOOT_MODE_DIRECT_XIP;
}

/* a whole-slot imgtool image (--pad) */
static void program(struct interop_rig *r, const struct flash_area *fa, const char *rel)
{
	size_t len = 0;

	free(interop_program(r, fa, rel, &len));
	assert_int_equal(len, SLOT_SIZE);
}

static void test_imgtool_rom_fixed_runs_in_place_and_reverts(void **state)
{
	(void)state;
	static struct interop_rig r;
	struct boot_result res;

	rig_init(&r);
	/* v1.2.3+4 --pad --confirm in slot 0; v2.0.0 -F 0x60000 --pad in slot 1 */
	program(&r, &r.primary, "images/ecdsa-p256-z70000-pad-confirm.bin");
	program(&r, &r.secondary, "images/ecdsa-p256-z70000-v2.0.0-xip-slot1-pad.bin");
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_true(interop_has_line(&r, "I: Secondary slot: version=2.0.0+0"));
	assert_true(interop_has_line(&r, "I: Image 0 loaded from the secondary slot"));
	assert_int_equal(res.slot, 1);
	assert_int_equal(res.offset, SLOT_SIZE);
	assert_int_equal(res.image.major, 2);
	/* "booted once": copy_done = 0x01 at MCUboot's offset (image_ok - 8 = 0x5ffe0) */
	assert_int_equal(r.mem[SLOT_SIZE + 0x5ffe0u], 0x01);
	assert_int_equal(r.mem[SLOT_SIZE + 0x5ffe8u], 0xff);
	/* not confirmed: erased at the next boot, the primary runs */
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_true(interop_has_line(&r, "I: Erasing faulty image in the secondary slot."));
	assert_int_equal(res.slot, 0);
	assert_int_equal(res.image.major, 1);
	assert_int_equal(res.image.build, 4);
	assert_int_equal(flash_area_is_erased(&r.secondary, 0, SLOT_SIZE), 1);
	interop_rig_free(&r);
}

static void test_imgtool_rom_fixed_elsewhere_refused(void **state)
{
	(void)state;
	static struct interop_rig r;
	struct boot_result res;

	rig_init(&r);
	program(&r, &r.primary, "images/ecdsa-p256-z70000-pad-confirm.bin");
	program(&r, &r.secondary, "images/ecdsa-p256-z70000-v2.0.0-xip-elsewhere-pad.bin");
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_true(interop_has_line(
		&r, "W: Image in secondary slot at 0x60000 has been built for offset "
		    "0x20000, skipping"));
	assert_int_equal(res.slot, 0);
	assert_int_equal(res.image.major, 1);
	/* refused, not erased */
	assert_int_equal(r.mem[SLOT_SIZE], 0x3d);
	interop_rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imgtool_rom_fixed_runs_in_place_and_reverts),
		cmocka_unit_test(test_imgtool_rom_fixed_elsewhere_refused),
	};
	return cmocka_run_group_tests_name("interop-direct-xip", tests, NULL, NULL);
}
