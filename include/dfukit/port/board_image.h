/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image checks shared by the virtual board's bootloader and its firmware:
 * the trusted keys built in (the .pub.der files in keys/, chosen at build time with
 * DFUKIT_TRUSTED_KEYS) and full validation of the image in a slot.
 */
#ifndef DFUKIT_BOARD_IMAGE_H
#define DFUKIT_BOARD_IMAGE_H

#include <stddef.h>

#include <stdbool.h>

#include "dfukit/boot.h"
#include "dfukit/boot_enc.h"
#include "dfukit/image.h"

extern const struct dfukit_image_key board_trusted_keys[];
extern const size_t board_trusted_key_count;
/*
 * The bootloader's decryption key (DFUKIT_ENC_KEY; data NULL when built
 * without one) and the AES key size of the images it decrypts
 * (DFUKIT_ENC_KEY_BITS / 8).
 */
extern const struct dfukit_enc_key board_enc_key;
extern const uint32_t board_enc_key_size;

/*
 * Validate the image at the start of slot (header, hash, signature by a
 * trusted key). 0 and *info filled when good; -ENOENT when the slot holds no
 * image; another negative errno otherwise, with *why saying what is wrong.
 */
int board_validate_slot(const struct flash_area *slot, struct boot_image_info *info,
			const char **why);
/*
 * The same for the slot updates are written to (at_rest) or the primary: an
 * encrypted update is validated over its body decrypted with the board's key;
 * a primary image is plaintext, whatever its ENCRYPTED flag says.
 */
int board_validate_slot_at(const struct flash_area *slot, bool at_rest,
			   struct boot_image_info *info, const char **why);
/* dfukit_image_validate() with the trusted keys; an encrypted image decrypted as it is read. */
int board_validate_src(const struct dfukit_image_src *src, struct dfukit_image_result *res);
/*
 * The bootloader's decryption (boot_config.enc = &d->enc): 0; -ENOENT when
 * built without a key, -ENOTSUP in a build that does not decrypt.
 */
int board_enc_init(struct boot_enc_device *d);

#endif /* DFUKIT_BOARD_IMAGE_H */
