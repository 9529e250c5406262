/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device's private key (struct dfukit_enc_key) read with mbedTLS's ASN.1
 * parser: RSA as PKCS#1 RSAPrivateKey or PKCS#8, P-256 as SEC1
 * ECPrivateKey or PKCS#8, X25519 as its 32 bytes or PKCS#8 (RFC 8410); DER,
 * or PEM where mbedTLS has its PEM parser (the host). Not through the PK
 * layer: its key-type tables link every signing and verifying function of
 * RSA and ECDSA, 8 KB a Cortex-M bootloader that decrypts has no room for.
 */
#include "enc_key.h"

#include <errno.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>

#define P256_SCALAR 32u
#define SEQ         (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)

typedef int (*der_fn)(const uint8_t *der, size_t len, void *arg);

static bool is_pem(const struct dfukit_enc_key *k)
{
	return k->len > 11u && memcmp(k->data, "-----BEGIN ", 11) == 0 && k->data[k->len - 1] == 0;
}

#if defined(MBEDTLS_PEM_PARSE_C)
/* fn over the DER of a PEM key, whichever of the labels imgtool and openssl write. */
static int with_pem(const struct dfukit_enc_key *k, der_fn fn, void *arg)
{
	static const char *const labels[][2] = {
		{"-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----"},
		{"-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----"},
		{"-----BEGIN EC PRIVATE KEY-----", "-----END EC PRIVATE KEY-----"},
	};
	int rc = -EINVAL;

	for (size_t i = 0; rc == -EINVAL && i < sizeof(labels) / sizeof(labels[0]); i++) {
		mbedtls_pem_context pem;
		size_t used = 0;

		mbedtls_pem_init(&pem);
		if (mbedtls_pem_read_buffer(&pem, labels[i][0], labels[i][1], k->data, NULL, 0,
					    &used) == 0) {
			rc = fn(pem.buf, pem.buflen, arg);
		}
		mbedtls_pem_free(&pem);
	}
	return rc;
}
#endif

/* fn over the key's DER: as given, or decoded from PEM. */
static int with_der(const struct dfukit_enc_key *k, der_fn fn, void *arg)
{
	if (!is_pem(k)) {
		return fn(k->data, k->len, arg);
	}
#if defined(MBEDTLS_PEM_PARSE_C)
	return with_pem(k, fn, arg);
#else
	return -EINVAL; /* an mbedTLS without PEM (the Cortex-M configuration): DER keys only */
#endif
}

static bool oid_is(const mbedtls_asn1_buf *oid, const char *want, size_t want_len)
{
	return oid->len == want_len && memcmp(oid->p, want, want_len) == 0;
}

/*
 * [*p, *end) holds a key of algorithm alg: PKCS#8 (version 0, the
 * algorithm, the key in an OCTET STRING) narrowed to that inner key, which
 * is left as it is otherwise. The algorithm's parameters in *params.
 */
static int pkcs8_inner(unsigned char **p, const unsigned char **end, const char *alg,
		       size_t alg_len, mbedtls_asn1_buf *params)
{
	unsigned char *q = *p;
	const unsigned char *seq_end;
	mbedtls_asn1_buf oid;
	size_t n;
	int version;

	if (mbedtls_asn1_get_tag(&q, *end, &n, SEQ) != 0) {
		return -EINVAL;
	}
	seq_end = q + n;
	if (mbedtls_asn1_get_int(&q, seq_end, &version) != 0) {
		return -EINVAL;
	}
	if (q >= seq_end || *q != SEQ) {
		return 0; /* PKCS#1 or SEC1: the key itself */
	}
	if (version != 0 || mbedtls_asn1_get_alg(&q, seq_end, &oid, params) != 0 ||
	    !oid_is(&oid, alg, alg_len) ||
	    mbedtls_asn1_get_tag(&q, seq_end, &n, MBEDTLS_ASN1_OCTET_STRING) != 0) {
		return -EINVAL;
	}
	*p = q;
	*end = q + n;
	return 0;
}

/* RSAPrivateKey: version 0, n, e, d, p, q (CRT values recomputed by mbedTLS). */
static int rsa_der(const uint8_t *der, size_t len, void *arg)
{
	mbedtls_rsa_context *rsa = arg;
	unsigned char *p = (unsigned char *)(uintptr_t)der;
	const unsigned char *end = der + len;
	mbedtls_asn1_buf params = {0};
	mbedtls_mpi v[5]; /* n, e, d, p, q */
	size_t n;
	int version, rc;

	rc = pkcs8_inner(&p, &end, MBEDTLS_OID_PKCS1_RSA, MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS1_RSA),
			 &params);
	for (size_t i = 0; i < 5u; i++) {
		mbedtls_mpi_init(&v[i]);
	}
	if (rc == 0 && (mbedtls_asn1_get_tag(&p, end, &n, SEQ) != 0 ||
			mbedtls_asn1_get_int(&p, end, &version) != 0 || version != 0)) {
		rc = -EINVAL;
	}
	for (size_t i = 0; rc == 0 && i < 5u; i++) {
		rc = mbedtls_asn1_get_mpi(&p, end, &v[i]) == 0 ? 0 : -EINVAL;
	}
	if (rc == 0 && (mbedtls_rsa_import(rsa, &v[0], &v[3], &v[4], &v[2], &v[1]) != 0 ||
			mbedtls_rsa_complete(rsa) != 0)) {
		rc = -EINVAL;
	}
	for (size_t i = 0; i < 5u; i++) {
		mbedtls_mpi_free(&v[i]);
	}
	return rc;
}

int enc_key_rsa(const struct dfukit_enc_key *k, mbedtls_rsa_context *rsa)
{
	return with_der(k, rsa_der, rsa);
}

/* The curve named by an OID parameter, when there is one, must be P-256. */
static bool p256_or_absent(const mbedtls_asn1_buf *params)
{
	return params->tag == 0 || (params->tag == MBEDTLS_ASN1_OID &&
				    oid_is(params, MBEDTLS_OID_EC_GRP_SECP256R1,
					   MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_GRP_SECP256R1)));
}

/* The optional [0] curve of an ECPrivateKey at *p: P-256 or absent. */
static bool sec1_curve_ok(unsigned char **p, const unsigned char *end)
{
	const int tag0 = MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED;
	mbedtls_asn1_buf curve = {.tag = MBEDTLS_ASN1_OID};
	size_t n;

	if (*p >= end || **p != tag0) {
		return true;
	}
	if (mbedtls_asn1_get_tag(p, end, &n, tag0) != 0 ||
	    mbedtls_asn1_get_tag(p, end, &curve.len, MBEDTLS_ASN1_OID) != 0) {
		return false;
	}
	curve.p = *p;
	return p256_or_absent(&curve);
}

/* ECPrivateKey: version 1, the 32-byte scalar, [0] the curve (optional), [1] the point. */
static int p256_der(const uint8_t *der, size_t len, void *arg)
{
	uint8_t *d = arg;
	unsigned char *p = (unsigned char *)(uintptr_t)der;
	const unsigned char *end = der + len;
	const unsigned char *scalar;
	mbedtls_asn1_buf params = {0};
	size_t n;
	int version;

	if (pkcs8_inner(&p, &end, MBEDTLS_OID_EC_ALG_UNRESTRICTED,
			MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_ALG_UNRESTRICTED), &params) != 0 ||
	    !p256_or_absent(&params) || mbedtls_asn1_get_tag(&p, end, &n, SEQ) != 0) {
		return -EINVAL;
	}
	end = p + n;
	if (mbedtls_asn1_get_int(&p, end, &version) != 0 || version != 1 ||
	    mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_OCTET_STRING) != 0 || n != P256_SCALAR) {
		return -EINVAL;
	}
	scalar = p;
	p += n;
	if (!sec1_curve_ok(&p, end)) {
		return -EINVAL;
	}
	memcpy(d, scalar, P256_SCALAR);
	return 0;
}

int enc_key_p256_scalar(const struct dfukit_enc_key *k, uint8_t d[P256_SCALAR])
{
	return with_der(k, p256_der, d);
}

int enc_key_p256(const struct dfukit_enc_key *k, mbedtls_ecp_keypair *kp)
{
	uint8_t d[P256_SCALAR];
	int rc = enc_key_p256_scalar(k, d);

	if (rc == 0 && mbedtls_ecp_read_key(MBEDTLS_ECP_DP_SECP256R1, kp, d, sizeof(d)) != 0) {
		rc = -EINVAL;
	}
	mbedtls_platform_zeroize(d, sizeof(d));
	return rc;
}

/* PKCS#8 PrivateKeyInfo of an X25519 key, up to its 32 key bytes (RFC 8410). */
static const uint8_t x25519_pkcs8_prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
						0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20};
#define X25519_PKCS8_LEN (sizeof(x25519_pkcs8_prefix) + DFUKIT_ENC_X25519_LEN)

static int x25519_der(const uint8_t *der, size_t len, void *arg)
{
	uint8_t *out = arg;

	if (len == DFUKIT_ENC_X25519_LEN) {
		memcpy(out, der, len);
		return 0;
	}
	if (len == X25519_PKCS8_LEN &&
	    memcmp(der, x25519_pkcs8_prefix, sizeof(x25519_pkcs8_prefix)) == 0) {
		memcpy(out, der + sizeof(x25519_pkcs8_prefix), DFUKIT_ENC_X25519_LEN);
		return 0;
	}
	return -EINVAL;
}

int enc_key_x25519(const struct dfukit_enc_key *k, uint8_t out[DFUKIT_ENC_X25519_LEN])
{
	return with_der(k, x25519_der, out);
}
