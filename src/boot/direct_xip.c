/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Direct execute-in-place with revert (MCUboot's MCUBOOT_DIRECT_XIP with
 * MCUBOOT_DIRECT_XIP_REVERT): nothing is copied, the image runs from the
 * slot it was written to, so each image is linked (and signed, imgtool
 * -F/--rom-fixed) for its own slot.
 *
 *   headers  each slot with a well-formed header (magic, sizes within the
 *            slot) is available ("Primary   slot: version=1.2.3+4")
 *   pick     the available slot with the highest version (major.minor.
 *            revision, no build number); equal versions: the primary
 *   rom      a ROM_FIXED image whose load address is not its slot's offset
 *            is not bootable there: skipped, left alone
 *   revert   the slot's trailer: magic not good, or copy_done set and image_ok
 *            not set (an unconfirmed image already booted once) -> the slot
 *            is erased; otherwise copy_done is written ("booted once")
 *            before the image is validated
 *   check    validate; an invalid image is erased ("Image in the secondary
 *            slot is not valid!"); then pick again
 *
 * One deliberate relaxation of MCUboot (which boots an image whose copy_done
 * reads as neither set nor unset and tries to write it again): for an
 * unconfirmed image, copy_done BAD counts as set when the other slot holds an
 * image that can run instead (it is validated to know). Only a torn copy_done
 * write makes it, and on ECC flash that cannot be reprogrammed MCUboot's rule
 * would keep an unconfirmed image booting for ever. The price: an image cut
 * while being marked is reverted before it ran. With no other image,
 * MCUboot's rule: write copy_done again and boot, even if that write fails
 * (a power cut still shows: the validation after it reads -EIO).
 *
 * Flash operations are trailer writes and slot erases only. A slot is erased
 * trailer sectors first, so a cut erase never leaves a stale "booted once"
 * trailer behind an erased header for the next download to inherit; a
 * header a cut erase leaves behind belongs to an image with no good magic or
 * one that fails validation, and is erased again. Nothing runs that did not
 * validate in the boot that runs it.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <dfukit/boot.h>
#include <dfukit/image.h>
#include <dfukit/wire.h>

#include "boot_log.h"
#include "boot_priv.h"

struct xip_slot {
	const struct flash_area *fa;
	bool avail;
	uint8_t major;
	uint8_t minor;
	uint16_t revision;
	uint32_t build;
	uint32_t flags;
	uint32_t load_addr;
};

static const char *slot_name(uint32_t idx)
{
	return idx == 0u ? "primary" : "secondary";
}

static void log_version(const struct boot_config *cfg, uint32_t idx, const struct xip_slot *s)
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

/*
 * Whether the slot holds a well-formed header (MCUboot's
 * boot_check_header_valid(): the magic, header and body inside the slot);
 * its version and ROM address.
 */
static int read_header(const struct boot_config *cfg, uint32_t idx, struct xip_slot *s)
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
	lb_str(&lb, slot_name(idx));
	lb_str(&lb, " slot: image not found");
	lb_emit(cfg, 'I', &lb);
	return 0;
}

static uint32_t version_of(const struct xip_slot *s)
{
	return (uint32_t)s->major << 24 | (uint32_t)s->minor << 16 | s->revision;
}

/* The available slot with the highest version (the primary on a tie), or 2. */
static uint32_t highest(const struct xip_slot s[2])
{
	if (s[0].avail && (!s[1].avail || version_of(&s[1]) <= version_of(&s[0]))) {
		return 0;
	}
	return s[1].avail ? 1u : 2u;
}

/* MCUboot's boot_rom_address_check(): true if the image may run from its slot. */
static bool rom_address_ok(const struct boot_config *cfg, uint32_t idx, const struct xip_slot *s)
{
	struct lbuf lb = {.n = 0};

	if ((s->flags & DFUKIT_IMAGE_F_ROM_FIXED) == 0u || s->load_addr == s->fa->off) {
		return true;
	}
	lb_str(&lb, "Image in ");
	lb_str(&lb, slot_name(idx));
	lb_str(&lb, " slot at ");
	lb_hex(&lb, s->fa->off);
	lb_str(&lb, " has been built for offset ");
	lb_hex(&lb, s->load_addr);
	lb_str(&lb, ", skipping");
	lb_emit(cfg, 'W', &lb);
	return false;
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

/* Erase a slot sector by sector: its trailer sectors first, then from sector 0 up. */
static int scramble(const struct flash_area *fa)
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

/* 1 if the other slot could run instead (header, ROM address, valid image), 0, or -EIO */
static int other_bootable(const struct boot_config *cfg, const struct xip_slot *o)
{
	struct boot_image_info info;

	if (!o->avail ||
	    ((o->flags & DFUKIT_IMAGE_F_ROM_FIXED) != 0u && o->load_addr != o->fa->off)) {
		return 0;
	}
	int rc = cfg->validate(cfg->validate_ctx, o->fa, &info);

	return rc == -EIO ? rc : (rc == 0 ? 1 : 0);
}

/*
 * MCUboot's boot_select_or_erase(): 1 if the slot is to be booted (marked as
 * tried), 0 if it was erased instead, or a negative errno. o: the other slot.
 */
static int select_or_erase(const struct boot_config *cfg, uint32_t idx, const struct xip_slot *s,
			   const struct xip_slot *o)
{
	struct boot_swap_state st;
	int rc = boot_read_swap_state(s->fa, &st);

	if (rc != 0) {
		return rc;
	}
	bool tried = st.copy_done == BOOT_FLAG_SET;

	if (st.magic == BOOT_MAGIC_GOOD && st.copy_done == BOOT_FLAG_BAD &&
	    st.image_ok != BOOT_FLAG_SET) {
		/* a torn mark: tried only if the other slot can run instead */
		rc = other_bootable(cfg, o);
		if (rc < 0) {
			return rc;
		}
		tried = rc == 1;
	}

	if (st.magic != BOOT_MAGIC_GOOD || (tried && st.image_ok != BOOT_FLAG_SET)) {
		struct lbuf lb = {.n = 0};

		lb_str(&lb, "Erasing faulty image in the ");
		lb_str(&lb, slot_name(idx));
		lb_str(&lb, " slot.");
		lb_emit(cfg, 'I', &lb);
		return scramble(s->fa);
	}
	if (st.copy_done == BOOT_FLAG_UNSET) {
		rc = boot_write_copy_done(s->fa);
	} else if (!tried && boot_write_copy_done(s->fa) != 0) {
		/* MCUboot's rule for a BAD mark: write it again, boot even if that fails */
		struct lbuf lb = {.n = 0};

		lb_str(&lb, "Failed to set copy_done flag of the image in the ");
		lb_str(&lb, slot_name(idx));
		lb_str(&lb, " slot.");
		lb_emit(cfg, 'W', &lb);
	}
	return rc != 0 ? rc : 1;
}

/*
 * Try slot idx: 1 with res->image filled if it is to run, 0 if it was
 * skipped (refused, erased), or a negative errno.
 */
static int try_slot(const struct boot_config *cfg, uint32_t idx, struct xip_slot s[2],
		    struct boot_result *res)
{
	s[idx].avail = false;
	if (!rom_address_ok(cfg, idx, &s[idx])) {
		return 0;
	}
	int rc = select_or_erase(cfg, idx, &s[idx], &s[1u - idx]);

	if (rc <= 0) {
		return rc;
	}
	rc = cfg->validate(cfg->validate_ctx, s[idx].fa, &res->image);
	if (rc == -EIO) {
		return rc;
	}
	if (rc == 0) {
		return 1;
	}
	struct lbuf lb = {.n = 0};

	lb_str(&lb, "Image in the ");
	lb_str(&lb, slot_name(idx));
	lb_str(&lb, " slot is not valid!");
	lb_emit(cfg, 'E', &lb);
	rc = scramble(s[idx].fa);
	return rc != 0 ? rc : 0;
}

int boot_direct_xip_go(const struct boot_config *cfg, struct boot_result *res)
{
	struct xip_slot s[2];
	int rc = 0;

	memset(s, 0, sizeof(s));
	s[0].fa = cfg->primary;
	s[1].fa = cfg->secondary;
	for (uint32_t i = 0; i < 2u && rc == 0; i++) {
		rc = read_header(cfg, i, &s[i]);
	}
	if (rc != 0) {
		return rc;
	}
	for (uint32_t idx = highest(s); idx < 2u; idx = highest(s)) {
		memset(res, 0, sizeof(*res));
		rc = try_slot(cfg, idx, s, res);
		if (rc < 0) {
			return rc;
		}
		if (rc == 1) {
			struct lbuf lb = {.n = 0};

			res->slot = idx;
			res->offset = s[idx].fa->off;
			res->swap_type = BOOT_SWAP_TYPE_NONE;
			lb_str(&lb, "Image 0 loaded from the ");
			lb_str(&lb, slot_name(idx));
			lb_str(&lb, " slot");
			lb_emit(cfg, 'I', &lb);
			return 0;
		}
	}
	log_msg(cfg, 'I', "No slot to load for image 0");
	log_msg(cfg, 'E', "Unable to find bootable image");
	return -ENOENT;
}
