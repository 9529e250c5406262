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
 *            slot is not valid!"); then pick again. With a security counter
 *            store (boot_config.security_counter) validate also refuses an
 *            image below the stored counter ("Image security counter value
 *            N lower than monotonic value M"): it is erased as any invalid
 *            one, and the next version is tried
 *   raise    once an image is picked, the store is raised to its counter
 *            only if its slot's image_ok is set (confirmed by the image, or
 *            signed --confirm), as MCUboot does with MCUBOOT_DIRECT_XIP_REVERT:
 *            never on a test boot, so the revert stays possible. A failed
 *            raise fails the boot; a cut one is redone at the next boot
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
 * Flash operations are trailer writes and slot erases only (and, with a
 * security counter store, one record write per raise). A slot is erased
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

#include "boot_log.h"
#include "boot_priv.h"

/* MCUboot's boot_rom_address_check(): true if the image may run from its slot. */
static bool rom_address_ok(const struct boot_config *cfg, uint32_t idx, const struct boot_slot *s)
{
	struct lbuf lb = {.n = 0};

	if ((s->flags & DFUKIT_IMAGE_F_ROM_FIXED) == 0u || s->load_addr == s->fa->off) {
		return true;
	}
	lb_str(&lb, "Image in ");
	lb_str(&lb, boot_slot_name(idx));
	lb_str(&lb, " slot at ");
	lb_hex(&lb, s->fa->off);
	lb_str(&lb, " has been built for offset ");
	lb_hex(&lb, s->load_addr);
	lb_str(&lb, ", skipping");
	lb_emit(cfg, 'W', &lb);
	return false;
}

/* 1 if the other slot could run instead (header, ROM address, valid image), 0, or -EIO */
static int other_bootable(const struct boot_config *cfg, const struct boot_slot *o)
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
static int select_or_erase(const struct boot_config *cfg, uint32_t idx, const struct boot_slot *s,
			   const struct boot_slot *o)
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
		lb_str(&lb, boot_slot_name(idx));
		lb_str(&lb, " slot.");
		lb_emit(cfg, 'I', &lb);
		return boot_slot_scramble(s->fa);
	}
	if (st.copy_done == BOOT_FLAG_UNSET) {
		rc = boot_write_copy_done(s->fa);
	} else if (!tried && boot_write_copy_done(s->fa) != 0) {
		/* MCUboot's rule for a BAD mark: write it again, boot even if that fails */
		struct lbuf lb = {.n = 0};

		lb_str(&lb, "Failed to set copy_done flag of the image in the ");
		lb_str(&lb, boot_slot_name(idx));
		lb_str(&lb, " slot.");
		lb_emit(cfg, 'W', &lb);
	}
	return rc != 0 ? rc : 1;
}

/*
 * Try slot idx: 1 with res->image filled if it is to run, 0 if it was
 * skipped (refused, erased), or a negative errno.
 */
static int try_slot(const struct boot_config *cfg, uint32_t idx, struct boot_slot s[2],
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
	lb_str(&lb, boot_slot_name(idx));
	lb_str(&lb, " slot is not valid!");
	lb_emit(cfg, 'E', &lb);
	rc = boot_slot_scramble(s[idx].fa);
	return rc != 0 ? rc : 0;
}

int boot_direct_xip_go(const struct boot_config *cfg, struct boot_result *res)
{
	struct boot_slot s[2];
	int rc = boot_slots_read(cfg, s);

	if (rc != 0) {
		return rc;
	}
	rc = boot_equal_slots_pick(cfg, s, try_slot, res);
	if (rc == 0) {
		/* MCUBOOT_HW_ROLLBACK_PROT: raised only for a confirmed image (security_counter.c) */
		rc = boot_seccnt_raise(cfg, s[res->slot].fa, &res->image);
	}
	return rc;
}
