/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interop with MCUboot's imgtool: images made by the real imgtool (fixtures)
 * go through dfukit's bootloader core exactly as a download would leave them
 * in the secondary slot: --pad images request a test swap, --pad --confirm
 * ones a permanent swap, on 4- and 16-byte write-block flash.
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

static void upgrade_with(const char *secondary_image, uint32_t sector, uint32_t wb, int want_swap)
{
	static struct interop_rig r;
	struct boot_result res;
	size_t old_len, new_len;
	interop_rig_init(&r, sector, wb);
	/* The running image: imgtool's unpadded ECDSA image. */
	uint8_t *old = interop_program(&r, &r.primary, "images/ecdsa-p256-z70000.bin", &old_len);
	uint8_t *new = interop_program(&r, &r.secondary, secondary_image, &new_len);

	assert_int_equal(interop_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, want_swap);
	assert_int_equal(res.image.major, 1); /* the vectors are version 1.2.3+4 */
	assert_int_equal(res.image.build, 4);
	/* The new image now runs from the primary slot: its signed part moved whole. */
	assert_memory_equal(r.mem, new, res.image.total_size);
	/* The old one waits in the secondary slot for a revert. */
	assert_memory_equal(r.mem + SLOT_SIZE, old, old_len);

	/* Next reset: a test image that did not confirm itself is reverted. */
	assert_int_equal(interop_boot(&r, &res), 0);
	if (want_swap == BOOT_SWAP_TYPE_TEST) {
		assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_REVERT);
		assert_memory_equal(r.mem, old, old_len);
	} else {
		assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
		assert_memory_equal(r.mem, new, res.image.total_size);
	}
	free(old);
	free(new);
	interop_rig_free(&r);
}

static void test_imgtool_pad_is_a_test_swap(void **state)
{
	(void)state;
	upgrade_with("images/ecdsa-p256-z70000-pad.bin", 4096, 4, BOOT_SWAP_TYPE_TEST);
}

static void test_imgtool_confirm_is_permanent_ecdsa(void **state)
{
	(void)state;
	upgrade_with("images/ecdsa-p256-z70000-pad-confirm.bin", 4096, 4, BOOT_SWAP_TYPE_PERM);
}

static void test_imgtool_confirm_is_permanent_rsa(void **state)
{
	(void)state;
	upgrade_with("images/rsa-2048-z70000-pad-confirm.bin", 4096, 4, BOOT_SWAP_TYPE_PERM);
}

static void test_imgtool_align16_on_stm32u5_flash(void **state)
{
	(void)state;
	/* 8 KiB pages and 16-byte (quad-word, write-once) programming, as on the U575. */
	upgrade_with("images/ecdsa-p256-z70000-align16-pad-confirm.bin", 8192, 16,
		     BOOT_SWAP_TYPE_PERM);
}

static void test_imgtool_tampered_is_erased_not_booted(void **state)
{
	(void)state;
	static struct interop_rig r;
	struct boot_result res;
	size_t old_len, bad_len;
	interop_rig_init(&r, 4096, 4);
	uint8_t *old = interop_program(&r, &r.primary, "images/ecdsa-p256-z70000.bin", &old_len);
	uint8_t *bad = interop_program(&r, &r.secondary, "images/ecdsa-p256-z70000-tampered.bin",
				       &bad_len);
	/* Request an upgrade for it, as the app would after a download. */
	assert_int_equal(boot_request_upgrade(&r.secondary, true), 0);
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_memory_equal(r.mem, old, old_len);
	assert_int_equal(flash_area_is_erased(&r.secondary, 0, 32), 1);
	free(old);
	free(bad);
	interop_rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imgtool_pad_is_a_test_swap),
		cmocka_unit_test(test_imgtool_confirm_is_permanent_ecdsa),
		cmocka_unit_test(test_imgtool_confirm_is_permanent_rsa),
		cmocka_unit_test(test_imgtool_align16_on_stm32u5_flash),
		cmocka_unit_test(test_imgtool_tampered_is_erased_not_booted),
	};
	return cmocka_run_group_tests_name("interop", tests, NULL, NULL);
}
