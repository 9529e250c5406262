/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the equal-slot strategies share (MCUboot's ARE_SLOTS_EQUIVALENT():
 * direct-xip and ram-load): the header of each slot, the pick of the highest
 * version, and erasing a slot whose image is not to be tried again.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <dfukit/boot.h>
#include <dfukit/image.h>
#include <dfukit/wire.h>

#include "boot_log.h"
#include "boot_priv.h"

const char *boot_slot_name(uint32_t idx)
{
	return idx == 0u ? "primary" : "secondary";
}

static void log_version(const struct boot_config *cfg, uint32_t idx, const struct boot_slot *s)
{
	struct lbuf lb = {.n = 0};

	/* MCUboot's BOOT_LOG_IMAGE_INFO: "%-9s slot: version=%u.%u.%u+%u" */
	lb_str(&lb, idx == 0u ? "Primary   slot: version=" : "Secondary slot: version=");
	lb_num(&lb, s->major, 10);
	lb_str(&lb, ".");
	lb_num(&lb, s->minor, 10);
	lb_str(&lb, ".");
	lb_num(&lb, s->revision, 10);
	lb_str(&lb, "+");
	lb_num(&lb, s->build, 10);
	lb_emit(cfg, 'I', &lb);
}

int boot_slot_read_header(const struct boot_config *cfg, uint32_t idx, struct boot_slot *s)
{
	uint8_t h[DFUKIT_IMAGE_HEADER_SIZE];
	int rc = flash_area_read(s->fa, 0, h, sizeof(h));

	if (rc != 0) {
		return rc;
	}
	uint32_t hdr = wire_get_le16(h + DFUKIT_IMAGE_HDR_OFF_HDR_SIZE);
	uint32_t img = wire_get_le32(h + DFUKIT_IMAGE_HDR_OFF_IMG_SIZE);

	s->avail = wire_get_le32(h + DFUKIT_IMAGE_HDR_OFF_MAGIC) == DFUKIT_IMAGE_MAGIC &&
		   hdr >= DFUKIT_IMAGE_HEADER_SIZE && img < s->fa->size && hdr < s->fa->size - img;
	if (s->avail) {
		s->major = h[DFUKIT_IMAGE_HDR_OFF_VER_MAJOR];
		s->minor = h[DFUKIT_IMAGE_HDR_OFF_VER_MINOR];
		s->revision = wire_get_le16(h + DFUKIT_IMAGE_HDR_OFF_VER_REVISION);
		s->build = wire_get_le32(h + DFUKIT_IMAGE_HDR_OFF_VER_BUILD_NUM);
		s->flags = wire_get_le32(h + DFUKIT_IMAGE_HDR_OFF_FLAGS);
		s->load_addr = wire_get_le32(h + DFUKIT_IMAGE_HDR_OFF_LOAD_ADDR);
		log_version(cfg, idx, s);
		return 0;
	}
	struct lbuf lb = {.n = 0};

	lb_str(&lb, "Image 0 ");
	lb_str(&lb, boot_slot_name(idx));
	lb_str(&lb, " slot: image not found");
	lb_emit(cfg, 'I', &lb);
	return 0;
}

int boot_slots_read(const struct boot_config *cfg, struct boot_slot s[2])
{
	int rc = 0;

	memset(s, 0, 2u * sizeof(s[0]));
	s[0].fa = cfg->primary;
	s[1].fa = cfg->secondary;
	for (uint32_t i = 0; i < 2u && rc == 0; i++) {
		rc = boot_slot_read_header(cfg, i, &s[i]);
	}
	return rc;
}

static uint32_t version_of(const struct boot_slot *s)
{
	return (uint32_t)s->major << 24 | (uint32_t)s->minor << 16 | s->revision;
}

uint32_t boot_slot_highest(const struct boot_slot s[2])
{
	if (s[0].avail && (!s[1].avail || version_of(&s[1]) <= version_of(&s[0]))) {
		return 0;
	}
	return s[1].avail ? 1u : 2u;
}

/* Erase the sectors of fa in [from, to), one operation per sector. */
static int erase_range(const struct flash_area *fa, uint32_t from, uint32_t to)
{
	struct flash_sector s = {0};

	for (uint32_t off = from; off < to; off = s.off + s.size) {
		int rc = flash_area_sector_at(fa, off, &s);

		if (rc == 0) {
			rc = flash_area_erase(fa, s.off, s.size);
		}
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

int boot_slot_scramble(const struct flash_area *fa)
{
	struct boot_trailer_layout lay;
	struct flash_sector s;
	int rc = boot_trailer_layout_for(&lay, fa, 0);

	if (rc == 0) {
		rc = flash_area_sector_at(fa, lay.swap_info_off, &s);
	}
	if (rc == 0) {
		rc = erase_range(fa, s.off, fa->size);
	}
	if (rc == 0) {
		rc = erase_range(fa, 0, s.off);
	}
	return rc;
}

int boot_equal_slots_pick(const struct boot_config *cfg, struct boot_slot s[2],
			  boot_slot_try_fn try, struct boot_result *res)
{
	for (uint32_t idx = boot_slot_highest(s); idx < 2u; idx = boot_slot_highest(s)) {
		memset(res, 0, sizeof(*res));
		int rc = try(cfg, idx, s, res);
		if (rc < 0) {
			return rc;
		}
		if (rc == 1) {
			struct lbuf lb = {.n = 0};

			res->slot = idx;
			res->offset = s[idx].fa->off;
			res->swap_type = BOOT_SWAP_TYPE_NONE;
			lb_str(&lb, "Image 0 loaded from the ");
			lb_str(&lb, boot_slot_name(idx));
			lb_str(&lb, " slot");
			lb_emit(cfg, 'I', &lb);
			return 0;
		}
	}
	log_msg(cfg, 'I', "No slot to load for image 0");
	log_msg(cfg, 'E', "Unable to find bootable image");
	return -ENOENT;
}
