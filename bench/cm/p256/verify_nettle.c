/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nettle 3.8 with mini-gmp: the limb-level ecc_ecdsa_verify() on secp256r1.
 * It does not check that the key is on the curve: nettle does that only in
 * ecc_point_set(), on mpz numbers (verify_nettle_mpz.c).
 */
#include <stdint.h>

#include "ecc-curve.h"
#include "ecc.h"
#include "ecdsa.h"
#include "gmp-glue.h"

#define LIMBS   8   /* 256 bits in 32-bit limbs */
#define SCRATCH 512 /* limbs; ecc_ecdsa_verify_itch() is 488 */

int verify(const uint8_t q[64], const uint8_t h[32], const uint8_t rs[64]);

int verify(const uint8_t q[64], const uint8_t h[32], const uint8_t rs[64])
{
	const struct ecc_curve *c = nettle_get_secp_256r1();
	mp_limb_t point[2 * LIMBS], r[LIMBS], s[LIMBS], scratch[SCRATCH];

	if (ecc_ecdsa_verify_itch(c) > SCRATCH)
		return -1;
	mpn_set_base256(point, LIMBS, q, 32);
	mpn_set_base256(point + LIMBS, LIMBS, q + 32, 32);
	mpn_set_base256(r, LIMBS, rs, 32);
	mpn_set_base256(s, LIMBS, rs + 32, 32);
	return ecc_ecdsa_verify(c, point, 32, h, r, s, scratch);
}
