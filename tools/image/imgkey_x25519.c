/* SPDX-License-Identifier: Apache-2.0 */
/*
 * X25519 keys for ECIES-X25519 image encryption: the PKCS#8 / SPKI files
 * imgtool and OpenSSL write (OID 1.3.101.110), which mbedTLS 2.28's pk layer
 * does not parse, and the curve operations from mbedTLS's ECP (Curve25519).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>

#include <dfukit/enc.h>

#include "imgenc.h"

/* SubjectPublicKeyInfo and PKCS#8 PrivateKeyInfo of an X25519 key, up to the key bytes. */
static const uint8_t x25519_spki_prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
					       0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00};
static const uint8_t x25519_pkcs8_prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
						0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20};
#define SPKI_LEN  (sizeof(x25519_spki_prefix) + IMGENC_X25519_LEN)
#define PKCS8_LEN (sizeof(x25519_pkcs8_prefix) + IMGENC_X25519_LEN)

/* The DER inside a PEM block with this label; or data itself when it is not PEM. */
static bool der_of(const uint8_t *data, size_t len, const char *label, uint8_t *out, size_t cap,
		   size_t *out_len)
{
	char hdr[48], ftr[48];
	mbedtls_pem_context pem;
	size_t used = 0;
	char *z;
	bool ok = false;

	if (len < 11 || memcmp(data, "-----BEGIN ", 11) != 0) {
		if (len > cap)
			return false;
		memcpy(out, data, len);
		*out_len = len;
		return true;
	}
	snprintf(hdr, sizeof(hdr), "-----BEGIN %s-----", label);
	snprintf(ftr, sizeof(ftr), "-----END %s-----", label);
	z = malloc(len + 1);
	if (z == NULL)
		return false;
	memcpy(z, data, len);
	z[len] = 0;
	mbedtls_pem_init(&pem);
	if (mbedtls_pem_read_buffer(&pem, hdr, ftr, (const unsigned char *)z, NULL, 0, &used) ==
		    0 &&
	    pem.buflen <= cap) {
		memcpy(out, pem.buf, pem.buflen);
		*out_len = pem.buflen;
		ok = true;
	}
	mbedtls_pem_free(&pem);
	free(z);
	return ok;
}

static void set_public(struct imgkey *k, const uint8_t pub[IMGENC_X25519_LEN])
{
	memcpy(k->pub, x25519_spki_prefix, sizeof(x25519_spki_prefix));
	memcpy(k->pub + sizeof(x25519_spki_prefix), pub, IMGENC_X25519_LEN);
	k->pub_len = SPKI_LEN;
	k->has_public = true;
	k->type = IMGKEY_X25519;
}

/* pub = X25519(priv, 9): the public key of a private key. */
static int public_of(const uint8_t priv[IMGENC_X25519_LEN], struct imgenc_rng *rng,
		     uint8_t pub[IMGENC_X25519_LEN])
{
	mbedtls_ecp_keypair kp;
	size_t olen = 0;
	int rc;

	mbedtls_ecp_keypair_init(&kp);
	rc = mbedtls_ecp_read_key(MBEDTLS_ECP_DP_CURVE25519, &kp, priv, IMGENC_X25519_LEN);
	if (rc == 0)
		rc = mbedtls_ecp_mul(&kp.grp, &kp.Q, &kp.d, &kp.grp.G, mbedtls_ctr_drbg_random,
				     &rng->drbg);
	if (rc == 0)
		rc = mbedtls_ecp_point_write_binary(&kp.grp, &kp.Q, MBEDTLS_ECP_PF_UNCOMPRESSED,
						    &olen, pub, IMGENC_X25519_LEN);
	mbedtls_ecp_keypair_free(&kp);
	return rc == 0 && olen == IMGENC_X25519_LEN ? 0 : -EIO;
}

bool imgkey_x25519_load(struct imgkey *k, const uint8_t *data, size_t len)
{
	uint8_t der[128], pub[IMGENC_X25519_LEN];
	struct imgenc_rng rng;
	size_t n = 0;
	int rc;

	if (der_of(data, len, "PUBLIC KEY", der, sizeof(der), &n) && n == SPKI_LEN &&
	    memcmp(der, x25519_spki_prefix, sizeof(x25519_spki_prefix)) == 0) {
		set_public(k, der + sizeof(x25519_spki_prefix));
		return true;
	}
	if (!der_of(data, len, "PRIVATE KEY", der, sizeof(der), &n) || n != PKCS8_LEN ||
	    memcmp(der, x25519_pkcs8_prefix, sizeof(x25519_pkcs8_prefix)) != 0)
		return false;
	memcpy(k->x25519_priv, der + sizeof(x25519_pkcs8_prefix), IMGENC_X25519_LEN);
	mbedtls_platform_zeroize(der, sizeof(der));
	rc = imgenc_rng_init(&rng);
	if (rc == 0)
		rc = public_of(k->x25519_priv, &rng, pub);
	imgenc_rng_free(&rng);
	if (rc != 0)
		return false;
	set_public(k, pub);
	k->has_private = true;
	return true;
}

int imgkey_x25519_private_der(const struct imgkey *k, uint8_t *out, size_t cap, size_t *len)
{
	if (k->type != IMGKEY_X25519 || !k->has_private)
		return -EINVAL;
	if (cap < PKCS8_LEN)
		return -ENOSPC;
	memcpy(out, x25519_pkcs8_prefix, sizeof(x25519_pkcs8_prefix));
	memcpy(out + sizeof(x25519_pkcs8_prefix), k->x25519_priv, IMGENC_X25519_LEN);
	*len = PKCS8_LEN;
	return 0;
}

int imgkey_x25519_keypair(struct imgenc_rng *rng, uint8_t priv[IMGENC_X25519_LEN],
			  uint8_t pub[IMGENC_X25519_LEN])
{
	mbedtls_ecp_keypair kp;
	size_t olen = 0;
	int rc;

	mbedtls_ecp_keypair_init(&kp);
	rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_CURVE25519, &kp, mbedtls_ctr_drbg_random,
				 &rng->drbg);
	if (rc == 0)
		rc = mbedtls_ecp_write_key(&kp, priv, IMGENC_X25519_LEN);
	if (rc == 0)
		rc = mbedtls_ecp_point_write_binary(&kp.grp, &kp.Q, MBEDTLS_ECP_PF_UNCOMPRESSED,
						    &olen, pub, IMGENC_X25519_LEN);
	mbedtls_ecp_keypair_free(&kp);
	return rc == 0 && olen == IMGENC_X25519_LEN ? 0 : -EIO;
}

int imgkey_x25519_dh(const uint8_t priv[IMGENC_X25519_LEN], const uint8_t pub[IMGENC_X25519_LEN],
		     struct imgenc_rng *rng, uint8_t shared[IMGENC_X25519_LEN])
{
	struct dfukit_enc_rng blind = {mbedtls_ctr_drbg_random, &rng->drbg};

	return dfukit_enc_x25519_dh(priv, pub, &blind, shared);
}

const uint8_t *imgkey_x25519_pub(const struct imgkey *k)
{
	return k->pub + sizeof(x25519_spki_prefix);
}

int imgkey_x25519_generate(const char *path, char *err, size_t errlen)
{
	uint8_t der[PKCS8_LEN], pub[IMGENC_X25519_LEN];
	unsigned char pem[256];
	struct imgenc_rng rng;
	size_t olen = 0;
	ssize_t w;
	int fd, rc;

	memcpy(der, x25519_pkcs8_prefix, sizeof(x25519_pkcs8_prefix));
	rc = imgenc_rng_init(&rng);
	if (rc == 0)
		rc = imgkey_x25519_keypair(&rng, der + sizeof(x25519_pkcs8_prefix), pub);
	imgenc_rng_free(&rng);
	if (rc == 0)
		rc = mbedtls_pem_write_buffer("-----BEGIN PRIVATE KEY-----\n",
					      "-----END PRIVATE KEY-----\n", der, sizeof(der), pem,
					      sizeof(pem), &olen) == 0 &&
				     olen > 0
			     ? 0
			     : -EIO;
	mbedtls_platform_zeroize(der, sizeof(der));
	if (rc != 0)
		return img_errf(err, errlen, -EIO, "X25519 key generation failed");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return img_errf(err, errlen, -errno, "cannot create '%s': %s", path,
				strerror(errno));
	w = write(fd, pem, olen - 1); /* olen counts the NUL */
	mbedtls_platform_zeroize(pem, sizeof(pem));
	if (close(fd) != 0 || w != (ssize_t)(olen - 1))
		return img_errf(err, errlen, -EIO, "cannot write '%s'", path);
	return 0;
}
