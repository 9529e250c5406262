/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DFUKIT_SIGNATURES: image.c built with signature types left out (as a
 * Cortex-M bootloader built for one type is) refuses an image of a left-out
 * type as an unsupported signature type, even with its key trusted, and still
 * verifies the others. The build defines DFUKIT_IMAGE_NO_RSA,
 * DFUKIT_IMAGE_NO_ECDSA or DFUKIT_IMAGE_NO_ED25519 (the host set minus one;
 * Ed25519 is left out of all three: no DFUKIT_IMAGE_ED25519), or
 * DFUKIT_IMAGE_ED25519 with both others left out (Ed25519 alone).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image_fixture.h"

static enum dfukit_image_status check(const char *image, const char *key_name,
				      enum dfukit_image_key_type type)
{
	char rel[128];
	size_t img_len = 0, key_len = 0;
	snprintf(rel, sizeof(rel), "images/%s", image);
	uint8_t *img = fixture_load(rel, &img_len);
	snprintf(rel, sizeof(rel), "keys/%s.pub.der", key_name);
	uint8_t *der = fixture_load(rel, &key_len);
	assert_non_null(img);
	assert_non_null(der);
	const struct dfukit_image_key key = {type, der, key_len};
	struct mem_src m;
	struct dfukit_image_result res;
	dfukit_image_validate(mem_src_init(&m, img, img_len), &key, 1, &res);
	free(img);
	free(der);
	return res.status;
}

static void test_left_out_type_is_unsupported(void **state)
{
	(void)state;
	enum dfukit_image_status rsa =
		check("rsa-2048-z70000.bin", "rsa-2048", DFUKIT_IMAGE_KEY_RSA2048);
	enum dfukit_image_status ecdsa =
		check("ecdsa-p256-z70000.bin", "ecdsa-p256", DFUKIT_IMAGE_KEY_ECDSA_P256);
	enum dfukit_image_status ed =
		check("ed25519-z70000.bin", "ed25519", DFUKIT_IMAGE_KEY_ED25519);
	const enum dfukit_image_status ok = DFUKIT_IMAGE_OK, no = DFUKIT_IMAGE_E_UNSUPPORTED_SIG;
#if defined(DFUKIT_IMAGE_ED25519)
	assert_int_equal(ed, ok);
	assert_null(strstr(dfukit_image_strerror(no), "Ed25519"));
#else
	assert_int_equal(ed, no);
	assert_non_null(strstr(dfukit_image_strerror(no), "Ed25519"));
#endif
#if defined(DFUKIT_IMAGE_NO_RSA) && defined(DFUKIT_IMAGE_NO_ECDSA)
	assert_int_equal(rsa, no);
	assert_int_equal(ecdsa, no);
#elif defined(DFUKIT_IMAGE_NO_RSA)
	assert_int_equal(rsa, no);
	assert_int_equal(ecdsa, ok);
#elif defined(DFUKIT_IMAGE_NO_ECDSA)
	assert_int_equal(rsa, ok);
	assert_int_equal(ecdsa, no);
#elif defined(DFUKIT_IMAGE_NO_ED25519)
	assert_int_equal(rsa, ok);
	assert_int_equal(ecdsa, ok);
#else
#error "built with DFUKIT_IMAGE_NO_RSA, DFUKIT_IMAGE_NO_ECDSA or DFUKIT_IMAGE_NO_ED25519"
#endif
}

/* imgtool --pure (SHA512 TLV, Ed25519 over the image): only a build with Ed25519 has SHA-512. */
static void test_pure_needs_ed25519(void **state)
{
	size_t img_len = 0, key_len = 0;
	uint8_t *img = fixture_load("options/ed25519-pure.bin", &img_len);
	uint8_t *der = fixture_load("keys/ed25519.pub.der", &key_len);
	(void)state;
	assert_non_null(img);
	assert_non_null(der);
	const struct dfukit_image_key key = {DFUKIT_IMAGE_KEY_ED25519, der, (uint32_t)key_len};
	struct dfukit_image_result res;
	dfukit_image_validate_mapped(img, (uint32_t)img_len, &key, 1, &res);
#if defined(DFUKIT_IMAGE_ED25519)
	assert_int_equal(res.status, DFUKIT_IMAGE_OK);
#else
	assert_int_equal(res.status, DFUKIT_IMAGE_E_UNSUPPORTED_SIG);
	/* not even the hash: refused, not taken for a hash-only image */
	dfukit_image_validate_mapped(img, (uint32_t)img_len, NULL, 0, &res);
	assert_int_equal(res.status, DFUKIT_IMAGE_E_UNSUPPORTED_SIG);
#endif
	free(img);
	free(der);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_left_out_type_is_unsupported),
					   cmocka_unit_test(test_pure_needs_ed25519)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
