/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DFUKIT_SIGNATURES: image.c built with RSA-2048 left out (as a Cortex-M
 * bootloader built for ECDSA-P256 is) refuses an RSA-signed image as an
 * unsupported signature type, even with its key trusted, and still verifies
 * ECDSA-P256 images; and the other way round (built without ECDSA-P256).
 * The build defines DFUKIT_IMAGE_NO_RSA or DFUKIT_IMAGE_NO_ECDSA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

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
#if defined(DFUKIT_IMAGE_NO_RSA)
	assert_int_equal(rsa, DFUKIT_IMAGE_E_UNSUPPORTED_SIG);
	assert_int_equal(ecdsa, DFUKIT_IMAGE_OK);
#elif defined(DFUKIT_IMAGE_NO_ECDSA)
	assert_int_equal(rsa, DFUKIT_IMAGE_OK);
	assert_int_equal(ecdsa, DFUKIT_IMAGE_E_UNSUPPORTED_SIG);
#else
#error "built with DFUKIT_IMAGE_NO_RSA or DFUKIT_IMAGE_NO_ECDSA"
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_left_out_type_is_unsupported)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
