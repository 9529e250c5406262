/* SPDX-License-Identifier: Apache-2.0 */
/* The install check's consumer: what it does with the installed dfukit (consumer.c). */
#ifndef DFUKIT_INSTALL_CONSUMER_H
#define DFUKIT_INSTALL_CONSUMER_H

#include <stdint.h>

#include <dfukit/image.h>

/* Bytes the DFU loopback downloads and uploads back (not a multiple of its blocks). */
#define CONSUMER_DFU_BYTES 1000u

/*
 * The sample DFU device (RAM disk) on the virtual controller: enumerate it,
 * read its device descriptor, download CONSUMER_DFU_BYTES, upload them back.
 * Returns the bytes that came back equal, or a negative errno.
 */
int consumer_dfu_loopback(void);

/*
 * Validate the MCUboot image in image[0, len) against one ECDSA-P256 key
 * (DER SubjectPublicKeyInfo): hash and signature. Returns 0 or a negative errno;
 * res says why.
 */
int consumer_check_image(const uint8_t *image, uint32_t len, const uint8_t *key_der,
			 uint32_t key_len, struct dfukit_image_result *res);

#endif /* DFUKIT_INSTALL_CONSUMER_H */
