/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exhaustive power-cut test for overwrite-only (BOOT_MODE_OVERWRITE_ONLY),
 * as tests/unit/boot/test_powercut.c does it for swap-using-move: for each
 * board profile, scenario and tear mode, count the flash operations of the
 * boot under test, then for every N cut power at operation N (torn as the
 * mode says), power on and boot once, and check:
 *   - the cut boot never claims success (-EIO);
 *   - the recovery boot (one is enough) runs the image the scenario must end
 *     on, and that image verifies in the primary slot: a partial primary is
 *     never run, the copy restarts from the still-intact secondary;
 *   - the secondary holds no valid image any more (copied, refused or
 *     erased), so the request is gone;
 *   - one more boot runs the same image and touches no flash.
 * "resume" cuts the recovery of a cut upgrade at every operation as well
 * (first cut at every STRIDE-th operation). The loops are the shared rig's
 * (powercut_rig.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "powercut_rig.h"

#define SMALL_BODY 5000u
#define LARGE_BODY 9000u

struct scenario {
	const char *name;
	int pri;      /* version in the primary before */
	int sec;      /* version in the secondary before */
	bool perm;    /* permanent request (else test) */
	bool dp;      /* downgrade prevention */
	bool corrupt; /* the secondary image fails validation */
	int want;     /* version running after recovery */
};

static const struct scenario scenarios[] = {
	{"upgrade-test", 1, 2, false, false, false, 2},
	{"upgrade-perm-dp", 1, 2, true, true, false, 2},
	{"downgrade-refused", 2, 1, true, true, false, 2},
	{"bad-secondary", 1, 2, false, true, true, 1},
};

static void scenario_setup(struct pc *p, const void *scv)
{
	const struct scenario *s = scv;
	struct rig *r = p->r;

	flash_sim_format(&r->sim);
	r->cfg.mode = BOOT_MODE_OVERWRITE_ONLY;
	r->cfg.downgrade_prevention = s->dp;
	/* the larger image goes first when it is the new one, and second when not */
	assert_int_equal(
		timg_write(&r->pri, (uint8_t)s->pri, s->pri < s->sec ? SMALL_BODY : LARGE_BODY, 1),
		0);
	assert_int_equal(
		timg_write(&r->sec, (uint8_t)s->sec, s->pri < s->sec ? LARGE_BODY : SMALL_BODY, 2),
		0);
	if (s->corrupt) {
		/* the sector with the TLVs erased (ECC flash cannot be reprogrammed) */
		struct flash_sector fs;

		assert_int_equal(flash_area_sector_at(&r->sec, timg_total(LARGE_BODY) - 1u, &fs),
				 0);
		assert_int_equal(flash_area_erase(&r->sec, fs.off, fs.size), 0);
		assert_int_equal(rig_version(&r->sec), -1);
	}
	assert_int_equal(boot_request_upgrade(&r->sec, s->perm), 0);
}

/*
 * One recovery boot runs the wanted image, which verifies in the primary;
 * it keeps running, the request is gone.
 */
static void recover(struct pc *p, const void *scv, const struct pc_cut *c)
{
	const struct scenario *s = scv;
	struct rig *r = p->r;
	struct boot_result res;
	int rc = rig_boot(r, &res);

	if (rc != 0) {
		fail_msg("cut %u: recovery boot failed: %d", c->n, rc);
	}
	/* what boot_go returned is what verifies in the primary slot */
	assert_int_equal(rig_version(&r->pri), res.image.major);
	if (res.image.major != s->want) {
		fail_msg("%s cut %u: ran v%d, want v%d", c->what, c->n, res.image.major, s->want);
	}
	if (rig_version(&r->pri) != s->want || rig_version(&r->sec) > 0) {
		fail_msg("%s cut %u: primary v%d secondary v%d, want v%d and none", c->what, c->n,
			 rig_version(&r->pri), rig_version(&r->sec), s->want);
	}
	flash_sim_reset_count(&r->sim);
	assert_int_equal(rig_boot(r, &res), 0);
	if (res.image.major != s->want || flash_sim_ops(&r->sim) != 0u) {
		fail_msg("%s cut %u: next boot runs v%d with %u flash ops, want v%d and none",
			 c->what, c->n, res.image.major, flash_sim_ops(&r->sim), s->want);
	}
}

static const size_t resume[] = {1}; /* upgrade-perm-dp */

static const struct pc_strategy overwrite = {
	.scenarios = scenarios,
	.nscenarios = sizeof(scenarios) / sizeof(scenarios[0]),
	.scenario_size = sizeof(scenarios[0]),
	.setup = scenario_setup,
	.recover = recover,
	.resume = resume,
	.nresume = 1,
	.label = "overwrite-only",
};

int main(void)
{
	return pc_main(&overwrite, "test_powercut_overwrite");
}
