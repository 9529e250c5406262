/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AES key's wraps in an encrypted MCUboot image (imgenc.h): RSA-OAEP
 * (SHA-256, MGF1-SHA-256, no label), ECIES-P256 and ECIES-X25519, wrap and
 * unwrap, every primitive from mbedTLS 2.28.
 */
#include <errno.h>
#include <string.h>

#include <mbedtls/ecdh.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

#include "imgenc.h"

#define P256_POINT_LEN 65u /* uncompressed: 04 | X | Y */
#define P256_COORD_LEN 32u
#define RSA2048_LEN    256u
#define MAC_MAX        64u

static const unsigned char ecies_info[] = "MCUBoot_ECIES_v1";

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

/* ECIES's HMAC (and HKDF) hash: SHA-512 for TLV 0x34, else SHA-256. */
static const mbedtls_md_info_t *ecies_md(uint16_t tlv_type)
{
	return mbedtls_md_info_from_type(tlv_type == DFUKIT_IMAGE_TLV_ENC_X25519_SHA512
						 ? MBEDTLS_MD_SHA512
						 : MBEDTLS_MD_SHA256);
}

/* The ephemeral public key's length at the start of an ECIES TLV. */
static size_t ecies_pub_len(uint16_t tlv_type)
{
	return tlv_type == DFUKIT_IMAGE_TLV_ENC_EC256 ? P256_POINT_LEN : IMGENC_X25519_LEN;
}

/*
 * Both ECIES sides after the DH: HKDF(shared) = AES key | HMAC key; the AES key
 * encrypts (or decrypts) key_in into key_out; tag = HMAC over the encrypted key.
 */
static int ecies_kdf_mac(uint16_t tlv_type, const uint8_t *shared, size_t shared_len,
			 const uint8_t *key_in, uint8_t *key_out, size_t key_len, bool sealing,
			 uint8_t tag[MAC_MAX])
{
	const mbedtls_md_info_t *md = ecies_md(tlv_type);
	size_t mac_len = mbedtls_md_get_size(md);
	uint8_t okm[IMGENC_AES_KEY_MAX + MAC_MAX];
	int rc;

	rc = mbedtls_hkdf(md, NULL, 0, shared, shared_len, ecies_info, sizeof(ecies_info) - 1, okm,
			  key_len + mac_len);
	if (rc == 0 && sealing)
		rc = imgenc_ctr(okm, key_len, memcpy(key_out, key_in, key_len), key_len);
	/* The tag is over the encrypted key: key_out when sealing, key_in when opening. */
	if (rc == 0)
		rc = mbedtls_md_hmac(md, okm + key_len, mac_len, sealing ? key_out : key_in,
				     key_len, tag);
	if (rc == 0 && !sealing)
		rc = imgenc_ctr(okm, key_len, memcpy(key_out, key_in, key_len), key_len);
	mbedtls_platform_zeroize(okm, sizeof(okm));
	return rc == 0 ? 0 : -EIO;
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
	size_t pub_len = ecies_pub_len(type), mac_len = mbedtls_md_get_size(ecies_md(type));
	uint8_t shared[P256_COORD_LEN], tag[MAC_MAX], eph[IMGENC_X25519_LEN];
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
		rc = ecies_kdf_mac(type, shared, sizeof(shared), aes_key, tlv + pub_len + mac_len,
				   key_len, true, tag);
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
		       : ecies_pub_len(type) + mbedtls_md_get_size(ecies_md(type)) + key_len;
	if (tlv_len != want)
		return img_errf(err, errlen, -EINVAL,
				"the key TLV 0x%02x is %zu bytes, not %zu (truncated, or not "
				"for AES-%zu)",
				type, tlv_len, want, key_len * 8);
	return 0;
}

/* ECIES unwrap: the DH with the TLV's ephemeral key, then the tag, then the key. */
static int ecies_unwrap(const struct imgkey *k, uint16_t type, const uint8_t *tlv,
			struct imgenc_rng *rng, uint8_t *aes_key, size_t key_len)
{
	size_t pub_len = ecies_pub_len(type), mac_len = mbedtls_md_get_size(ecies_md(type));
	uint8_t shared[P256_COORD_LEN], tag[MAC_MAX];
	mbedtls_ecp_keypair *dev = mbedtls_pk_ec(k->pk);
	mbedtls_ecp_point eph;
	int rc;

	mbedtls_ecp_point_init(&eph);
	if (type == DFUKIT_IMAGE_TLV_ENC_EC256) {
		rc = mbedtls_ecp_point_read_binary(&dev->grp, &eph, tlv, pub_len);
		if (rc == 0)
			rc = mbedtls_ecp_check_pubkey(&dev->grp, &eph);
		if (rc == 0)
			rc = p256_dh(&dev->grp, &eph, &dev->d, rng, shared);
	} else {
		rc = imgkey_x25519_dh(k->x25519_priv, tlv, rng, shared);
	}
	mbedtls_ecp_point_free(&eph);
	if (rc == 0)
		rc = ecies_kdf_mac(type, shared, sizeof(shared), tlv + pub_len + mac_len, aes_key,
				   key_len, false, tag);
	mbedtls_platform_zeroize(shared, sizeof(shared));
	if (rc != 0)
		return -EBADMSG;
	/* Constant time: a tag that differs anywhere is refused, as MCUboot does. */
	uint8_t diff = 0;
	for (size_t i = 0; i < mac_len; i++)
		diff |= (uint8_t)(tag[i] ^ tlv[pub_len + i]);
	if (diff != 0) {
		mbedtls_platform_zeroize(aes_key, key_len);
		return -EBADMSG;
	}
	return 0;
}

int imgenc_unwrap(const struct imgkey *k, uint16_t tlv_type, const uint8_t *tlv, size_t tlv_len,
		  uint8_t *aes_key, size_t key_len, char *err, size_t errlen)
{
	uint8_t out[RSA2048_LEN];
	struct imgenc_rng rng;
	size_t olen = 0;
	int rc = check_unwrap(k, tlv_type, tlv_len, key_len, err, errlen);

	if (rc != 0)
		return rc;
	if (imgenc_rng_init(&rng) != 0) {
		imgenc_rng_free(&rng);
		return img_errf(err, errlen, -EIO, "cannot seed the random generator");
	}
	if (tlv_type != DFUKIT_IMAGE_TLV_ENC_RSA2048) {
		rc = ecies_unwrap(k, tlv_type, tlv, &rng, aes_key, key_len);
	} else {
		rc = mbedtls_rsa_rsaes_oaep_decrypt(oaep_rsa(k), mbedtls_ctr_drbg_random, &rng.drbg,
						    MBEDTLS_RSA_PRIVATE, NULL, 0, &olen, tlv, out,
						    sizeof(out)) == 0 &&
				     olen == key_len
			     ? 0
			     : -EBADMSG;
		if (rc == 0)
			memcpy(aes_key, out, key_len);
		mbedtls_platform_zeroize(out, sizeof(out));
	}
	imgenc_rng_free(&rng);
	if (rc != 0)
		return img_errf(err, errlen, -EBADMSG,
				"the key does not open the image's key TLV 0x%02x (another key, "
				"or a damaged TLV)",
				tlv_type);
	return 0;
}
