/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ECIES's building blocks for encrypted images (dfukit/enc.h): the HKDF and
 * HMAC step both sides share, the X25519 DH and AES-CTR over the body; all
 * mbedTLS 2.28.
 */
#include <dfukit/enc.h>

#include <errno.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include <dfukit/image.h>

#define CTR_BLOCK 16u

static const unsigned char ecies_info[] = "MCUBoot_ECIES_v1";

/* ECIES's HKDF and HMAC hash: SHA-512 for TLV 0x34, SHA-256 for 0x32 and 0x33. */
static const mbedtls_md_info_t *ecies_md(uint16_t tlv_type)
{
	if (tlv_type == DFUKIT_IMAGE_TLV_ENC_X25519_SHA512) {
		return mbedtls_md_info_from_type(MBEDTLS_MD_SHA512);
	}
	if (tlv_type == DFUKIT_IMAGE_TLV_ENC_EC256 || tlv_type == DFUKIT_IMAGE_TLV_ENC_X25519) {
		return mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	}
	return NULL;
}

size_t dfukit_enc_ecies_mac_len(uint16_t tlv_type)
{
	const mbedtls_md_info_t *md = ecies_md(tlv_type);

	return md != NULL ? mbedtls_md_get_size(md) : 0u;
}

size_t dfukit_enc_tlv_len(uint16_t tlv_type, size_t key_len)
{
	switch (tlv_type) {
	case DFUKIT_IMAGE_TLV_ENC_RSA2048: return 256u;
	case DFUKIT_IMAGE_TLV_ENC_EC256:
		return DFUKIT_ENC_P256_POINT + dfukit_enc_ecies_mac_len(tlv_type) + key_len;
	case DFUKIT_IMAGE_TLV_ENC_X25519:
	case DFUKIT_IMAGE_TLV_ENC_X25519_SHA512:
		return DFUKIT_ENC_X25519_LEN + dfukit_enc_ecies_mac_len(tlv_type) + key_len;
	default: return 0u;
	}
}

int dfukit_enc_ecies_kdf_mac(uint16_t tlv_type, const uint8_t *shared, size_t shared_len,
			     const uint8_t *key_in, uint8_t *key_out, size_t key_len, bool sealing,
			     uint8_t tag[DFUKIT_ENC_MAC_MAX])
{
	const mbedtls_md_info_t *md = ecies_md(tlv_type);
	uint8_t okm[DFUKIT_ENC_AES_KEY_MAX + DFUKIT_ENC_MAC_MAX];
	size_t mac_len;
	int rc;

	if (md == NULL || key_len > DFUKIT_ENC_AES_KEY_MAX) {
		return -EINVAL;
	}
	mac_len = mbedtls_md_get_size(md);
	rc = mbedtls_hkdf(md, NULL, 0, shared, shared_len, ecies_info, sizeof(ecies_info) - 1u, okm,
			  key_len + mac_len);
	/* The tag is over the encrypted key: key_out once sealed, key_in when opening. */
	if (rc == 0 && sealing) {
		memcpy(key_out, key_in, key_len);
		rc = dfukit_enc_ctr(okm, key_len, 0, key_out, key_len);
	}
	if (rc == 0) {
		rc = mbedtls_md_hmac(md, okm + key_len, mac_len, sealing ? key_out : key_in,
				     key_len, tag);
	}
	if (rc == 0 && !sealing) {
		memcpy(key_out, key_in, key_len);
		rc = dfukit_enc_ctr(okm, key_len, 0, key_out, key_len);
	}
	mbedtls_platform_zeroize(okm, sizeof(okm));
	return rc == 0 ? 0 : -EIO;
}

#if defined(MBEDTLS_ECP_DP_CURVE25519_ENABLED)
int dfukit_enc_x25519_dh(const uint8_t priv[DFUKIT_ENC_X25519_LEN],
			 const uint8_t pub[DFUKIT_ENC_X25519_LEN], const struct dfukit_enc_rng *rng,
			 uint8_t shared[DFUKIT_ENC_X25519_LEN])
{
	mbedtls_ecp_keypair kp;
	mbedtls_ecp_point peer;
	mbedtls_mpi z;
	int rc;

	mbedtls_ecp_keypair_init(&kp);
	mbedtls_ecp_point_init(&peer);
	mbedtls_mpi_init(&z);
	rc = mbedtls_ecp_read_key(MBEDTLS_ECP_DP_CURVE25519, &kp, priv, DFUKIT_ENC_X25519_LEN);
	if (rc == 0) {
		rc = mbedtls_ecp_point_read_binary(&kp.grp, &peer, pub, DFUKIT_ENC_X25519_LEN);
	}
	if (rc == 0) {
		rc = mbedtls_ecdh_compute_shared(&kp.grp, &z, &peer, &kp.d,
						 rng != NULL ? rng->fn : NULL,
						 rng != NULL ? rng->ctx : NULL);
	}
	if (rc == 0) {
		rc = mbedtls_mpi_write_binary_le(&z, shared, DFUKIT_ENC_X25519_LEN);
	}
	mbedtls_mpi_free(&z);
	mbedtls_ecp_point_free(&peer);
	mbedtls_ecp_keypair_free(&kp);
	return rc == 0 ? 0 : -EIO;
}
#else
/* An mbedTLS without Curve25519 (the Cortex-M configuration): no X25519. */
int dfukit_enc_x25519_dh(const uint8_t priv[DFUKIT_ENC_X25519_LEN],
			 const uint8_t pub[DFUKIT_ENC_X25519_LEN], const struct dfukit_enc_rng *rng,
			 uint8_t shared[DFUKIT_ENC_X25519_LEN])
{
	(void)priv;
	(void)pub;
	(void)rng;
	(void)shared;
	return -EIO;
}
#endif

int dfukit_enc_ctr(const uint8_t *aes_key, size_t key_len, uint32_t off, uint8_t *buf, size_t len)
{
	unsigned char counter[CTR_BLOCK] = {0};
	unsigned char stream[CTR_BLOCK] = {0};
	size_t in_block = off % CTR_BLOCK;
	uint32_t block = off / CTR_BLOCK;
	mbedtls_aes_context aes;
	int rc;

	if (key_len != 16u && key_len != 32u) {
		return -EIO;
	}
	/* The counter block of byte off: its block number, big endian, from zero. */
	for (unsigned i = 0; i < 4u; i++) {
		counter[CTR_BLOCK - 1u - i] = (unsigned char)(block >> (8u * i));
	}
	mbedtls_aes_init(&aes);
	rc = mbedtls_aes_setkey_enc(&aes, aes_key, (unsigned)(key_len * 8u));
	/* Mid-block: that block's keystream now and the counter past it, as mbedTLS keeps them. */
	if (rc == 0 && in_block != 0u) {
		rc = mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, counter, stream);
		for (unsigned i = CTR_BLOCK; i-- > 0u;) {
			if (++counter[i] != 0u) {
				break;
			}
		}
	}
	if (rc == 0) {
		rc = mbedtls_aes_crypt_ctr(&aes, len, &in_block, counter, stream, buf, buf);
	}
	mbedtls_aes_free(&aes);
	mbedtls_platform_zeroize(stream, sizeof(stream));
	return rc == 0 ? 0 : -EIO;
}
