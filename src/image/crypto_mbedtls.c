/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image checks' crypto (src/image/image_crypto.h) from mbedTLS 2.28:
 * SHA-256 and ECDSA-P256 verification; RSA-2048 PSS is crypto_mbedtls_rsa.c,
 * which the BearSSL backend uses too, Ed25519 libsodium's (crypto_ed25519.c).
 * Keys are parsed by crypto_common.c.
 */
#include "crypto_common.h"

#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

_Static_assert(sizeof(mbedtls_sha256_context) <= sizeof(((struct image_sha256 *)0)->opaque),
	       "struct image_sha256 too small for mbedTLS's context");

static mbedtls_sha256_context *sha_ctx(struct image_sha256 *s)
{
	return (mbedtls_sha256_context *)(void *)s->opaque;
}

int image_sha256_start(struct image_sha256 *s)
{
	mbedtls_sha256_init(sha_ctx(s));
	return mbedtls_sha256_starts_ret(sha_ctx(s), 0) == 0 ? 0 : -EIO;
}

int image_sha256_update(struct image_sha256 *s, const void *data, size_t len)
{
	return mbedtls_sha256_update_ret(sha_ctx(s), data, len) == 0 ? 0 : -EIO;
}

int image_sha256_finish(struct image_sha256 *s, uint8_t out[32])
{
	int rc = mbedtls_sha256_finish_ret(sha_ctx(s), out) == 0 ? 0 : -EIO;

	mbedtls_sha256_free(sha_ctx(s));
	return rc;
}

/* ---- signatures ---------------------------------------------------------------------------- */

/* DFUKIT_SIGNATURES picks the verifiers (crypto_verify.c dispatches). */
#if defined(MBEDTLS_ECDSA_C) && !defined(DFUKIT_IMAGE_NO_ECDSA)
enum dfukit_image_status image_ecdsa_p256_verify(const struct dfukit_image_key *key,
						 const uint8_t hash[32], const uint8_t *sig,
						 uint32_t sig_len)
{
	enum dfukit_image_status st = DFUKIT_IMAGE_E_BAD_KEY;
	const uint8_t *point = image_p256_spki_point(key->der, key->len);
	mbedtls_ecdsa_context ecdsa;
	uint32_t der_len;

	mbedtls_ecdsa_init(&ecdsa);
	if (point == NULL || mbedtls_ecp_group_load(&ecdsa.grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
	    mbedtls_ecp_point_read_binary(&ecdsa.grp, &ecdsa.Q, point, IMAGE_P256_POINT_LEN) != 0 ||
	    mbedtls_ecp_check_pubkey(&ecdsa.grp, &ecdsa.Q) != 0)
		goto out;
	st = DFUKIT_IMAGE_E_BAD_SIGNATURE;
	der_len = image_ecdsa_der_len(sig, sig_len);
	if (der_len != 0 && mbedtls_ecdsa_read_signature(&ecdsa, hash, 32, sig, der_len) == 0)
		st = DFUKIT_IMAGE_OK;
out:
	mbedtls_ecdsa_free(&ecdsa);
	return st;
}
#endif
