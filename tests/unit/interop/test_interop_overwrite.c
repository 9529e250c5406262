/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interop with MCUboot's imgtool in overwrite-only mode: images signed by the
 * real imgtool with --overwrite-only --pad (its trailer is the magic alone,
 * and --confirm writes no image_ok) are copied over the primary by dfukit's
 * boot core, as MCUboot's overwrite-only would; with downgrade prevention an
 * older imgtool image is erased instead. Fixtures: README.vectors.
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

static void rig_init(struct interop_rig *r, uint32_t sector, uint32_t write_block)
{
	interop_rig_init(r, sector, write_block);
	r->cfg.mode = BOOT_MODE_OVERWRITE_ONLY;
}

static int boot(struct interop_rig *r, bool dp, struct boot_result *res)
{
	r->cfg.downgrade_prevention = dp;
	return interop_boot(r, res);
}

/* primary: imgtool's unpadded 1.2.3+4 image; secondary: `image`; expect a copy */
static void copied(const char *image, uint32_t sector, uint32_t wb)
{
	static struct interop_rig r;
	struct boot_result res;
	size_t old_len, new_len;

	rig_init(&r, sector, wb);
	uint8_t *old = interop_program(&r, &r.primary, "images/ecdsa-p256-z70000.bin", &old_len);
	uint8_t *new = interop_program(&r, &r.secondary, image, &new_len);
	assert_int_equal(new_len, SLOT_SIZE);
	/* same version: downgrade prevention lets it through */
	assert_int_equal(boot(&r, true, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_TEST);
	assert_int_equal(res.image.major, 1);
	assert_int_equal(res.image.build, 4);
	/* the signed part was copied whole; the primary ends in imgtool's magic */
	assert_memory_equal(r.mem, new, res.image.total_size);
	assert_memory_equal(r.mem + SLOT_SIZE - 16, new + SLOT_SIZE - 16, 16);
	/* the request is gone and the image is not reverted */
	assert_int_equal(flash_area_is_erased(&r.secondary, 0, sector), 1);
	assert_int_equal(flash_area_is_erased(&r.secondary, SLOT_SIZE - sector, sector), 1);
	assert_int_equal(boot(&r, true, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_memory_equal(r.mem, new, res.image.total_size);
	free(old);
	free(new);
	interop_rig_free(&r);
}

static void test_imgtool_overwrite_only_pad(void **state)
{
	(void)state;
	copied("images/ecdsa-p256-z70000-overwrite-pad.bin", 4096, 4);
}

static void test_imgtool_overwrite_only_align16(void **state)
{
	(void)state;
	/* 8 KiB pages, 16-byte write-once programming (STM32U5); --confirm is a no-op */
	copied("images/ecdsa-p256-z70000-align16-overwrite-pad-confirm.bin", 8192, 16);
}

static void test_imgtool_older_refused(void **state)
{
	(void)state;
	static struct interop_rig r;
	struct boot_result res;
	size_t old_len, new_len;

	rig_init(&r, 4096, 4);
	uint8_t *cur = interop_program(&r, &r.primary, "images/ecdsa-p256-z70000.bin", &old_len);
	uint8_t *older = interop_program(
		&r, &r.secondary, "images/ecdsa-p256-z70000-v1.0.0-overwrite-pad.bin", &new_len);
	assert_int_equal(boot(&r, true, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_int_equal(res.image.minor, 2);
	assert_memory_equal(r.mem, cur, old_len);
	assert_int_equal(flash_area_is_erased(&r.secondary, 0, SLOT_SIZE), 1);

	/* without downgrade prevention the older image is copied */
	free(older);
	older = interop_program(&r, &r.secondary,
				"images/ecdsa-p256-z70000-v1.0.0-overwrite-pad.bin", &new_len);
	assert_int_equal(boot(&r, false, &res), 0);
	assert_int_equal(res.image.minor, 0);
	assert_memory_equal(r.mem, older, res.image.total_size);
	free(cur);
	free(older);
	interop_rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imgtool_overwrite_only_pad),
		cmocka_unit_test(test_imgtool_overwrite_only_align16),
		cmocka_unit_test(test_imgtool_older_refused),
	};
	return cmocka_run_group_tests_name("interop-overwrite", tests, NULL, NULL);
}
