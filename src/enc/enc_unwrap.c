/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AES key of an encrypted image unwrapped with the device's private key
 * (dfukit/enc.h): RSA-OAEP, ECIES-P256, ECIES-X25519; mbedTLS 2.28.
 */
#include <dfukit/enc.h>

#include <errno.h>
#include <string.h>

#include <mbedtls/ecdh.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

#include <dfukit/image.h>

#include "enc_key.h"

#if defined(DFUKIT_ENC_BEARSSL_ECDH)
#include <bearssl_ec.h>
#if defined(DFUKIT_ENC_BEARSSL_M15)
#define ENC_BR_P256 br_ec_p256_m15
#else
#define ENC_BR_P256 br_ec_p256_m31
#endif
#endif

#define RSA2048_LEN 256u
#define P256_COORD  32u

/*
 * The key wraps this build unwraps: all three on the host; a Cortex-M build
 * only its key's (DFUKIT_ENC_ONLY_RSA / DFUKIT_ENC_ONLY_EC256, set by
 * src/enc/CMakeLists.txt from DFUKIT_ENC_KEY), so that it links one
 * private-key operation; X25519 only with Curve25519 in mbedTLS.
 */
#if defined(DFUKIT_ENC_ONLY_RSA)
#define HAS_RSA  1
#define HAS_P256 0
#elif defined(DFUKIT_ENC_ONLY_EC256)
#define HAS_RSA  0
#define HAS_P256 1
#else
#define HAS_RSA  1
#define HAS_P256 1
#endif
#if defined(MBEDTLS_ECP_DP_CURVE25519_ENABLED) && HAS_RSA && HAS_P256
#define HAS_X25519 1
#else
#define HAS_X25519 0
#endif

static bool wrap_built(uint16_t type)
{
	switch (type) {
	case DFUKIT_IMAGE_TLV_ENC_RSA2048: return HAS_RSA;
	case DFUKIT_IMAGE_TLV_ENC_EC256: return HAS_P256;
	case DFUKIT_IMAGE_TLV_ENC_X25519:
	case DFUKIT_IMAGE_TLV_ENC_X25519_SHA512: return HAS_X25519;
	default: return false;
	}
}

static int rsa_unwrap(const struct dfukit_enc_key *k, const uint8_t *tlv, uint8_t *aes_key,
		      size_t key_len, const struct dfukit_enc_rng *rng)
{
	uint8_t out[RSA2048_LEN];
	mbedtls_rsa_context rsa;
	size_t olen = 0;
	int rc;

	mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	rc = enc_key_rsa(k, &rsa);
	if (rc == 0 && mbedtls_rsa_get_len(&rsa) != RSA2048_LEN) {
		rc = -EINVAL;
	}
	if (rc == 0) {
		rc = mbedtls_rsa_rsaes_oaep_decrypt(
			     &rsa, rng != NULL ? rng->fn : NULL, rng != NULL ? rng->ctx : NULL,
			     MBEDTLS_RSA_PRIVATE, NULL, 0, &olen, tlv, out, sizeof(out)) == 0 &&
				     olen == key_len
			     ? 0
			     : -EBADMSG;
	}
	if (rc == 0) {
		memcpy(aes_key, out, key_len);
	}
	mbedtls_platform_zeroize(out, sizeof(out));
	mbedtls_rsa_free(&rsa);
	return rc;
}

#if defined(DFUKIT_ENC_BEARSSL_ECDH)
/*
 * The P-256 DH with BearSSL's constant-time arithmetic, which a Cortex-M
 * build verifying ECDSA with BearSSL links already (src/enc/CMakeLists.txt):
 * shared = X of d * Q; mul() refuses a point that is not on the curve.
 */
static int p256_shared(const struct dfukit_enc_key *k, const uint8_t *point,
		       const struct dfukit_enc_rng *rng, uint8_t shared[P256_COORD])
{
	uint8_t d[P256_COORD], q[DFUKIT_ENC_P256_POINT];
	int rc = enc_key_p256_scalar(k, d);

	(void)rng; /* constant time: nothing to blind */
	memcpy(q, point, sizeof(q));
	if (rc == 0 &&
	    (q[0] != 0x04u || ENC_BR_P256.mul(q, sizeof(q), d, sizeof(d), BR_EC_secp256r1) != 1u)) {
		rc = -EBADMSG;
	}
	if (rc == 0) {
		memcpy(shared, q + 1, P256_COORD);
	}
	mbedtls_platform_zeroize(d, sizeof(d));
	mbedtls_platform_zeroize(q, sizeof(q));
	return rc;
}
#else
/* The P-256 DH with the TLV's ephemeral point: shared = X of d * Q, big endian. */
static int p256_shared(const struct dfukit_enc_key *k, const uint8_t *point,
		       const struct dfukit_enc_rng *rng, uint8_t shared[P256_COORD])
{
	mbedtls_ecp_keypair dev;
	mbedtls_ecp_point eph;
	mbedtls_mpi z;
	int rc;

	mbedtls_ecp_keypair_init(&dev);
	mbedtls_ecp_point_init(&eph);
	mbedtls_mpi_init(&z);
	rc = enc_key_p256(k, &dev);
	if (rc == 0 &&
	    (mbedtls_ecp_point_read_binary(&dev.grp, &eph, point, DFUKIT_ENC_P256_POINT) != 0 ||
	     mbedtls_ecp_check_pubkey(&dev.grp, &eph) != 0 ||
	     mbedtls_ecdh_compute_shared(&dev.grp, &z, &eph, &dev.d, rng != NULL ? rng->fn : NULL,
					 rng != NULL ? rng->ctx : NULL) != 0 ||
	     mbedtls_mpi_write_binary(&z, shared, P256_COORD) != 0)) {
		rc = -EBADMSG;
	}
	mbedtls_mpi_free(&z);
	mbedtls_ecp_point_free(&eph);
	mbedtls_ecp_keypair_free(&dev);
	return rc;
}
#endif

/* ECIES: the DH with the TLV's ephemeral key, the tag checked, the key decrypted. */
static int ecies_unwrap(const struct dfukit_enc_key *k, uint16_t type, const uint8_t *tlv,
			uint8_t *aes_key, size_t key_len, const struct dfukit_enc_rng *rng)
{
	bool p256 = type == DFUKIT_IMAGE_TLV_ENC_EC256;
	size_t pub_len = p256 ? DFUKIT_ENC_P256_POINT : DFUKIT_ENC_X25519_LEN;
	size_t mac_len = dfukit_enc_ecies_mac_len(type);
	uint8_t shared[P256_COORD], tag[DFUKIT_ENC_MAC_MAX], priv[DFUKIT_ENC_X25519_LEN];
	uint8_t diff = 0;
	int rc;

	if (p256) {
		rc = HAS_P256 ? p256_shared(k, tlv, rng, shared) : -EINVAL;
	} else {
		rc = HAS_X25519 ? enc_key_x25519(k, priv) : -EINVAL;
		if (rc == 0 && dfukit_enc_x25519_dh(priv, tlv, rng, shared) != 0) {
			rc = -EBADMSG;
		}
		mbedtls_platform_zeroize(priv, sizeof(priv));
	}
	if (rc == 0 &&
	    dfukit_enc_ecies_kdf_mac(type, shared, sizeof(shared), tlv + pub_len + mac_len, aes_key,
				     key_len, false, tag) != 0) {
		rc = -EBADMSG;
	}
	mbedtls_platform_zeroize(shared, sizeof(shared));
	/* Every byte of the tag compared: one that differs anywhere refuses the key. */
	for (size_t i = 0; rc == 0 && i < mac_len; i++) {
		diff |= (uint8_t)(tag[i] ^ tlv[pub_len + i]);
	}
	return rc == 0 && diff != 0 ? -EBADMSG : rc;
}

int dfukit_enc_unwrap(const struct dfukit_enc_key *key, uint16_t tlv_type, const uint8_t *tlv,
		      size_t tlv_len, uint8_t *aes_key, size_t key_len,
		      const struct dfukit_enc_rng *rng)
{
	int rc;

	if (key == NULL || key->data == NULL || tlv == NULL || aes_key == NULL ||
	    (key_len != 16u && key_len != 32u)) {
		return -EINVAL;
	}
	if (dfukit_enc_tlv_len(tlv_type, key_len) == 0u ||
	    tlv_len != dfukit_enc_tlv_len(tlv_type, key_len)) {
		return -EINVAL;
	}
	if (!wrap_built(tlv_type)) {
		return -EINVAL;
	}
	if (HAS_RSA && tlv_type == DFUKIT_IMAGE_TLV_ENC_RSA2048) {
		rc = rsa_unwrap(key, tlv, aes_key, key_len, rng);
	} else {
		rc = ecies_unwrap(key, tlv_type, tlv, aes_key, key_len, rng);
	}
	if (rc != 0) {
		mbedtls_platform_zeroize(aes_key, key_len);
	}
	return rc;
}
