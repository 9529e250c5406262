/* SPDX-License-Identifier: Apache-2.0 */
/* BearSSL 0.6: ECDSA over br_ec_p256_m31 with i31 arithmetic (the bootloader's). */
#include <stdint.h>
#include <string.h>

#include <bearssl_ec.h>

int verify(const uint8_t q[64], const uint8_t h[32], const uint8_t rs[64]);

int verify(const uint8_t q[64], const uint8_t h[32], const uint8_t rs[64])
{
	unsigned char point[65];
	br_ec_public_key pk = {BR_EC_secp256r1, point, sizeof(point)};

	point[0] = 0x04; /* uncompressed */
	memcpy(point + 1, q, 64);
	return (int)br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, h, 32, &pk, rs, 64);
}
