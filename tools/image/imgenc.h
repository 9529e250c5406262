/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted MCUboot images on the host (imgtool's -E/--encrypt), all crypto
 * from mbedTLS 2.28:
 *
 *   enc_wrap.c      the AES key's wraps: RSA-OAEP-2048 (TLV 0x30), ECIES-P256
 *                   (0x32), ECIES-X25519 with HKDF/HMAC-SHA256 (0x33) or -SHA512
 *                   (0x34); wrap (sign) and unwrap (verify, decrypt)
 *   encrypt.c       the signer's step: a fresh AES key, its wrap, AES-CTR over
 *                   the image body (unless --clear); the OS-seeded random generator
 *   enc_image.c     an encrypted image opened with a private key: the key TLV
 *                   found and unwrapped, the body decrypted, hash and signature
 *                   checked over the plaintext
 *   imgkey_x25519.c X25519 keys (load, keygen, the DH), which mbedTLS's pk has not
 *
 * Format (MCUboot docs/encrypted_images.md, imgtool image.py): the body (the
 * ih_img_size bytes after the header, padded with zeros to 16 bytes by the
 * signer) is AES-CTR with a counter block of zeros; header flag 0x04 (AES-128)
 * or 0x08 (AES-256); hash and signature are over the plaintext. ECIES: an
 * ephemeral key, DH with the device key, HKDF(no salt, info "MCUBoot_ECIES_v1",
 * AES key length + HMAC length bytes), the AES key encrypted with AES-CTR under
 * the first bytes, an HMAC of that under the rest; TLV = ephemeral public key |
 * HMAC tag | encrypted key.
 */
#ifndef DFUKIT_TOOLS_IMGENC_H
#define DFUKIT_TOOLS_IMGENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#include "imgkey.h"

#define IMGENC_AES_KEY_MAX 32u
#define IMGENC_TLV_MAX     256u /* RSA-2048: 256; ECIES-P256/AES-256: 65 + 32 + 32 = 129 */
#define IMGENC_X25519_LEN  32u
#define IMGENC_CTR_BLOCK   16u /* the body is padded to this in an encrypted image */

/* What -E and its options ask for. */
struct imgenc_opts {
	const struct imgkey *key; /* the device's key: public part used (RSA, EC P-256, X25519) */
	uint32_t aes_bits;        /* --encrypt-keylen 128 (default) or 256 */
	bool clear;               /* --clear: flags and key TLV, body left in clear */
	uint32_t hmac_sha;        /* --hmac-sha: 256 (default) or 512 (X25519 only) */
};

/* A CTR-DRBG seeded from the OS (mbedTLS's entropy: getrandom on Linux). */
struct imgenc_rng {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};
int imgenc_rng_init(struct imgenc_rng *r);
void imgenc_rng_free(struct imgenc_rng *r);

/* imgtool's key-family rules for -E with signing key sign (may be NULL): 0 or -EINVAL + err. */
int imgenc_check_keys(const struct imgenc_opts *e, const struct imgkey *sign, char *err,
		      size_t errlen);

/* The header flag for e (DFUKIT_IMAGE_F_ENCRYPTED_AES128/256); 0 for e == NULL. */
uint32_t imgenc_header_flag(const struct imgenc_opts *e);

/*
 * The signer's step, after hashing and signing: a fresh AES key wrapped for
 * e->key into tlv (*tlv_type, *tlv_len), body (len bytes, a multiple of 16)
 * encrypted in place unless e->clear. 0 or a negative errno + err.
 */
int imgenc_seal(const struct imgenc_opts *e, uint8_t *body, size_t len, uint16_t *tlv_type,
		uint8_t tlv[IMGENC_TLV_MAX], size_t *tlv_len, char *err, size_t errlen);

/* AES-CTR from counter 0 over buf, in place (encrypts and decrypts). 0 or -EIO. */
int imgenc_ctr(const uint8_t *aes_key, size_t key_len, uint8_t *buf, size_t len);
/* The same for the body bytes from off on (any offset: a dfukit_image_decryptor's job). */
int imgenc_ctr_at(const uint8_t *aes_key, size_t key_len, uint32_t off, uint8_t *buf, size_t len);

/* ---- key wraps (enc_wrap.c) ------------------------------------------------ */

/* The TLV type a key gets: 0x30, 0x32, 0x33/0x34 (hmac_sha 512); 0 if none (-EINVAL). */
uint16_t imgenc_tlv_type(const struct imgkey *k, uint32_t hmac_sha);

/* Wrap aes_key for k's public part: the TLV's value. */
int imgenc_wrap(const struct imgkey *k, uint32_t hmac_sha, struct imgenc_rng *rng,
		const uint8_t *aes_key, size_t key_len, uint8_t tlv[IMGENC_TLV_MAX],
		size_t *tlv_len, char *err, size_t errlen);

/*
 * Unwrap a TLV of type tlv_type with private key k into aes_key (key_len bytes,
 * from the header flag). -EINVAL: wrong key type for the TLV or wrong length;
 * -EBADMSG: the key does not open it (wrong key, damaged TLV).
 */
int imgenc_unwrap(const struct imgkey *k, uint16_t tlv_type, const uint8_t *tlv, size_t tlv_len,
		  uint8_t *aes_key, size_t key_len, char *err, size_t errlen);

/* ---- X25519 keys (imgkey_x25519.c) ------------------------------------------ */

/* An X25519 PKCS#8 private or SPKI public key, PEM or DER: true if data is one (k filled). */
bool imgkey_x25519_load(struct imgkey *k, const uint8_t *data, size_t len);
/* keygen -t x25519: a PKCS#8 PEM private key, as imgtool writes it. */
int imgkey_x25519_generate(const char *path, char *err, size_t errlen);
/* getpriv: the PKCS#8 DER (imgtool's only format for X25519). */
int imgkey_x25519_private_der(const struct imgkey *k, uint8_t *out, size_t cap, size_t *len);
/* A fresh key pair (RFC 7748 little-endian bytes). */
int imgkey_x25519_keypair(struct imgenc_rng *rng, uint8_t priv[IMGENC_X25519_LEN],
			  uint8_t pub[IMGENC_X25519_LEN]);
/* The DH: shared = X25519(priv, pub). 0 or -EIO (e.g. a low-order point). */
int imgkey_x25519_dh(const uint8_t priv[IMGENC_X25519_LEN], const uint8_t pub[IMGENC_X25519_LEN],
		     struct imgenc_rng *rng, uint8_t shared[IMGENC_X25519_LEN]);
/* The raw public key of an X25519 imgkey (the last 32 bytes of its SPKI). */
const uint8_t *imgkey_x25519_pub(const struct imgkey *k);

#endif
