/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The private key as DER, in the forms imgtool's getpriv prints: PKCS#8 or
 * OpenSSL's traditional form (PKCS#1 RSAPrivateKey, SEC1 ECPrivateKey), and
 * --minimal (RSA without the CRT values, ECDSA without the public key).
 */
#include <errno.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "imgkey.h"
#include "imgenc.h"

#define P256_D_LEN           32u
#define P256_Q_LEN           65u /* uncompressed point: 0x04 X Y */
#define RSA_DER_MAX          4096u
#define RSA_MINIMAL_ELEMENTS 6 /* version, n, e, d, p, q */

static const uint8_t oid_ec_public_key[] = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const uint8_t oid_prime256v1[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
					 0xce, 0x3d, 0x03, 0x01, 0x07};

/* A DER writer that counts what does not fit (the caller checks len <= cap). */
struct der {
	uint8_t *buf;
	size_t cap;
	size_t len;
};

static void put(struct der *d, const void *p, size_t n)
{
	if (d->len + n <= d->cap)
		memcpy(d->buf + d->len, p, n);
	d->len += n;
}

static void put_byte(struct der *d, uint8_t b)
{
	put(d, &b, 1);
}

/* A tag and its DER length (short form, 0x81 or 0x82). */
static void put_head(struct der *d, uint8_t tag, size_t n)
{
	put_byte(d, tag);
	if (n >= 0x100) {
		put_byte(d, 0x82);
		put_byte(d, (uint8_t)(n >> 8));
	} else if (n >= 0x80) {
		put_byte(d, 0x81);
	}
	put_byte(d, (uint8_t)n);
}

static size_t head_len(size_t n)
{
	return n >= 0x100 ? 4 : n >= 0x80 ? 3 : 2;
}

/* SEC1 ECPrivateKey: version 1, d, [0] the curve (openssl form), [1] Q (unless minimal). */
static void put_sec1(struct der *d, const uint8_t *dv, const uint8_t *q, bool params, bool pub)
{
	size_t n = 3 + 2 + P256_D_LEN;

	if (params)
		n += 2 + sizeof(oid_prime256v1);
	if (pub)
		n += 2 + 3 + P256_Q_LEN;
	put_head(d, 0x30, n);
	put(d, "\x02\x01\x01", 3);
	put_head(d, 0x04, P256_D_LEN);
	put(d, dv, P256_D_LEN);
	if (params) {
		put_head(d, 0xa0, sizeof(oid_prime256v1));
		put(d, oid_prime256v1, sizeof(oid_prime256v1));
	}
	if (pub) {
		put_head(d, 0xa1, 3 + P256_Q_LEN);
		put_head(d, 0x03, 1 + P256_Q_LEN);
		put_byte(d, 0);
		put(d, q, P256_Q_LEN);
	}
}

static int ec_der(const struct imgkey *k, bool pkcs8, bool minimal, struct der *d, char *err,
		  size_t errlen)
{
	const mbedtls_ecp_keypair *ec = mbedtls_pk_ec(k->pk);
	uint8_t dv[P256_D_LEN], q[P256_Q_LEN];
	size_t qlen = 0, inner;

	if (mbedtls_mpi_write_binary(&ec->d, dv, sizeof(dv)) != 0 ||
	    mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &qlen, q,
					   sizeof(q)) != 0 ||
	    qlen != sizeof(q))
		return img_errf(err, errlen, -EINVAL, "cannot export the ECDSA key");
	if (!pkcs8) {
		put_sec1(d, dv, q, true, !minimal);
		return 0;
	}
	struct der probe = {.buf = NULL, .cap = 0, .len = 0};

	put_sec1(&probe, dv, q, false, !minimal);
	inner = probe.len;
	put_head(d, 0x30,
		 3 + 2 + sizeof(oid_ec_public_key) + sizeof(oid_prime256v1) + head_len(inner) +
			 inner);
	put(d, "\x02\x01\x00", 3);
	put_head(d, 0x30, sizeof(oid_ec_public_key) + sizeof(oid_prime256v1));
	put(d, oid_ec_public_key, sizeof(oid_ec_public_key));
	put(d, oid_prime256v1, sizeof(oid_prime256v1));
	put_head(d, 0x04, inner);
	put_sec1(d, dv, q, false, !minimal);
	return 0;
}

/* Length of the DER element at p (tag, length, value), 0 if it does not fit in n. */
static size_t element_len(const uint8_t *p, size_t n)
{
	size_t len, hl;

	if (n < 2)
		return 0;
	if (p[1] < 0x80) {
		len = p[1];
		hl = 2;
	} else if (p[1] == 0x81 && n >= 3) {
		len = p[2];
		hl = 3;
	} else if (p[1] == 0x82 && n >= 4) {
		len = (size_t)p[2] << 8 | p[3];
		hl = 4;
	} else {
		return 0;
	}
	return hl + len <= n ? hl + len : 0;
}

/* PKCS#1 RSAPrivateKey; minimal keeps version, n, e, d, p, q (imgtool drops dp, dq, qinv). */
static int rsa_der(const struct imgkey *k, bool minimal, struct der *d, char *err, size_t errlen)
{
	static uint8_t tmp[RSA_DER_MAX];
	int n = mbedtls_pk_write_key_der((mbedtls_pk_context *)&k->pk, tmp, sizeof(tmp));
	const uint8_t *der = tmp + sizeof(tmp) - (size_t)(n > 0 ? n : 0);
	size_t total = (size_t)(n > 0 ? n : 0), off, body = 0;

	if (n <= 0 || element_len(der, total) != total)
		return img_errf(err, errlen, -EINVAL, "cannot export the RSA key");
	if (!minimal) {
		put(d, der, total);
		return 0;
	}
	off = der[1] == 0x82 ? 4 : der[1] == 0x81 ? 3 : 2;
	for (int i = 0; i < RSA_MINIMAL_ELEMENTS; i++) {
		size_t e = element_len(der + off + body, total - off - body);

		if (e == 0)
			return img_errf(err, errlen, -EINVAL, "cannot minimize the RSA key");
		body += e;
	}
	put_head(d, 0x30, body);
	put(d, der + off, body);
	return 0;
}

int imgkey_private_der(const struct imgkey *k, enum imgkey_priv_format fmt, bool minimal,
		       uint8_t *out, size_t cap, size_t *len, char *err, size_t errlen)
{
	struct der d = {.buf = out, .cap = cap, .len = 0};
	int rc;

	if (!k->has_private)
		return img_errf(err, errlen, -EINVAL,
				"Operation get_private_bytes requires private key");
	if (k->type == IMGKEY_ED25519)
		return img_errf(err, errlen, -ENOTSUP, "Operation not supported with ed25519 keys");
	if (k->type == IMGKEY_X25519) /* imgtool: PKCS#8 only */
		return fmt == IMGKEY_PRIV_OPENSSL
			       ? img_errf(err, errlen, -EINVAL, "x25519 does not support openssl")
			       : imgkey_x25519_private_der(k, out, cap, len);
	if (fmt == IMGKEY_PRIV_DEFAULT)
		fmt = k->type == IMGKEY_RSA2048 ? IMGKEY_PRIV_OPENSSL : IMGKEY_PRIV_PKCS8;
	if (k->type == IMGKEY_RSA2048 && fmt == IMGKEY_PRIV_PKCS8)
		return img_errf(err, errlen, -EINVAL, "rsa does not support pkcs8");
	rc = k->type == IMGKEY_RSA2048
		     ? rsa_der(k, minimal, &d, err, errlen)
		     : ec_der(k, fmt == IMGKEY_PRIV_PKCS8, minimal, &d, err, errlen);
	if (rc != 0)
		return rc;
	if (d.len > cap)
		return img_errf(err, errlen, -ENOSPC, "private key too large");
	*len = d.len;
	return 0;
}
