/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader verifies ECDSA-P256 only; its mbedTLS has no RSA
 * (cmake/mbedtls/dfukit-mbedtls-config.h). src/image still names the RSA
 * entry points, so they are answered here: every RSA key is refused as
 * unusable, exactly what dfukit_image_validate() reports for a key it cannot
 * parse. Remove this file when src/image guards RSA with MBEDTLS_RSA_C.
 */
#include "mbedtls/rsa.h"

void mbedtls_rsa_init(mbedtls_rsa_context *ctx, int padding, int hash_id)
{
	(void)ctx;
	(void)padding;
	(void)hash_id;
}

int mbedtls_rsa_import(mbedtls_rsa_context *ctx, const mbedtls_mpi *N, const mbedtls_mpi *P,
		       const mbedtls_mpi *Q, const mbedtls_mpi *D, const mbedtls_mpi *E)
{
	(void)ctx;
	(void)N;
	(void)P;
	(void)Q;
	(void)D;
	(void)E;
	return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
}

int mbedtls_rsa_complete(mbedtls_rsa_context *ctx)
{
	(void)ctx;
	return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
}

int mbedtls_rsa_check_pubkey(const mbedtls_rsa_context *ctx)
{
	(void)ctx;
	return MBEDTLS_ERR_RSA_KEY_CHECK_FAILED;
}

size_t mbedtls_rsa_get_len(const mbedtls_rsa_context *ctx)
{
	(void)ctx;
	return 0;
}

int mbedtls_rsa_rsassa_pss_verify_ext(mbedtls_rsa_context *ctx,
				      int (*f_rng)(void *, unsigned char *, size_t), void *p_rng,
				      int mode, mbedtls_md_type_t md_alg, unsigned int hashlen,
				      const unsigned char *hash, mbedtls_md_type_t mgf1_hash_id,
				      int expected_salt_len, const unsigned char *sig)
{
	(void)ctx;
	(void)f_rng;
	(void)p_rng;
	(void)mode;
	(void)md_alg;
	(void)hashlen;
	(void)hash;
	(void)mgf1_hash_id;
	(void)expected_salt_len;
	(void)sig;
	return MBEDTLS_ERR_RSA_VERIFY_FAILED;
}

void mbedtls_rsa_free(mbedtls_rsa_context *ctx)
{
	(void)ctx;
}
