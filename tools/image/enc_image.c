/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An encrypted MCUboot image opened on the host (verify --decrypt, decrypt):
 * the TLVs walked with the image layer's iterator, the AES key unwrapped with
 * the device's private key, the body decrypted into a copy, and the SHA-256
 * and the signature checked over the plaintext, as MCUboot checks the
 * secondary slot, with the same status codes and messages (the bootloader's
 * own check of a slot is boot_image_validate_enc(), dfukit/boot_enc.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#include "enc_image.h"

#define ENC_FLAGS (DFUKIT_IMAGE_F_ENCRYPTED_AES128 | DFUKIT_IMAGE_F_ENCRYPTED_AES256)

static bool is_enc_tlv(uint16_t t)
{
	return t == DFUKIT_IMAGE_TLV_ENC_RSA2048 || t == DFUKIT_IMAGE_TLV_ENC_KW ||
	       t == DFUKIT_IMAGE_TLV_ENC_EC256 || t == DFUKIT_IMAGE_TLV_ENC_X25519 ||
	       t == DFUKIT_IMAGE_TLV_ENC_X25519_SHA512;
}

static bool is_sig_tlv(uint16_t t)
{
	return t == DFUKIT_IMAGE_TLV_RSA2048_PSS || t == DFUKIT_IMAGE_TLV_ECDSA_SIG ||
	       t == DFUKIT_IMAGE_TLV_ED25519 || t == DFUKIT_IMAGE_TLV_RSA3072_PSS;
}

/* Header and TLVs of the image as stored; the status says why not. */
static int scan(struct imgenc_image *im, char *err, size_t errlen)
{
	struct dfukit_image_tlv_iter it;
	struct dfukit_image_tlv t;
	int rc;

	if (im->len < DFUKIT_IMAGE_HEADER_SIZE || im->len > UINT32_MAX)
		return im->status = DFUKIT_IMAGE_E_TRUNCATED, -ENODATA;
	dfukit_image_header_decode(im->buf, &im->hdr);
	if (im->hdr.magic != DFUKIT_IMAGE_MAGIC)
		return im->status = DFUKIT_IMAGE_E_BAD_MAGIC, -ENOEXEC;
	if ((im->hdr.flags & ENC_FLAGS) == ENC_FLAGS)
		return img_errf(err, errlen, -EINVAL,
				"the header has both AES-128 and AES-256 flags (0x%08x)",
				im->hdr.flags);
	im->key_len = (im->hdr.flags & DFUKIT_IMAGE_F_ENCRYPTED_AES256) != 0 ? 32u : 16u;
	im->mb.data = im->buf;
	im->mb.len = (uint32_t)im->len;
	im->src = (struct dfukit_image_src){dfukit_image_membuf_read, &im->mb, (uint32_t)im->len};
	if (dfukit_image_tlv_iter_begin(&it, &im->src, &im->hdr, DFUKIT_IMAGE_TLV_AREA_ALL) != 0)
		return im->status = it.status, dfukit_image_status_errno(it.status);
	while ((rc = dfukit_image_tlv_iter_next(&it, &t)) == 1) {
		if (t.protected_area)
			continue;
		if (t.type == DFUKIT_IMAGE_TLV_SHA256 && im->sha.len == 0)
			im->sha = t;
		else if ((t.type == DFUKIT_IMAGE_TLV_KEYHASH ||
			  t.type == DFUKIT_IMAGE_TLV_PUBKEY) &&
			 im->keyid.len == 0)
			im->keyid = t;
		else if (is_sig_tlv(t.type) && im->keyid.len != 0 && im->sig.len == 0)
			im->sig = t;
		else if (is_enc_tlv(t.type) && im->enc.len == 0)
			im->enc = t;
	}
	if (rc < 0)
		return im->status = it.status, rc;
	return 0;
}

/* The key TLV unwrapped with dec and the body decrypted in im->buf. */
static int decrypt_body(struct imgenc_image *im, const struct imgkey *dec, char *err, size_t errlen)
{
	uint8_t aes_key[IMGENC_AES_KEY_MAX];
	int rc;

	if ((im->hdr.flags & ENC_FLAGS) == 0)
		return img_errf(err, errlen, -EINVAL,
				"the image is not encrypted (no ENCRYPTED_AES128/256 flag)");
	if (im->enc.len == 0)
		return img_errf(err, errlen, -ENOENT,
				"the image has no key TLV (ENCRSA2048 0x30, ENCEC256 0x32, "
				"ENCX25519 0x33/0x34)");
	if (im->enc.type == DFUKIT_IMAGE_TLV_ENC_KW)
		return img_errf(
			err, errlen, -ENOTSUP,
			"AES key wrap (ENCKW 0x31, newt's symmetric keys) is not supported");
	rc = imgenc_unwrap(dec, im->enc.type, im->buf + im->enc.off, im->enc.len, aes_key,
			   im->key_len, err, errlen);
	if (rc == 0 &&
	    imgenc_ctr(aes_key, im->key_len, im->buf + im->hdr.hdr_size, im->hdr.img_size) != 0)
		rc = img_errf(err, errlen, -EIO, "AES-CTR failed");
	mbedtls_platform_zeroize(aes_key, sizeof(aes_key));
	im->decrypted = rc == 0;
	return rc;
}

int imgenc_image_open(struct imgenc_image *im, const uint8_t *data, size_t len,
		      const struct imgkey *dec, char *err, size_t errlen)
{
	int rc;

	memset(im, 0, sizeof(*im));
	im->buf = malloc(len != 0 ? len : 1);
	if (im->buf == NULL)
		return img_errf(err, errlen, -ENOMEM, "out of memory");
	memcpy(im->buf, data, len);
	im->len = len;
	rc = scan(im, err, errlen);
	if (rc != 0 && im->status != DFUKIT_IMAGE_OK)
		img_errf(err, errlen, rc, "%s", dfukit_image_strerror(im->status));
	if (rc == 0 && dec != NULL)
		rc = decrypt_body(im, dec, err, errlen);
	return rc;
}

void imgenc_image_close(struct imgenc_image *im)
{
	if (im->buf != NULL)
		mbedtls_platform_zeroize(im->buf, im->len);
	free(im->buf);
	memset(im, 0, sizeof(*im));
}

/* The KEYHASH/PUBKEY TLV names sign, and its signature verifies over the digest. */
static enum dfukit_image_status check_signature(const struct imgenc_image *im,
						const struct imgkey *sign)
{
	uint8_t h[DFUKIT_IMAGE_HASH_SIZE];
	const uint8_t *id = im->buf + im->keyid.off;
	bool named;
	int rc;

	if (im->keyid.len == 0 || im->sig.len == 0)
		return DFUKIT_IMAGE_E_NO_SIGNATURE;
	if (im->keyid.type == DFUKIT_IMAGE_TLV_KEYHASH)
		named = mbedtls_sha256_ret(sign->pub, sign->pub_len, h, 0) == 0 &&
			im->keyid.len == sizeof(h) && memcmp(id, h, sizeof(h)) == 0;
	else
		named = im->keyid.len == sign->pub_len && memcmp(id, sign->pub, sign->pub_len) == 0;
	if (!named || im->sig.type != imgkey_sig_tlv(sign))
		return DFUKIT_IMAGE_E_NO_SIGNATURE;
	rc = imgkey_verify_digest(sign, im->digest, im->buf + im->sig.off, im->sig.len, NULL, 0);
	if (rc == -ENOTSUP)
		return DFUKIT_IMAGE_E_UNSUPPORTED_SIG;
	return rc == 0 ? DFUKIT_IMAGE_OK : DFUKIT_IMAGE_E_BAD_SIGNATURE;
}

enum dfukit_image_status imgenc_image_check(struct imgenc_image *im, const struct imgkey *sign)
{
	size_t hashed = (size_t)im->hdr.hdr_size + im->hdr.img_size + im->hdr.protect_tlv_size;

	if (im->sha.len == 0)
		return im->status = DFUKIT_IMAGE_E_NO_HASH;
	if (im->sha.len != DFUKIT_IMAGE_HASH_SIZE)
		return im->status = DFUKIT_IMAGE_E_TLV_LEN;
	if (mbedtls_sha256_ret(im->buf, hashed, im->digest, 0) != 0)
		return im->status = DFUKIT_IMAGE_E_CRYPTO;
	if (memcmp(im->digest, im->buf + im->sha.off, DFUKIT_IMAGE_HASH_SIZE) != 0)
		return im->status = DFUKIT_IMAGE_E_BAD_HASH;
	im->status = sign != NULL ? check_signature(im, sign) : DFUKIT_IMAGE_OK;
	return im->status;
}
