/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted images in the swap (MCUboot's MCUBOOT_ENC_IMAGES, swap-using-move).
 *
 * The secondary slot holds an update encrypted (imgtool -E), the primary
 * runs it in plaintext. A swap decrypts what moves into the primary with the
 * key of the image that was in the secondary, and encrypts what moves into
 * the secondary with the key of the image that was in the primary when that
 * image's header carries an ENCRYPTED flag (it came in encrypted, or was
 * made with imgtool --clear), so that a revert restores the update exactly
 * as it was downloaded. Only the body (the ih_img_size bytes after the
 * header) is transformed; header and TLVs move as they are. The keys are
 * unwrapped once, before phase 0, and kept raw in the primary trailer
 * (dfukit/boot.h) for a resumed swap, as MCUboot keeps them without
 * MCUBOOT_SWAP_SAVE_ENCTLV: the trailer must therefore be in flash an
 * attacker cannot read. A primary image with the flag whose key does not
 * unwrap moves back as it is (so its revert does not validate, and the
 * running image stays).
 *
 * The boot core knows no crypto: struct boot_enc is its interface, and
 * boot_enc_device_init() below gives one with the device's private key and
 * mbedTLS (dfukit/enc.h).
 */
#ifndef DFUKIT_BOOT_ENC_H
#define DFUKIT_BOOT_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dfukit/boot.h>
#include <dfukit/enc.h>
#include <dfukit/image.h>

struct boot_enc {
	/*
	 * AES key bytes: 16 (AES-128) or 32 (AES-256), one for all images as
	 * MCUboot's build-time MCUBOOT_AES_256 (BOOT_ENC_KEY_SIZE); images of
	 * the other size are not decrypted.
	 */
	uint32_t key_size;
	/*
	 * The AES key of the encrypted image at the start of slot, from its key
	 * TLV: key_size bytes into key. 0 or a negative errno.
	 */
	int (*load_key)(void *ctx, const struct flash_area *slot, uint8_t *key);
	/* AES-CTR over len bytes of a body in place, the first being body byte off. */
	int (*crypt)(void *ctx, const uint8_t *key, uint32_t off, uint8_t *buf, uint32_t len);
	void *ctx;
};

/* --- the device's key with mbedTLS (boot_enc.c, dfukit_boot_enc) -------------- */

struct boot_enc_device {
	struct boot_enc enc;
	struct dfukit_enc_key key;
	struct dfukit_enc_rng rng;
};

/*
 * d->enc unwraps with key (the device's private key, dfukit/enc.h; kept by
 * reference) for AES keys of key_size bytes; rng may be NULL (no blinding).
 */
void boot_enc_device_init(struct boot_enc_device *d, const struct dfukit_enc_key *key,
			  uint32_t key_size, const struct dfukit_enc_rng *rng);

/*
 * dfukit_image_validate() of the image src holds, an encrypted one over its
 * body decrypted with d's key as it is read (the DFU sample's check of a
 * download): refused as DFUKIT_IMAGE_E_ENC_KEY (-EACCES) when its key does not load.
 */
int boot_enc_device_validate(const struct boot_enc_device *d, const struct dfukit_image_src *src,
			     const struct dfukit_image_key *keys, size_t nkeys,
			     struct dfukit_image_result *res);

/*
 * boot_image_validate() (dfukit/boot_image.h) where images may be encrypted:
 * in the secondary slot (at_rest) an encrypted image is validated over its
 * body decrypted with enc as it is read, as MCUboot validates it; in the
 * primary (!at_rest) the body is plaintext whatever the flag says. An
 * encrypted image whose key does not load (another key size, another key)
 * is refused (*status DFUKIT_IMAGE_E_ENC_KEY, -EACCES). enc NULL: no decryption.
 */
int boot_image_validate_enc(const struct flash_area *slot, bool at_rest, const struct boot_enc *enc,
			    const struct dfukit_image_key *keys, size_t nkeys,
			    struct boot_image_info *info, enum dfukit_image_status *status);

#endif /* DFUKIT_BOOT_ENC_H */
