/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only image format: a real 32-byte MCUboot header (magic 0x96f3b83d,
 * hdr_size, img_size, version), a pseudo-random body, and an unprotected TLV
 * area (info 0x6907) holding one vendor TLV 0x00a0 = CRC-32 of header+body.
 * No hashes or signatures: that is the image library's job; these tests only
 * need something the boot code can validate and size.
 */
#ifndef TEST_IMAGE_H
#define TEST_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include <dfukit/boot.h>
#include <dfukit/flash.h>

#define TIMG_HDR_SIZE 0x20u
#define TIMG_TLV_SIZE 12u

/* Erase what the image needs at the start of fa and write it. */
int timg_write(const struct flash_area *fa, uint8_t major, uint32_t body_size, uint32_t seed);
/* Same, with the header's load address and, if rom_fixed, IMAGE_F_ROM_FIXED (-F). */
int timg_write_rom_fixed(const struct flash_area *fa, uint8_t major, uint32_t body_size,
			 uint32_t seed, bool rom_fixed, uint32_t load_addr);
/* Same, with any header flags (0x20 RAM_LOAD: imgtool -L). */
int timg_write_flags(const struct flash_area *fa, uint8_t major, uint32_t body_size, uint32_t seed,
		     uint32_t flags, uint32_t load_addr);
/* boot_validate_fn */
int timg_validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out);
/* CRC-32 (IEEE) of n more bytes, what the test images carry in TLV 0xa0. */
uint32_t timg_crc32(uint32_t crc, const uint8_t *p, uint32_t n);
/* Total size of an image with this body size. */
static inline uint32_t timg_total(uint32_t body_size)
{
	return TIMG_HDR_SIZE + body_size + TIMG_TLV_SIZE;
}

#endif
