/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Swap-using-offset (MCUboot's MCUBOOT_SWAP_USING_OFFSET), primary P and
 * secondary S of equal sector size sz; the update sits in S from sector 1
 * (SWAP_USING_OFFSET_SECTOR_UPDATE_BEGIN); last = index of the last sector
 * the swap moves (sectors - 1: mcuboot#2214 used the count); status elements
 * in P's trailer, two per sector (dfukit/boot.h, the offset layout).
 *
 *   phase 0  erase P trailer; write swap_info, [image_ok], swap_size, the
 *            unprotected TLV sizes, magic; erase S trailer
 *            (REVERT: first make S's trailer say "revert": copy_done,
 *            swap_info, swap_size, TLV sizes, magic)
 *   swap     k = 0..last (TEST, PERM):
 *              st 0: erase S[k];   copy P[k]   -> S[k];   status[2k]   = 0x01
 *              st 1: erase P[k];   copy S[k+1] -> P[k];   status[2k+1] = 0x02
 *   revert   k = 0..last, m = last - k (the old image is at S[0..last]):
 *              st 0: erase S[m+1]; copy P[m]   -> S[m+1]; status[2k]   = 0x01
 *              st 1: erase P[m];   copy S[m]   -> P[m];   status[2k+1] = 0x02
 *   finish   REVERT: erase S[0] (the old header must not look like an
 *            update) and S's trailer; then [image_ok] (PERM, REVERT), copy_done
 *
 * Every step erases its destination and copies from a sector no step since
 * the last status element has changed, then writes its element: after a
 * power cut the step is redone. One erase cycle per slot, as MCUboot says.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <dfukit/boot.h>
#include <dfukit/image.h>
#include <dfukit/wire.h>

#include "boot_log.h"
#include "boot_priv.h"

struct off_ctx {
	const struct boot_config *cfg;
	const struct flash_area *pri;
	const struct flash_area *sec;
	/* the secondary from its second sector: where an update is written */
	struct flash_area upd;
	struct boot_trailer_layout lay_pri;
	struct boot_trailer_layout lay_sec;
	uint32_t sz;
	uint32_t maxs;
	/* first sector holding (part of) the trailer, per slot */
	uint32_t trl_pri;
	uint32_t trl_sec;
	uint32_t app_max;
	uint8_t buf[BOOT_COPY_BUF_SIZE];
};

/* 0 if the slots can be swapped with swap-using-offset (logs why not). */
static int off_geometry(struct off_ctx *c)
{
	uint32_t n_pri;
	uint32_t n_sec;
	const char *why = "Cannot upgrade: not a compatible amount of sectors";

	c->sz = boot_uniform_sectors(c->pri, &n_pri);
	if (c->sz == 0u || c->sz != boot_uniform_sectors(c->sec, &n_sec) ||
	    flash_area_align(c->pri) != flash_area_align(c->sec)) {
		log_msg(c->cfg, 'W', "Cannot upgrade: not same sector layout");
		return -ENOTSUP;
	}
	c->maxs = c->cfg->max_sectors != 0u ? c->cfg->max_sectors : (n_sec > n_pri ? n_sec : n_pri);
	if (n_sec != n_pri && n_sec != n_pri + 1u) {
		log_msg(c->cfg, 'W', why);
		return -ENOTSUP;
	}
	if (n_pri > c->maxs) {
		log_msg(c->cfg, 'W', "Cannot upgrade: more sectors than allowed");
		return -ENOTSUP;
	}
	if (boot_trailer_layout_init_mode(&c->lay_pri, BOOT_MODE_SWAP_OFFSET, c->pri->size,
					  flash_area_align(c->pri), c->maxs) != 0 ||
	    boot_trailer_layout_init_mode(&c->lay_sec, BOOT_MODE_SWAP_OFFSET, c->sec->size,
					  flash_area_align(c->sec), c->maxs) != 0 ||
	    boot_secondary_image_area(c->sec, BOOT_MODE_SWAP_OFFSET, &c->upd) != 0 ||
	    BOOT_COPY_BUF_SIZE % c->lay_pri.write_sz != 0u) {
		log_msg(c->cfg, 'W', why);
		return -ENOTSUP;
	}
	c->trl_pri = c->lay_pri.status_off / c->sz;
	c->trl_sec = c->lay_sec.status_off / c->sz;
	/* one sector of image at least, and the secondary's spare sector */
	if (c->trl_pri < 1u || c->trl_sec < 2u) {
		log_msg(c->cfg, 'W', why);
		return -ENOTSUP;
	}
	uint32_t a = c->trl_pri * c->sz;
	uint32_t b = (c->trl_sec - 1u) * c->sz;

	c->app_max = a < b ? a : b;
	return 0;
}

/* index of the last sector a swap of copy_size bytes moves (not the count) */
static uint32_t last_index(const struct off_ctx *c, uint32_t copy_size)
{
	uint32_t n = (copy_size + c->sz - 1u) / c->sz;

	return n == 0u ? 0u : n - 1u;
}

static int erase_trailer_sectors(const struct off_ctx *c, const struct flash_area *fa,
				 uint32_t first)
{
	return flash_area_erase(fa, first * c->sz, fa->size - first * c->sz);
}

/* erase [first sector, end of fa) unless it reads as erased */
static int erase_if_needed(const struct off_ctx *c, const struct flash_area *fa, uint32_t first,
			   uint32_t count)
{
	uint32_t len = count * c->sz;
	int rc = flash_area_is_erased(fa, first * c->sz, len);

	if (rc < 0) {
		return rc;
	}
	return rc == 1 ? 0 : flash_area_erase(fa, first * c->sz, len);
}

static int erase_trailer_if_needed(const struct off_ctx *c, const struct flash_area *fa,
				   uint32_t first)
{
	return erase_if_needed(c, fa, first, fa->size / c->sz - first);
}

/* erase sector di of dst, copy sector si of src into it (blank chunks skipped) */
static int move_sector(struct off_ctx *c, const struct flash_area *dst, uint32_t di,
		       const struct flash_area *src, uint32_t si)
{
	uint8_t ev = flash_area_erased_val(dst);
	int rc = flash_area_erase(dst, di * c->sz, c->sz);

	for (uint32_t off = 0; rc == 0 && off < c->sz; off += BOOT_COPY_BUF_SIZE) {
		uint32_t n = c->sz - off < BOOT_COPY_BUF_SIZE ? c->sz - off : BOOT_COPY_BUF_SIZE;
		bool blank = true;

		rc = flash_area_read(src, si * c->sz + off, c->buf, n);
		/* cppcheck-suppress knownConditionTrueFalse ; n >= 1 here (off < sz) */
		for (uint32_t i = 0; rc == 0 && i < n && blank; i++) {
			blank = c->buf[i] == ev;
		}
		if (rc == 0 && !blank) {
			rc = flash_area_write(dst, di * c->sz + off, c->buf, n);
		}
	}
	return rc;
}

static int status_write(const struct off_ctx *c, uint32_t idx)
{
	uint8_t val = (uint8_t)(idx % 2u + 1u);

	return boot_write_field(c->pri, &c->lay_pri,
				c->lay_pri.status_off + idx * c->lay_pri.write_sz, &val, 1);
}

/*
 * Completed steps = 1 + index of the highest written status element (0 if
 * none); *gap when an erased element lies below a written one.
 */
static int status_scan(struct off_ctx *c, uint32_t *done, bool *gap)
{
	uint32_t a = c->lay_pri.write_sz;
	uint32_t total = c->maxs * 2u;
	uint32_t per = BOOT_COPY_BUF_SIZE / a;
	uint8_t ev = flash_area_erased_val(c->pri);
	bool seen_erased = false;

	*done = 0;
	*gap = false;
	for (uint32_t base = 0; base < total; base += per) {
		uint32_t cnt = total - base < per ? total - base : per;
		int rc = flash_area_read(c->pri, c->lay_pri.status_off + base * a, c->buf, cnt * a);

		if (rc != 0) {
			return rc;
		}
		for (uint32_t e = 0; e < cnt; e++) {
			bool written = false;

			for (uint32_t i = 0; i < a && !written; i++) {
				written = c->buf[e * a + i] != ev;
			}
			if (written) {
				*gap = *gap || seen_erased;
				*done = base + e + 1u;
			} else {
				seen_erased = true;
			}
		}
	}
	return 0;
}

/* swap_info, [image_ok], swap_size, unprotected TLV sizes, magic */
static int status_init(const struct flash_area *fa, const struct boot_trailer_layout *lay, int type,
		       uint32_t copy_size, uint32_t tlv_sizes, bool image_ok)
{
	uint8_t b[4];
	int rc = boot_write_swap_info(fa, (uint8_t)type, 0);

	if (rc == 0 && image_ok) {
		rc = boot_write_image_ok(fa);
	}
	if (rc == 0) {
		wire_put_le32(b, copy_size);
		rc = boot_write_field(fa, lay, lay->swap_size_off, b, sizeof(b));
	}
	if (rc == 0) {
		wire_put_le32(b, tlv_sizes);
		rc = boot_write_field(fa, lay, lay->unprot_tlv_off, b, sizeof(b));
	}
	return rc != 0 ? rc : boot_write_magic(fa);
}

static bool is_revert_mark(const struct boot_swap_state *ss)
{
	return ss->magic == BOOT_MAGIC_GOOD && ss->image_ok == BOOT_FLAG_UNSET &&
	       ss->copy_done == BOOT_FLAG_SET;
}

/*
 * A revert starts by making the secondary's trailer say "revert" (MCUboot's
 * offset table: secondary magic good, image_ok unset, copy_done set), so a
 * cut while the primary's trailer is re-initialised still reverts.
 */
static int fixup_revert(struct off_ctx *c, uint32_t copy_size, uint32_t tlv_sizes)
{
	struct boot_swap_state st;
	int rc = boot_read_swap_state(c->sec, &st);

	if (rc != 0 || is_revert_mark(&st)) {
		return rc;
	}
	log_swap_state(c->cfg, "Secondary", &st);
	rc = erase_trailer_if_needed(c, c->sec, c->trl_sec);
	if (rc == 0) {
		rc = boot_write_copy_done(c->sec);
	}
	return rc != 0 ? rc
		       : status_init(c->sec, &c->lay_sec, BOOT_SWAP_TYPE_REVERT, copy_size,
				     tlv_sizes, false);
}

/* phase 0 */
static int swap_start(struct off_ctx *c, int type, uint32_t copy_size, uint32_t tlv_sizes)
{
	bool revert = type == BOOT_SWAP_TYPE_REVERT;
	int rc = revert ? fixup_revert(c, copy_size, tlv_sizes) : 0;

	if (rc == 0) {
		rc = erase_trailer_sectors(c, c->pri, c->trl_pri);
	}
	if (rc == 0) {
		rc = status_init(c->pri, &c->lay_pri, type, copy_size, tlv_sizes,
				 type != BOOT_SWAP_TYPE_TEST);
	}
	/* a revert keeps the mark in the secondary until it is done */
	if (rc == 0 && !revert) {
		rc = erase_trailer_if_needed(c, c->sec, c->trl_sec);
	}
	return rc;
}

/* step `idx` (0 .. 2 * (last + 1) - 1) of a swap or a revert */
static int run_step(struct off_ctx *c, bool revert, uint32_t last, uint32_t idx)
{
	uint32_t k = idx / 2u;
	bool st1 = idx % 2u != 0u;
	int rc;

	if (!revert) {
		rc = st1 ? move_sector(c, c->pri, k, c->sec, k + 1u)
			 : move_sector(c, c->sec, k, c->pri, k);
	} else {
		uint32_t m = last - k;

		rc = st1 ? move_sector(c, c->pri, m, c->sec, m)
			 : move_sector(c, c->sec, m + 1u, c->pri, m);
	}
	return rc != 0 ? rc : status_write(c, idx);
}

/* the steps from `done`, then the finishing writes */
static int swap_run(struct off_ctx *c, int type, uint32_t copy_size, uint32_t done)
{
	bool revert = type == BOOT_SWAP_TYPE_REVERT;
	uint32_t last = last_index(c, copy_size);
	struct boot_swap_state st;
	int rc = 0;

	if (last >= c->trl_pri || last + 1u >= c->trl_sec) {
		return -ENOSPC;
	}
	for (uint32_t idx = done; rc == 0 && idx < 2u * (last + 1u); idx++) {
		rc = run_step(c, revert, last, idx);
	}
	if (rc == 0 && revert) {
		rc = erase_if_needed(c, c->sec, 0, 1);
	}
	if (rc == 0 && revert) {
		rc = erase_trailer_if_needed(c, c->sec, c->trl_sec);
	}
	if (rc == 0) {
		rc = boot_read_swap_state(c->pri, &st);
	}
	if (rc == 0 && type != BOOT_SWAP_TYPE_TEST && st.image_ok == BOOT_FLAG_UNSET) {
		rc = boot_write_image_ok(c->pri);
	}
	if (rc == 0 && st.copy_done == BOOT_FLAG_UNSET) {
		rc = boot_write_copy_done(c->pri);
	}
	return rc;
}

/* --- deciding and validating ---------------------------------------------------- */

static bool is_swap(int type)
{
	return type == BOOT_SWAP_TYPE_TEST || type == BOOT_SWAP_TYPE_PERM ||
	       type == BOOT_SWAP_TYPE_REVERT;
}

/* MCUboot's offset table: its extra first row, then the common ones */
static int decide(const struct boot_swap_state *ps, const struct boot_swap_state *ss)
{
	return is_revert_mark(ss) ? BOOT_SWAP_TYPE_REVERT : boot_swap_type_decide(ps, ss);
}

/* 1 if the image header magic is at off 0 of fa, 0 if not, or -errno */
static int has_header(const struct flash_area *fa)
{
	uint8_t b[4];
	int rc = flash_area_read(fa, 0, b, sizeof(b));

	if (rc != 0) {
		return rc;
	}
	return wire_get_le32(b) == DFUKIT_IMAGE_MAGIC ? 1 : 0;
}

/* the image's total size and unprotected TLV length, 0 and 0 if it has none */
static uint32_t image_extent(const struct flash_area *fa, uint32_t *unprot)
{
	uint32_t size;

	if (boot_image_extent(fa, &size, unprot) != 0) {
		*unprot = 0;
		return 0;
	}
	return size;
}

static int refuse(const struct off_ctx *c, const char *why)
{
	if (why != NULL) {
		log_msg(c->cfg, 'E', why);
	}
	log_msg(c->cfg, 'E', "Image in the secondary slot is not valid!");
	int rc = flash_area_erase(c->sec, 0, c->sec->size);

	return rc != 0 ? rc : BOOT_SWAP_TYPE_NONE;
}

/*
 * The area holding the image a new swap of this type brings into the
 * primary: the update from sector 1, or for a revert the old image at 0.
 * An update whose header is in the first sector instead (no header at
 * sector 1) is MCUboot's "wrong upload address": refused. A header at
 * sector 1 wins over one left in sector 0 by an earlier swap (mcuboot#2198
 * let that leftover refuse a good update).
 * Returns 1 with *area set, BOOT_SWAP_TYPE_NONE when dealt with, or -errno.
 */
static int incoming_area(struct off_ctx *c, int type, const struct flash_area **area)
{
	*area = type == BOOT_SWAP_TYPE_REVERT ? c->sec : &c->upd;
	if (type == BOOT_SWAP_TYPE_REVERT) {
		return 1;
	}
	int rc = has_header(&c->upd);

	if (rc == 0) {
		rc = has_header(c->sec);
		if (rc == 1) {
			return refuse(c, "Secondary header magic detected in first sector, "
					 "wrong upload address?");
		}
		return rc < 0 ? rc : 1;
	}
	if (rc == 1 && has_header(c->sec) == 1) {
		/* not an MCUboot line: MCUboot refuses here (mcuboot#2198) */
		log_msg(c->cfg, 'W',
			"Stale header in the first sector of the secondary slot ignored");
	}
	return rc < 0 ? rc : 1;
}

static void log_no_space(const struct off_ctx *c, uint32_t need)
{
	struct lbuf lb = {.n = 0};

	log_msg(c->cfg, 'W', "Not enough free space to run swap upgrade");
	lb_str(&lb, "required ");
	lb_num(&lb, need, 10);
	lb_str(&lb, " bytes but only ");
	lb_num(&lb, c->app_max, 10);
	lb_str(&lb, " are available");
	lb_emit(c->cfg, 'W', &lb);
}

/*
 * Validate the image a new swap brings in, size the swap (both images
 * whole) and their unprotected TLVs. Returns the swap type to run (NONE
 * when the request was dropped), or -errno.
 */
static int validated_swap(struct off_ctx *c, int type, uint32_t *copy_size, uint32_t *tlv_sizes)
{
	const struct flash_area *in;
	struct boot_image_info info;
	uint32_t unprot_pri;
	uint32_t unprot_sec;
	int rc = incoming_area(c, type, &in);

	if (rc != 1) {
		return rc;
	}
	rc = c->cfg->validate(c->cfg->validate_ctx, in, &info);
	if (rc == -EIO) {
		return rc;
	}
	if (rc == -ENOENT) {
		/* nothing to swap in: forget the request */
		rc = erase_trailer_if_needed(c, c->sec, c->trl_sec);
		return rc != 0 ? rc : BOOT_SWAP_TYPE_NONE;
	}
	if (rc == 0 && info.total_size > c->app_max) {
		log_no_space(c, info.total_size);
		rc = -EFBIG;
	}
	if (rc != 0) {
		return refuse(c, NULL);
	}
	*copy_size = info.total_size;
	(void)image_extent(in, &unprot_sec);
	uint32_t pri_size = image_extent(c->pri, &unprot_pri);

	/* a primary larger than fits is carried as far as it can be */
	if (pri_size > *copy_size) {
		*copy_size = pri_size > c->app_max ? c->app_max : pri_size;
	}
	*tlv_sizes = (unprot_sec & 0xffffu) << 16 | (unprot_pri & 0xffffu);
	return type;
}

/*
 * Finish a swap or revert a power cut interrupted; its state is all in the
 * primary trailer. 1 with *type set once done, 0 if there is none, -errno.
 */
static int resume_swap(struct off_ctx *c, const struct boot_swap_state *ps, int *type)
{
	uint32_t done;
	uint32_t copy_size;
	uint8_t b[4];
	bool gap;
	int rc = status_scan(c, &done, &gap);

	if (rc == 0) {
		rc = flash_area_read(c->pri, c->lay_pri.swap_size_off, b, sizeof(b));
	}
	if (rc != 0) {
		return rc;
	}
	copy_size = wire_get_le32(b);
	if (gap || copy_size == 0u || copy_size > c->app_max) {
		log_msg(c->cfg, 'E', "Detected inconsistent status!");
	}
	if (copy_size == 0u || copy_size > c->app_max) {
		return 0;
	}
	*type = ps->swap_type;
	log_swap_type(c->cfg, *type);
	log_msg(c->cfg, 'I', "Starting swap using offset algorithm.");
	if (done == 0u && *type != BOOT_SWAP_TYPE_REVERT) {
		/* phase 0 may have stopped before the secondary trailer erase */
		rc = erase_trailer_if_needed(c, c->sec, c->trl_sec);
	}
	if (rc == 0) {
		rc = swap_run(c, *type, copy_size, done);
	}
	return rc != 0 ? rc : 1;
}

static int new_swap(struct off_ctx *c, const struct boot_swap_state *ps,
		    const struct boot_swap_state *ss, bool can_swap, int *type)
{
	uint32_t copy_size = 0;
	uint32_t tlv_sizes = 0;
	int t = can_swap ? decide(ps, ss) : BOOT_SWAP_TYPE_NONE;

	*type = t;
	log_swap_type(c->cfg, t);
	if (!is_swap(t)) {
		return 0;
	}
	t = validated_swap(c, t, &copy_size, &tlv_sizes);
	if (t < 0) {
		return t;
	}
	*type = t;
	if (!is_swap(t)) {
		return 0;
	}
	log_msg(c->cfg, 'I', "Starting swap using offset algorithm.");
	int rc = swap_start(c, t, copy_size, tlv_sizes);

	return rc != 0 ? rc : swap_run(c, t, copy_size, 0);
}

int boot_offset_upgrade(const struct boot_config *cfg, int *type)
{
	struct off_ctx c;
	struct boot_swap_state ps;
	struct boot_swap_state ss;

	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.pri = cfg->primary;
	c.sec = cfg->secondary;
	*type = BOOT_SWAP_TYPE_NONE;
	int rc = boot_read_swap_state(c.pri, &ps);

	if (rc == 0) {
		rc = boot_read_swap_state(c.sec, &ss);
	}
	if (rc != 0) {
		log_msg(cfg, 'E', "panic!");
		return rc;
	}
	log_swap_state(cfg, "Primary", &ps);
	log_swap_state(cfg, "Secondary", &ss);

	/* a swap under way: the primary's status, and the secondary's trailer
	 * erased (or the revert mark) */
	bool from_primary = ps.magic == BOOT_MAGIC_GOOD && ps.copy_done == BOOT_FLAG_UNSET &&
			    (ss.magic != BOOT_MAGIC_GOOD || is_revert_mark(&ss)) &&
			    is_swap(ps.swap_type);

	log_msg(cfg, 'I', from_primary ? "Boot source: primary slot" : "Boot source: none");
	bool can_swap = off_geometry(&c) == 0;

	rc = can_swap && from_primary ? resume_swap(&c, &ps, type) : 0;
	return rc != 0 ? (rc < 0 ? rc : 0) : new_swap(&c, &ps, &ss, can_swap, type);
}
