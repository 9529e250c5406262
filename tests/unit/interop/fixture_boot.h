/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the boot-level tests: validation with imgtool's fixture keys. */
#ifndef DFUKIT_TEST_FIXTURE_BOOT_H
#define DFUKIT_TEST_FIXTURE_BOOT_H

#include <stdlib.h>
#include <string.h>

#include "../image/image_fixture.h"
#include "dfukit/boot_image.h"

struct fixture_keys {
	struct dfukit_image_key keys[2];
	uint8_t *der[2];
};

static inline void fixture_keys_load(struct fixture_keys *k)
{
	size_t n = 0;
	k->der[0] = fixture_load("keys/ecdsa-p256.pub.der", &n);
	assert_non_null(k->der[0]);
	k->keys[0] = (struct dfukit_image_key){DFUKIT_IMAGE_KEY_ECDSA_P256, k->der[0], (uint32_t)n};
	k->der[1] = fixture_load("keys/rsa-2048.pub.der", &n);
	assert_non_null(k->der[1]);
	k->keys[1] = (struct dfukit_image_key){DFUKIT_IMAGE_KEY_RSA2048, k->der[1], (uint32_t)n};
}

static inline void fixture_keys_free(struct fixture_keys *k)
{
	free(k->der[0]);
	free(k->der[1]);
}

/* A boot_validate_fn; ctx is a struct fixture_keys. */
static inline int fixture_validate(void *ctx, const struct flash_area *slot,
				   struct boot_image_info *out)
{
	struct fixture_keys *k = ctx;
	return boot_image_validate(slot, k->keys, 2, out, NULL);
}

#endif /* DFUKIT_TEST_FIXTURE_BOOT_H */
