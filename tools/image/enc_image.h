/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An encrypted image opened on the host with the device's private key
 * (enc_image.c): for `verify --decrypt` and `decrypt`.
 */
#ifndef DFUKIT_TOOLS_ENC_IMAGE_H
#define DFUKIT_TOOLS_ENC_IMAGE_H

#include "imgenc.h"

struct imgenc_image {
	uint8_t *buf; /* a copy of the image, its body decrypted once opened with a key */
	size_t len;
	struct dfukit_image_membuf mb;
	struct dfukit_image_src src;
	struct dfukit_image_header hdr;
	size_t key_len;                /* AES key bytes, from the header flag */
	struct dfukit_image_tlv sha;   /* SHA256 (len 0: none) */
	struct dfukit_image_tlv keyid; /* KEYHASH or PUBKEY */
	struct dfukit_image_tlv sig;   /* the signature after keyid */
	struct dfukit_image_tlv enc;   /* ENCRSA2048 / ENCEC256 / ENCX25519[_SHA512] */
	bool decrypted;
	uint8_t digest[DFUKIT_IMAGE_HASH_SIZE]; /* computed by imgenc_image_check() */
	enum dfukit_image_status status;
};

/*
 * Copy and parse data; with dec (a private key), unwrap the AES key and decrypt
 * the body (ih_img_size bytes after the header). Without dec the body stays as
 * stored (a --clear image, or the primary slot's view). 0 or -errno + err; the
 * image must be closed either way.
 */
int imgenc_image_open(struct imgenc_image *im, const uint8_t *data, size_t len,
		      const struct imgkey *dec, char *err, size_t errlen);
void imgenc_image_close(struct imgenc_image *im);

/*
 * The SHA-256 over header, (decrypted) body and protected TLVs against the
 * SHA256 TLV, then, with sign, a signature by that key named by KEYHASH/PUBKEY.
 * DFUKIT_IMAGE_OK or the reason (dfukit_image_strerror() words it as imgtool).
 */
enum dfukit_image_status imgenc_image_check(struct imgenc_image *im, const struct imgkey *sign);

#endif
