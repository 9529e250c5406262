/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exhaustive power-cut test for direct-xip with revert (BOOT_MODE_DIRECT_XIP),
 * as tests/unit/boot/test_powercut.c does it for swap-using-move. Nothing is
 * copied, so the flash operations are the trailer writes (copy_done) and the
 * slot erases (revert, invalid image). For each board profile, scenario and
 * tear mode: count the operations of the boot under test, then for every N
 * cut power at operation N (torn as the mode says), power on and boot until
 * a boot touches no flash, and check:
 *   - the cut boot never claims success (-EIO);
 *   - every later boot runs an image that verifies in the slot it runs from
 *     (boot_result.slot), never anything else;
 *   - the first recovery boot runs the scenario's image, or its fallback
 *     where a torn mark makes an untried test image count as tried (the
 *     relaxation in src/boot/direct_xip.c; the count is printed);
 *   - the boots settle, within four, on the scenario's stable image (for a
 *     lone unconfirmed image only the first boot counts: the next one
 *     erases it by MCUboot's rule, and leaves nothing to run), and a
 *     slot left without an image has no trailer magic either.
 * "resume" cuts the recovery of a cut boot at every operation as well (the
 * first cut at every STRIDE-th operation). The loops are the shared rig's
 * (powercut_rig.h).
 *
 * The same with hardware rollback protection (the "direct-xip security
 * counter" scenarios, test_powercut_seccnt.c's rig: the OTP store in the
 * same simulated flash, so its record writes are cut like any other
 * operation; an image's counter is its major version unless the scenario
 * gives one version another): after a cut the stored counter is neither
 * below its value before nor above the scenario's; the first recovery boot
 * runs the scenario's image (or, after a torn mark of a test image, the
 * fallback) from the slot that holds it, and the counter is then exactly
 * the scenario's (raised only for a confirmed image, never on a test boot);
 * the next boot runs what it must (the same, or the reverted one) and
 * leaves the counter as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "powercut_rig.h"
#include "seccnt_rig.h"

#define BODY 9000u

/* trailer states of a slot before the boot */
enum tstate {
	T_NONE,      /* no image */
	T_TEST,      /* magic */
	T_TRIED,     /* magic, copy_done: booted once, unconfirmed */
	T_CONFIRMED, /* magic, image_ok, copy_done */
	T_FACTORY,   /* magic, image_ok (imgtool --confirm), never booted */
	T_CORRUPT,   /* magic, image fails validation */
};

struct scenario {
	const char *name;
	int pri, sec;        /* versions (0: none) */
	enum tstate tp, ts;  /* trailers */
	int first, fallback; /* version of the first recovery boot (or fallback) */
	int stable;          /* version once the boots settle */
};

static const struct scenario scenarios[] = {
	{"test-in-secondary", 1, 2, T_CONFIRMED, T_TEST, 2, 1, 1},
	{"revert-secondary", 1, 2, T_CONFIRMED, T_TRIED, 1, 1, 1},
	{"revert-primary", 3, 2, T_TRIED, T_CONFIRMED, 2, 2, 2},
	{"invalid-higher", 1, 2, T_FACTORY, T_CORRUPT, 1, 1, 1},
	{"factory-first-boot", 1, 0, T_FACTORY, T_NONE, 1, 1, 1},
	/* the only image, unconfirmed: a torn mark must not erase it (stable 0: see recover) */
	{"lone-test-in-secondary", 0, 2, T_NONE, T_TEST, 2, 2, 0},
};

static void put(const struct flash_area *fa, int v, enum tstate t)
{
	if (v == 0) {
		return;
	}
	assert_int_equal(timg_write_rom_fixed(fa, (uint8_t)v, BODY, (uint32_t)v, true, fa->off), 0);
	if (t == T_CORRUPT) {
		struct flash_sector fs;

		assert_int_equal(flash_area_sector_at(fa, timg_total(BODY) - 1u, &fs), 0);
		assert_int_equal(flash_area_erase(fa, fs.off, fs.size), 0);
		assert_int_equal(rig_version(fa), -1);
	}
	assert_int_equal(boot_write_magic(fa), 0);
	if (t == T_CONFIRMED || t == T_FACTORY) {
		assert_int_equal(boot_write_image_ok(fa), 0);
	}
	if (t == T_TRIED || t == T_CONFIRMED) {
		assert_int_equal(boot_write_copy_done(fa), 0);
	}
}

static void scenario_setup(struct pc *p, const void *scv)
{
	const struct scenario *s = scv;

	flash_sim_format(&p->r->sim);
	p->r->cfg.mode = BOOT_MODE_DIRECT_XIP;
	put(&p->r->pri, s->pri, s->tp);
	put(&p->r->sec, s->sec, s->ts);
}

/* one boot that must succeed and run an image that verifies where it runs */
static int checked_boot(struct pc *p, const char *what, uint32_t n, uint32_t *ops)
{
	struct boot_result res;

	flash_sim_reset_count(&p->r->sim);
	int rc = rig_boot(p->r, &res);

	if (rc != 0) {
		fail_msg("%s cut %u: boot failed: %d", what, n, rc);
	}
	const struct flash_area *fa = res.slot == 0u ? &p->r->pri : &p->r->sec;

	if (res.slot > 1u || res.offset != fa->off || rig_version(fa) != res.image.major) {
		fail_msg("%s cut %u: ran v%d from slot %u, which holds v%d", what, n,
			 res.image.major, res.slot, rig_version(fa));
	}
	*ops = flash_sim_ops(&p->r->sim);
	return res.image.major;
}

/* after the cut: the first boot's image, then boot until one writes nothing */
static void recover(struct pc *p, const void *scv, const struct pc_cut *c)
{
	const struct scenario *s = scv;
	const char *what = c->what;
	uint32_t n = c->n;
	uint32_t ops;
	int ran = checked_boot(p, what, n, &ops);

	if (ran != s->first && ran != s->fallback) {
		fail_msg("%s cut %u: ran v%d, want v%d (or v%d)", what, n, ran, s->first,
			 s->fallback);
	}
	if (ran != s->first) {
		p->notes++;
	}
	if (s->stable == 0) {
		return; /* a lone unconfirmed image is erased at its next boot, by MCUboot's rule */
	}
	for (int i = 0; ops != 0u; i++) {
		if (i == 4) {
			fail_msg("%s cut %u: does not settle", what, n);
		}
		ran = checked_boot(p, what, n, &ops);
	}
	if (ran != s->stable) {
		fail_msg("%s cut %u: settles on v%d, want v%d", what, n, ran, s->stable);
	}
	/* an emptied slot keeps no trailer for the next download to inherit */
	for (int i = 0; i < 2; i++) {
		const struct flash_area *fa = i == 0 ? &p->r->pri : &p->r->sec;
		struct boot_swap_state st;

		assert_int_equal(boot_read_swap_state(fa, &st), 0);
		if (rig_version(fa) <= 0 && st.magic == BOOT_MAGIC_GOOD) {
			fail_msg("%s cut %u: slot %d has no image but a trailer", what, n, i);
		}
	}
}

static const size_t resume[] = {1, 3}; /* revert-secondary, invalid-higher */

static const struct pc_strategy direct_xip = {
	.scenarios = scenarios,
	.nscenarios = sizeof(scenarios) / sizeof(scenarios[0]),
	.scenario_size = sizeof(scenarios[0]),
	.setup = scenario_setup,
	.recover = recover,
	.resume = resume,
	.nresume = 2,
	.resume_named = true,
	.label = "direct-xip",
	.name_width = 48,
	.count_width = 5,
	.note_kind = PC_NOTE_TALLY,
	.note = "on the fallback",
	.total_note = "first boots on the fallback",
	.second = "second at every op",
};

struct xsc {
	const char *name;
	int pri, sec;       /* versions (0: none) */
	enum tstate tp, ts; /* trailers */
	uint32_t stored;    /* counter before */
	uint8_t odd;        /* this version's counter is odd_cnt, not its major (0: none) */
	uint32_t odd_cnt;   /* ... */
	int want, alt;      /* version of the first recovery boot (alt: after a torn mark) */
	uint32_t cnt;       /* counter after it */
	int next;           /* version at the boot after */
};

static const struct xsc xscenarios[] = {
	{"xip-confirmed-raise", 1, 3, T_CONFIRMED, T_CONFIRMED, 1, 0, 0, 3, 0, 3, 3},
	{"xip-factory-raise", 0, 2, T_NONE, T_FACTORY, 1, 0, 0, 2, 0, 2, 2},
	{"xip-test-no-raise", 1, 3, T_CONFIRMED, T_TEST, 1, 0, 0, 3, 1, 1, 1},
	{"xip-test-pri-no-raise", 2, 1, T_TEST, T_CONFIRMED, 1, 0, 0, 2, 1, 1, 1},
	{"xip-revert-raise", 2, 3, T_CONFIRMED, T_TRIED, 1, 0, 0, 2, 0, 2, 2},
	{"xip-refused", 3, 4, T_CONFIRMED, T_TEST, 3, 4, 2, 3, 0, 3, 3},
	{"xip-refused-raise", 3, 4, T_CONFIRMED, T_CONFIRMED, 2, 4, 1, 3, 0, 3, 3},
};

static struct seccnt_rig sr; /* the rig of the security counter scenarios */

static int xinit(struct pc *p, const struct board_profile *bp)
{
	p->r = &sr.r;
	return seccnt_rig_init(&sr, bp);
}

static void xsetup(struct pc *p, const void *scv)
{
	const struct xsc *s = scv;

	flash_sim_format(&p->r->sim);
	p->r->cfg.mode = BOOT_MODE_DIRECT_XIP;
	sr.odd_major = s->odd;
	sr.odd_counter = s->odd_cnt;
	assert_int_equal(sr.store.raise(sr.store.ctx, s->stored), 0);
	put(&p->r->pri, s->pri, s->tp);
	put(&p->r->sec, s->sec, s->ts);
}

static void xrecover(struct pc *p, const void *scv, const struct pc_cut *c)
{
	const struct xsc *s = scv;
	uint32_t ops;
	uint32_t v = seccnt_stored(&sr);

	if (c->fired && (v < s->stored || v > s->cnt)) {
		fail_msg("%s cut %u: stored counter %u, want %u..%u", c->what, c->n, v, s->stored,
			 s->cnt);
	}
	int ran = checked_boot(p, c->what, c->n, &ops);
	/* the uncut boot runs the scenario's image, never the fallback */
	bool alt = c->fired && s->alt != 0 && ran == s->alt;

	if ((ran != s->want && !alt) || seccnt_stored(&sr) != s->cnt) {
		fail_msg("%s cut %u: ran v%d counter %u, want v%d counter %u", c->what, c->n, ran,
			 seccnt_stored(&sr), s->want, s->cnt);
	}
	if (alt && s->alt != s->want) {
		p->notes++;
	}
	ran = checked_boot(p, c->what, c->n, &ops);
	if (ran != (alt ? s->alt : s->next) || seccnt_stored(&sr) != s->cnt) {
		fail_msg("%s cut %u: next boot ran v%d counter %u, want v%d counter %u", c->what,
			 c->n, ran, seccnt_stored(&sr), alt ? s->alt : s->next, s->cnt);
	}
}

static const size_t xresume[] = {4, 6}; /* xip-revert-raise, xip-refused-raise */

static const struct pc_strategy direct_xip_seccnt = {
	.scenarios = xscenarios,
	.nscenarios = sizeof(xscenarios) / sizeof(xscenarios[0]),
	.scenario_size = sizeof(xscenarios[0]),
	.init = xinit,
	.setup = xsetup,
	.recover = xrecover,
	.resume = xresume,
	.nresume = 2,
	.resume_named = true,
	.whole_flash = true, /* the OTP store is outside both slots */
	.label = "direct-xip security counter",
	.name_width = 48,
	.count_width = 5,
	.note_kind = PC_NOTE_TALLY,
	.note = "on the fallback",
	.total_note = "first boots on the fallback",
	.second = "second at every op",
};

static void test_powercut_direct_xip_reel_board(void **state)
{
	(void)state;
	pc_run_board(&direct_xip, &board_reel_board);
}

static void test_powercut_direct_xip_nucleo_u575zi_q(void **state)
{
	(void)state;
	pc_run_board(&direct_xip, &board_nucleo_u575zi_q);
}

static void test_powercut_direct_xip_seccnt_reel_board(void **state)
{
	(void)state;
	pc_run_board(&direct_xip_seccnt, &board_reel_board);
}

static void test_powercut_direct_xip_seccnt_nucleo_u575zi_q(void **state)
{
	(void)state;
	pc_run_board(&direct_xip_seccnt, &board_nucleo_u575zi_q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_powercut_direct_xip_reel_board),
		cmocka_unit_test(test_powercut_direct_xip_nucleo_u575zi_q),
		cmocka_unit_test(test_powercut_direct_xip_seccnt_reel_board),
		cmocka_unit_test(test_powercut_direct_xip_seccnt_nucleo_u575zi_q),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
