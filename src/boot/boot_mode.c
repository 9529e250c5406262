/* SPDX-License-Identifier: Apache-2.0 */
/* Upgrade strategies by name (command lines, environment, configure options). */
#include <dfukit/boot.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>

static const char *const mode_names[] = {
	[BOOT_MODE_SWAP_MOVE] = "move",
	[BOOT_MODE_OVERWRITE_ONLY] = "overwrite-only",
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
