/* SPDX-License-Identifier: Apache-2.0 */
/* MCUboot image trailer: layout, read, write; decision table. */
#include <dfukit/boot.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <dfukit/wire.h>

#include "boot_priv.h"

static const uint8_t magic_std[BOOT_MAGIC_SZ] = {
	0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
	0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
};

/* bytes 2..15 of the alternate magic; bytes 0..1 are max_align (LE) */
static const uint8_t magic_alt_tail[BOOT_MAGIC_SZ - 2u] = {
	0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
};

void boot_magic_bytes(uint32_t max_align, uint8_t out[BOOT_MAGIC_SZ])
{
	if (max_align == 8u) {
		memcpy(out, magic_std, BOOT_MAGIC_SZ);
		return;
	}
	wire_put_le16(out, (uint16_t)max_align);
	memcpy(out + 2, magic_alt_tail, sizeof(magic_alt_tail));
}

int boot_trailer_layout_init_enc(struct boot_trailer_layout *lay, enum boot_mode mode,
				 uint32_t slot_size, uint32_t write_sz, uint32_t max_sectors,
				 uint32_t key_size)
{
	if (lay == NULL || write_sz == 0u || write_sz > 32u || (write_sz & (write_sz - 1u)) != 0u ||
	    max_sectors > 0x10000u || boot_mode_name(mode) == NULL ||
	    (key_size != 0u &&
	     (mode != BOOT_MODE_SWAP_MOVE || (key_size != 16u && key_size != 32u)))) {
		return -EINVAL;
	}
	bool offset = mode == BOOT_MODE_SWAP_OFFSET;
	uint32_t per = offset ? 2u : 3u;
	uint32_t m = write_sz > 8u ? write_sz : 8u;
	uint32_t ma = m <= 16u ? 16u : m;
	uint32_t ka = key_size != 0u ? ALIGN_UP(key_size, m) : 0u;
	uint32_t trailer = max_sectors * per * write_sz + 2u * ka + (offset ? 5u : 4u) * m + ma;

	if (slot_size % m != 0u || slot_size < trailer) {
		return -EINVAL;
	}
	lay->slot_size = slot_size;
	lay->write_sz = write_sz;
	lay->max_align = m;
	lay->max_sectors = max_sectors;
	lay->magic_area = ma;
	lay->trailer_sz = trailer;
	lay->status_per_sector = per;
	lay->magic_off = slot_size - BOOT_MAGIC_SZ;
	lay->image_ok_off = ALIGN_DOWN(lay->magic_off - m, m);
	lay->copy_done_off = lay->image_ok_off - m;
	lay->swap_info_off = lay->copy_done_off - m;
	lay->unprot_tlv_off = offset ? lay->swap_info_off - m : 0u;
	lay->swap_size_off = (offset ? lay->unprot_tlv_off : lay->swap_info_off) - m;
	lay->enc_key_sz = ka;
	lay->enc_key_off[0] = ka != 0u ? lay->swap_size_off - ka : 0u;
	lay->enc_key_off[1] = ka != 0u ? lay->swap_size_off - 2u * ka : 0u;
	lay->status_off = slot_size - trailer;
	return 0;
}

int boot_trailer_layout_init_mode(struct boot_trailer_layout *lay, enum boot_mode mode,
				  uint32_t slot_size, uint32_t write_sz, uint32_t max_sectors)
{
	return boot_trailer_layout_init_enc(lay, mode, slot_size, write_sz, max_sectors, 0);
}

int boot_trailer_layout_init(struct boot_trailer_layout *lay, uint32_t slot_size, uint32_t write_sz,
			     uint32_t max_sectors)
{
	return boot_trailer_layout_init_mode(lay, BOOT_MODE_SWAP_MOVE, slot_size, write_sz,
					     max_sectors);
}

int boot_trailer_layout_for(struct boot_trailer_layout *lay, const struct flash_area *fa,
			    uint32_t max_sectors)
{
	return boot_trailer_layout_init(lay, fa->size, flash_area_align(fa), max_sectors);
}

/* Write len (<= M) bytes of val at off, padded with the erased value to A. */
int boot_write_field(const struct flash_area *fa, const struct boot_trailer_layout *lay,
		     uint32_t off, const void *val, uint32_t len)
{
	uint8_t buf[BOOT_MAX_ALIGN_LIMIT];
	uint32_t n = ALIGN_UP(len, lay->write_sz);

	if (n > lay->max_align || n > sizeof(buf)) {
		return -EINVAL;
	}
	memset(buf, flash_area_erased_val(fa), n);
	memcpy(buf, val, len);
	return flash_area_write(fa, off, buf, n);
}

static int read_flag(const struct flash_area *fa, uint32_t off, uint8_t *state)
{
	uint8_t v;
	int rc = flash_area_read(fa, off, &v, 1);

	if (rc != 0) {
		return rc;
	}
	if (v == flash_area_erased_val(fa)) {
		*state = BOOT_FLAG_UNSET;
	} else if (v == 0x01u) {
		*state = BOOT_FLAG_SET;
	} else {
		*state = BOOT_FLAG_BAD;
	}
	return 0;
}

int boot_read_swap_state(const struct flash_area *fa, struct boot_swap_state *st)
{
	struct boot_trailer_layout lay;
	uint8_t magic[BOOT_MAGIC_SZ];
	uint8_t expect[BOOT_MAGIC_SZ];
	uint8_t info;
	int rc = boot_trailer_layout_for(&lay, fa, 0);

	if (rc != 0) {
		return rc;
	}
	rc = flash_area_read(fa, lay.magic_off, magic, BOOT_MAGIC_SZ);
	if (rc != 0) {
		return rc;
	}
	boot_magic_bytes(lay.max_align, expect);
	if (memcmp(magic, expect, BOOT_MAGIC_SZ) == 0) {
		st->magic = BOOT_MAGIC_GOOD;
	} else {
		uint8_t ev = flash_area_erased_val(fa);

		st->magic = BOOT_MAGIC_UNSET;
		for (uint32_t i = 0; i < BOOT_MAGIC_SZ; i++) {
			if (magic[i] != ev) {
				st->magic = BOOT_MAGIC_BAD;
				break;
			}
		}
	}
	rc = flash_area_read(fa, lay.swap_info_off, &info, 1);
	if (rc != 0) {
		return rc;
	}
	st->swap_type = (uint8_t)(info & 0x0fu);
	st->image_num = (uint8_t)(info >> 4);
	if (info == flash_area_erased_val(fa) || st->swap_type > BOOT_SWAP_TYPE_REVERT) {
		st->swap_type = BOOT_SWAP_TYPE_NONE;
		st->image_num = 0;
	}
	rc = read_flag(fa, lay.copy_done_off, &st->copy_done);
	if (rc != 0) {
		return rc;
	}
	return read_flag(fa, lay.image_ok_off, &st->image_ok);
}

int boot_read_swap_size(const struct flash_area *fa, uint32_t *swap_size)
{
	struct boot_trailer_layout lay;
	uint8_t b[4]; /* swap_size: 32 bits, little-endian */
	int rc = boot_trailer_layout_for(&lay, fa, 0);

	if (rc == 0) {
		rc = flash_area_read(fa, lay.swap_size_off, b, sizeof(b));
	}
	if (rc == 0) {
		*swap_size = wire_get_le32(b);
	}
	return rc;
}

int boot_write_magic(const struct flash_area *fa)
{
	struct boot_trailer_layout lay;
	uint8_t buf[BOOT_MAX_ALIGN_LIMIT];
	int rc = boot_trailer_layout_for(&lay, fa, 0);

	if (rc != 0) {
		return rc;
	}
	/* one write of MA bytes ending at S: erased padding, then the magic */
	memset(buf, flash_area_erased_val(fa), lay.magic_area);
	boot_magic_bytes(lay.max_align, buf + lay.magic_area - BOOT_MAGIC_SZ);
	return flash_area_write(fa, lay.slot_size - lay.magic_area, buf, lay.magic_area);
}

static int write_flag(const struct flash_area *fa, bool image_ok)
{
	struct boot_trailer_layout lay;
	uint8_t one = 0x01u;
	int rc = boot_trailer_layout_for(&lay, fa, 0);

	if (rc != 0) {
		return rc;
	}
	return boot_write_field(fa, &lay, image_ok ? lay.image_ok_off : lay.copy_done_off, &one, 1);
}

int boot_write_image_ok(const struct flash_area *fa)
{
	return write_flag(fa, true);
}

int boot_write_copy_done(const struct flash_area *fa)
{
	return write_flag(fa, false);
}

int boot_write_swap_info(const struct flash_area *fa, uint8_t swap_type, uint8_t image_num)
{
	struct boot_trailer_layout lay;
	uint8_t v = (uint8_t)(((image_num & 0x0fu) << 4) | (swap_type & 0x0fu));
	int rc = boot_trailer_layout_for(&lay, fa, 0);

	if (rc != 0) {
		return rc;
	}
	return boot_write_field(fa, &lay, lay.swap_info_off, &v, 1);
}

int boot_write_swap_size(const struct flash_area *fa, uint32_t swap_size)
{
	struct boot_trailer_layout lay;
	uint8_t b[4];
	int rc = boot_trailer_layout_for(&lay, fa, 0);

	if (rc != 0) {
		return rc;
	}
	wire_put_le32(b, swap_size);
	return boot_write_field(fa, &lay, lay.swap_size_off, b, sizeof(b));
}

int boot_swap_type_decide(const struct boot_swap_state *pri, const struct boot_swap_state *sec)
{
	if (sec->magic == BOOT_MAGIC_GOOD) {
		if (sec->image_ok == BOOT_FLAG_UNSET) {
			return BOOT_SWAP_TYPE_TEST;
		}
		if (sec->image_ok == BOOT_FLAG_SET) {
			return BOOT_SWAP_TYPE_PERM;
		}
	}
	if (pri->magic == BOOT_MAGIC_GOOD && pri->image_ok == BOOT_FLAG_UNSET &&
	    pri->copy_done != BOOT_FLAG_UNSET && sec->magic != BOOT_MAGIC_GOOD) {
		return BOOT_SWAP_TYPE_REVERT;
	}
	return BOOT_SWAP_TYPE_NONE;
}

const char *boot_swap_type_str(int swap_type)
{
	switch (swap_type) {
	case BOOT_SWAP_TYPE_NONE: return "none";
	case BOOT_SWAP_TYPE_TEST: return "test";
	case BOOT_SWAP_TYPE_PERM: return "perm";
	case BOOT_SWAP_TYPE_REVERT: return "revert";
	case BOOT_SWAP_TYPE_FAIL: return "fail";
	default: return "panic";
	}
}

/* --- application side ------------------------------------------------------- */

int boot_request_upgrade(const struct flash_area *secondary, bool permanent)
{
	struct boot_swap_state st;
	int rc = boot_read_swap_state(secondary, &st);

	if (rc != 0) {
		return rc;
	}
	if (st.magic == BOOT_MAGIC_GOOD) {
		return 0;
	}
	if (st.magic == BOOT_MAGIC_BAD) {
		return -EBADMSG;
	}
	rc = boot_write_magic(secondary);
	if (rc == 0 && permanent) {
		rc = boot_write_image_ok(secondary);
	}
	if (rc == 0) {
		rc = boot_write_swap_info(secondary,
					  permanent ? BOOT_SWAP_TYPE_PERM : BOOT_SWAP_TYPE_TEST, 0);
	}
	return rc;
}

int boot_confirm(const struct flash_area *primary)
{
	struct boot_swap_state st;
	int rc = boot_read_swap_state(primary, &st);

	if (rc != 0) {
		return rc;
	}
	if (st.magic == BOOT_MAGIC_UNSET) {
		return 0;
	}
	if (st.magic == BOOT_MAGIC_BAD) {
		return -EBADMSG;
	}
	if (st.image_ok != BOOT_FLAG_UNSET) {
		return 0;
	}
	return boot_write_image_ok(primary);
}

bool boot_is_confirmed(const struct flash_area *primary)
{
	struct boot_swap_state st;

	if (boot_read_swap_state(primary, &st) != 0) {
		return false;
	}
	return st.magic == BOOT_MAGIC_UNSET ||
	       (st.magic == BOOT_MAGIC_GOOD && st.image_ok == BOOT_FLAG_SET);
}
