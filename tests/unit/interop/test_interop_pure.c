/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imgtool --pure images (Ed25519 over the image itself, SIG_PURE) through
 * dfukit's bootloader core, as MCUBOOT_SIGN_PURE boots them: the simulated
 * flash is memory (flash_dev.mapped), so boot_image_validate() verifies the
 * signature over the slot in place. A pure update swaps in permanently; one
 * with a flipped body byte is erased, not booted; on a flash that is not
 * mapped the pure image is refused, never booted unchecked.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/fih.h"
#include "fixture_boot.h"

#define SLOT_SIZE INTEROP_SLOT_SIZE
#define PURE      "options/ed25519-pure-z70000.bin"

/* The trusted keys: imgtool's Ed25519 key, and its ECDSA one for the running image. */
struct pure_keys {
	struct dfukit_image_key keys[2];
	uint8_t *der[2];
	enum dfukit_image_status last;
};

static int pure_validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	struct pure_keys *k = ctx;
	return boot_image_validate(slot, k->keys, 2, out, &k->last);
}

static void rig_init(struct interop_rig *r, struct pure_keys *k)
{
	size_t n = 0;

	interop_rig_init(r, 4096, 4);
	k->der[0] = fixture_load("keys/ed25519.pub.der", &n);
	assert_non_null(k->der[0]);
	k->keys[0] = (struct dfukit_image_key){DFUKIT_IMAGE_KEY_ED25519, k->der[0], (uint32_t)n};
	k->der[1] = fixture_load("keys/ecdsa-p256.pub.der", &n);
	assert_non_null(k->der[1]);
	k->keys[1] = (struct dfukit_image_key){DFUKIT_IMAGE_KEY_ECDSA_P256, k->der[1], (uint32_t)n};
	r->cfg.validate = pure_validate;
	r->cfg.validate_ctx = k;
}

static void rig_free(struct interop_rig *r, struct pure_keys *k)
{
	free(k->der[0]);
	free(k->der[1]);
	interop_rig_free(r);
}

static void test_pure_image_boots_in_place(void **state)
{
	static struct interop_rig r;
	struct pure_keys k;
	struct boot_result res;
	struct boot_image_info info;
	size_t len;
	(void)state;

	rig_init(&r, &k);
	uint8_t *img = interop_program(&r, &r.primary, PURE, &len);
	assert_int_equal(boot_image_validate(&r.primary, k.keys, 2, &info, &k.last), 0);
	assert_int_equal(k.last, DFUKIT_IMAGE_OK);
	assert_int_equal(info.verdict, FIH_SUCCESS);
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_int_equal(res.image.major, 1);
	assert_int_equal(res.image.total_size, len);
	free(img);
	rig_free(&r, &k);
}

static void test_pure_update_swaps_in(void **state)
{
	static struct interop_rig r;
	struct pure_keys k;
	struct boot_result res;
	size_t old_len, new_len;
	(void)state;

	rig_init(&r, &k);
	uint8_t *old = interop_program(&r, &r.primary, "images/ecdsa-p256-z70000.bin", &old_len);
	uint8_t *new = interop_program(&r, &r.secondary,
				       "options/ed25519-pure-z70000-pad-confirm.bin", &new_len);
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_PERM);
	assert_memory_equal(r.mem, new, res.image.total_size);
	assert_memory_equal(r.mem + SLOT_SIZE, old, old_len);
	/* validated again after the swap, in the primary slot, and it stays */
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_memory_equal(r.mem, new, res.image.total_size);
	free(old);
	free(new);
	rig_free(&r, &k);
}

static void test_pure_flipped_body_byte_is_erased(void **state)
{
	static struct interop_rig r;
	struct pure_keys k;
	struct boot_result res;
	size_t old_len, len;
	(void)state;

	rig_init(&r, &k);
	uint8_t *old = interop_program(&r, &r.primary, "images/ecdsa-p256-z70000.bin", &old_len);
	uint8_t *img = fixture_load(PURE, &len);
	assert_non_null(img);
	img[0x300] ^= 0x01; /* a body byte */
	assert_int_equal(flash_area_write(&r.secondary, 0, img, (uint32_t)(len & ~3u)), 0);
	assert_int_equal(boot_request_upgrade(&r.secondary, true), 0);
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_memory_equal(r.mem, old, old_len);
	assert_int_equal(flash_area_is_erased(&r.secondary, 0, 32), 1);
	free(old);
	free(img);
	rig_free(&r, &k);
}

/* A flash the bootloader can only read through its driver: no pure verification, no boot. */
static void test_pure_refused_on_unmapped_flash(void **state)
{
	static struct interop_rig r;
	struct pure_keys k;
	struct boot_image_info info;
	size_t len;
	(void)state;

	rig_init(&r, &k);
	uint8_t *img = interop_program(&r, &r.primary, PURE, &len);
	r.sim.dev.mapped = NULL;
	assert_int_equal(boot_image_validate(&r.primary, k.keys, 2, &info, &k.last), -ENOTSUP);
	assert_int_equal(k.last, DFUKIT_IMAGE_E_PURE_UNMAPPED);
	assert_int_not_equal(info.verdict, FIH_SUCCESS);
	free(img);
	rig_free(&r, &k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pure_image_boots_in_place),
		cmocka_unit_test(test_pure_update_swaps_in),
		cmocka_unit_test(test_pure_flipped_body_byte_is_erased),
		cmocka_unit_test(test_pure_refused_on_unmapped_flash),
	};
	return cmocka_run_group_tests_name("interop_pure", tests, NULL, NULL);
}
