/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hardware rollback protection in the boot core (boot_config.security_counter;
 * MCUboot's MCUBOOT_HW_ROLLBACK_PROT).
 *
 * check   boot_seccnt_config() gives boot_go() a copy of the configuration
 *         whose validate also checks the image's security counter against
 *         the store, so every strategy's check of the secondary (before a
 *         swap or a copy) and boot_go()'s check of the primary (before the
 *         jump) refuse an image below the stored counter, or one without a
 *         protected counter TLV, as MCUboot's image validation does. The
 *         secondary is then erased as any invalid one.
 * raise   boot_seccnt_commit(), once the image to run validated: as MCUboot's
 *         boot_update_hw_rollback_protection(), only when the image can no
 *         longer be reverted (primary magic not good, or image_ok set; in
 *         overwrite-only always, MCUboot raises right after the copy; in
 *         ram-load always, MCUboot's rule without MCUBOOT_RAM_LOAD_REVERT;
 *         in direct-xip with revert only when the slot that runs has
 *         image_ok set, never on an image's test boot).
 */
#include <errno.h>
#include <stddef.h>

#include <dfukit/boot.h>
#include <dfukit/fih.h>
#include <dfukit/security_counter.h>

#include "boot_log.h"
#include "boot_priv.h"

static void log_lower(const struct boot_config *cfg, uint32_t img, uint32_t stored)
{
	struct lbuf lb = {.n = 0};

	lb_str(&lb, "Image security counter value ");
	lb_num(&lb, img, 10);
	lb_str(&lb, " lower than monotonic value ");
	lb_num(&lb, stored, 10);
	lb_emit(cfg, 'E', &lb);
}

/* The wrapped validate: the caller's, then the counter. */
static int seccnt_validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	const struct boot_config *orig = ctx;
	const struct boot_security_counter *sc = orig->security_counter;
	uint32_t stored = 0;
	int rc = orig->validate(orig->validate_ctx, slot, out);

	if (rc != 0) {
		return rc;
	}
	if (!out->has_security_counter) {
		/* not an MCUboot line: MCUboot refuses such an image silently */
		log_msg(orig, 'E', "Image has no security counter");
		out->verdict = FIH_FAILURE;
		return -EPERM;
	}
	rc = sc->read(sc->ctx, &stored);
	if (rc != 0) {
		out->verdict = FIH_FAILURE;
		return -EIO; /* as a flash error: boot_go() aborts, nothing is erased */
	}
	if (out->security_counter < stored) {
		log_lower(orig, out->security_counter, stored);
		out->verdict = FIH_FAILURE;
		return -EPERM;
	}
	/* again, from the value as stored (fih.h: one skipped branch is not enough) */
	volatile uint32_t again = stored;

	if (out->security_counter < again) {
		out->verdict = FIH_FAILURE;
		return -EPERM;
	}
	return 0;
}

const struct boot_config *boot_seccnt_config(const struct boot_config *cfg,
					     struct boot_config *wrapped)
{
	if (cfg->security_counter == NULL) {
		return cfg;
	}
	*wrapped = *cfg;
	wrapped->validate = seccnt_validate;
	wrapped->validate_ctx = (void *)(uintptr_t)cfg;
	return wrapped;
}

int boot_seccnt_commit(const struct boot_config *cfg, const struct flash_area *slot,
		       const struct boot_image_info *img)
{
	const struct boot_security_counter *sc = cfg->security_counter;
	struct boot_swap_state st;

	if (sc == NULL) {
		return 0;
	}
	int rc = boot_read_swap_state(slot, &st);

	if (rc != 0) {
		return rc;
	}
	/* overwrite-only and ram-load have no revert: MCUboot raises at once */
	bool revertible = cfg->mode != BOOT_MODE_OVERWRITE_ONLY && cfg->mode != BOOT_MODE_RAM_LOAD;
	/* direct-xip (MCUBOOT_DIRECT_XIP_REVERT): only a confirmed image, whatever its magic */
	bool unconfirmed = st.image_ok != BOOT_FLAG_SET &&
			   (cfg->mode == BOOT_MODE_DIRECT_XIP || st.magic == BOOT_MAGIC_GOOD);

	if (revertible && unconfirmed) {
		return 0; /* a test boot: it may still be reverted */
	}
	rc = sc->raise(sc->ctx, img->security_counter);
	if (rc != 0) {
		struct lbuf lb = {.n = 0};

		lb_str(&lb, "Security counter update failed after image 0 validation: -");
		lb_num(&lb, (uint32_t)-rc, 10);
		lb_emit(cfg, 'E', &lb);
	}
	return rc;
}
