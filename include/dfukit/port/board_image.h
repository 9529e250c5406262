/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image checks shared by the virtual board's bootloader and its firmware:
 * the trusted keys built in (the .pub.der files in keys/, chosen at build time with
 * DFUKIT_TRUSTED_KEYS) and full validation of the image in a slot.
 */
#ifndef DFUKIT_BOARD_IMAGE_H
#define DFUKIT_BOARD_IMAGE_H

#include <stddef.h>

#include "dfukit/boot.h"
#include "dfukit/image.h"

extern const struct dfukit_image_key board_trusted_keys[];
extern const size_t board_trusted_key_count;

/*
 * Validate the image at the start of slot (header, hash, signature by a
 * trusted key). 0 and *info filled when good; -ENOENT when the slot holds no
 * image; another negative errno otherwise, with *why saying what is wrong.
 */
int board_validate_slot(const struct flash_area *slot, struct boot_image_info *info,
			const char **why);

#endif /* DFUKIT_BOARD_IMAGE_H */
