/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interop with MCUboot's imgtool in swap-using-offset mode: images signed
 * by the real imgtool for the secondary slot less its first sector
 * (--slot-size = slot - sector, --pad for a test request, --pad --confirm
 * for a permanent one) are programmed from sector 1 of the secondary, as
 * MCUboot's offset mode wants them, and swapped in by dfukit's boot core
 * with the real signature check; the primary trailer's unprotected TLV
 * sizes are those of the two imgtool images (read from the files here), and
 * the test image reverts. Fixtures: README.vectors.
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

/* the fixture in offset mode; `update` is the secondary from its sector 1 */
static struct flash_area update;

static void rig_init(struct interop_rig *r, uint32_t sector, uint32_t write_block)
{
	interop_rig_init(r, sector, write_block);
	r->cfg.mode = BOOT_MODE_SWAP_OFFSET;
	assert_int_equal(boot_secondary_image_area(&r->secondary, BOOT_MODE_SWAP_OFFSET, &update),
			 0);
	assert_int_equal(update.off, SLOT_SIZE + sector);
}

static uint32_t le(const uint8_t *p, int n)
{
	uint32_t v = 0;
	for (int i = n - 1; i >= 0; i--) {
		v = v << 8 | p[i];
	}
	return v;
}

/* the unprotected TLV area's length in an image file (its info's total) */
static uint32_t unprot_tlv_size(const uint8_t *img)
{
	uint32_t off = le(img + 8, 2) + le(img + 12, 4) + le(img + 10, 2);
	assert_int_equal(le(img + off, 2), 0x6907);
	return le(img + off + 2, 2);
}

/* primary: imgtool's 1.2.3+4 image; from sector 1 of the secondary: `image` (v2.0.0) */
static void swapped(const char *image, uint32_t sector, uint32_t wb, bool perm)
{
	static struct interop_rig r;
	struct boot_result res;
	size_t old_len, new_len;

	rig_init(&r, sector, wb);
	uint8_t *old = interop_program(&r, &r.primary, "images/ecdsa-p256-z70000.bin", &old_len);
	uint8_t *new = interop_program(&r, &update, image, &new_len);
	assert_int_equal(new_len, SLOT_SIZE - sector);
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, perm ? BOOT_SWAP_TYPE_PERM : BOOT_SWAP_TYPE_TEST);
	assert_int_equal(res.image.major, 2);
	assert_memory_equal(r.mem, new, res.image.total_size);
	/* the old image from sector 0 of the secondary */
	assert_memory_equal(r.mem + SLOT_SIZE, old, old_len);

	/* MCUboot's offset trailer: unprotected TLV sizes at swap_info - M */
	uint32_t m = wb > 8 ? wb : 8;
	uint32_t field = (SLOT_SIZE - 16 - m) / m * m - 3 * m;
	uint32_t want = unprot_tlv_size(new) << 16 | unprot_tlv_size(old);
	assert_int_equal(le(r.mem + field, 4), want);

	assert_int_equal(interop_boot(&r, &res), 0);
	if (perm) {
		assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
		assert_int_equal(res.image.major, 2);
	} else {
		assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_REVERT);
		assert_int_equal(res.image.major, 1);
		assert_memory_equal(r.mem, old, old_len);
		/* the test image is back at sector 1, sector 0 erased */
		assert_memory_equal(r.mem + SLOT_SIZE + sector, new, res.image.total_size);
		assert_int_equal(flash_area_is_erased(&r.secondary, 0, sector), 1);
	}
	free(old);
	free(new);
	interop_rig_free(&r);
}

static void test_imgtool_offset_test_revert(void **state)
{
	(void)state;
	swapped("images/ecdsa-p256-z70000-v2.0.0-offset-pad.bin", 4096, 4, false);
}

static void test_imgtool_offset_confirm_align16(void **state)
{
	(void)state;
	/* 8 KiB pages, 16-byte write-once programming (STM32U5) */
	swapped("images/ecdsa-p256-z70000-v2.0.0-offset-align16-pad-confirm.bin", 8192, 16, true);
}

/* the same imgtool image at sector 0 (a swap-using-move upload address) */
static void test_imgtool_wrong_upload_address(void **state)
{
	(void)state;
	static struct interop_rig r;
	struct boot_result res;
	size_t old_len, new_len;

	rig_init(&r, 4096, 4);
	uint8_t *old = interop_program(&r, &r.primary, "images/ecdsa-p256-z70000.bin", &old_len);
	uint8_t *new = interop_program(&r, &r.secondary,
				       "images/ecdsa-p256-z70000-v2.0.0-offset-pad.bin", &new_len);
	assert_int_equal(boot_request_upgrade(&r.secondary, false), 0);
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_int_equal(res.image.major, 1);
	assert_int_equal(flash_area_is_erased(&r.secondary, 0, SLOT_SIZE), 1);
	free(old);
	free(new);
	interop_rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imgtool_offset_test_revert),
		cmocka_unit_test(test_imgtool_offset_confirm_align16),
		cmocka_unit_test(test_imgtool_wrong_upload_address),
	};
	return cmocka_run_group_tests_name("interop-offset", tests, NULL, NULL);
}
