/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the crypto backends (crypto_mbedtls.c, crypto_bearssl.c) share: the
 * parsing of keys and signature encodings (no crypto), mbedTLS's RSA-2048
 * PSS verification, which BearSSL 0.6 does not have (crypto_mbedtls_rsa.c),
 * and libsodium's Ed25519 verification, which neither has (crypto_ed25519.c).
 */
#ifndef DFUKIT_IMAGE_CRYPTO_COMMON_H
#define DFUKIT_IMAGE_CRYPTO_COMMON_H

#include "image_crypto.h"

#define IMAGE_P256_POINT_LEN  65U /* 0x04 || X || Y */
#define IMAGE_ED25519_KEY_LEN 32U /* the encoded point A */
#define IMAGE_ED25519_SIG_LEN 64U /* R || S */

/*
 * The uncompressed point of a P-256 public key in its SubjectPublicKeyInfo
 * DER (imgtool's key format): SEQUENCE { SEQUENCE { id-ecPublicKey,
 * prime256v1 }, BIT STRING { 0x04 X Y } }, or NULL if der is anything else.
 * DER has one encoding of that structure, so it is compared whole; whether
 * the point is on the curve is the crypto library's check.
 */
const uint8_t *image_p256_spki_point(const uint8_t *der, size_t len);

/*
 * The 32-byte Ed25519 public key in its SubjectPublicKeyInfo DER (44 bytes:
 * SEQUENCE { SEQUENCE { id-Ed25519 1.3.101.112 }, BIT STRING { A } }, as
 * imgtool embeds it), or NULL if der is anything else.
 */
const uint8_t *image_ed25519_spki_key(const uint8_t *der, size_t len);

/*
 * An Ed25519 signature (RFC 8032, "pure" Ed25519) of msg with key, verified by
 * libsodium (crypto_ed25519.c, built when DFUKIT_SIGNATURES has ed25519):
 * for TLV 0x24, msg is the image's 32-byte SHA-256 digest, as imgtool signs it.
 */
enum dfukit_image_status image_ed25519_verify(const struct dfukit_image_key *key,
					      const uint8_t *msg, size_t msg_len,
					      const uint8_t *sig, uint32_t sig_len);

/*
 * The length of the DER ECDSA signature (a SEQUENCE) at sig, which the TLV may
 * follow with zero padding (imgtool --pad-sig); 0 if it is malformed or the
 * padding is not zero.
 */
uint32_t image_ecdsa_der_len(const uint8_t *sig, uint32_t len);

/* ECDSA-P256 over a SHA-256 digest, by the backend's library (crypto_mbedtls.c or crypto_bearssl.c). */
enum dfukit_image_status image_ecdsa_p256_verify(const struct dfukit_image_key *key,
						 const uint8_t hash[32], const uint8_t *sig,
						 uint32_t sig_len);

/* RSA-2048 PSS (SHA-256, MGF1-SHA-256, 32-byte salt) over hash with mbedTLS. */
enum dfukit_image_status image_mbedtls_verify_rsa2048(const struct dfukit_image_key *key,
						      const uint8_t hash[32], const uint8_t *sig,
						      uint32_t sig_len);

#endif
