/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exhaustive power-cut test of hardware rollback protection: for each board
 * profile, strategy scenario and tear mode, count the flash and OTP
 * operations of the boot under test (the OTP store sits in the same
 * simulated flash, seccnt_rig.h, so its record writes are cut like any
 * other), then for every N cut power at operation N, power on and check:
 *   - the cut boot never claims success, and the stored counter is neither
 *     below its value before nor above what the scenario ends on (a torn
 *     OTP record never lowers it or makes up another value);
 *   - one recovery boot runs the image the scenario must end on, which
 *     verifies in the primary slot, and the stored counter is then exactly
 *     the scenario's (raised only for a confirmed image);
 *   - one more boot runs what it must (the same image, or the reverted one
 *     after a test boot) and leaves the counter as it was.
 * The loops are the shared rig's (powercut_rig.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "powercut_rig.h"
#include "seccnt_rig.h"

#define PRI_BODY 5000u
#define SEC_BODY 9000u

struct scenario {
	const char *name;
	enum boot_mode mode;
	int pri;         /* version in the primary (no trailer) */
	int sec;         /* version requested in the secondary, 0 = none */
	bool perm;       /* permanent request */
	uint32_t stored; /* counter before */
	int want;        /* version running after recovery */
	uint32_t cnt;    /* counter after recovery */
	int next;        /* version running at the boot after */
	/*
	 * Also accepted after recovery (then at the next boot too): a cut that
	 * tears the last write of a test swap (copy_done) leaves a trailer
	 * that reverts at once (boot_swap_type_decide(), copy_done BAD).
	 */
	int alt;
};

static const struct scenario scenarios[] = {
	{"factory-raise", BOOT_MODE_SWAP_MOVE, 3, 0, false, 1, 3, 3, 3, 0},
	{"move-perm-raise", BOOT_MODE_SWAP_MOVE, 1, 3, true, 1, 3, 3, 3, 0},
	{"move-test-no-raise", BOOT_MODE_SWAP_MOVE, 1, 3, false, 1, 3, 1, 1, 1},
	{"move-refused", BOOT_MODE_SWAP_MOVE, 2, 1, false, 2, 2, 2, 2, 0},
	{"offset-perm-raise", BOOT_MODE_SWAP_OFFSET, 1, 3, true, 1, 3, 3, 3, 0},
	{"offset-test-no-raise", BOOT_MODE_SWAP_OFFSET, 1, 3, false, 1, 3, 1, 1, 1},
	{"offset-refused", BOOT_MODE_SWAP_OFFSET, 2, 1, true, 2, 2, 2, 2, 0},
	{"overwrite-raise", BOOT_MODE_OVERWRITE_ONLY, 1, 3, false, 1, 3, 3, 3, 0},
	{"overwrite-refused", BOOT_MODE_OVERWRITE_ONLY, 2, 1, true, 2, 2, 2, 2, 0},
};

static struct seccnt_rig sr; /* the rig under test, with its OTP store */

static int init(struct pc *p, const struct board_profile *bp)
{
	p->r = &sr.r;
	return seccnt_rig_init(&sr, bp);
}

static void scenario_setup(struct pc *p, const void *scv)
{
	const struct scenario *sc = scv;
	struct flash_area upd = p->r->sec;

	flash_sim_format(&p->r->sim);
	p->r->cfg.mode = sc->mode;
	assert_int_equal(sr.store.raise(sr.store.ctx, sc->stored), 0);
	assert_int_equal(timg_write(&p->r->pri, (uint8_t)sc->pri, PRI_BODY, 1), 0);
	if (sc->sec != 0) {
		assert_int_equal(boot_secondary_image_area(&p->r->sec, sc->mode, &upd), 0);
		assert_int_equal(timg_write(&upd, (uint8_t)sc->sec, SEC_BODY, 2), 0);
		assert_int_equal(boot_request_upgrade(&upd, sc->perm), 0);
	}
}

static int boot_once(struct pc *p)
{
	struct boot_result res;
	int rc = rig_boot(p->r, &res);

	if (rc != 0) {
		return rc;
	}
	/* what boot_go returned is what verifies in the primary slot */
	assert_int_equal(rig_version(&p->r->pri), res.image.major);
	return res.image.major;
}

static void recover(struct pc *p, const void *scv, const struct pc_cut *c)
{
	const struct scenario *sc = scv;
	const char *what = c->what;
	uint32_t n = c->n;

	if (c->fired) {
		uint32_t v = seccnt_stored(&sr);

		if (v < sc->stored || v > sc->cnt) {
			fail_msg("%s cut %u: stored counter %u, want %u..%u", what, n, v,
				 sc->stored, sc->cnt);
		}
	}
	int ran = boot_once(p);
	/* the uncut boot runs the scenario's image, never the alternative */
	bool alt = c->fired && sc->alt != 0 && ran == sc->alt;

	if ((ran != sc->want && !alt) || seccnt_stored(&sr) != sc->cnt) {
		fail_msg("%s cut %u: ran v%d counter %u, want v%d counter %u", what, n, ran,
			 seccnt_stored(&sr), sc->want, sc->cnt);
	}
	ran = boot_once(p);
	if (ran != (alt ? sc->alt : sc->next) || seccnt_stored(&sr) != sc->cnt) {
		fail_msg("%s cut %u: next boot ran v%d counter %u, want v%d counter %u", what, n,
			 ran, seccnt_stored(&sr), sc->next, sc->cnt);
	}
}

static const struct pc_strategy seccnt = {
	.scenarios = scenarios,
	.nscenarios = sizeof(scenarios) / sizeof(scenarios[0]),
	.scenario_size = sizeof(scenarios[0]),
	.init = init,
	.setup = scenario_setup,
	.recover = recover,
	.whole_flash = true, /* the OTP store is outside both slots */
	.no_op_range = true,
	.label = "security counter",
};

int main(void)
{
	return pc_main(&seccnt, "test_powercut_seccnt");
}
