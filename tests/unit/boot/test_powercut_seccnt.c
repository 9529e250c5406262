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
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

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

static const char *const tear_name[] = {"prefix", "nothing", "bits"};

struct pc {
	struct seccnt_rig s;
	uint8_t *snap;
	uint32_t len;
};

static void restore(struct pc *p)
{
	memcpy(p->s.r.mem, p->snap, p->len);
	flash_sim_power_on(&p->s.r.sim);
	flash_sim_reset_count(&p->s.r.sim);
}

static void scenario_setup(struct pc *p, const struct scenario *sc)
{
	struct flash_area upd = p->s.r.sec;

	flash_sim_format(&p->s.r.sim);
	p->s.r.cfg.mode = sc->mode;
	assert_int_equal(p->s.store.raise(p->s.store.ctx, sc->stored), 0);
	assert_int_equal(timg_write(&p->s.r.pri, (uint8_t)sc->pri, PRI_BODY, 1), 0);
	if (sc->sec != 0) {
		assert_int_equal(boot_secondary_image_area(&p->s.r.sec, sc->mode, &upd), 0);
		assert_int_equal(timg_write(&upd, (uint8_t)sc->sec, SEC_BODY, 2), 0);
		assert_int_equal(boot_request_upgrade(&upd, sc->perm), 0);
	}
	memcpy(p->snap, p->s.r.mem, p->len);
}

static int boot_once(struct pc *p)
{
	struct boot_result res;
	int rc = rig_boot(&p->s.r, &res);

	if (rc != 0) {
		return rc;
	}
	/* what boot_go returned is what verifies in the primary slot */
	assert_int_equal(rig_version(&p->s.r.pri), res.image.major);
	return res.image.major;
}

static void cut_and_recover(struct pc *p, const struct scenario *sc, uint32_t n,
			    enum flash_sim_tear t, uint32_t total, const char *what)
{
	restore(p);
	flash_sim_cut_at(&p->s.r.sim, n, t);
	int ran = boot_once(p);

	flash_sim_power_on(&p->s.r.sim);
	if (n < total) {
		assert_int_equal(ran, -EIO);
		uint32_t v = seccnt_stored(&p->s);

		if (v < sc->stored || v > sc->cnt) {
			fail_msg("%s cut %u: stored counter %u, want %u..%u", what, n, v,
				 sc->stored, sc->cnt);
		}
		ran = boot_once(p);
	}
	bool alt = sc->alt != 0 && ran == sc->alt;

	if ((ran != sc->want && !alt) || seccnt_stored(&p->s) != sc->cnt) {
		fail_msg("%s cut %u: ran v%d counter %u, want v%d counter %u", what, n, ran,
			 seccnt_stored(&p->s), sc->want, sc->cnt);
	}
	ran = boot_once(p);
	if (ran != (alt ? sc->alt : sc->next) || seccnt_stored(&p->s) != sc->cnt) {
		fail_msg("%s cut %u: next boot ran v%d counter %u, want v%d counter %u", what, n,
			 ran, seccnt_stored(&p->s), sc->next, sc->cnt);
	}
}

static unsigned run_scenario(struct pc *p, const struct scenario *sc, enum flash_sim_tear t)
{
	char what[96];

	snprintf(what, sizeof(what), "%s/%s/%s", p->s.r.bp->id, sc->name, tear_name[t]);
	scenario_setup(p, sc);
	restore(p);
	assert_int_equal(boot_once(p), sc->want);
	uint32_t total = flash_sim_ops(&p->s.r.sim);

	for (uint32_t n = 0; n <= total; n++) {
		cut_and_recover(p, sc, n, t, total, what);
	}
	printf("  %-44s %4u cut points, all recovered\n", what, total + 1u);
	return total + 1u;
}

static void run_board(const struct board_profile *bp)
{
	struct pc p;
	unsigned grand = 0;

	assert_int_equal(seccnt_rig_init(&p.s, bp), 0);
	p.len = bp->flash.size;
	p.snap = malloc(p.len);
	assert_non_null(p.snap);
	for (int t = 0; t < 3; t++) {
		for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
			grand += run_scenario(&p, &scenarios[i], (enum flash_sim_tear)t);
		}
	}
	printf("  %s security counter: %u power cuts in total\n", bp->id, grand);
	free(p.snap);
	rig_free(&p.s.r);
}

static void test_powercut_seccnt_reel_board(void **state)
{
	(void)state;
	run_board(&board_reel_board);
}

static void test_powercut_seccnt_nucleo_u575zi_q(void **state)
{
	(void)state;
	run_board(&board_nucleo_u575zi_q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_powercut_seccnt_reel_board),
		cmocka_unit_test(test_powercut_seccnt_nucleo_u575zi_q),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
