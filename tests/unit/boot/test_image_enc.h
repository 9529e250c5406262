/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only encrypted images for the boot core's encrypted swap: the
 * test_image.h format with header flag ENCRYPTED_AES128 (0x04), the body
 * XORed with a keystream of a 16-byte key and the body offset (any offset,
 * like AES-CTR), and two vendor TLVs: 0x00a0 = CRC-32 of header + plaintext
 * body, 0x00a1 = the key itself (the stand-in for a key TLV: the boot core
 * never looks inside). tenc_boot_enc() is a struct boot_enc for them;
 * tenc_validate() decrypts the secondary slot as it reads, as a bootloader
 * validates it.
 */
#ifndef TEST_IMAGE_ENC_H
#define TEST_IMAGE_ENC_H

#include <stdbool.h>
#include <stdint.h>

#include <dfukit/boot.h>
#include <dfukit/boot_enc.h>
#include <dfukit/flash.h>

#define TENC_HDR_SIZE 0x20u
#define TENC_TLV_SIZE 32u /* info 4 + CRC TLV 8 + key TLV 20 */
#define TENC_KEY_SIZE 16u

/*
 * Erase what the image needs at the start of fa and write it: encrypted
 * (encrypt) or as plaintext with the flag and the key TLV (imgtool --clear);
 * flagged false writes no flag at all (a plain image with the extra TLV).
 */
int tenc_write(const struct flash_area *fa, uint8_t major, uint32_t body_size, uint32_t seed,
	       bool flagged, bool encrypt);
/* The test keystream over len body bytes from off (encrypts and decrypts). */
void tenc_crypt_buf(const uint8_t key[TENC_KEY_SIZE], uint32_t off, uint8_t *buf, uint32_t len);
/* The key of an image written with seed. */
void tenc_key(uint32_t seed, uint8_t key[TENC_KEY_SIZE]);

/* A struct boot_enc (key_size 16) for these images. */
const struct boot_enc *tenc_boot_enc(void);

/* boot_validate_fn; ctx = the secondary area, whose bodies are decrypted. */
int tenc_validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out);
/* Total size of an image with this body size. */
static inline uint32_t tenc_total(uint32_t body_size)
{
	return TENC_HDR_SIZE + body_size + TENC_TLV_SIZE;
}

#endif
