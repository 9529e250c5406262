/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image checks' crypto (src/image/image_crypto.h) from BearSSL 0.6:
 * SHA-256 (br_sha256) and ECDSA-P256 verification (br_ecdsa_i31_vrfy_asn1
 * over br_ec_p256_m31, or i15/m15 with DFUKIT_IMAGE_BEARSSL_M15). BearSSL 0.6
 * has no RSA-PSS: RSA-2048 is verified by mbedTLS (crypto_mbedtls_rsa.c), and
 * no Ed25519: libsodium verifies it (crypto_ed25519.c).
 * Keys are parsed by crypto_common.c. BearSSL allocates nothing.
 */
#include "crypto_common.h"

#include <string.h>

#include <bearssl_ec.h>
#include <bearssl_hash.h>

_Static_assert(sizeof(br_sha256_context) <= sizeof(((struct image_sha256 *)0)->opaque),
	       "struct image_sha256 too small for BearSSL's context");
_Static_assert(_Alignof(br_sha256_context) <= _Alignof(struct image_sha256),
	       "struct image_sha256 not aligned enough for BearSSL's context");

static br_sha256_context *sha_ctx(struct image_sha256 *s)
{
	return (br_sha256_context *)(void *)s->opaque;
}

int image_sha256_start(struct image_sha256 *s)
{
	br_sha256_init(sha_ctx(s));
	return 0;
}

int image_sha256_update(struct image_sha256 *s, const void *data, size_t len)
{
	br_sha256_update(sha_ctx(s), data, len);
	return 0;
}

int image_sha256_finish(struct image_sha256 *s, uint8_t out[32])
{
	br_sha256_out(sha_ctx(s), out);
	return 0;
}

/* ---- signatures ---------------------------------------------------------------------------- */

/* DFUKIT_SIGNATURES picks the verifiers (crypto_verify.c dispatches). */
#if !defined(DFUKIT_IMAGE_NO_ECDSA)
#if defined(DFUKIT_IMAGE_BEARSSL_M15)
#define P256_IMPL       br_ec_p256_m15
#define ECDSA_VRFY_ASN1 br_ecdsa_i15_vrfy_asn1
#else
#define P256_IMPL       br_ec_p256_m31
#define ECDSA_VRFY_ASN1 br_ecdsa_i31_vrfy_asn1
#endif

enum dfukit_image_status image_ecdsa_p256_verify(const struct dfukit_image_key *key,
						 const uint8_t hash[32], const uint8_t *sig,
						 uint32_t sig_len)
{
	static const unsigned char one = 1;
	const uint8_t *point = image_p256_spki_point(key->der, key->len);
	unsigned char q[IMAGE_P256_POINT_LEN];
	br_ec_public_key pk = {BR_EC_secp256r1, q, sizeof(q)};
	uint32_t der_len;

	if (point == NULL)
		return DFUKIT_IMAGE_E_BAD_KEY;
	/*
	 * The key's check: BearSSL decodes the point (and refuses one off the
	 * curve) in its point multiplication, here by 1, which leaves q as it was.
	 */
	memcpy(q, point, sizeof(q));
	if (P256_IMPL.mul(q, sizeof(q), &one, 1, BR_EC_secp256r1) != 1)
		return DFUKIT_IMAGE_E_BAD_KEY;
	der_len = image_ecdsa_der_len(sig, sig_len);
	if (der_len == 0 || ECDSA_VRFY_ASN1(&P256_IMPL, hash, 32, &pk, sig, der_len) != 1)
		return DFUKIT_IMAGE_E_BAD_SIGNATURE;
	return DFUKIT_IMAGE_OK;
}
#endif
