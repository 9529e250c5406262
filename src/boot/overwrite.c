/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Overwrite-only upgrade (MCUboot's MCUBOOT_OVERWRITE_ONLY with
 * MCUBOOT_OVERWRITE_ONLY_FAST, Zephyr's CONFIG_BOOT_UPGRADE_ONLY).
 *
 *   decide   the trailers' test or permanent request (no revert in this mode)
 *   check    validate the secondary; erase it if it is invalid, too large or,
 *            with downgrade prevention, older than a valid primary
 *   erase    the primary's sectors under the image, then its trailer sectors
 *   copy     the image's bytes, secondary -> primary; then the primary's magic
 *   clean    erase the secondary's first sector (its header), then its
 *            trailer sectors, so the request is gone
 *
 * No status is kept: until "clean" starts, the secondary is untouched and
 * still carries its request, so a boot after a power cut anywhere before it
 * decides the same upgrade, validates the secondary again and restarts from
 * "erase" (MCUboot restarts the copy the same way). The partial primary such
 * a cut leaves is never run: boot_go() validates the primary before the jump,
 * and downgrade prevention takes its floor only from a primary that
 * validates. A cut during "clean" leaves a secondary with no header (the
 * request is then dropped) or one that fails validation (erased): the copied
 * primary runs.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <dfukit/boot.h>

#include "boot_log.h"
#include "boot_priv.h"

struct ow_ctx {
	const struct boot_config *cfg;
	const struct flash_area *pri;
	const struct flash_area *sec;
	/* first byte of each slot's trailer sectors (sector-aligned) */
	uint32_t trl_pri;
	uint32_t trl_sec;
	/* largest image: the lower swap_info offset of the two slots */
	uint32_t max_image;
	uint8_t buf[BOOT_COPY_BUF_SIZE];
};

/* start of the sector holding the lowest trailer field of fa */
static int trailer_start(const struct flash_area *fa, uint32_t *start, uint32_t *swap_info)
{
	struct boot_trailer_layout lay;
	struct flash_sector s;
	int rc = boot_trailer_layout_for(&lay, fa, 0);

	if (rc == 0) {
		rc = flash_area_sector_at(fa, lay.status_off, &s);
	}
	if (rc == 0) {
		*start = s.off;
		*swap_info = lay.swap_info_off;
	}
	return rc;
}

static int ow_init(struct ow_ctx *c, const struct boot_config *cfg)
{
	uint32_t si_pri;
	uint32_t si_sec;

	c->cfg = cfg;
	c->pri = cfg->primary;
	c->sec = cfg->secondary;
	if (trailer_start(c->pri, &c->trl_pri, &si_pri) != 0 ||
	    trailer_start(c->sec, &c->trl_sec, &si_sec) != 0 ||
	    BOOT_COPY_BUF_SIZE % flash_area_align(c->pri) != 0u) {
		log_msg(cfg, 'W', "Cannot upgrade: not a compatible slot layout");
		return -ENOTSUP;
	}
	c->max_image = si_pri < si_sec ? si_pri : si_sec;
	return 0;
}

/*
 * Erase the sectors of fa from `from` (a sector start) up to the one holding
 * byte to - 1, one sector per operation; *end is where the last one ends.
 */
static int erase_sectors(const struct flash_area *fa, uint32_t from, uint32_t to, uint32_t *end)
{
	struct flash_sector s;
	uint32_t off = from;

	while (off < to) {
		int rc = flash_area_sector_at(fa, off, &s);

		if (rc == 0) {
			rc = flash_area_erase(fa, s.off, s.size);
		}
		if (rc != 0) {
			return rc;
		}
		off = s.off + s.size;
	}
	*end = off > from ? off : from;
	return 0;
}

/* erase fa's trailer sectors from `first` unless they read as erased */
static int erase_trailer_if_needed(const struct flash_area *fa, uint32_t first)
{
	uint32_t end;
	int rc = flash_area_is_erased(fa, first, fa->size - first);

	if (rc < 0) {
		return rc;
	}
	return rc == 1 ? 0 : erase_sectors(fa, first, fa->size, &end);
}

static bool all_erased(const uint8_t *buf, uint32_t n, uint8_t ev)
{
	for (uint32_t i = 0; i < n; i++) {
		if (buf[i] != ev) {
			return false;
		}
	}
	return true;
}

/* copy [0, len) secondary -> primary; chunks that read as erased are skipped */
static int copy_bytes(struct ow_ctx *c, uint32_t len)
{
	uint8_t ev = flash_area_erased_val(c->pri);

	for (uint32_t off = 0; off < len; off += BOOT_COPY_BUF_SIZE) {
		uint32_t n = len - off < BOOT_COPY_BUF_SIZE ? len - off : BOOT_COPY_BUF_SIZE;
		int rc = flash_area_read(c->sec, off, c->buf, n);

		if (rc != 0) {
			return rc;
		}
		if (!all_erased(c->buf, n, ev)) {
			rc = flash_area_write(c->pri, off, c->buf, n);
		}
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

/* MCUboot's boot_compare_version() without the build number */
static int version_cmp(const struct boot_image_info *a, const struct boot_image_info *b)
{
	uint32_t va = (uint32_t)a->major << 24 | (uint32_t)a->minor << 16 | a->revision;
	uint32_t vb = (uint32_t)b->major << 24 | (uint32_t)b->minor << 16 | b->revision;

	return va < vb ? -1 : (va > vb ? 1 : 0);
}

static int refuse(struct ow_ctx *c, const char *why)
{
	log_msg(c->cfg, 'E', why);
	int rc = flash_area_erase(c->sec, 0, c->sec->size);

	return rc != 0 ? rc : 0;
}

/* 1 if the secondary is to be copied, 0 if not (it was dealt with), or -errno */
static int secondary_verdict(struct ow_ctx *c, struct boot_image_info *info)
{
	const struct boot_config *cfg = c->cfg;
	int rc = cfg->validate(cfg->validate_ctx, c->sec, info);

	if (rc == -EIO) {
		return rc;
	}
	if (rc == -ENOENT) {
		/* nothing to copy: forget the request */
		return erase_trailer_if_needed(c->sec, c->trl_sec);
	}
	if (rc == 0 && info->total_size > c->max_image) {
		struct lbuf lb = {.n = 0};

		/* not an MCUboot line: MCUboot would copy over its own trailer */
		lb_str(&lb, "Image of ");
		lb_num(&lb, info->total_size, 10);
		lb_str(&lb, " bytes, at most ");
		lb_num(&lb, c->max_image, 10);
		lb_str(&lb, " fit below the trailer");
		lb_emit(cfg, 'E', &lb);
		rc = -EFBIG;
	}
	if (rc != 0) {
		return refuse(c, "Image in the secondary slot is not valid!");
	}
	if (cfg->downgrade_prevention) {
		struct boot_image_info cur;

		rc = cfg->validate(cfg->validate_ctx, c->pri, &cur);
		if (rc == -EIO) {
			return rc;
		}
		if (rc == 0 && version_cmp(info, &cur) < 0) {
			return refuse(c, "Insufficient version in secondary slot");
		}
	}
	return 1;
}

static int copy_image(struct ow_ctx *c, uint32_t total)
{
	const struct boot_config *cfg = c->cfg;
	uint32_t len = ALIGN_UP(total, flash_area_align(c->pri));
	uint32_t end = 0;
	struct lbuf lb = {.n = 0};

	log_msg(cfg, 'I', "Image 0 upgrade secondary slot -> primary slot");
	log_msg(cfg, 'I', "Erasing the primary slot");
	int rc = erase_sectors(c->pri, 0, len, &end);

	if (rc == 0) {
		uint32_t from = end > c->trl_pri ? end : c->trl_pri;

		rc = erase_sectors(c->pri, from, c->pri->size, &end);
	}
	if (rc != 0) {
		return rc;
	}
	lb_str(&lb, "Image 0 copying the secondary slot to the primary slot: ");
	lb_hex(&lb, len);
	lb_str(&lb, " bytes");
	lb_emit(cfg, 'I', &lb);
	rc = copy_bytes(c, len);
	if (rc == 0) {
		rc = boot_write_magic(c->pri);
	}
	/* the copy is complete: drop the request, header first */
	if (rc == 0) {
		rc = erase_sectors(c->sec, 0, 1, &end);
	}
	if (rc == 0) {
		rc = erase_sectors(c->sec, end > c->trl_sec ? end : c->trl_sec, c->sec->size, &end);
	}
	return rc;
}

int boot_overwrite_upgrade(const struct boot_config *cfg, int *type)
{
	struct ow_ctx c;
	struct boot_swap_state ps;
	struct boot_swap_state ss;
	struct boot_image_info info;

	*type = BOOT_SWAP_TYPE_NONE;
	memset(&c, 0, sizeof(c));
	int rc = boot_read_swap_state(cfg->primary, &ps);

	if (rc == 0) {
		rc = boot_read_swap_state(cfg->secondary, &ss);
	}
	if (rc != 0) {
		log_msg(cfg, 'E', "panic!");
		return rc;
	}
	if (ow_init(&c, cfg) != 0) {
		log_swap_type(cfg, BOOT_SWAP_TYPE_NONE);
		return 0;
	}
	int t = boot_swap_type_decide(&ps, &ss);

	/* overwrite-only never reverts: only a request in the secondary counts */
	if (t != BOOT_SWAP_TYPE_TEST && t != BOOT_SWAP_TYPE_PERM) {
		t = BOOT_SWAP_TYPE_NONE;
	}
	log_swap_type(cfg, t);
	if (t == BOOT_SWAP_TYPE_NONE) {
		return 0;
	}
	rc = secondary_verdict(&c, &info);
	if (rc <= 0) {
		return rc;
	}
	*type = t;
	return copy_image(&c, info.total_size);
}
