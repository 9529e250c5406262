/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board's image checks with its decryption key (DFUKIT_ENC_KEY,
 * board_enc_key.c): an encrypted update is validated decrypted, the primary
 * as stored whatever its ENCRYPTED flag says.
 */
#include <errno.h>

#include "dfukit/boot_image.h"
#include "dfukit/port/board_image.h"

int board_enc_init(struct boot_enc_device *d)
{
	if (board_enc_key.data == NULL) {
		return -ENOENT;
	}
	/* no random generator for blinding: the virtual board has no TRNG to offer */
	boot_enc_device_init(d, &board_enc_key, board_enc_key_size, NULL);
	return 0;
}

int board_validate_slot_at(const struct flash_area *slot, bool at_rest,
			   struct boot_image_info *info, const char **why)
{
	struct boot_enc_device d;
	enum dfukit_image_status status;
	int rc = board_enc_init(&d) == 0
			 ? boot_image_validate_enc(slot, at_rest, &d.enc, board_trusted_keys,
						   board_trusted_key_count, info, &status)
			 : boot_image_validate(slot, board_trusted_keys, board_trusted_key_count,
					       info, &status);

	*why = dfukit_image_strerror(status);
	return rc;
}

int board_validate_src(const struct dfukit_image_src *src, struct dfukit_image_result *res)
{
	struct boot_enc_device d;

	if (board_enc_init(&d) != 0) {
		return dfukit_image_validate(src, board_trusted_keys, board_trusted_key_count, res);
	}
	return boot_enc_device_validate(&d, src, board_trusted_keys, board_trusted_key_count, res);
}
