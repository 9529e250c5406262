/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AES key's wraps in an encrypted MCUboot image (imgenc.h): RSA-OAEP
 * (SHA-256, MGF1-SHA-256, no label), ECIES-P256 and ECIES-X25519, every
 * primitive from mbedTLS 2.28. The wrap is the signer's; the unwrap is the
 * device's and lives in dfukit_enc (src/enc), which the bootloader uses too:
 * here it gets the tool's checks and messages.
 */
#include <errno.h>
#include <string.h>

#include <mbedtls/ecdh.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

#include <dfukit/enc.h>

#include "imgenc.h"

#define P256_POINT_LEN 65u /* uncompressed: 04 | X | Y */
#define P256_COORD_LEN 32u
#define RSA2048_LEN    256u

uint16_t imgenc_tlv_type(const struct imgkey *k, uint32_t hmac_sha)
{
	switch (k->type) {
	case IMGKEY_RSA2048: return DFUKIT_IMAGE_TLV_ENC_RSA2048;
	case IMGKEY_ECDSA_P256: return DFUKIT_IMAGE_TLV_ENC_EC256;
	case IMGKEY_X25519:
		return hmac_sha == 512 ? DFUKIT_IMAGE_TLV_ENC_X25519_SHA512
				       : DFUKIT_IMAGE_TLV_ENC_X25519;
	default: return 0;
	}
}

/* The ephemeral public key's length at the start of an ECIES TLV. */
static size_t ecies_pub_len(uint16_t tlv_type)
{
	return tlv_type == DFUKIT_IMAGE_TLV_ENC_EC256 ? P256_POINT_LEN : IMGENC_X25519_LEN;
}

/* The P-256 DH: shared = X coordinate of d * Q, big endian. */
static int p256_dh(mbedtls_ecp_group *grp, const mbedtls_ecp_point *q, const mbedtls_mpi *d,
		   struct imgenc_rng *rng, uint8_t shared[P256_COORD_LEN])
{
	mbedtls_mpi z;
	int rc;

	mbedtls_mpi_init(&z);
	rc = mbedtls_ecdh_compute_shared(grp, &z, q, d, mbedtls_ctr_drbg_random, &rng->drbg);
	if (rc == 0)
		rc = mbedtls_mpi_write_binary(&z, shared, P256_COORD_LEN);
	mbedtls_mpi_free(&z);
	return rc == 0 ? 0 : -EIO;
}

/* ECIES wrap, either curve: an ephemeral key, the DH with k, the TLV pub | tag | key. */
static int ecies_wrap(const struct imgkey *k, uint16_t type, struct imgenc_rng *rng,
		      const uint8_t *aes_key, size_t key_len, uint8_t *tlv, size_t *tlv_len)
{
	size_t pub_len = ecies_pub_len(type), mac_len = dfukit_enc_ecies_mac_len(type);
	uint8_t shared[P256_COORD_LEN], tag[DFUKIT_ENC_MAC_MAX], eph[IMGENC_X25519_LEN];
	mbedtls_ecp_keypair kp;
	size_t olen = 0;
	int rc;

	mbedtls_ecp_keypair_init(&kp);
	if (type == DFUKIT_IMAGE_TLV_ENC_EC256) {
		rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, &kp, mbedtls_ctr_drbg_random,
					 &rng->drbg);
		if (rc == 0)
			rc = mbedtls_ecp_point_write_binary(&kp.grp, &kp.Q,
							    MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, tlv,
							    P256_POINT_LEN);
		if (rc == 0)
			rc = p256_dh(&kp.grp, &mbedtls_pk_ec(k->pk)->Q, &kp.d, rng, shared);
	} else {
		rc = imgkey_x25519_keypair(rng, eph, tlv);
		if (rc == 0)
			rc = imgkey_x25519_dh(eph, imgkey_x25519_pub(k), rng, shared);
	}
	mbedtls_ecp_keypair_free(&kp);
	mbedtls_platform_zeroize(eph, sizeof(eph));
	if (rc == 0)
		rc = dfukit_enc_ecies_kdf_mac(type, shared, sizeof(shared), aes_key,
					      tlv + pub_len + mac_len, key_len, true, tag);
	mbedtls_platform_zeroize(shared, sizeof(shared));
	if (rc != 0)
		return -EIO;
	memcpy(tlv + pub_len, tag, mac_len);
	*tlv_len = pub_len + mac_len + key_len;
	return 0;
}

static mbedtls_rsa_context *oaep_rsa(const struct imgkey *k)
{
	mbedtls_rsa_context *rsa = mbedtls_pk_rsa(k->pk);

	mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	return rsa;
}

int imgenc_wrap(const struct imgkey *k, uint32_t hmac_sha, struct imgenc_rng *rng,
		const uint8_t *aes_key, size_t key_len, uint8_t tlv[IMGENC_TLV_MAX],
		size_t *tlv_len, char *err, size_t errlen)
{
	uint16_t type = imgenc_tlv_type(k, hmac_sha);

	if (type == 0 || !k->has_public)
		return img_errf(err, errlen, -EINVAL,
				"-E needs an RSA-2048, EC P-256 or X25519 key");
	if (type == DFUKIT_IMAGE_TLV_ENC_RSA2048) {
		if (mbedtls_rsa_rsaes_oaep_encrypt(oaep_rsa(k), mbedtls_ctr_drbg_random, &rng->drbg,
						   MBEDTLS_RSA_PUBLIC, NULL, 0, key_len, aes_key,
						   tlv) != 0)
			return img_errf(err, errlen, -EIO, "RSA-OAEP encryption failed");
		*tlv_len = RSA2048_LEN;
		return 0;
	}
	if (ecies_wrap(k, type, rng, aes_key, key_len, tlv, tlv_len) != 0)
		return img_errf(err, errlen, -EIO, "ECIES key wrap failed");
	return 0;
}

static const char *key_kind(enum imgkey_type t)
{
	switch (t) {
	case IMGKEY_RSA2048: return "an RSA-2048 key";
	case IMGKEY_ECDSA_P256: return "an EC P-256 key";
	case IMGKEY_X25519: return "an X25519 key";
	case IMGKEY_ED25519: return "an Ed25519 key (a signing key)";
	default: return "a key of no encryption type";
	}
}

/* The TLV's type and length against the key and the AES key length. */
static int check_unwrap(const struct imgkey *k, uint16_t type, size_t tlv_len, size_t key_len,
			char *err, size_t errlen)
{
	size_t want;

	if (!k->has_private)
		return img_errf(err, errlen, -EINVAL,
				"decrypting needs the private key (this is a public key)");
	if (imgenc_tlv_type(k, type == DFUKIT_IMAGE_TLV_ENC_X25519_SHA512 ? 512 : 256) != type)
		return img_errf(err, errlen, -EINVAL,
				"the image's key TLV is 0x%02x but the key is %s (0x30: RSA, "
				"0x32: EC P-256, 0x33/0x34: X25519)",
				type, key_kind(k->type));
	want = type == DFUKIT_IMAGE_TLV_ENC_RSA2048
		       ? RSA2048_LEN
		       : ecies_pub_len(type) + dfukit_enc_ecies_mac_len(type) + key_len;
	if (tlv_len != want)
		return img_errf(err, errlen, -EINVAL,
				"the key TLV 0x%02x is %zu bytes, not %zu (truncated, or not "
				"for AES-%zu)",
				type, tlv_len, want, key_len * 8);
	return 0;
}

/* The private key as the unwrap takes it: its DER (RSA, EC) or its 32 bytes (X25519). */
static int private_of(const struct imgkey *k, uint8_t *der, size_t cap, struct dfukit_enc_key *out)
{
	size_t len = 0;

	if (k->type == IMGKEY_X25519) {
		*out = (struct dfukit_enc_key){k->x25519_priv, IMGENC_X25519_LEN};
		return 0;
	}
	if (imgkey_private_der(k, IMGKEY_PRIV_OPENSSL, false, der, cap, &len, NULL, 0) != 0)
		return -EINVAL;
	*out = (struct dfukit_enc_key){der, len};
	return 0;
}

int imgenc_unwrap(const struct imgkey *k, uint16_t tlv_type, const uint8_t *tlv, size_t tlv_len,
		  uint8_t *aes_key, size_t key_len, char *err, size_t errlen)
{
	uint8_t der[IMGKEY_PRIV_MAX];
	struct dfukit_enc_key dev;
	struct imgenc_rng rng;
	int rc = check_unwrap(k, tlv_type, tlv_len, key_len, err, errlen);

	if (rc != 0)
		return rc;
	if (private_of(k, der, sizeof(der), &dev) != 0)
		return img_errf(err, errlen, -EINVAL, "cannot export the private key");
	if (imgenc_rng_init(&rng) != 0) {
		imgenc_rng_free(&rng);
		mbedtls_platform_zeroize(der, sizeof(der));
		return img_errf(err, errlen, -EIO, "cannot seed the random generator");
	}
	/* The device's side of the unwrap is the bootloader's: dfukit_enc (src/enc). */
	struct dfukit_enc_rng blind = {mbedtls_ctr_drbg_random, &rng.drbg};

	rc = dfukit_enc_unwrap(&dev, tlv_type, tlv, tlv_len, aes_key, key_len, &blind);
	imgenc_rng_free(&rng);
	mbedtls_platform_zeroize(der, sizeof(der));
	if (rc != 0)
		return img_errf(err, errlen, -EBADMSG,
				"the key does not open the image's key TLV 0x%02x (another key, "
				"or a damaged TLV)",
				tlv_type);
	return 0;
}
