/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which signature TLVs this build verifies, and by which verifier: one place
 * for every backend. DFUKIT_SIGNATURES (src/image/CMakeLists.txt) leaves types
 * out, so that a bootloader links only the verification it uses; a key of a
 * type left out (or that the library build lacks) is unusable, and the answer
 * is the one for a key that cannot be parsed.
 */
#include "crypto_common.h"

#if !defined(DFUKIT_IMAGE_NO_RSA)
#include <mbedtls/rsa.h> /* the mbedTLS configuration: a target build may lack RSA */
#if defined(MBEDTLS_RSA_C)
#define IMAGE_VERIFIES_RSA 1
#endif
#endif
#if !defined(DFUKIT_IMAGE_NO_ECDSA)
#if defined(DFUKIT_IMAGE_BEARSSL)
#define IMAGE_VERIFIES_ECDSA 1
#else
#include <mbedtls/ecdsa.h>
#if defined(MBEDTLS_ECDSA_C)
#define IMAGE_VERIFIES_ECDSA 1
#endif
#endif
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
#if defined(DFUKIT_IMAGE_ED25519)
	if (sig_type == DFUKIT_IMAGE_TLV_ED25519)
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
		return image_mbedtls_verify_rsa2048(key, hash, sig, sig_len);
#endif
#if defined(IMAGE_VERIFIES_ECDSA)
	if (sig_type == DFUKIT_IMAGE_TLV_ECDSA_SIG)
		return image_ecdsa_p256_verify(key, hash, sig, sig_len);
#endif
#if defined(DFUKIT_IMAGE_ED25519)
	/* TLV 0x24: imgtool signs the 32-byte SHA-256 digest itself. */
	if (sig_type == DFUKIT_IMAGE_TLV_ED25519)
		return image_ed25519_verify(key, hash, 32, sig, sig_len);
#endif
	(void)sig_type;
	(void)key;
	(void)hash;
	(void)sig;
	(void)sig_len;
	return DFUKIT_IMAGE_E_BAD_KEY;
}

enum dfukit_image_status image_crypto_verify_pure(const struct dfukit_image_key *key,
						  const uint8_t *msg, size_t msg_len,
						  const uint8_t *sig, uint32_t sig_len)
{
#if defined(DFUKIT_IMAGE_ED25519)
	return image_ed25519_verify(key, msg, msg_len, sig, sig_len);
#else
	(void)key;
	(void)msg;
	(void)msg_len;
	(void)sig;
	(void)sig_len;
	return DFUKIT_IMAGE_E_BAD_KEY;
#endif
}

int image_hash_start(struct image_hash *h, bool sha512)
{
	h->sha512 = sha512;
#if defined(DFUKIT_IMAGE_ED25519)
	if (sha512)
		return image_sha512_start(&h->u.s512);
#else
	if (sha512)
		return -ENOTSUP;
#endif
	return image_sha256_start(&h->u.s256);
}

int image_hash_update(struct image_hash *h, const void *data, size_t len)
{
#if defined(DFUKIT_IMAGE_ED25519)
	if (h->sha512)
		return image_sha512_update(&h->u.s512, data, len);
#endif
	return image_sha256_update(&h->u.s256, data, len);
}

int image_hash_finish(struct image_hash *h, uint8_t *out)
{
#if defined(DFUKIT_IMAGE_ED25519)
	if (h->sha512)
		return image_sha512_finish(&h->u.s512, out);
#endif
	return image_sha256_finish(&h->u.s256, out);
}
