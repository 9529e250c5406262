/* SPDX-License-Identifier: Apache-2.0 */
#include "test_image.h"

#include <errno.h>
#include <string.h>

#define IMAGE_MAGIC       0x96f3b83du
#define TLV_INFO_MAGIC    0x6907u
#define TLV_TEST_CRC      0x00a0u
#define IMAGE_F_ROM_FIXED 0x100u

uint32_t timg_crc32(uint32_t crc, const uint8_t *p, uint32_t n)
{
	crc = ~crc;
	while (n-- > 0u) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++) {
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
		}
	}
	return ~crc;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t body_byte(uint32_t seed, uint32_t i)
{
	uint32_t x = seed * 2654435761u + i * 40503u + 0x9e37u;

	x ^= x >> 13;
	x *= 0x5bd1e995u;
	x ^= x >> 15;
	return (uint8_t)x;
}

int timg_write(const struct flash_area *fa, uint8_t major, uint32_t body_size, uint32_t seed)
{
	return timg_write_rom_fixed(fa, major, body_size, seed, false, 0);
}

int timg_write_rom_fixed(const struct flash_area *fa, uint8_t major, uint32_t body_size,
			 uint32_t seed, bool rom_fixed, uint32_t load_addr)
{
	return timg_write_flags(fa, major, body_size, seed, rom_fixed ? IMAGE_F_ROM_FIXED : 0u,
				load_addr);
}

int timg_write_flags(const struct flash_area *fa, uint8_t major, uint32_t body_size, uint32_t seed,
		     uint32_t flags, uint32_t load_addr)
{
	uint32_t total = timg_total(body_size);
	uint32_t wb = flash_area_align(fa);
	struct flash_sector s;
	uint8_t chunk[256];
	uint32_t crc = 0;
	int rc = flash_area_sector_at(fa, total - 1u, &s);

	if (rc != 0) {
		return rc;
	}
	rc = flash_area_erase(fa, 0, s.off + s.size);
	if (rc != 0) {
		return rc;
	}
	/* build the image in 256-byte chunks: header, body, TLVs */
	for (uint32_t off = 0; off < total; off += sizeof(chunk)) {
		uint32_t n = total - off < sizeof(chunk) ? total - off : (uint32_t)sizeof(chunk);

		memset(chunk, 0xFF, sizeof(chunk));
		for (uint32_t i = 0; i < n; i++) {
			uint32_t p = off + i;
			uint8_t b = 0;

			if (p < TIMG_HDR_SIZE) {
				uint8_t h[TIMG_HDR_SIZE] = {0};

				put32(h, IMAGE_MAGIC);
				put32(h + 4, load_addr);
				put16(h + 8, TIMG_HDR_SIZE);
				put32(h + 16, flags);
				put32(h + 12, body_size);
				h[20] = major;
				h[21] = 0;
				b = h[p];
			} else if (p < TIMG_HDR_SIZE + body_size) {
				b = body_byte(seed, p - TIMG_HDR_SIZE);
			} else {
				uint8_t t[TIMG_TLV_SIZE];

				put16(t, TLV_INFO_MAGIC);
				put16(t + 2, TIMG_TLV_SIZE);
				put16(t + 4, TLV_TEST_CRC);
				put16(t + 6, 4);
				put32(t + 8, crc);
				b = t[p - TIMG_HDR_SIZE - body_size];
			}
			chunk[i] = b;
			if (p < TIMG_HDR_SIZE + body_size) {
				crc = timg_crc32(crc, &b, 1);
			}
		}
		uint32_t wn = (n + wb - 1u) / wb * wb;

		rc = flash_area_write(fa, off, chunk, wn);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

int timg_validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	uint8_t h[TIMG_HDR_SIZE];
	uint8_t buf[256];
	uint32_t crc = 0;
	int rc = flash_area_read(slot, 0, h, sizeof(h));

	(void)ctx;
	if (rc != 0) {
		return rc;
	}
	uint32_t magic = get32(h);

	if (magic == 0xffffffffu) {
		return -ENOENT;
	}
	uint32_t hdr = (uint32_t)h[8] | (uint32_t)h[9] << 8;
	uint32_t body = get32(h + 12);

	if (magic != IMAGE_MAGIC || hdr < TIMG_HDR_SIZE || body > slot->size ||
	    hdr + body + TIMG_TLV_SIZE >= slot->size) {
		return -EBADMSG;
	}
	for (uint32_t off = 0; off < hdr + body; off += sizeof(buf)) {
		uint32_t n =
			hdr + body - off < sizeof(buf) ? hdr + body - off : (uint32_t)sizeof(buf);

		rc = flash_area_read(slot, off, buf, n);
		if (rc != 0) {
			return rc;
		}
		crc = timg_crc32(crc, buf, n);
	}
	uint8_t t[TIMG_TLV_SIZE];

	rc = flash_area_read(slot, hdr + body, t, sizeof(t));
	if (rc != 0) {
		return rc;
	}
	if (get32(t) != (TLV_INFO_MAGIC | (TIMG_TLV_SIZE << 16)) ||
	    get32(t + 4) != (TLV_TEST_CRC | (4u << 16)) || get32(t + 8) != crc) {
		return -EBADMSG;
	}
	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		out->major = h[20];
		out->minor = h[21];
		out->revision = (uint16_t)(h[22] | h[23] << 8);
		out->build = get32(h + 24);
		out->hdr_size = hdr;
		out->img_size = body;
		out->total_size = hdr + body + TIMG_TLV_SIZE;
	}
	return 0;
}
