/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot entry and swap-using-move.
 *
 * Swap-using-move (primary P and secondary S slots of equal sector size sz,
 * image of last_idx sectors; status elements in P's trailer):
 *
 *   phase 0  erase P trailer; write swap_info, [image_ok], swap_size, magic;
 *            erase S trailer                      (REVERT: fixup S first)
 *   move     k = 1..last_idx, i = last_idx - k:
 *              erase P[i+1]; copy P[i] -> P[i+1]; status[k-1] = 0x01
 *   swap     k = 1..last_idx, j = k - 1:
 *              st 1: erase P[j]; copy S[j]   -> P[j]; status[MAXS+2(k-1)]   = 0x01
 *              st 2: erase S[j]; copy P[j+1] -> S[j]; status[MAXS+2(k-1)+1] = 0x02
 *   finish   [image_ok] (PERM/REVERT), copy_done
 *
 * Each step erases its destination before copying from a source that the
 * step does not touch, and records its status element only afterwards, so
 * after a power cut the step is simply redone.
 *
 * Encrypted images (cfg->enc, swap_enc.c): phase 0 also writes the AES keys
 * of both images into the primary trailer (before the magic); a swap step
 * decrypts what it copies S -> P with the key of the image that was in S,
 * and encrypts what it copies P -> S with the key of the image that was in
 * P, at the destination's offset; the moves within P copy as they are. A
 * resumed swap reads the keys back and finds each image's header where the
 * steps done so far left it.
 */
#include <dfukit/boot.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <dfukit/image.h>
#include <dfukit/wire.h>

#include "boot_log.h"
#include "boot_priv.h"

/* --- swap context ------------------------------------------------------------- */

struct swap_ctx {
	const struct boot_config *cfg;
	const struct flash_area *pri;
	const struct flash_area *sec;
	struct boot_trailer_layout lay_pri;
	struct boot_trailer_layout lay_sec;
	uint32_t sz;
	uint32_t n_pri;
	uint32_t n_sec;
	uint32_t maxs;
	/* first sector holding (part of) the trailer, per slot */
	uint32_t trl_pri;
	uint32_t trl_sec;
	uint32_t app_max;
	/* encrypted images: cfg->enc's key size (0: none), the swap's keys */
	uint32_t key_size;
	struct swap_enc enc;
	uint8_t buf[BOOT_COPY_BUF_SIZE];
};

uint32_t boot_uniform_sectors(const struct flash_area *fa, uint32_t *n)
{
	struct flash_sector s;
	uint32_t sz = 0;
	uint32_t off = 0;

	*n = 0;
	while (off < fa->size) {
		if (flash_area_sector_at(fa, off, &s) != 0) {
			return 0;
		}
		if (sz == 0u) {
			sz = s.size;
		} else if (s.size != sz) {
			return 0;
		}
		off += s.size;
		(*n)++;
	}
	return sz;
}

/* 0 if the slots can be swapped with swap-using-move (logs why not). */
static int swap_geometry(struct swap_ctx *c)
{
	uint32_t sz_sec;

	c->sz = boot_uniform_sectors(c->pri, &c->n_pri);
	sz_sec = boot_uniform_sectors(c->sec, &c->n_sec);
	if (c->sz == 0u || c->sz != sz_sec ||
	    flash_area_align(c->pri) != flash_area_align(c->sec)) {
		log_msg(c->cfg, 'W', "Cannot upgrade: not same sector layout");
		return -ENOTSUP;
	}
	c->maxs = c->cfg->max_sectors != 0u ? c->cfg->max_sectors
					    : (c->n_pri > c->n_sec ? c->n_pri : c->n_sec);
	if ((c->n_pri != c->n_sec && c->n_pri != c->n_sec + 1u) || c->n_pri > c->maxs) {
		log_msg(c->cfg, 'W', "Cannot upgrade: not a compatible amount of sectors");
		return -ENOTSUP;
	}
	c->key_size = boot_enc_size(c->cfg);
	if (boot_trailer_layout_init_enc(&c->lay_pri, BOOT_MODE_SWAP_MOVE, c->pri->size,
					 flash_area_align(c->pri), c->maxs, c->key_size) != 0 ||
	    boot_trailer_layout_init_enc(&c->lay_sec, BOOT_MODE_SWAP_MOVE, c->sec->size,
					 flash_area_align(c->sec), c->maxs, c->key_size) != 0) {
		log_msg(c->cfg, 'W', "Cannot upgrade: not a compatible amount of sectors");
		return -ENOTSUP;
	}
	c->trl_pri = c->lay_pri.status_off / c->sz;
	c->trl_sec = c->lay_sec.status_off / c->sz;
	/* the primary needs one spare sector below its trailer for the move */
	if (c->trl_pri < 2u || c->trl_sec < 1u) {
		log_msg(c->cfg, 'W', "Cannot upgrade: not a compatible amount of sectors");
		return -ENOTSUP;
	}
	uint32_t a = (c->trl_pri - 1u) * c->sz;
	uint32_t b = c->trl_sec * c->sz;

	c->app_max = a < b ? a : b;
	return 0;
}

static uint32_t last_index(const struct swap_ctx *c, uint32_t copy_size)
{
	uint32_t n = (copy_size + c->sz - 1u) / c->sz;

	return n == 0u ? 1u : n;
}

static int erase_trailer_sectors(const struct swap_ctx *c, const struct flash_area *fa,
				 uint32_t first)
{
	return flash_area_erase(fa, first * c->sz, fa->size - first * c->sz);
}

/* erase only if something in the trailer sectors is not erased */
static int erase_trailer_if_needed(const struct swap_ctx *c, const struct flash_area *fa,
				   uint32_t first)
{
	int rc = flash_area_is_erased(fa, first * c->sz, fa->size - first * c->sz);

	if (rc < 0) {
		return rc;
	}
	return rc == 1 ? 0 : erase_trailer_sectors(c, fa, first);
}

/* No transform: a move within the primary, or a swap without encrypted images. */
#define COPY_PLAIN 2u

/*
 * Copy one sector; with img (0, 1: the image whose key and body apply) the
 * body bytes are en- or decrypted (swap_enc.c). Chunks that come out erased
 * are not programmed.
 */
static int copy_sector(struct swap_ctx *c, const struct flash_area *dst, uint32_t di,
		       const struct flash_area *src, uint32_t si, uint32_t img)
{
	uint8_t ev = flash_area_erased_val(dst);

	for (uint32_t off = 0; off < c->sz; off += BOOT_COPY_BUF_SIZE) {
		uint32_t n = c->sz - off < BOOT_COPY_BUF_SIZE ? c->sz - off : BOOT_COPY_BUF_SIZE;
		bool blank = true;
		int rc = flash_area_read(src, si * c->sz + off, c->buf, n);

		if (rc == 0 && BOOT_HAS_ENC && c->key_size != 0u && img != COPY_PLAIN) {
			rc = boot_enc_swap_chunk(c->cfg, &c->enc, img, di * c->sz + off, c->buf, n);
		}
		if (rc != 0) {
			return rc;
		}
		/* cppcheck-suppress knownConditionTrueFalse ; n >= 1 here (off < sz), cppcheck 2.10 misses it */
		for (uint32_t i = 0; i < n && blank; i++) {
			blank = c->buf[i] == ev;
		}
		if (blank) {
			continue;
		}
		rc = flash_area_write(dst, di * c->sz + off, c->buf, n);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

static int status_write(const struct swap_ctx *c, uint32_t idx, uint8_t val)
{
	return boot_write_field(c->pri, &c->lay_pri,
				c->lay_pri.status_off + idx * c->lay_pri.write_sz, &val, 1);
}

/*
 * Number of completed steps = 1 + index of the highest written status
 * element (0 if none). *inconsistent is set when written elements are not
 * the expected two runs (move steps, then swap steps).
 */
static int status_scan(struct swap_ctx *c, uint32_t *done, bool *inconsistent)
{
	uint32_t a = c->lay_pri.write_sz;
	uint32_t total = c->maxs * 3u;
	uint32_t per = BOOT_COPY_BUF_SIZE / a;
	uint8_t ev = flash_area_erased_val(c->pri);
	uint32_t runs = 0;
	bool prev = false;

	*done = 0;
	for (uint32_t base = 0; base < total; base += per) {
		uint32_t cnt = total - base < per ? total - base : per;
		int rc = flash_area_read(c->pri, c->lay_pri.status_off + base * a, c->buf, cnt * a);

		if (rc != 0) {
			return rc;
		}
		for (uint32_t e = 0; e < cnt; e++) {
			bool written = false;

			for (uint32_t i = 0; i < a; i++) {
				if (c->buf[e * a + i] != ev) {
					written = true;
					break;
				}
			}
			uint32_t idx = base + e;

			/* a new run starts at a written element after an erased one */
			if (written && (!prev || idx == c->maxs)) {
				runs++;
			}
			if (written) {
				*done = idx + 1u;
			}
			prev = written;
		}
	}
	*inconsistent = runs > 2u;
	return 0;
}

static int fixup_revert(struct swap_ctx *c, uint32_t copy_size)
{
	struct boot_swap_state st;
	int rc = boot_read_swap_state(c->sec, &st);

	if (rc != 0) {
		return rc;
	}
	log_swap_state(c->cfg, "Secondary", &st);
	/*
	 * Make the secondary look like a permanent request for the image it
	 * holds, so that a reset while the primary trailer is re-initialised
	 * still completes as PERM.
	 */
	rc = erase_trailer_if_needed(c, c->sec, c->trl_sec);
	if (rc == 0) {
		rc = boot_write_image_ok(c->sec);
	}
	if (rc == 0) {
		rc = boot_write_swap_size(c->sec, copy_size);
	}
	if (rc == 0) {
		rc = boot_write_magic(c->sec);
	}
	return rc;
}

/* phase 0 */
static int swap_start(struct swap_ctx *c, int type, uint32_t copy_size)
{
	int rc = 0;

	if (type == BOOT_SWAP_TYPE_REVERT) {
		rc = fixup_revert(c, copy_size);
	}
	if (rc == 0) {
		rc = erase_trailer_sectors(c, c->pri, c->trl_pri);
	}
	if (rc == 0) {
		rc = boot_write_swap_info(c->pri, (uint8_t)type, 0);
	}
	if (rc == 0 && (type == BOOT_SWAP_TYPE_PERM || type == BOOT_SWAP_TYPE_REVERT)) {
		rc = boot_write_image_ok(c->pri);
	}
	if (rc == 0) {
		rc = boot_write_swap_size(c->pri, copy_size);
	}
	if (rc == 0 && BOOT_HAS_ENC && c->key_size != 0u) {
		rc = boot_enc_swap_store(c->pri, &c->lay_pri, &c->enc, c->key_size);
	}
	if (rc == 0) {
		rc = boot_write_magic(c->pri);
	}
	if (rc == 0) {
		rc = erase_trailer_if_needed(c, c->sec, c->trl_sec);
	}
	return rc;
}

/* move + swap phases from step `done`, then the finishing flag writes */
static int swap_run(struct swap_ctx *c, int type, uint32_t copy_size, uint32_t done)
{
	uint32_t last = last_index(c, copy_size);
	uint32_t m0 = 0;
	int rc;

	if (last + 1u > c->trl_pri || last > c->trl_sec) {
		return -ENOSPC;
	}
	if (done < c->maxs) {
		for (uint32_t k = done + 1u; k <= last; k++) {
			uint32_t i = last - k;

			rc = flash_area_erase(c->pri, (i + 1u) * c->sz, c->sz);
			if (rc == 0) {
				rc = copy_sector(c, c->pri, i + 1u, c->pri, i, COPY_PLAIN);
			}
			if (rc == 0) {
				rc = status_write(c, k - 1u, 0x01);
			}
			if (rc != 0) {
				return rc;
			}
		}
	} else {
		m0 = done - c->maxs;
	}
	for (uint32_t m = m0; m < 2u * last; m++) {
		uint32_t j = m / 2u;

		if (m % 2u == 0u) {
			rc = flash_area_erase(c->pri, j * c->sz, c->sz);
			if (rc == 0) {
				rc = copy_sector(c, c->pri, j, c->sec, j, 1);
			}
			if (rc == 0) {
				rc = status_write(c, c->maxs + m, 0x01);
			}
		} else {
			rc = flash_area_erase(c->sec, j * c->sz, c->sz);
			if (rc == 0) {
				rc = copy_sector(c, c->sec, j, c->pri, j + 1u, 0);
			}
			if (rc == 0) {
				rc = status_write(c, c->maxs + m, 0x02);
			}
		}
		if (rc != 0) {
			return rc;
		}
	}

	struct boot_swap_state st;

	rc = boot_read_swap_state(c->pri, &st);
	if (rc == 0 && (type == BOOT_SWAP_TYPE_PERM || type == BOOT_SWAP_TYPE_REVERT) &&
	    st.image_ok == BOOT_FLAG_UNSET) {
		rc = boot_write_image_ok(c->pri);
	}
	if (rc == 0 && st.copy_done == BOOT_FLAG_UNSET) {
		rc = boot_write_copy_done(c->pri);
	}
	return rc;
}

/* --- the primary's size for a swap ---------------------------------------------- */

/*
 * MCUboot's swap learns how much of the primary to carry over from the
 * image's header and TLV infos alone: no hash, no signature (the boot core
 * knows no crypto). Format: dfukit/image.h.
 *
 * Three reads, each bounds-checked against the slot: the header, the TLV
 * info at hdr_size + img_size and, when that opens the protected area (its
 * length must be the header's protect_tlv_size), the TLV info after it.
 */
int boot_image_extent(const struct flash_area *fa, uint32_t *size, uint32_t *unprot_tlv)
{
	uint8_t b[DFUKIT_IMAGE_HEADER_SIZE];
	uint32_t off = 0;
	uint32_t len = DFUKIT_IMAGE_HEADER_SIZE;
	uint32_t prot = 0;

	for (unsigned step = 0;; step++) {
		if (off > fa->size || len > fa->size - off) {
			return -EFBIG;
		}
		if (flash_area_read(fa, off, b, len) != 0) {
			return -EIO;
		}
		uint32_t magic = step == 0u ? wire_get_le32(b + DFUKIT_IMAGE_HDR_OFF_MAGIC)
					    : wire_get_le16(b + DFUKIT_IMAGE_TLV_INFO_OFF_MAGIC);
		uint32_t tot = wire_get_le16(b + DFUKIT_IMAGE_TLV_INFO_OFF_TOT);

		if (step == 0u) {
			uint32_t hdr = wire_get_le16(b + DFUKIT_IMAGE_HDR_OFF_HDR_SIZE);
			uint32_t img = wire_get_le32(b + DFUKIT_IMAGE_HDR_OFF_IMG_SIZE);

			if (magic != DFUKIT_IMAGE_MAGIC) {
				return magic == 0xffffffffu ? -ENOENT : -EBADMSG;
			}
			if (hdr < DFUKIT_IMAGE_HEADER_SIZE) {
				return -EBADMSG;
			}
			if (img > fa->size || hdr > fa->size - img) {
				return -EFBIG;
			}
			prot = wire_get_le16(b + DFUKIT_IMAGE_HDR_OFF_PROTECT_TLV_SIZE);
			off = hdr + img;
			len = DFUKIT_IMAGE_TLV_INFO_SIZE;
			continue;
		}
		if (tot < DFUKIT_IMAGE_TLV_INFO_SIZE) {
			return -EBADMSG;
		}
		bool prot_area =
			step == 1u && (prot != 0u || magic == DFUKIT_IMAGE_TLV_PROT_INFO_MAGIC);

		if (magic != (prot_area ? DFUKIT_IMAGE_TLV_PROT_INFO_MAGIC
					: DFUKIT_IMAGE_TLV_INFO_MAGIC) ||
		    (prot_area && tot != prot)) {
			return -EBADMSG;
		}
		if (tot > fa->size - off) {
			return -EFBIG;
		}
		off += tot;
		if (!prot_area) {
			*size = off;
			*unprot_tlv = tot;
			return 0;
		}
	}
}

int boot_read_image_size(const struct flash_area *fa, uint32_t *size)
{
	uint32_t unprot;

	return boot_image_extent(fa, size, &unprot);
}

static bool is_swap(int type)
{
	return type == BOOT_SWAP_TYPE_TEST || type == BOOT_SWAP_TYPE_PERM ||
	       type == BOOT_SWAP_TYPE_REVERT;
}

/*
 * Validate the secondary for a requested swap; erase what must not be
 * retried. Returns the swap type to run (or NONE), or a negative errno.
 */
static int validated_swap(struct swap_ctx *c, int type, uint32_t *copy_size)
{
	const struct boot_config *cfg = c->cfg;
	struct boot_image_info info;
	int rc = cfg->validate(cfg->validate_ctx, c->sec, &info);

	if (rc == -EIO) {
		return rc;
	}
	if (rc == -ENOENT) {
		/* nothing to swap in: forget the request (no erase if already blank) */
		rc = erase_trailer_if_needed(c, c->sec, c->trl_sec);
		return rc != 0 ? rc : BOOT_SWAP_TYPE_NONE;
	}
	if (rc == 0 && info.total_size > c->app_max) {
		struct lbuf lb = {.n = 0};

		log_msg(cfg, 'E', "Not enough free space to run swap upgrade");
		lb_str(&lb, "required ");
		lb_num(&lb, info.total_size, 10);
		lb_str(&lb, " bytes but only ");
		lb_num(&lb, c->app_max, 10);
		lb_str(&lb, " are available");
		lb_emit(cfg, 'E', &lb);
		rc = -EFBIG;
	}
	if (rc == 0 && BOOT_HAS_ENC && c->key_size != 0u) {
		/* the keys before anything moves: an update that does not decrypt is refused */
		const struct flash_area *slots[2] = {c->pri, c->sec};

		rc = boot_enc_swap_load(cfg, slots, &c->enc);
		if (rc == -EIO) {
			return rc;
		}
	}
	if (rc != 0) {
		log_msg(cfg, 'E', "Image in the secondary slot is not valid!");
		rc = flash_area_erase(c->sec, 0, c->sec->size);
		return rc != 0 ? rc : BOOT_SWAP_TYPE_NONE;
	}
	*copy_size = info.total_size;

	/*
	 * The primary image must be carried over whole as well: its header
	 * gives its size (it is validated before the jump, not here; a
	 * malformed one is not carried beyond the secondary's size).
	 */
	uint32_t pri_size;

	rc = boot_read_image_size(c->pri, &pri_size);
	if (rc == -EIO) {
		return rc;
	}
	if (rc == 0 && pri_size > *copy_size) {
		*copy_size = pri_size > c->app_max ? c->app_max : pri_size;
	}
	return type;
}

/*
 * A resumed swap's keys, from the primary trailer, and each image's header
 * where the steps done so far left it: the secondary's in S[0] until swap
 * step 1 copied it to P[0]; the primary's in P[0] until the moves copied it
 * to P[1], and in S[0] once swap step 2 copied it there.
 */
static int resume_enc(struct swap_ctx *c, uint32_t copy_size, uint32_t done)
{
	uint32_t last = last_index(c, copy_size);
	bool moved = done >= c->maxs || done >= last;
	uint32_t swapped = done > c->maxs ? done - c->maxs : 0u;
	int rc = boot_enc_swap_restore(c->pri, &c->lay_pri, &c->enc, c->key_size);

	if (rc == 0) {
		rc = boot_enc_swap_range(&c->enc, 1, swapped == 0u ? c->sec : c->pri, 0);
	}
	if (rc == 0 && (!moved || swapped > 1u)) {
		rc = boot_enc_swap_range(&c->enc, 0, !moved ? c->pri : c->sec, 0);
	} else if (rc == 0) {
		rc = boot_enc_swap_range(&c->enc, 0, c->pri, c->sz);
	}
	return rc;
}

/*
 * Finish a swap a power cut interrupted: its state is all in the primary
 * trailer. Returns 1 with *type set once it is done, 0 when there is none to
 * resume, or a negative errno.
 */
static int resume_swap(struct swap_ctx *c, const struct boot_swap_state *ps, int *type)
{
	const struct boot_config *cfg = c->cfg;
	uint32_t done;
	uint32_t copy_size;
	bool bad;

	int rc = status_scan(c, &done, &bad);
	if (rc == 0) {
		rc = boot_read_swap_size(c->pri, &copy_size);
	}
	if (rc != 0) {
		return rc;
	}
	if (bad) {
		log_msg(cfg, 'W', "Detected inconsistent status!");
	}
	if (copy_size == 0u || copy_size > c->app_max) {
		log_msg(cfg, 'W', "Detected inconsistent status!");
		return 0;
	}
	*type = ps->swap_type;
	log_swap_type(cfg, *type);
	log_msg(cfg, 'I', "Starting swap using move algorithm.");
	if (done == 0u) {
		/* phase 0 may have stopped before the secondary trailer erase */
		rc = erase_trailer_if_needed(c, c->sec, c->trl_sec);
	}
	if (rc == 0 && BOOT_HAS_ENC && c->key_size != 0u) {
		rc = resume_enc(c, copy_size, done);
	}
	if (rc == 0) {
		rc = swap_run(c, *type, copy_size, done);
	}
	return rc != 0 ? rc : 1;
}

/* Decide on the trailers, validate and run a new swap; *type is what was done. */
static int new_swap(struct swap_ctx *c, const struct boot_swap_state *ps,
		    const struct boot_swap_state *ss, bool can_swap, int *type)
{
	uint32_t copy_size = 0;
	int t = can_swap ? boot_swap_type_decide(ps, ss) : BOOT_SWAP_TYPE_NONE;

	*type = t;
	log_swap_type(c->cfg, t);
	if (!is_swap(t)) {
		return 0;
	}
	t = validated_swap(c, t, &copy_size);
	if (t < 0) {
		return t;
	}
	*type = t;
	if (!is_swap(t)) {
		return 0;
	}
	log_msg(c->cfg, 'I', "Starting swap using move algorithm.");
	int rc = swap_start(c, t, copy_size);
	return rc != 0 ? rc : swap_run(c, t, copy_size, 0);
}

static void log_jump(const struct boot_config *cfg, const struct boot_result *res)
{
	struct lbuf lb = {.n = 0};

	lb_str(&lb, "Bootloader chainload address offset: ");
	/* ram-load: MCUboot names the image's load address here */
	lb_hex(&lb, cfg->mode == BOOT_MODE_RAM_LOAD ? res->load_addr : res->offset);
	lb_emit(cfg, 'I', &lb);
	lb_str(&lb, "Image version: v");
	lb_num(&lb, res->image.major, 10);
	lb_str(&lb, ".");
	lb_num(&lb, res->image.minor, 10);
	lb_str(&lb, ".");
	lb_num(&lb, res->image.revision, 10);
	lb_emit(cfg, 'I', &lb);
	log_msg(cfg, 'I', "Jumping to the first image slot");
}

/*
 * The equal-slot strategies, nothing swapped: the chosen slot runs in place
 * (direct_xip.c) or from its copy in RAM, validated there (ram_load.c).
 */
static int equal_slots_go(const struct boot_config *cfg, struct boot_result *res)
{
	int rc;

	/* folds in a one-strategy build, so the other file is not linked */
	if (BOOT_HAS_RAM_LOAD && (!BOOT_HAS_XIP || cfg->mode == BOOT_MODE_RAM_LOAD)) {
		rc = boot_ram_load_go(cfg, res);
		if (rc == 0) {
			/* no revert: raised at once */
			rc = boot_seccnt_raise(cfg, res->slot == 0u ? cfg->primary : cfg->secondary,
					       &res->image);
		}
	} else {
		rc = boot_direct_xip_go(cfg, res);
	}
	if (rc == 0) {
		log_jump(cfg, res);
	}
	return rc;
}

/* Swap-using-move: resume an interrupted swap or start a requested one. */
static int move_upgrade(struct swap_ctx *c, int *type)
{
	struct boot_swap_state ps;
	struct boot_swap_state ss;
	int rc = boot_read_swap_state(c->pri, &ps);

	if (rc != 0) {
		log_msg(c->cfg, 'E', "panic!");
		return rc;
	}
	rc = boot_read_swap_state(c->sec, &ss);
	if (rc != 0) {
		return rc;
	}
	log_swap_state(c->cfg, "Primary", &ps);
	log_swap_state(c->cfg, "Secondary", &ss);

	bool from_primary = ps.magic == BOOT_MAGIC_GOOD && ps.copy_done == BOOT_FLAG_UNSET &&
			    ss.magic != BOOT_MAGIC_GOOD;

	log_msg(c->cfg, 'I', from_primary ? "Boot source: primary slot" : "Boot source: none");
	bool can_swap = swap_geometry(c) == 0;

	rc = 0;
	if (can_swap && from_primary && is_swap(ps.swap_type)) {
		rc = resume_swap(c, &ps, type);
	}
	if (rc == 0) {
		rc = new_swap(c, &ps, &ss, can_swap, type);
	}
	return rc;
}

int boot_go(const struct boot_config *cfg, struct boot_result *res)
{
	struct swap_ctx c;
	int type = BOOT_SWAP_TYPE_NONE;
	int rc;

	if (cfg == NULL || res == NULL || cfg->primary == NULL || cfg->secondary == NULL ||
	    cfg->validate == NULL) {
		return -EINVAL;
	}
	struct boot_config seccnt;

	/* with a security counter store, every validate checks it (security_counter.c) */
	cfg = boot_seccnt_use(cfg, &seccnt);
	if (cfg == NULL) {
		return -ENOTSUP; /* a store, but a build without it (boot_priv.h) */
	}
	rc = boot_enc_use(cfg);
	if (rc != 0) {
		return rc; /* encrypted images: swap-using-move only (swap_enc.c) */
	}
	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.pri = cfg->primary;
	c.sec = cfg->secondary;

	log_msg(cfg, 'I', "Starting bootloader");
	if (((BOOT_HAS_XIP && cfg->mode == BOOT_MODE_DIRECT_XIP) ||
	     (BOOT_HAS_RAM_LOAD && cfg->mode == BOOT_MODE_RAM_LOAD)) &&
	    !cfg->downgrade_prevention) {
		return equal_slots_go(cfg, res);
	}
	if (BOOT_HAS_OVERWRITE && cfg->mode == BOOT_MODE_OVERWRITE_ONLY) {
		rc = boot_overwrite_upgrade(cfg, &type);
	} else if (BOOT_HAS_MOVE && cfg->mode == BOOT_MODE_SWAP_MOVE &&
		   !cfg->downgrade_prevention) {
		rc = move_upgrade(&c, &type);
		if (BOOT_HAS_ENC && c.key_size != 0u) {
			boot_enc_swap_forget(&c.enc);
		}
	} else if (BOOT_HAS_OFFSET && cfg->mode == BOOT_MODE_SWAP_OFFSET &&
		   !cfg->downgrade_prevention) {
		rc = boot_offset_upgrade(cfg, &type);
	} else {
		log_msg(cfg, 'E', "Unsupported upgrade mode");
		rc = -EINVAL;
	}
	if (rc < 0) {
		return rc;
	}

	memset(res, 0, sizeof(*res));
	rc = cfg->validate(cfg->validate_ctx, c.pri, &res->image);
	if (rc == -EIO) {
		return rc;
	}
	if (rc != 0) {
		log_msg(cfg, 'E', "Image in the primary slot is not valid!");
		log_msg(cfg, 'E', "Unable to find bootable image");
		return -ENOENT;
	}
	rc = boot_seccnt_raise(cfg, c.pri, &res->image);
	if (rc != 0) {
		return rc;
	}
	res->slot = 0;
	res->offset = c.pri->off;
	res->swap_type = type;
	log_jump(cfg, res);
	return 0;
}
