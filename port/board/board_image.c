/* SPDX-License-Identifier: Apache-2.0 */
#include "dfukit/port/board_image.h"

int board_validate_slot(const struct flash_area *slot, struct boot_image_info *info,
			const char **why)
{
	return board_validate_slot_at(slot, false, info, why);
}
