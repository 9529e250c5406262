/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AES key of an encrypted image unwrapped with the device's private key
 * (dfukit/enc.h): RSA-OAEP, ECIES-P256, ECIES-X25519; mbedTLS 2.28.
 */
#include <dfukit/enc.h>

#include <errno.h>
#include <string.h>

#include <mbedtls/ecdh.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

#include <dfukit/image.h>

#define RSA2048_LEN 256u
#define P256_COORD  32u

/* PKCS#8 PrivateKeyInfo of an X25519 key, up to its 32 key bytes (RFC 8410). */
static const uint8_t x25519_pkcs8_prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
						0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20};
#define X25519_PKCS8_LEN (sizeof(x25519_pkcs8_prefix) + DFUKIT_ENC_X25519_LEN)

static bool is_pem(const struct dfukit_enc_key *k)
{
	return k->len > 11u && memcmp(k->data, "-----BEGIN ", 11) == 0 && k->data[k->len - 1] == 0;
}

/* The 32 private bytes of an X25519 key: raw, PKCS#8 DER, or that in PEM. */
static int x25519_priv(const struct dfukit_enc_key *k, uint8_t out[DFUKIT_ENC_X25519_LEN])
{
	const uint8_t *der = k->data;
	size_t len = k->len;
	mbedtls_pem_context pem;
	size_t used = 0;
	int rc = 0;

	mbedtls_pem_init(&pem);
	if (is_pem(k)) {
		rc = mbedtls_pem_read_buffer(&pem, "-----BEGIN PRIVATE KEY-----",
					     "-----END PRIVATE KEY-----", k->data, NULL, 0, &used);
		der = pem.buf;
		len = pem.buflen;
	}
	if (rc == 0 && len == DFUKIT_ENC_X25519_LEN) {
		memcpy(out, der, len);
	} else if (rc == 0 && len == X25519_PKCS8_LEN &&
		   memcmp(der, x25519_pkcs8_prefix, sizeof(x25519_pkcs8_prefix)) == 0) {
		memcpy(out, der + sizeof(x25519_pkcs8_prefix), DFUKIT_ENC_X25519_LEN);
	} else {
		rc = -1;
	}
	mbedtls_pem_free(&pem);
	return rc == 0 ? 0 : -EINVAL;
}

/* An RSA or EC private key of the wanted type, parsed into pk. */
static int pk_load(mbedtls_pk_context *pk, const struct dfukit_enc_key *k, mbedtls_pk_type_t want)
{
	if (mbedtls_pk_parse_key(pk, k->data, k->len, NULL, 0) != 0 ||
	    mbedtls_pk_get_type(pk) != want) {
		return -EINVAL;
	}
	return 0;
}

static int rsa_unwrap(const struct dfukit_enc_key *k, const uint8_t *tlv, uint8_t *aes_key,
		      size_t key_len, const struct dfukit_enc_rng *rng)
{
	uint8_t out[RSA2048_LEN];
	mbedtls_pk_context pk;
	size_t olen = 0;
	int rc;

	mbedtls_pk_init(&pk);
	rc = pk_load(&pk, k, MBEDTLS_PK_RSA);
	if (rc == 0 && mbedtls_rsa_get_len(mbedtls_pk_rsa(pk)) != RSA2048_LEN) {
		rc = -EINVAL;
	}
	if (rc == 0) {
		mbedtls_rsa_context *rsa = mbedtls_pk_rsa(pk);

		mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
		rc = mbedtls_rsa_rsaes_oaep_decrypt(
			     rsa, rng != NULL ? rng->fn : NULL, rng != NULL ? rng->ctx : NULL,
			     MBEDTLS_RSA_PRIVATE, NULL, 0, &olen, tlv, out, sizeof(out)) == 0 &&
				     olen == key_len
			     ? 0
			     : -EBADMSG;
	}
	if (rc == 0) {
		memcpy(aes_key, out, key_len);
	}
	mbedtls_platform_zeroize(out, sizeof(out));
	mbedtls_pk_free(&pk);
	return rc;
}

/* The P-256 DH with the TLV's ephemeral point: shared = X of d * Q, big endian. */
static int p256_shared(const struct dfukit_enc_key *k, const uint8_t *point,
		       const struct dfukit_enc_rng *rng, uint8_t shared[P256_COORD])
{
	mbedtls_pk_context pk;
	mbedtls_ecp_point eph;
	mbedtls_mpi z;
	int rc;

	mbedtls_pk_init(&pk);
	mbedtls_ecp_point_init(&eph);
	mbedtls_mpi_init(&z);
	rc = pk_load(&pk, k, MBEDTLS_PK_ECKEY);
	if (rc == 0) {
		mbedtls_ecp_keypair *dev = mbedtls_pk_ec(pk);

		rc = dev->grp.id == MBEDTLS_ECP_DP_SECP256R1 ? 0 : -EINVAL;
		if (rc == 0 && (mbedtls_ecp_point_read_binary(&dev->grp, &eph, point,
							      DFUKIT_ENC_P256_POINT) != 0 ||
				mbedtls_ecp_check_pubkey(&dev->grp, &eph) != 0 ||
				mbedtls_ecdh_compute_shared(&dev->grp, &z, &eph, &dev->d,
							    rng != NULL ? rng->fn : NULL,
							    rng != NULL ? rng->ctx : NULL) != 0 ||
				mbedtls_mpi_write_binary(&z, shared, P256_COORD) != 0)) {
			rc = -EBADMSG;
		}
	}
	mbedtls_mpi_free(&z);
	mbedtls_ecp_point_free(&eph);
	mbedtls_pk_free(&pk);
	return rc;
}

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
		rc = p256_shared(k, tlv, rng, shared);
	} else {
		rc = x25519_priv(k, priv);
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
	if (tlv_type == DFUKIT_IMAGE_TLV_ENC_RSA2048) {
		rc = rsa_unwrap(key, tlv, aes_key, key_len, rng);
	} else {
		rc = ecies_unwrap(key, tlv_type, tlv, aes_key, key_len, rng);
	}
	if (rc != 0) {
		mbedtls_platform_zeroize(aes_key, key_len);
	}
	return rc;
}
