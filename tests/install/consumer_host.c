/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host consumer: consumer IMAGE KEY.DER
 * Runs the DFU loopback, validates IMAGE with the key and prints what it found;
 * exits non-zero on any failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "consumer.h"

static uint8_t *slurp(const char *path, uint32_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return NULL;
	}
	static uint8_t buf[2][1u << 20];
	static int used;
	uint8_t *p = buf[used++ & 1];
	size_t n = fread(p, 1, sizeof(buf[0]), f);
	int bad = ferror(f) || !feof(f) || n == 0;
	fclose(f);
	if (bad) {
		fprintf(stderr, "%s: unreadable, empty or over 1 MiB\n", path);
		return NULL;
	}
	*len = (uint32_t)n;
	return p;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s IMAGE KEY.DER\n", argv[0]);
		return 2;
	}
	int rc = consumer_dfu_loopback();
	if (rc != (int)CONSUMER_DFU_BYTES) {
		fprintf(stderr, "consumer: DFU loopback failed (%d)\n", rc);
		return 1;
	}
	printf("DFU loopback on vudc: %d bytes down and back up\n", rc);

	uint32_t image_len = 0, key_len = 0;
	const uint8_t *image = slurp(argv[1], &image_len);
	const uint8_t *key = image ? slurp(argv[2], &key_len) : NULL;
	if (key == NULL) {
		return 1;
	}
	struct dfukit_image_result res;
	rc = consumer_check_image(image, image_len, key, key_len, &res);
	if (rc != 0) {
		fprintf(stderr, "consumer: %s: %s (%d)\n", argv[1],
			dfukit_image_strerror(res.status), rc);
		return 1;
	}
	printf("image %s: v%u.%u.%u+%lu, %lu bytes, SHA-256 and ECDSA-P256 signature verified\n",
	       argv[1], res.hdr.version.major, res.hdr.version.minor, res.hdr.version.revision,
	       (unsigned long)res.hdr.version.build_num, (unsigned long)res.image_end);
	return 0;
}
