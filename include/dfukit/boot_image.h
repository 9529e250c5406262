/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bridge between the boot core and image verification: validate the
 * MCUboot image at the start of a flash area and describe it the way
 * boot_go() wants (struct boot_image_info). Every bootloader built on dfukit
 * uses it as the body of its boot_validate_fn.
 */
#ifndef DFUKIT_BOOT_IMAGE_H
#define DFUKIT_BOOT_IMAGE_H

#include <stddef.h>

#include "dfukit/boot.h"
#include "dfukit/image.h"

/*
 * 0 with *info filled when the image is good (hash, and a signature by one of
 * keys when nkeys > 0); -ENOENT when the slot holds no image (erased header);
 * another negative errno otherwise. *status (may be NULL) gets the reason.
 * info->verdict is set in every case (FIH_SUCCESS only for a good image with
 * nkeys > 0): a hardened bootloader jumps on it, not on the return value.
 */
int boot_image_validate(const struct flash_area *slot, const struct dfukit_image_key *keys,
			size_t nkeys, struct boot_image_info *info,
			enum dfukit_image_status *status);
/*
 * The same through dfukit_image_validate_encrypted() with dec (an image
 * without an ENCRYPTED flag is validated as stored); dec NULL: as above.
 */
int boot_image_validate_dec(const struct flash_area *slot, const struct dfukit_image_decryptor *dec,
			    const struct dfukit_image_key *keys, size_t nkeys,
			    struct boot_image_info *info, enum dfukit_image_status *status);

#endif /* DFUKIT_BOOT_IMAGE_H */
