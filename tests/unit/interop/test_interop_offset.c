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

#define SLOT_SIZE 0x60000u

struct rig {
	struct flash_geometry geo;
	struct flash_sim sim;
	struct flash_area primary, secondary, update;
	struct fixture_keys keys;
	uint8_t mem[2 * SLOT_SIZE];
};

static void rig_init(struct rig *r, uint32_t sector, uint32_t write_block)
{
	memset(r, 0, offsetof(struct rig, mem));
	r->geo = (struct flash_geometry){.size = sizeof(r->mem),
					 .write_block = write_block,
					 .erased_val = 0xff,
					 .sector_size = sector};
	assert_int_equal(flash_sim_init(&r->sim, &r->geo, r->mem, sizeof(r->mem),
					write_block == 16 ? FLASH_SIM_F_WRITE_ONCE : 0),
			 0);
	flash_sim_format(&r->sim);
	assert_int_equal(flash_area_init(&r->primary, &r->sim.dev, 0, SLOT_SIZE), 0);
	assert_int_equal(flash_area_init(&r->secondary, &r->sim.dev, SLOT_SIZE, SLOT_SIZE), 0);
	assert_int_equal(
		boot_secondary_image_area(&r->secondary, BOOT_MODE_SWAP_OFFSET, &r->update), 0);
	assert_int_equal(r->update.off, SLOT_SIZE + sector);
	fixture_keys_load(&r->keys);
}

static uint8_t *program(struct rig *r, const struct flash_area *fa, const char *rel, size_t *len)
{
	uint8_t *img = fixture_load(rel, len);
	assert_non_null(img);
	assert_true(*len <= fa->size);
	uint32_t wb = r->geo.write_block;
	size_t padded = (*len + wb - 1) / wb * wb;
	uint8_t *buf = malloc(padded);
	memset(buf, 0xff, padded);
	memcpy(buf, img, *len);
	assert_int_equal(flash_area_write(fa, 0, buf, (uint32_t)padded), 0);
	free(buf);
	return img;
}

static int boot(struct rig *r, struct boot_result *res)
{
	struct boot_config cfg = {.primary = &r->primary,
				  .secondary = &r->secondary,
				  .validate = fixture_validate,
				  .validate_ctx = &r->keys,
				  .mode = BOOT_MODE_SWAP_OFFSET};
	return boot_go(&cfg, res);
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
	static struct rig r;
	struct boot_result res;
	size_t old_len, new_len;

	rig_init(&r, sector, wb);
	uint8_t *old = program(&r, &r.primary, "images/ecdsa-p256-z70000.bin", &old_len);
	uint8_t *new = program(&r, &r.update, image, &new_len);
	assert_int_equal(new_len, SLOT_SIZE - sector);
	assert_int_equal(boot(&r, &res), 0);
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

	assert_int_equal(boot(&r, &res), 0);
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
	fixture_keys_free(&r.keys);
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
	static struct rig r;
	struct boot_result res;
	size_t old_len, new_len;

	rig_init(&r, 4096, 4);
	uint8_t *old = program(&r, &r.primary, "images/ecdsa-p256-z70000.bin", &old_len);
	uint8_t *new = program(&r, &r.secondary, "images/ecdsa-p256-z70000-v2.0.0-offset-pad.bin",
			       &new_len);
	assert_int_equal(boot_request_upgrade(&r.secondary, false), 0);
	assert_int_equal(boot(&r, &res), 0);
	assert_int_equal(res.image.major, 1);
	assert_int_equal(flash_area_is_erased(&r.secondary, 0, SLOT_SIZE), 1);
	free(old);
	free(new);
	fixture_keys_free(&r.keys);
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
