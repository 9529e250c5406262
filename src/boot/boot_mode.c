/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Upgrade strategies by name (command lines, environment, configure options),
 * and where each expects the update in the secondary slot.
 */
#include <dfukit/boot.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>

static const char *const mode_names[] = {
	[BOOT_MODE_SWAP_MOVE] = "move",     [BOOT_MODE_OVERWRITE_ONLY] = "overwrite-only",
	[BOOT_MODE_SWAP_OFFSET] = "offset", [BOOT_MODE_DIRECT_XIP] = "direct-xip",
	[BOOT_MODE_RAM_LOAD] = "ram-load",
};

const char *boot_mode_name(enum boot_mode mode)
{
	size_t i = (size_t)mode;

	return i < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[i] : NULL;
}

int boot_mode_parse(const char *name, enum boot_mode *mode)
{
	if (name == NULL || mode == NULL) {
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(name, mode_names[i]) == 0) {
			*mode = (enum boot_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

int boot_secondary_image_area(const struct flash_area *secondary, enum boot_mode mode,
			      struct flash_area *out)
{
	struct flash_sector first;

	if (secondary == NULL || out == NULL || boot_mode_name(mode) == NULL) {
		return -EINVAL;
	}
	if (mode != BOOT_MODE_SWAP_OFFSET) {
		*out = *secondary;
		return 0;
	}
	/* SWAP_USING_OFFSET_SECTOR_UPDATE_BEGIN: the update starts at sector 1 */
	int rc = flash_area_sector_get(secondary, 0, &first);

	if (rc != 0 || first.size >= secondary->size) {
		return -EINVAL;
	}
	return flash_area_init(out, secondary->dev, secondary->off + first.size,
			       secondary->size - first.size);
}
