/* SPDX-License-Identifier: Apache-2.0 */
#include "test_image_enc.h"

#include <errno.h>
#include <string.h>

#include <dfukit/wire.h>

#include "test_image.h"

#define IMAGE_MAGIC    0x96f3b83du
#define TLV_INFO_MAGIC 0x6907u
#define TLV_TEST_CRC   0x00a0u
#define TLV_TEST_KEY   0x00a1u
#define F_ENC_AES128   0x04u

static uint8_t mix(uint32_t x)
{
	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	x *= 0x297a2d39u;
	x ^= x >> 15;
	return (uint8_t)x;
}

void tenc_key(uint32_t seed, uint8_t key[TENC_KEY_SIZE])
{
	for (uint32_t i = 0; i < TENC_KEY_SIZE; i++) {
		key[i] = mix(seed * 0x9e3779b1u + i);
	}
}

void tenc_crypt_buf(const uint8_t key[TENC_KEY_SIZE], uint32_t off, uint8_t *buf, uint32_t len)
{
	uint32_t k = wire_get_le32(key) ^ wire_get_le32(key + 4) * 31u;

	for (uint32_t i = 0; i < len; i++) {
		uint32_t o = off + i;

		buf[i] ^= (uint8_t)(mix(k ^ (o / 16u) * 0x85ebca6bu ^ (o % 16u)) ^ key[o % 16u]);
	}
}

static uint8_t body_byte(uint32_t seed, uint32_t i)
{
	return mix(seed * 2654435761u + i * 40503u + 0x9e37u);
}

/* The plaintext image byte p (header, body or TLVs); crc is that of header + body. */
static uint8_t image_byte(uint32_t p, uint8_t major, uint32_t body, uint32_t seed, bool flagged,
			  uint32_t crc)
{
	uint8_t t[TENC_HDR_SIZE > TENC_TLV_SIZE ? TENC_HDR_SIZE : TENC_TLV_SIZE] = {0};

	if (p < TENC_HDR_SIZE) {
		wire_put_le32(t, IMAGE_MAGIC);
		wire_put_le16(t + 8, TENC_HDR_SIZE);
		wire_put_le32(t + 12, body);
		wire_put_le32(t + 16, flagged ? F_ENC_AES128 : 0u);
		t[20] = major;
		return t[p];
	}
	if (p < TENC_HDR_SIZE + body) {
		return body_byte(seed, p - TENC_HDR_SIZE);
	}
	wire_put_le16(t, TLV_INFO_MAGIC);
	wire_put_le16(t + 2, TENC_TLV_SIZE);
	wire_put_le16(t + 4, TLV_TEST_CRC);
	wire_put_le16(t + 6, 4);
	wire_put_le32(t + 8, crc);
	wire_put_le16(t + 12, TLV_TEST_KEY);
	wire_put_le16(t + 14, TENC_KEY_SIZE);
	tenc_key(seed, t + 16);
	return t[p - TENC_HDR_SIZE - body];
}

int tenc_write(const struct flash_area *fa, uint8_t major, uint32_t body_size, uint32_t seed,
	       bool flagged, bool encrypt)
{
	uint32_t total = tenc_total(body_size);
	uint32_t wb = flash_area_align(fa);
	uint8_t key[TENC_KEY_SIZE];
	struct flash_sector s;
	uint8_t chunk[256];
	uint32_t crc = 0;
	int rc = flash_area_sector_at(fa, total - 1u, &s);

	tenc_key(seed, key);
	if (rc == 0) {
		rc = flash_area_erase(fa, 0, s.off + s.size);
	}
	for (uint32_t off = 0; rc == 0 && off < total; off += sizeof(chunk)) {
		uint32_t n = total - off < sizeof(chunk) ? total - off : (uint32_t)sizeof(chunk);

		memset(chunk, 0xff, sizeof(chunk));
		for (uint32_t i = 0; i < n; i++) {
			uint32_t p = off + i;
			uint8_t b = image_byte(p, major, body_size, seed, flagged, crc);

			if (p < TENC_HDR_SIZE + body_size) {
				crc = timg_crc32(crc, &b, 1);
			}
			if (encrypt && p >= TENC_HDR_SIZE && p < TENC_HDR_SIZE + body_size) {
				tenc_crypt_buf(key, p - TENC_HDR_SIZE, &b, 1);
			}
			chunk[i] = b;
		}
		rc = flash_area_write(fa, off, chunk, (n + wb - 1u) / wb * wb);
	}
	return rc;
}

static int read_key(const struct flash_area *slot, uint8_t key[TENC_KEY_SIZE])
{
	uint8_t h[TENC_HDR_SIZE];
	uint8_t t[TENC_TLV_SIZE];
	int rc = flash_area_read(slot, 0, h, sizeof(h));

	if (rc != 0) {
		return rc;
	}
	uint32_t end = (uint32_t)(h[8] | h[9] << 8) + wire_get_le32(h + 12);

	if (end > slot->size - TENC_TLV_SIZE) {
		return -EBADMSG;
	}
	rc = flash_area_read(slot, end, t, sizeof(t));
	if (rc == 0 && wire_get_le32(t + 12) != (TLV_TEST_KEY | TENC_KEY_SIZE << 16)) {
		rc = -ENOENT;
	}
	if (rc == 0) {
		memcpy(key, t + 16, TENC_KEY_SIZE);
	}
	return rc;
}

static int enc_load_key(void *ctx, const struct flash_area *slot, uint8_t *key)
{
	(void)ctx;
	return read_key(slot, key);
}

static int enc_crypt(void *ctx, const uint8_t *key, uint32_t off, uint8_t *buf, uint32_t len)
{
	(void)ctx;
	tenc_crypt_buf(key, off, buf, len);
	return 0;
}

static const struct boot_enc tenc = {
	.key_size = TENC_KEY_SIZE, .load_key = enc_load_key, .crypt = enc_crypt, .ctx = NULL};

const struct boot_enc *tenc_boot_enc(void)
{
	return &tenc;
}

/* CRC-32 of header + body, the body decrypted with key when key != NULL. */
static int image_crc(const struct flash_area *slot, uint32_t hdr, uint32_t body, const uint8_t *key,
		     uint32_t *crc)
{
	uint8_t buf[256];

	*crc = 0;
	for (uint32_t off = 0; off < hdr + body; off += sizeof(buf)) {
		uint32_t n = hdr + body - off < sizeof(buf) ? hdr + body - off : sizeof(buf);
		int rc = flash_area_read(slot, off, buf, n);

		if (rc != 0) {
			return rc;
		}
		for (uint32_t i = 0; key != NULL && i < n; i++) {
			if (off + i >= hdr) {
				tenc_crypt_buf(key, off + i - hdr, buf + i, 1);
			}
		}
		*crc = timg_crc32(*crc, buf, n);
	}
	return 0;
}

int tenc_validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	uint8_t h[TENC_HDR_SIZE], t[12], key[TENC_KEY_SIZE];
	uint32_t crc;
	int rc = flash_area_read(slot, 0, h, sizeof(h));

	if (rc != 0) {
		return rc;
	}
	if (wire_get_le32(h) == 0xffffffffu) {
		return -ENOENT;
	}
	uint32_t hdr = (uint32_t)(h[8] | h[9] << 8), body = wire_get_le32(h + 12);
	bool at_rest = slot == ctx && (wire_get_le32(h + 16) & F_ENC_AES128) != 0u;

	if (wire_get_le32(h) != IMAGE_MAGIC || hdr != TENC_HDR_SIZE || body > slot->size ||
	    hdr + body + TENC_TLV_SIZE >= slot->size) {
		return -EBADMSG;
	}
	rc = at_rest ? read_key(slot, key) : 0;
	if (rc == 0) {
		rc = image_crc(slot, hdr, body, at_rest ? key : NULL, &crc);
	}
	if (rc == 0) {
		rc = flash_area_read(slot, hdr + body, t, sizeof(t));
	}
	if (rc != 0) {
		return rc == -EIO ? rc : -EBADMSG;
	}
	if (wire_get_le32(t) != (TLV_INFO_MAGIC | TENC_TLV_SIZE << 16) ||
	    wire_get_le32(t + 4) != (TLV_TEST_CRC | 4u << 16) || wire_get_le32(t + 8) != crc) {
		return -EBADMSG;
	}
	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		out->major = h[20];
		out->hdr_size = hdr;
		out->img_size = body;
		out->total_size = hdr + body + TENC_TLV_SIZE;
	}
	return 0;
}
