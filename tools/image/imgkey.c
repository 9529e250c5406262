/* SPDX-License-Identifier: Apache-2.0 */
/* Host key handling for dfukit-image: load, generate, export, sign (mbedTLS). */
#include "imgkey.h"
#include "imgenc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

#define KEYFILE_MAX (64 * 1024)

int img_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

void imgkey_init(struct imgkey *k)
{
	memset(k, 0, sizeof(*k));
	mbedtls_pk_init(&k->pk);
}

void imgkey_free(struct imgkey *k)
{
	mbedtls_pk_free(&k->pk);
	memset(k, 0, sizeof(*k));
}

/* ---- RNG ------------------------------------------------------------------ */

struct rng {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

static int rng_init(struct rng *r)
{
	static const unsigned char pers[] = "dfukit-image";

	mbedtls_entropy_init(&r->entropy);
	mbedtls_ctr_drbg_init(&r->drbg);
	return mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy, pers,
				     sizeof(pers) - 1);
}

static void rng_free(struct rng *r)
{
	mbedtls_ctr_drbg_free(&r->drbg);
	mbedtls_entropy_free(&r->entropy);
}

/* ---- public key encodings ----------------------------------------------------- */

static int fill_pub(struct imgkey *k, char *err, size_t errlen)
{
	unsigned char buf[IMGKEY_PUB_MAX];
	unsigned char *p = buf + sizeof(buf);
	int n;

	if (k->type == IMGKEY_RSA2048)
		n = mbedtls_pk_write_pubkey(&p, buf, &k->pk); /* PKCS#1 RSAPublicKey */
	else
		n = mbedtls_pk_write_pubkey_der(&k->pk, buf, sizeof(buf)); /* SPKI */
	if (n <= 0 || (size_t)n > sizeof(k->pub))
		return img_errf(err, errlen, -EINVAL, "cannot encode the public key");
	memcpy(k->pub, buf + sizeof(buf) - (size_t)n, (size_t)n);
	k->pub_len = (size_t)n;
	k->has_public = true;
	return 0;
}

static int classify_pk(struct imgkey *k, char *err, size_t errlen)
{
	mbedtls_pk_type_t t = mbedtls_pk_get_type(&k->pk);

	if (t == MBEDTLS_PK_RSA) {
		if (mbedtls_pk_get_bitlen(&k->pk) != 2048)
			return img_errf(err, errlen, -ENOTSUP,
					"unsupported RSA key size %u (only rsa-2048)",
					(unsigned)mbedtls_pk_get_bitlen(&k->pk));
		k->type = IMGKEY_RSA2048;
	} else if (t == MBEDTLS_PK_ECKEY || t == MBEDTLS_PK_ECDSA) {
		if (mbedtls_pk_ec(k->pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1)
			return img_errf(err, errlen, -ENOTSUP,
					"unsupported EC curve (only ecdsa-p256)");
		k->type = IMGKEY_ECDSA_P256;
	} else {
		return img_errf(err, errlen, -ENOTSUP, "unsupported key type");
	}
	return fill_pub(k, err, errlen);
}

/* DER of a PEM block with the given label, or the input itself. */
static int pem_or_der(const uint8_t *data, size_t len, const char *label, uint8_t *out,
		      size_t *outlen)
{
	char hdr[64], ftr[64];
	mbedtls_pem_context pem;
	size_t used = 0;
	char *z;
	int rc;

	if (len < 11 || memcmp(data, "-----BEGIN ", 11) != 0) {
		if (len > *outlen)
			return -EINVAL;
		memcpy(out, data, len);
		*outlen = len;
		return 0;
	}
	snprintf(hdr, sizeof(hdr), "-----BEGIN %s-----", label);
	snprintf(ftr, sizeof(ftr), "-----END %s-----", label);
	z = malloc(len + 1);
	if (z == NULL)
		return -ENOMEM;
	memcpy(z, data, len);
	z[len] = 0;
	mbedtls_pem_init(&pem);
	rc = mbedtls_pem_read_buffer(&pem, hdr, ftr, (const unsigned char *)z, NULL, 0, &used);
	if (rc == 0) {
		size_t blen = pem.buflen;
		const unsigned char *b = pem.buf;

		if (blen > *outlen) {
			rc = -EINVAL;
		} else {
			memcpy(out, b, blen);
			*outlen = blen;
		}
	} else {
		rc = -EINVAL;
	}
	mbedtls_pem_free(&pem);
	free(z);
	return rc;
}

static bool try_ed25519(struct imgkey *k, const uint8_t *data, size_t len)
{
	uint8_t der[256];
	size_t dlen = sizeof(der);
	bool found;

	if (pem_or_der(data, len, "PUBLIC KEY", der, &dlen) == 0 &&
	    imgkey_ed25519_spki(k, der, dlen))
		return true;
	dlen = sizeof(der);
	found = pem_or_der(data, len, "PRIVATE KEY", der, &dlen) == 0 &&
		imgkey_ed25519_pkcs8(k, der, dlen);
	mbedtls_platform_zeroize(der, sizeof(der));
	return found;
}

int imgkey_load_mem(struct imgkey *k, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	unsigned char *z;
	size_t zlen;
	int rc;

	if (len == 0 || len > KEYFILE_MAX)
		return img_errf(err, errlen, -EINVAL, "key is empty or too large");
	/* mbedTLS wants PEM NUL terminated, with the NUL counted. */
	z = malloc(len + 1);
	if (z == NULL)
		return img_errf(err, errlen, -ENOMEM, "out of memory");
	memcpy(z, data, len);
	z[len] = 0;
	zlen = (len >= 11 && memcmp(data, "-----BEGIN ", 11) == 0) ? len + 1 : len;

	if (mbedtls_pk_parse_key(&k->pk, z, zlen, NULL, 0) == 0) {
		k->has_private = true;
		rc = classify_pk(k, err, errlen);
		goto out;
	}
	mbedtls_pk_free(&k->pk);
	mbedtls_pk_init(&k->pk);
	if (mbedtls_pk_parse_public_key(&k->pk, z, zlen) == 0) {
		rc = classify_pk(k, err, errlen);
		goto out;
	}
	mbedtls_pk_free(&k->pk);
	mbedtls_pk_init(&k->pk);
	if (try_ed25519(k, data, len) || imgkey_x25519_load(k, data, len)) {
		rc = 0;
		goto out;
	}
	rc = img_errf(err, errlen, -EINVAL,
		      "cannot parse key (expected an RSA-2048, ECDSA-P256, Ed25519 or X25519 key, "
		      "PEM or DER, unencrypted)");
out:
	free(z);
	return rc;
}

int imgkey_load_file(struct imgkey *k, const char *path, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t n;
	FILE *f = fopen(path, "rb");
	int rc;

	if (f == NULL)
		return img_errf(err, errlen, -errno, "cannot open key file '%s': %s", path,
				strerror(errno));
	buf = malloc(KEYFILE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		return img_errf(err, errlen, -ENOMEM, "out of memory");
	}
	n = fread(buf, 1, KEYFILE_MAX + 1, f);
	fclose(f);
	if (n > KEYFILE_MAX) {
		free(buf);
		return img_errf(err, errlen, -EFBIG, "key file '%s' is too large", path);
	}
	rc = imgkey_load_mem(k, buf, n, err, errlen);
	if (rc != 0 && err != NULL && errlen > 0) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: %s", path, tmp);
	}
	free(buf);
	return rc;
}

/* ---- generation ------------------------------------------------------------------ */

static int write_pkcs8_pem(mbedtls_pk_context *pk, enum imgkey_type type, const char *path,
			   char *err, size_t errlen)
{
	unsigned char der[4096];
	unsigned char pem[8192];
	unsigned char *c = der + sizeof(der);
	size_t len, olen = 0;
	int n, par_len = 0;
	int fd;
	ssize_t w;

	n = mbedtls_pk_write_key_der(pk, der, sizeof(der));
	if (n <= 0)
		return img_errf(err, errlen, -EIO, "cannot encode the private key");
	len = (size_t)n;
	c -= len;
#define ASN1_CHK(expr)                                                                             \
	do {                                                                                       \
		int r_ = (expr);                                                                   \
		if (r_ < 0)                                                                        \
			return img_errf(err, errlen, -EIO, "cannot encode the private key");       \
		len += (size_t)r_;                                                                 \
	} while (0)
	/* PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING key } */
	ASN1_CHK(mbedtls_asn1_write_len(&c, der, (size_t)n));
	ASN1_CHK(mbedtls_asn1_write_tag(&c, der, MBEDTLS_ASN1_OCTET_STRING));
	if (type == IMGKEY_ECDSA_P256) {
		par_len = mbedtls_asn1_write_oid(&c, der, MBEDTLS_OID_EC_GRP_SECP256R1,
						 MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_GRP_SECP256R1));
		if (par_len < 0)
			return img_errf(err, errlen, -EIO, "cannot encode the private key");
		len += (size_t)par_len;
		ASN1_CHK(mbedtls_asn1_write_algorithm_identifier(
				 &c, der, MBEDTLS_OID_EC_ALG_UNRESTRICTED,
				 MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_ALG_UNRESTRICTED),
				 (size_t)par_len) -
			 par_len);
	} else {
		ASN1_CHK(mbedtls_asn1_write_algorithm_identifier(
			&c, der, MBEDTLS_OID_PKCS1_RSA, MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS1_RSA),
			0));
	}
	ASN1_CHK(mbedtls_asn1_write_int(&c, der, 0));
	ASN1_CHK(mbedtls_asn1_write_len(&c, der, len));
	ASN1_CHK(mbedtls_asn1_write_tag(&c, der, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
#undef ASN1_CHK
	if (mbedtls_pem_write_buffer("-----BEGIN PRIVATE KEY-----\n", "-----END PRIVATE KEY-----\n",
				     c, len, pem, sizeof(pem), &olen) != 0 ||
	    olen == 0)
		return img_errf(err, errlen, -EIO, "cannot encode the private key as PEM");
	olen--; /* olen counts the terminating NUL */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return img_errf(err, errlen, -errno, "cannot create '%s': %s", path,
				strerror(errno));
	w = write(fd, pem, olen);
	if (close(fd) != 0 || w != (ssize_t)olen)
		return img_errf(err, errlen, -EIO, "cannot write '%s'", path);
	mbedtls_platform_zeroize(der, sizeof(der));
	mbedtls_platform_zeroize(pem, sizeof(pem));
	return 0;
}

int imgkey_generate(enum imgkey_type type, const char *path, char *err, size_t errlen)
{
	mbedtls_pk_context pk;
	struct rng r;
	int rc;

	if (type == IMGKEY_ED25519)
		return imgkey_ed25519_generate(path, err, errlen);
	if (type == IMGKEY_X25519)
		return imgkey_x25519_generate(path, err, errlen);
	if (type != IMGKEY_RSA2048 && type != IMGKEY_ECDSA_P256)
		return img_errf(err, errlen, -EINVAL, "unknown key type");
	mbedtls_pk_init(&pk);
	if (rng_init(&r) != 0) {
		rc = img_errf(err, errlen, -EIO, "cannot seed the random generator");
		goto out;
	}
	if (type == IMGKEY_RSA2048) {
		if (mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0 ||
		    mbedtls_rsa_gen_key(mbedtls_pk_rsa(pk), mbedtls_ctr_drbg_random, &r.drbg, 2048,
					65537) != 0) {
			rc = img_errf(err, errlen, -EIO, "RSA key generation failed");
			goto out;
		}
	} else {
		if (mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
		    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk),
					mbedtls_ctr_drbg_random, &r.drbg) != 0) {
			rc = img_errf(err, errlen, -EIO, "EC key generation failed");
			goto out;
		}
	}
	rc = write_pkcs8_pem(&pk, type, path, err, errlen);
out:
	rng_free(&r);
	mbedtls_pk_free(&pk);
	return rc;
}

/* ---- export / sign ------------------------------------------------------------------ */

int imgkey_pub_pem(const struct imgkey *k, char *out, size_t outlen, char *err, size_t errlen)
{
	size_t olen = 0;

	if (!k->has_public)
		return img_errf(err, errlen, -ENOTSUP, "the key has no public part");
	if (k->type == IMGKEY_ED25519 || k->type == IMGKEY_X25519) {
		if (mbedtls_pem_write_buffer("-----BEGIN PUBLIC KEY-----\n",
					     "-----END PUBLIC KEY-----\n", k->pub, k->pub_len,
					     (unsigned char *)out, outlen, &olen) != 0)
			return img_errf(err, errlen, -EIO, "cannot encode the public key");
		return 0;
	}
	if (mbedtls_pk_write_pubkey_pem((mbedtls_pk_context *)&k->pk, (unsigned char *)out,
					outlen) != 0)
		return img_errf(err, errlen, -EIO, "cannot encode the public key");
	return 0;
}

const char *imgkey_shortname(const struct imgkey *k)
{
	switch (k->type) {
	case IMGKEY_RSA2048: return "rsa";
	case IMGKEY_ECDSA_P256: return "ecdsa";
	case IMGKEY_ED25519: return "ed25519";
	case IMGKEY_X25519: return "x25519";
	default: return "unknown";
	}
}

uint16_t imgkey_sig_tlv(const struct imgkey *k)
{
	switch (k->type) {
	case IMGKEY_RSA2048: return DFUKIT_IMAGE_TLV_RSA2048_PSS;
	case IMGKEY_ECDSA_P256: return DFUKIT_IMAGE_TLV_ECDSA_SIG;
	case IMGKEY_ED25519: return DFUKIT_IMAGE_TLV_ED25519;
	default: return 0;
	}
}

int imgkey_sign_digest(const struct imgkey *k, const uint8_t digest[32], uint8_t *sig,
		       size_t *sig_len, char *err, size_t errlen)
{
	struct rng r;
	int rc = 0;

	if (!k->has_private)
		return img_errf(err, errlen, -EINVAL, "signing needs a private key");
	if (k->type == IMGKEY_ED25519) {
		/* imgtool signs the 32-byte digest itself (its sign_digest()). */
		*sig_len = IMGKEY_ED25519_SIG_LEN;
		return imgkey_ed25519_sign(k, digest, 32, sig, err, errlen);
	}
	if (rng_init(&r) != 0) {
		rng_free(&r);
		return img_errf(err, errlen, -EIO, "cannot seed the random generator");
	}
	if (k->type == IMGKEY_RSA2048) {
		mbedtls_rsa_context *rsa = mbedtls_pk_rsa(k->pk);

		mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
		if (mbedtls_rsa_rsassa_pss_sign_ext(rsa, mbedtls_ctr_drbg_random, &r.drbg,
						    MBEDTLS_MD_SHA256, 32, digest, 32, sig) != 0)
			rc = img_errf(err, errlen, -EIO, "RSA-PSS signing failed");
		else
			*sig_len = mbedtls_rsa_get_len(rsa);
	} else {
		size_t n = 0;

		if (mbedtls_pk_sign((mbedtls_pk_context *)&k->pk, MBEDTLS_MD_SHA256, digest, 32,
				    sig, &n, mbedtls_ctr_drbg_random, &r.drbg) != 0)
			rc = img_errf(err, errlen, -EIO, "ECDSA signing failed");
		else
			*sig_len = n;
	}
	rng_free(&r);
	return rc;
}

int imgkey_verify_digest(const struct imgkey *k, const uint8_t digest[32], const uint8_t *sig,
			 size_t sig_len, char *err, size_t errlen)
{
	int rc;

	if (k->type == IMGKEY_ED25519)
		return imgkey_ed25519_verify(k, digest, 32, sig, sig_len, err, errlen);
	if (k->type == IMGKEY_RSA2048) {
		mbedtls_pk_rsassa_pss_options pss = {MBEDTLS_MD_SHA256, 32};

		rc = mbedtls_pk_verify_ext(MBEDTLS_PK_RSASSA_PSS, &pss,
					   (mbedtls_pk_context *)&k->pk, MBEDTLS_MD_SHA256, digest,
					   32, sig, sig_len);
	} else {
		/* The DER SEQUENCE's own length; --pad-sig zeros after it are not part of it. */
		if (sig_len >= 2 && sig[0] == 0x30 && sig[1] < 0x80 &&
		    (size_t)sig[1] + 2 <= sig_len)
			sig_len = (size_t)sig[1] + 2;
		rc = mbedtls_pk_verify((mbedtls_pk_context *)&k->pk, MBEDTLS_MD_SHA256, digest, 32,
				       sig, sig_len);
	}
	return rc == 0 ? 0 : img_errf(err, errlen, -EBADMSG, "signature does not verify");
}

int imgkey_to_table(const struct imgkey *k, struct dfukit_image_key *out)
{
	if (!k->has_public)
		return -ENOTSUP;
	switch (k->type) {
	case IMGKEY_RSA2048: out->type = DFUKIT_IMAGE_KEY_RSA2048; break;
	case IMGKEY_ECDSA_P256: out->type = DFUKIT_IMAGE_KEY_ECDSA_P256; break;
	case IMGKEY_ED25519: out->type = DFUKIT_IMAGE_KEY_ED25519; break;
	default: return -EINVAL;
	}
	out->der = k->pub;
	out->len = (uint32_t)k->pub_len;
	return 0;
}

enum imgkey_type imgkey_type_from_name(const char *name)
{
	if (strcmp(name, "rsa-2048") == 0)
		return IMGKEY_RSA2048;
	if (strcmp(name, "ecdsa-p256") == 0)
		return IMGKEY_ECDSA_P256;
	if (strcmp(name, "ed25519") == 0)
		return IMGKEY_ED25519;
	if (strcmp(name, "x25519") == 0)
		return IMGKEY_X25519;
	return IMGKEY_NONE;
}
