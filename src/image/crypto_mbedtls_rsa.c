/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RSA-2048 PSS verification with mbedTLS 2.28 (crypto_common.h), for both
 * crypto backends: BearSSL 0.6 has no PSS. Built only when DFUKIT_SIGNATURES
 * has rsa-2048, against an mbedTLS with MBEDTLS_RSA_C.
 */
#include "crypto_common.h"

#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/md.h>
#include <mbedtls/rsa.h>

#if defined(MBEDTLS_RSA_C)
enum dfukit_image_status image_mbedtls_verify_rsa2048(const struct dfukit_image_key *key,
						      const uint8_t hash[32], const uint8_t *sig,
						      uint32_t sig_len)
{
	enum dfukit_image_status st = DFUKIT_IMAGE_E_BAD_KEY;
	mbedtls_rsa_context rsa;
	mbedtls_mpi n, e;
	unsigned char *p = (unsigned char *)(uintptr_t)key->der;
	const unsigned char *end = key->der + key->len;
	size_t len;

	mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&e);
	/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) !=
		    0 ||
	    len != (size_t)(end - p))
		goto out;
	if (mbedtls_asn1_get_mpi(&p, end, &n) != 0 || mbedtls_asn1_get_mpi(&p, end, &e) != 0 ||
	    p != end)
		goto out;
	if (mbedtls_rsa_import(&rsa, &n, NULL, NULL, NULL, &e) != 0 ||
	    mbedtls_rsa_complete(&rsa) != 0 || mbedtls_rsa_check_pubkey(&rsa) != 0 ||
	    mbedtls_rsa_get_len(&rsa) != IMAGE_RSA2048_SIG_LEN)
		goto out;
	if (sig_len != IMAGE_RSA2048_SIG_LEN) {
		st = DFUKIT_IMAGE_E_BAD_SIGNATURE;
		goto out;
	}
	if (mbedtls_rsa_rsassa_pss_verify_ext(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC,
					      MBEDTLS_MD_SHA256, 32, hash, MBEDTLS_MD_SHA256, 32,
					      sig) != 0)
		st = DFUKIT_IMAGE_E_BAD_SIGNATURE;
	else
		st = DFUKIT_IMAGE_OK;
out:
	mbedtls_mpi_free(&n);
	mbedtls_mpi_free(&e);
	mbedtls_rsa_free(&rsa);
	return st;
}
#endif
