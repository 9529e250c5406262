/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted images in swap-using-move (dfukit/boot_enc.h): the AES keys of
 * both images, loaded from them at the start of a swap or from the primary
 * trailer when one resumes, each image's encrypted body located from its
 * header, and the chunk transform of a copy between the slots.
 */
#include <dfukit/boot_enc.h>

#include <errno.h>
#include <string.h>

#include <dfukit/image.h>
#include <dfukit/wire.h>

#include "boot_log.h"
#include "boot_priv.h"

#define ENC_FLAGS (DFUKIT_IMAGE_F_ENCRYPTED_AES128 | DFUKIT_IMAGE_F_ENCRYPTED_AES256)

uint32_t boot_enc_key_size(const struct boot_config *cfg)
{
	return cfg->enc != NULL ? cfg->enc->key_size : 0u;
}

int boot_enc_check(const struct boot_config *cfg)
{
	const struct boot_enc *enc = cfg->enc;

	if (enc == NULL) {
		return 0;
	}
	if (!BOOT_HAS_ENC || cfg->mode != BOOT_MODE_SWAP_MOVE) {
		log_msg(cfg, 'E', "Encrypted images need swap-using-move");
		return -ENOTSUP;
	}
	if ((enc->key_size != 16u && enc->key_size != 32u) || enc->load_key == NULL ||
	    enc->crypt == NULL) {
		return -EINVAL;
	}
	return 0;
}

int boot_enc_swap_range(struct swap_enc *e, uint32_t s, const struct flash_area *fa, uint32_t off)
{
	uint8_t h[DFUKIT_IMAGE_HEADER_SIZE];
	int rc = flash_area_read(fa, off, h, sizeof(h));

	e->lo[s] = 0;
	e->hi[s] = 0;
	if (rc != 0) {
		return rc;
	}
	uint32_t hdr = wire_get_le16(h + DFUKIT_IMAGE_HDR_OFF_HDR_SIZE);
	uint32_t img = wire_get_le32(h + DFUKIT_IMAGE_HDR_OFF_IMG_SIZE);

	/* no image, or one that is not encrypted (or does not fit): copied as it is */
	if (wire_get_le32(h + DFUKIT_IMAGE_HDR_OFF_MAGIC) != DFUKIT_IMAGE_MAGIC ||
	    (wire_get_le32(h + DFUKIT_IMAGE_HDR_OFF_FLAGS) & ENC_FLAGS) == 0u || img > fa->size ||
	    hdr > fa->size - img) {
		return 0;
	}
	e->lo[s] = hdr;
	e->hi[s] = hdr + img;
	return 0;
}

int boot_enc_swap_load(const struct boot_config *cfg, const struct flash_area *slot[2],
		       struct swap_enc *e)
{
	memset(e, 0, sizeof(*e));
	for (uint32_t s = 0; s < 2u; s++) {
		int rc = boot_enc_swap_range(e, s, slot[s], 0);

		if (rc != 0) {
			return rc;
		}
		if (e->lo[s] == e->hi[s]) {
			continue;
		}
		rc = cfg->enc->load_key(cfg->enc->ctx, slot[s], e->key[s]);
		if (rc == 0) {
			e->has_key[s] = true;
		} else if (s == 1u) {
			/* the update cannot be decrypted: it must not be swapped in */
			return rc == -EIO ? rc : -EBADMSG;
		} else {
			log_msg(cfg, 'W',
				"Primary image key not loaded: it moves back unencrypted");
		}
	}
	return 0;
}

int boot_enc_swap_store(const struct flash_area *pri, const struct boot_trailer_layout *lay,
			const struct swap_enc *e, uint32_t key_size)
{
	uint8_t buf[2u * DFUKIT_ENC_AES_KEY_MAX];

	for (uint32_t s = 0; s < 2u; s++) {
		/* an image without a key leaves its field erased, which reads as none */
		if (!e->has_key[s]) {
			continue;
		}
		memset(buf, flash_area_erased_val(pri), lay->enc_key_sz);
		memcpy(buf, e->key[s], key_size);
		int rc = flash_area_write(pri, lay->enc_key_off[s], buf, lay->enc_key_sz);

		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

int boot_enc_swap_restore(const struct flash_area *pri, const struct boot_trailer_layout *lay,
			  struct swap_enc *e, uint32_t key_size)
{
	uint8_t ev = flash_area_erased_val(pri);

	for (uint32_t s = 0; s < 2u; s++) {
		int rc = flash_area_read(pri, lay->enc_key_off[s], e->key[s], key_size);

		if (rc != 0) {
			return rc;
		}
		e->has_key[s] = false;
		for (uint32_t i = 0; i < key_size; i++) {
			e->has_key[s] = e->has_key[s] || e->key[s][i] != ev;
		}
	}
	return 0;
}

int boot_enc_swap_chunk(const struct boot_config *cfg, const struct swap_enc *e, uint32_t s,
			uint32_t off, uint8_t *buf, uint32_t n)
{
	uint32_t lo = off > e->lo[s] ? off : e->lo[s];
	uint32_t hi = off + n < e->hi[s] ? off + n : e->hi[s];

	if (!e->has_key[s] || lo >= hi) {
		return 0;
	}
	return cfg->enc->crypt(cfg->enc->ctx, e->key[s], lo - e->lo[s], buf + (lo - off), hi - lo);
}

void boot_enc_swap_forget(struct swap_enc *e)
{
	/* volatile: a store to memory that is dead afterwards must still be made */
	volatile uint8_t *k = &e->key[0][0];

	for (size_t i = 0; i < sizeof(e->key); i++) {
		k[i] = 0;
	}
}
