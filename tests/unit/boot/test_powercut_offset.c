/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exhaustive power-cut test for swap-using-offset (BOOT_MODE_SWAP_OFFSET),
 * as test_powercut.c and test_powercut_overwrite.c do it: for each board
 * profile, scenario and tear mode, count the flash operations of the boot
 * under test, then for every N cut power at operation N (torn as the mode
 * says), power on and boot until a boot touches no flash, and check:
 *   - the cut boot never claims success (-EIO);
 *   - the first boot after the cut (the recovery) runs the image the
 *     scenario must end on, and it verifies in the primary slot;
 *   - the other image is intact where the algorithm promises it: after a
 *     swap the old image from sector 0 of the secondary, after a revert the
 *     test image from sector 1;
 *   - the boots after it end on the stable image (a test image reverts once)
 *     and every image run verifies.
 * "resume" cuts the recovery of a cut swap (and of a cut revert) at every
 * operation as well (first cut at every STRIDE-th operation). The loops are
 * the shared rig's (powercut_rig.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "powercut_rig.h"

#define SMALL_BODY 5000u
#define LARGE_BODY 9000u

enum other { OTHER_NONE, OTHER_OLD_AT_0, OTHER_NEW_AT_1 };

struct scenario {
	const char *name;
	bool perm;
	bool corrupt;     /* the update fails validation */
	bool revert;      /* start from the state a completed test swap leaves */
	bool larger_old;  /* the primary's image is the larger one */
	int want;         /* version run by the recovery boot */
	int stable;       /* version run once boots touch no flash */
	enum other other; /* what must be intact in the secondary after recovery */
};

static const struct scenario scenarios[] = {
	{"swap-test", false, false, false, false, 2, 1, OTHER_OLD_AT_0},
	{"swap-perm", true, false, false, false, 2, 2, OTHER_OLD_AT_0},
	{"swap-test-larger-old", false, false, false, true, 2, 1, OTHER_OLD_AT_0},
	{"revert", false, false, true, false, 1, 1, OTHER_NEW_AT_1},
	{"bad-update", false, true, false, false, 1, 1, OTHER_NONE},
};

/*
 * Bit-level tearing of the last write of a test swap (copy_done) leaves it
 * BAD; the next boot then reverts right away (dfukit/boot.h, as in
 * swap-using-move): the old image runs and the test image is back at sector
 * 1 for a retry. Allowed only in that tear mode and only for a cut at the
 * last operation.
 */
static const struct scenario test_reverted_early = {
	"test-reverted-early", false, false, false, false, 1, 1, OTHER_NEW_AT_1};

/* the secondary's image area: from its sector 1 (BOOT_MODE_SWAP_OFFSET) */
static struct flash_area upd;

static int init(struct pc *p, const struct board_profile *bp)
{
	p->r = &p->rig;
	if (rig_init(p->r, bp) != 0) {
		return -1;
	}
	return boot_secondary_image_area(&p->r->sec, BOOT_MODE_SWAP_OFFSET, &upd);
}

static void scenario_setup(struct pc *p, const void *scv)
{
	const struct scenario *s = scv;
	struct boot_result res;

	flash_sim_format(&p->r->sim);
	p->r->cfg.mode = BOOT_MODE_SWAP_OFFSET;
	assert_int_equal(timg_write(&p->r->pri, 1, s->larger_old ? LARGE_BODY : SMALL_BODY, 1), 0);
	assert_int_equal(timg_write(&upd, 2, s->larger_old ? SMALL_BODY : LARGE_BODY, 2), 0);
	if (s->corrupt) {
		/* the sector with the TLVs erased (ECC flash cannot be reprogrammed) */
		struct flash_sector fs;

		assert_int_equal(flash_area_sector_at(&upd, timg_total(LARGE_BODY) - 1u, &fs), 0);
		assert_int_equal(flash_area_erase(&upd, fs.off, fs.size), 0);
		assert_int_equal(rig_version(&upd), -1);
	}
	assert_int_equal(boot_request_upgrade(&upd, s->perm), 0);
	if (s->revert) {
		assert_int_equal(rig_boot(p->r, &res), 0);
		assert_int_equal(res.image.major, 2);
	}
}

static void check_other(struct pc *p, const struct scenario *s, const char *what, uint32_t n)
{
	int v0 = rig_version(&p->r->sec);
	int v1 = rig_version(&upd);
	bool ok = s->other == OTHER_OLD_AT_0   ? v0 == 1
		  : s->other == OTHER_NEW_AT_1 ? v1 == 2
					       : v0 <= 0 && v1 <= 0;

	if (!ok) {
		fail_msg("%s cut %u: secondary holds v%d at sector 0, v%d at sector 1", what, n, v0,
			 v1);
	}
}

/* boot until a boot touches no flash; every image run verifies; the last run */
static int boot_until_stable(struct pc *p, const char *what, uint32_t n)
{
	struct boot_result res;

	for (int i = 0; i < 4; i++) {
		flash_sim_reset_count(&p->r->sim);
		if (rig_boot(p->r, &res) != 0 || rig_version(&p->r->pri) != res.image.major) {
			fail_msg("%s cut %u: boot %d after recovery failed", what, n, i);
		}
		if (flash_sim_ops(&p->r->sim) == 0u) {
			return res.image.major;
		}
	}
	fail_msg("%s cut %u: not stable after 4 boots", what, n);
	return -1;
}

/* the recovery boot, then the boots until stable */
static void recover(struct pc *p, const void *scv, const struct pc_cut *c)
{
	const struct scenario *s = scv;
	struct boot_result res;
	int rc = rig_boot(p->r, &res);

	if (rc != 0) {
		fail_msg("%s cut %u: recovery boot failed: %d", c->what, c->n, rc);
	}
	if (c->tear == FLASH_SIM_TEAR_BITS && c->last && !s->perm && s->stable == 1 &&
	    s->want == 2 && res.image.major == 1) {
		s = &test_reverted_early;
	}
	if (res.image.major != s->want || rig_version(&p->r->pri) != s->want) {
		fail_msg("%s cut %u: ran v%d (primary v%d), want v%d", c->what, c->n,
			 res.image.major, rig_version(&p->r->pri), s->want);
	}
	check_other(p, s, c->what, c->n);
	int last = boot_until_stable(p, c->what, c->n);

	if (last != s->stable) {
		fail_msg("%s cut %u: stable on v%d, want v%d", c->what, c->n, last, s->stable);
	}
}

static const size_t resume[] = {0, 3}; /* swap-test, revert */

static const struct pc_strategy offset = {
	.scenarios = scenarios,
	.nscenarios = sizeof(scenarios) / sizeof(scenarios[0]),
	.scenario_size = sizeof(scenarios[0]),
	.init = init,
	.setup = scenario_setup,
	.recover = recover,
	.resume = resume,
	.nresume = 2,
	.resume_named = true,
	.stride_div = 12,
	.label = "swap-using-offset",
};

int main(void)
{
	return pc_main(&offset, "test_powercut_offset");
}
