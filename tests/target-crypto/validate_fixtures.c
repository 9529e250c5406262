/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validates MCUboot images with one key (ECDSA-P256 SubjectPublicKeyInfo,
 * 91 bytes, or RSA-2048 RSAPublicKey) and prints one line per image: "<file> <status> <signature TLV>". Built twice by
 * scripts/target-crypto-check.sh: against the Cortex-M bootloader's minimal
 * mbedTLS configuration (with its static heap) and against Debian's
 * mbedTLS; the two outputs must be identical.
 */
#include <stdio.h>
#include <stdlib.h>

#include "dfukit/image.h"
#include "mbedtls/platform.h" /* the configuration in use */

#ifdef MBEDTLS_MEMORY_BUFFER_ALLOC_C
#include "mbedtls/memory_buffer_alloc.h"
#define CRYPTO_HEAP 6144 /* the bootloader's BOOT_CRYPTO_HEAP */
#endif

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	uint8_t *buf = malloc(1u << 20);
	*len = fread(buf, 1, 1u << 20, f);
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
#ifdef MBEDTLS_MEMORY_BUFFER_ALLOC_C
	static unsigned char heap[CRYPTO_HEAP];
	mbedtls_memory_buffer_alloc_init(heap, sizeof(heap));
#endif
	if (argc < 3) {
		fprintf(stderr, "usage: %s KEY.der IMAGE...\n", argv[0]);
		return 2;
	}
	size_t key_len;
	uint8_t *der = slurp(argv[1], &key_len);
	const struct dfukit_image_key key = {key_len == 91   ? DFUKIT_IMAGE_KEY_ECDSA_P256
					     : key_len == 44 ? DFUKIT_IMAGE_KEY_ED25519
							     : DFUKIT_IMAGE_KEY_RSA2048,
					     der, key_len};
	for (int i = 2; i < argc; i++) {
		size_t len;
		uint8_t *img = slurp(argv[i], &len);
		struct dfukit_image_membuf mb = {img, (uint32_t)len};
		struct dfukit_image_src src = {dfukit_image_membuf_read, &mb, (uint32_t)len};
		struct dfukit_image_result res;
		dfukit_image_validate(&src, &key, 1, &res);
		printf("%s %s 0x%02x\n", argv[i], dfukit_image_strerror(res.status), res.sig_type);
		free(img);
	}
	free(der);
	return 0;
}
