/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted MCUboot images, the device's side (MCUboot docs/encrypted_images.md,
 * imgtool -E): unwrap the image's AES key with the device's private key, and
 * AES-CTR over the image body. Shared by the bootloader's swap and the host
 * tool (`dfukit image verify --decrypt`, `decrypt`); every primitive is
 * mbedTLS 2.28's, which allocates its bignums through its own allocator (as
 * for dfukit_image: MBEDTLS_MEMORY_BUFFER_ALLOC_C on a target without a
 * heap). Nothing here allocates or keeps state.
 *
 * Key wraps (the TLV that holds the AES key):
 *   0x30 RSA-OAEP-2048, SHA-256 and MGF1-SHA-256, no label: 256 bytes
 *   0x32 ECIES-P256:   ephemeral point (65) | HMAC-SHA256 tag (32) | key
 *   0x33 ECIES-X25519: ephemeral key (32) | HMAC-SHA256 tag (32) | key
 *   0x34 ECIES-X25519 with HKDF/HMAC-SHA512: 32 | 64 | key
 * ECIES: shared = DH(device key, ephemeral key); HKDF(no salt, info
 * "MCUBoot_ECIES_v1") gives key_len bytes of AES-CTR key (counter 0) that
 * decrypts the wrapped key, then the HMAC key; the tag is the HMAC of the
 * wrapped (encrypted) key.
 *
 * Body: AES-128 or AES-256 CTR (header flag 0x04 / 0x08), counter block =
 * block number (body offset / 16) big endian, from zero.
 */
#ifndef DFUKIT_ENC_H
#define DFUKIT_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DFUKIT_ENC_AES_KEY_MAX 32u
#define DFUKIT_ENC_X25519_LEN  32u
#define DFUKIT_ENC_P256_POINT  65u /* uncompressed: 04 | X | Y */
#define DFUKIT_ENC_MAC_MAX     64u

/*
 * The device's private key: RSA-2048 (PKCS#1 or PKCS#8), EC P-256 (SEC1 or
 * PKCS#8), each DER or PEM as mbedtls_pk_parse_key() takes them (PEM: the
 * text with its NUL, counted in len); X25519 as its 32 private bytes or
 * the PKCS#8 (OID 1.3.101.110) DER or PEM imgtool writes. Which of them it
 * is follows from the image's key TLV type.
 */
struct dfukit_enc_key {
	const uint8_t *data;
	size_t len;
};

/*
 * A random generator for mbedTLS's blinding of the private-key operation
 * (mbedTLS's f_rng); fn NULL: no blinding (RSA), mbedTLS's internal one (ECP).
 */
struct dfukit_enc_rng {
	int (*fn)(void *ctx, unsigned char *out, size_t len);
	void *ctx;
};

/* The TLV length of wrap tlv_type for an AES key of key_len bytes; 0 for an unknown type. */
size_t dfukit_enc_tlv_len(uint16_t tlv_type, size_t key_len);

/*
 * Unwrap the AES key (key_len bytes: 16 or 32) from a key TLV of tlv_type.
 * 0; -EINVAL for a type this layer does not unwrap (X25519 with an mbedTLS
 * built without Curve25519, as the Cortex-M one), a length that is not
 * dfukit_enc_tlv_len(), or a key that is not of the TLV's kind; -EBADMSG
 * when the key does not open it (another key, a damaged TLV). aes_key is
 * zeroed on failure. rng may be NULL.
 */
int dfukit_enc_unwrap(const struct dfukit_enc_key *key, uint16_t tlv_type, const uint8_t *tlv,
		      size_t tlv_len, uint8_t *aes_key, size_t key_len,
		      const struct dfukit_enc_rng *rng);

/*
 * AES-CTR (key_len 16 or 32) over len bytes in place, the first being body
 * byte off: encrypts and decrypts, from any offset. 0 or -EIO.
 */
int dfukit_enc_ctr(const uint8_t *aes_key, size_t key_len, uint32_t off, uint8_t *buf, size_t len);

/* --- the pieces the signer's wrap shares (tools/image) --------------------------- */

/*
 * ECIES after the DH, either way: HKDF(shared) = AES key | HMAC key; key_in
 * (key_len bytes) encrypted (sealing) or decrypted into key_out; tag = HMAC
 * of the encrypted key (mbedtls_md_get_size bytes, up to DFUKIT_ENC_MAC_MAX).
 * 0 or -EIO.
 */
int dfukit_enc_ecies_kdf_mac(uint16_t tlv_type, const uint8_t *shared, size_t shared_len,
			     const uint8_t *key_in, uint8_t *key_out, size_t key_len, bool sealing,
			     uint8_t tag[DFUKIT_ENC_MAC_MAX]);
/* The HMAC length of an ECIES TLV type (32, or 64 for 0x34); 0 for another type. */
size_t dfukit_enc_ecies_mac_len(uint16_t tlv_type);
/* X25519: shared = X25519(priv, pub), RFC 7748 byte order. 0 or -EIO (a low-order point). */
int dfukit_enc_x25519_dh(const uint8_t priv[DFUKIT_ENC_X25519_LEN],
			 const uint8_t pub[DFUKIT_ENC_X25519_LEN], const struct dfukit_enc_rng *rng,
			 uint8_t shared[DFUKIT_ENC_X25519_LEN]);

#ifdef __cplusplus
}
#endif

#endif /* DFUKIT_ENC_H */
