/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nettle 3.8 with mini-gmp, its public API: the key checked on the curve by
 * ecc_point_set() and the signature verified by ecdsa_verify(), both on mpz
 * numbers, which mini-gmp allocates with malloc(). Linked for its size only.
 */
#include <stdint.h>

#include "dsa.h"
#include "ecc-curve.h"
#include "ecc.h"
#include "ecdsa.h"

int verify(const uint8_t q[64], const uint8_t h[32], const uint8_t rs[64]);

int verify(const uint8_t q[64], const uint8_t h[32], const uint8_t rs[64])
{
	struct ecc_point pub;
	struct dsa_signature sig;
	mpz_t x, y;
	int ok = 0;

	ecc_point_init(&pub, nettle_get_secp_256r1());
	mpz_init(x);
	mpz_init(y);
	dsa_signature_init(&sig);
	mpz_import(x, 32, 1, 1, 1, 0, q);
	mpz_import(y, 32, 1, 1, 1, 0, q + 32);
	mpz_import(sig.r, 32, 1, 1, 1, 0, rs);
	mpz_import(sig.s, 32, 1, 1, 1, 0, rs + 32);
	if (ecc_point_set(&pub, x, y))
		ok = ecdsa_verify(&pub, 32, h, &sig);
	return ok;
}
