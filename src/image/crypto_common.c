/* SPDX-License-Identifier: Apache-2.0 */
/* Key and signature encodings both crypto backends read (crypto_common.h). */
#include "crypto_common.h"

#include <string.h>

const uint8_t *image_p256_spki_point(const uint8_t *der, size_t len)
{
	/* SEQUENCE (89) { SEQUENCE (19) { OID 1.2.840.10045.2.1, OID 1.2.840.10045.3.1.7 },
	 * BIT STRING (66) { no unused bits, 0x04 (uncompressed) ... } } */
	static const uint8_t head[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
				       0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
				       0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04};

	if (len != sizeof(head) - 1U + IMAGE_P256_POINT_LEN || memcmp(der, head, sizeof(head)) != 0)
		return NULL;
	return der + sizeof(head) - 1U;
}

const uint8_t *image_ed25519_spki_key(const uint8_t *der, size_t len)
{
	/* SEQUENCE (42) { SEQUENCE (5) { OID 1.3.101.112 }, BIT STRING (33) { no unused bits, A } } */
	static const uint8_t head[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
				       0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

	if (len != sizeof(head) + IMAGE_ED25519_KEY_LEN || memcmp(der, head, sizeof(head)) != 0)
		return NULL;
	return der + sizeof(head);
}

uint32_t image_ecdsa_der_len(const uint8_t *sig, uint32_t len)
{
	uint32_t total;

	if (len < 2 || sig[0] != 0x30)
		return 0;
	if (sig[1] < 0x80)
		total = 2U + sig[1];
	else if (sig[1] == 0x81 && len >= 3)
		total = 3U + sig[2];
	else
		return 0;
	if (total > len)
		return 0;
	for (uint32_t i = total; i < len; i++)
		if (sig[i] != 0)
			return 0;
	return total;
}
