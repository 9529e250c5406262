/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exhaustive power-cut test for swap-using-move, in the style of MCUboot's
 * simulator: for each board profile (real slot sizes and sector geometry,
 * small images so that only the sectors they use are moved) and for each
 * scenario, take the flash state before a boot, count the flash operations
 * that boot performs, then for every N in 0..total cut power at operation N
 * (the operation tears as the tear mode says), reboot until the bootloader
 * returns an image, and check:
 *   - the cut boot never claims success;
 *   - the recovery boot runs the image the algorithm dictates;
 *   - the other image is intact (CRC-valid) in the secondary slot;
 *   - one more clean boot does what the trailer state must lead to
 *     (revert after an unconfirmed test, nothing after perm/revert).
 * "resume" additionally cuts the recovery boot of a cut test swap at every
 * operation (first cut at every STRIDE-th operation). The loops are the
 * shared rig's (powercut_rig.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "powercut_rig.h"

#define OLD_BODY 5000u /* v1 */
#define NEW_BODY 9000u /* v2 */

enum scen { SC_TEST, SC_REVERT, SC_PERM };

struct scenario {
	const char *name;
	enum scen sc;
};

static const struct scenario scenarios[] = {
	{"test", SC_TEST},
	{"revert", SC_REVERT},
	{"perm", SC_PERM},
};

struct expect {
	int pri;      /* version running after recovery */
	int sec;      /* version intact in the secondary */
	int next_pri; /* after one more clean boot */
	int next_sec;
};

static const struct expect expects[] = {
	[SC_TEST] = {2, 1, 1, 2}, /* unconfirmed test: next boot reverts */
	[SC_REVERT] = {1, 2, 1, 2},
	[SC_PERM] = {2, 1, 2, 1},
};

/* state just before the boot under test */
static void scenario_setup(struct pc *p, const void *scv)
{
	const struct scenario *s = scv;
	struct boot_result res;

	flash_sim_format(&p->r->sim);
	assert_int_equal(timg_write(&p->r->pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&p->r->sec, 2, NEW_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&p->r->sec, s->sc == SC_PERM), 0);
	if (s->sc == SC_REVERT) {
		assert_int_equal(rig_boot(p->r, &res), 0);
		assert_int_equal(res.image.major, 2);
	}
}

/*
 * Bit-level tearing of the last write of a test swap (copy_done) leaves it
 * BAD; the next boot then reverts right away (see boot.h): the old image runs
 * and the new one stays intact for a retry. Allowed only in that mode and
 * only when the cut hit the last operation.
 */
static const struct expect test_reverted_early = {1, 2, 1, 2};

/* one recovery boot, then the outcome the scenario must reach */
static void recover(struct pc *p, const void *scv, const struct pc_cut *c)
{
	const struct scenario *s = scv;
	const struct expect *e = &expects[s->sc];
	struct boot_result res;
	int rc = rig_boot(p->r, &res);

	if (rc != 0) {
		fail_msg("recovery boot 1 failed: %d", rc);
	}
	if (c->tear == FLASH_SIM_TEAR_BITS && (c->last || c->first_last) && s->sc == SC_TEST &&
	    rig_version(&p->r->pri) == 1 && rig_version(&p->r->sec) == 2) {
		e = &test_reverted_early;
		p->notes++;
	}
	if (rig_version(&p->r->pri) != e->pri || rig_version(&p->r->sec) != e->sec) {
		fail_msg("%s cut %u: primary v%d secondary v%d, want v%d/v%d", c->what, c->n,
			 rig_version(&p->r->pri), rig_version(&p->r->sec), e->pri, e->sec);
	}
	assert_int_equal(rig_boot(p->r, &res), 0);
	if (res.image.major != e->next_pri || rig_version(&p->r->sec) != e->next_sec) {
		fail_msg("%s cut %u: next boot runs v%d (secondary v%d), want v%d/v%d", c->what,
			 c->n, res.image.major, rig_version(&p->r->sec), e->next_pri, e->next_sec);
	}
}

static const size_t resume[] = {0}; /* test */

static const struct pc_strategy move = {
	.scenarios = scenarios,
	.nscenarios = sizeof(scenarios) / sizeof(scenarios[0]),
	.scenario_size = sizeof(scenarios[0]),
	.setup = scenario_setup,
	.recover = recover,
	.resume = resume,
	.nresume = 1,
	.name_width = 34,
	.note_kind = PC_NOTE_IF_ANY,
	.note = "reverted before first run",
};

int main(void)
{
	return pc_main(&move, "test_powercut");
}
