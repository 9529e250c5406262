/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image checks' crypto (src/image/image_crypto.h) from mbedTLS 2.28:
 * SHA-256, RSA-2048 PSS and ECDSA-P256 verification.
 */
#include "image_crypto.h"

#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
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

/*
 * Which signature types are verified is chosen at configure time
 * (DFUKIT_SIGNATURES, src/image/CMakeLists.txt): a bootloader links only the
 * verification it uses. A key of a type left out (or that the mbedTLS
 * build lacks) is unusable: the answer is the one for a key that cannot be
 * parsed.
 */
#if defined(MBEDTLS_RSA_C) && !defined(DFUKIT_IMAGE_NO_RSA)
#define IMAGE_VERIFIES_RSA 1
#endif
#if defined(MBEDTLS_ECDSA_C) && !defined(DFUKIT_IMAGE_NO_ECDSA)
#define IMAGE_VERIFIES_ECDSA 1
#endif

#if defined(IMAGE_VERIFIES_RSA)
static enum dfukit_image_status verify_rsa2048(const struct dfukit_image_key *key,
					       const uint8_t hash[32], const uint8_t *sig,
					       uint32_t sig_len)
{
	enum dfukit_image_status st = DFUKIT_IMAGE_E_BAD_KEY;
	mbedtls_rsa_context rsa;
	mbedtls_mpi n, e;
	unsigned char *p = (unsigned char *)(uintptr_t)key->der;
	const unsigned char *end = key->der + key->len;
	size_t len;

	mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&e);
	/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) !=
		    0 ||
	    len != (size_t)(end - p))
		goto out;
	if (mbedtls_asn1_get_mpi(&p, end, &n) != 0 || mbedtls_asn1_get_mpi(&p, end, &e) != 0 ||
	    p != end)
		goto out;
	if (mbedtls_rsa_import(&rsa, &n, NULL, NULL, NULL, &e) != 0 ||
	    mbedtls_rsa_complete(&rsa) != 0 || mbedtls_rsa_check_pubkey(&rsa) != 0 ||
	    mbedtls_rsa_get_len(&rsa) != IMAGE_RSA2048_SIG_LEN)
		goto out;
	if (sig_len != IMAGE_RSA2048_SIG_LEN) {
		st = DFUKIT_IMAGE_E_BAD_SIGNATURE;
		goto out;
	}
	if (mbedtls_rsa_rsassa_pss_verify_ext(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC,
					      MBEDTLS_MD_SHA256, 32, hash, MBEDTLS_MD_SHA256, 32,
					      sig) != 0)
		st = DFUKIT_IMAGE_E_BAD_SIGNATURE;
	else
		st = DFUKIT_IMAGE_OK;
out:
	mbedtls_mpi_free(&n);
	mbedtls_mpi_free(&e);
	mbedtls_rsa_free(&rsa);
	return st;
}
#endif

#if defined(IMAGE_VERIFIES_ECDSA)
/* Length of the DER SEQUENCE at sig (tag + length + content), 0 if malformed. */
static uint32_t der_seq_len(const uint8_t *sig, uint32_t len)
{
	uint32_t total;

	if (len < 2 || sig[0] != 0x30)
		return 0;
	if (sig[1] < 0x80)
		total = 2U + sig[1];
	else if (sig[1] == 0x81 && len >= 3)
		total = 3U + sig[2];
	else
		return 0;
	return total <= len ? total : 0;
}

/*
 * Load a P-256 public key from its SubjectPublicKeyInfo DER (imgtool's key
 * format): SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING
 * point }. Parsed here rather than through mbedTLS's pk layer, whose key
 * type tables link the signing code too (about 4 KiB in the bootloader).
 */
static bool load_p256_key(mbedtls_ecdsa_context *ctx, const uint8_t *der, size_t der_len)
{
	static const uint8_t ec_public_key[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
	static const uint8_t prime256v1[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
	unsigned char *p = (unsigned char *)(uintptr_t)der;
	const unsigned char *end = der + der_len, *alg_end;
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) !=
		    0 ||
	    p + len != end ||
	    mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) !=
		    0)
		return false;
	alg_end = p + len;
	if (mbedtls_asn1_get_tag(&p, alg_end, &len, MBEDTLS_ASN1_OID) != 0 ||
	    len != sizeof(ec_public_key) || memcmp(p, ec_public_key, len) != 0)
		return false;
	p += len;
	if (mbedtls_asn1_get_tag(&p, alg_end, &len, MBEDTLS_ASN1_OID) != 0 ||
	    len != sizeof(prime256v1) || memcmp(p, prime256v1, len) != 0 || p + len != alg_end)
		return false;
	p += len;
	if (mbedtls_asn1_get_bitstring_null(&p, end, &len) != 0 || p + len != end)
		return false;
	return mbedtls_ecp_group_load(&ctx->grp, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
	       mbedtls_ecp_point_read_binary(&ctx->grp, &ctx->Q, p, len) == 0 &&
	       mbedtls_ecp_check_pubkey(&ctx->grp, &ctx->Q) == 0;
}

static enum dfukit_image_status verify_ecdsa_p256(const struct dfukit_image_key *key,
						  const uint8_t hash[32], const uint8_t *sig,
						  uint32_t sig_len)
{
	enum dfukit_image_status st = DFUKIT_IMAGE_E_BAD_KEY;
	mbedtls_ecdsa_context ecdsa;
	uint32_t der_len;

	mbedtls_ecdsa_init(&ecdsa);
	if (!load_p256_key(&ecdsa, key->der, key->len))
		goto out;
	st = DFUKIT_IMAGE_E_BAD_SIGNATURE;
	/* The TLV may carry zero padding after the DER signature (imgtool --pad-sig). */
	der_len = der_seq_len(sig, sig_len);
	if (der_len == 0)
		goto out;
	for (uint32_t i = der_len; i < sig_len; i++)
		if (sig[i] != 0)
			goto out;
	if (mbedtls_ecdsa_read_signature(&ecdsa, hash, 32, sig, der_len) == 0)
		st = DFUKIT_IMAGE_OK;
out:
	mbedtls_ecdsa_free(&ecdsa);
	return st;
}
#endif

bool image_crypto_verifies(uint16_t sig_type)
{
#if defined(IMAGE_VERIFIES_RSA)
	if (sig_type == DFUKIT_IMAGE_TLV_RSA2048_PSS)
		return true;
#endif
#if defined(IMAGE_VERIFIES_ECDSA)
	if (sig_type == DFUKIT_IMAGE_TLV_ECDSA_SIG)
		return true;
#endif
	(void)sig_type;
	return false;
}

enum dfukit_image_status image_crypto_verify(uint16_t sig_type, const struct dfukit_image_key *key,
					     const uint8_t hash[32], const uint8_t *sig,
					     uint32_t sig_len)
{
#if defined(IMAGE_VERIFIES_RSA)
	if (sig_type == DFUKIT_IMAGE_TLV_RSA2048_PSS)
		return verify_rsa2048(key, hash, sig, sig_len);
#endif
#if defined(IMAGE_VERIFIES_ECDSA)
	if (sig_type == DFUKIT_IMAGE_TLV_ECDSA_SIG)
		return verify_ecdsa_p256(key, hash, sig, sig_len);
#endif
	(void)sig_type;
	(void)key;
	(void)hash;
	(void)sig;
	(void)sig_len;
	return DFUKIT_IMAGE_E_BAD_KEY;
}
