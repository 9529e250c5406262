/* SPDX-License-Identifier: Apache-2.0 */
#include "dfukit/port/board_image.h"
#include "dfukit/boot_image.h"

int board_validate_slot(const struct flash_area *slot, struct boot_image_info *info,
			const char **why)
{
	enum dfukit_image_status status;
	int rc = boot_image_validate(slot, board_trusted_keys, board_trusted_key_count, info,
				     &status);
	*why = dfukit_image_strerror(status);
	return rc;
}
