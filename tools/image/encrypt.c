/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signer's encryption step (imgtool -E): imgtool's key-family rules, a
 * fresh AES key from an OS-seeded CTR-DRBG, its wrap for the device key, and
 * AES-CTR over the image body. See imgenc.h for the format.
 */
#include <errno.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include <dfukit/enc.h>

#include "imgenc.h"

int imgenc_rng_init(struct imgenc_rng *r)
{
	static const unsigned char pers[] = "dfukit-image-encrypt";

	mbedtls_entropy_init(&r->entropy);
	mbedtls_ctr_drbg_init(&r->drbg);
	/* mbedtls_entropy_func's platform source is getrandom(2) (or /dev/urandom) on Linux. */
	return mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy, pers,
				     sizeof(pers) - 1) == 0
		       ? 0
		       : -EIO;
}

void imgenc_rng_free(struct imgenc_rng *r)
{
	mbedtls_ctr_drbg_free(&r->drbg);
	mbedtls_entropy_free(&r->entropy);
}

int imgenc_check_keys(const struct imgenc_opts *e, const struct imgkey *sign, char *err,
		      size_t errlen)
{
	enum imgkey_type t = e->key->type;

	if (t != IMGKEY_RSA2048 && t != IMGKEY_ECDSA_P256 && t != IMGKEY_X25519)
		return img_errf(err, errlen, -EINVAL,
				"-E/--encrypt needs an RSA-2048, EC P-256 or X25519 key (MCUboot's "
				"ENC_RSA, ENC_EC256, ENC_X25519)");
	if (!e->key->has_public)
		return img_errf(err, errlen, -EINVAL, "the -E key has no public part");
	/* imgtool: an ECDSA or RSA signing key needs an encryption key of its own family. */
	if (sign != NULL && (sign->type == IMGKEY_ECDSA_P256 || sign->type == IMGKEY_RSA2048) &&
	    sign->type != t)
		return img_errf(err, errlen, -EINVAL,
				"Signing and encryption must use the same type of key");
	if (e->aes_bits != 128 && e->aes_bits != 256)
		return img_errf(err, errlen, -EINVAL, "--encrypt-keylen must be 128 or 256");
	/* imgtool checks --hmac-sha for the ECIES keys only (RSA-OAEP ignores it). */
	if (e->hmac_sha != 256 && e->hmac_sha != 512)
		return img_errf(err, errlen, -EINVAL, "Unsupported HMAC-SHA");
	if (e->hmac_sha == 512 && t == IMGKEY_ECDSA_P256)
		return img_errf(err, errlen, -EINVAL,
				"Currently only ECIES-X25519 supports HMAC-SHA512");
	return 0;
}

uint32_t imgenc_header_flag(const struct imgenc_opts *e)
{
	if (e == NULL)
		return 0;
	return e->aes_bits == 256 ? DFUKIT_IMAGE_F_ENCRYPTED_AES256
				  : DFUKIT_IMAGE_F_ENCRYPTED_AES128;
}

int imgenc_ctr_at(const uint8_t *aes_key, size_t key_len, uint32_t off, uint8_t *buf, size_t len)
{
	/* The bootloader's AES-CTR (src/enc), so that both sides use one keystream. */
	return dfukit_enc_ctr(aes_key, key_len, off, buf, len);
}

int imgenc_ctr(const uint8_t *aes_key, size_t key_len, uint8_t *buf, size_t len)
{
	return imgenc_ctr_at(aes_key, key_len, 0, buf, len);
}

int imgenc_seal(const struct imgenc_opts *e, uint8_t *body, size_t len, uint16_t *tlv_type,
		uint8_t tlv[IMGENC_TLV_MAX], size_t *tlv_len, char *err, size_t errlen)
{
	uint8_t aes_key[IMGENC_AES_KEY_MAX];
	size_t key_len = e->aes_bits / 8;
	struct imgenc_rng rng;
	int rc;

	if (len % IMGENC_CTR_BLOCK != 0)
		return img_errf(err, errlen, -EINVAL, "the body is not padded to 16 bytes");
	rc = imgenc_rng_init(&rng);
	if (rc == 0)
		rc = mbedtls_ctr_drbg_random(&rng.drbg, aes_key, key_len) == 0 ? 0 : -EIO;
	if (rc != 0) {
		imgenc_rng_free(&rng);
		return img_errf(err, errlen, -EIO, "cannot draw a random AES key");
	}
	rc = imgenc_wrap(e->key, e->hmac_sha, &rng, aes_key, key_len, tlv, tlv_len, err, errlen);
	imgenc_rng_free(&rng);
	if (rc == 0 && !e->clear && imgenc_ctr(aes_key, key_len, body, len) != 0)
		rc = img_errf(err, errlen, -EIO, "AES-CTR failed");
	mbedtls_platform_zeroize(aes_key, sizeof(aes_key));
	*tlv_type = imgenc_tlv_type(e->key, e->hmac_sha);
	return rc;
}
