/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the image checks need from a crypto library: SHA-256 and signature
 * verification. One backend file implements it (crypto_mbedtls.c); which
 * library a build uses is chosen in src/image/CMakeLists.txt.
 */
#ifndef DFUKIT_IMAGE_CRYPTO_H
#define DFUKIT_IMAGE_CRYPTO_H

#include "dfukit/image.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAGE_RSA2048_SIG_LEN 256U
#define IMAGE_ECDSA_SIG_MAX   80U /* DER P-256 signature is 70..72 bytes, allow zero padding */
#define IMAGE_SIG_MAX         IMAGE_RSA2048_SIG_LEN

/* A SHA-256 context: storage for the backend's own, which checks it fits. */
struct image_sha256 {
	_Alignas(8) unsigned char opaque[128];
};

/* Each returns 0 or -EIO (a library failure). */
int image_sha256_start(struct image_sha256 *s);
int image_sha256_update(struct image_sha256 *s, const void *data, size_t len);
int image_sha256_finish(struct image_sha256 *s, uint8_t out[32]);

/*
 * SHA-512, for pure images (SIG_PURE): libsodium's, so only in a build that
 * verifies Ed25519 (DFUKIT_IMAGE_ED25519, crypto_ed25519.c).
 */
struct image_sha512 {
	_Alignas(8) unsigned char opaque[216];
};

int image_sha512_start(struct image_sha512 *s);
int image_sha512_update(struct image_sha512 *s, const void *data, size_t len);
int image_sha512_finish(struct image_sha512 *s, uint8_t out[64]);

/* SHA-256, or SHA-512 (crypto_verify.c; -ENOTSUP for SHA-512 in a build without it). */
struct image_hash {
	bool sha512;
	union {
		struct image_sha256 s256;
#if defined(DFUKIT_IMAGE_ED25519)
		struct image_sha512 s512; /* no room taken where there is no SHA-512 */
#endif
	} u;
};

int image_hash_start(struct image_hash *h, bool sha512);
int image_hash_update(struct image_hash *h, const void *data, size_t len);
int image_hash_finish(struct image_hash *h, uint8_t *out);

/*
 * An ED25519 TLV of a pure image: the signature of msg (header + payload +
 * protected TLVs, msg_len bytes in one piece) itself. DFUKIT_IMAGE_OK,
 * DFUKIT_IMAGE_E_BAD_SIGNATURE, or DFUKIT_IMAGE_E_BAD_KEY (also in a build
 * without Ed25519).
 */
enum dfukit_image_status image_crypto_verify_pure(const struct dfukit_image_key *key,
						  const uint8_t *msg, size_t msg_len,
						  const uint8_t *sig, uint32_t sig_len);

/* Whether this build verifies signature TLVs of sig_type (DFUKIT_SIGNATURES). */
bool image_crypto_verifies(uint16_t sig_type);

/*
 * The signature TLV of type sig_type over hash, checked with key:
 * DFUKIT_IMAGE_OK, DFUKIT_IMAGE_E_BAD_SIGNATURE, or DFUKIT_IMAGE_E_BAD_KEY for
 * a key that cannot be parsed (or of a type this build does not verify).
 */
enum dfukit_image_status image_crypto_verify(uint16_t sig_type, const struct dfukit_image_key *key,
					     const uint8_t hash[32], const uint8_t *sig,
					     uint32_t sig_len);

#endif
