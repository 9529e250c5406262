/* SPDX-License-Identifier: Apache-2.0 */
/* The board's image checks in a build that does not decrypt (no DFUKIT_ENC_KEY). */
#include <errno.h>

#include "dfukit/boot_image.h"
#include "dfukit/port/board_image.h"

int board_enc_init(struct boot_enc_device *d)
{
	(void)d;
	return -ENOTSUP;
}

int board_validate_slot_at(const struct flash_area *slot, bool at_rest,
			   struct boot_image_info *info, const char **why)
{
	enum dfukit_image_status status;
	int rc = boot_image_validate(slot, board_trusted_keys, board_trusted_key_count, info,
				     &status);

	(void)at_rest;
	*why = dfukit_image_strerror(status);
	return rc;
}

int board_validate_src(const struct dfukit_image_src *src, struct dfukit_image_result *res)
{
	return dfukit_image_validate(src, board_trusted_keys, board_trusted_key_count, res);
}
