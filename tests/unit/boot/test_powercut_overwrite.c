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
 * (first cut at every STRIDE-th operation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rig.h"

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

static const char *const tear_name[] = {"prefix", "nothing", "bits"};

struct pc {
	struct rig r;
	uint8_t *snap;
	uint8_t *snap2;
	uint32_t lo; /* snapshot window: both slots */
	uint32_t len;
};

static void save(struct pc *p, uint8_t *buf)
{
	memcpy(buf, p->r.mem + p->lo, p->len);
}

static void restore(struct pc *p, const uint8_t *buf)
{
	memcpy(p->r.mem + p->lo, buf, p->len);
	flash_sim_power_on(&p->r.sim);
	flash_sim_reset_count(&p->r.sim);
}

static void scenario_setup(struct pc *p, const struct scenario *s)
{
	flash_sim_format(&p->r.sim);
	p->r.cfg.mode = BOOT_MODE_OVERWRITE_ONLY;
	p->r.cfg.downgrade_prevention = s->dp;
	/* the larger image goes first when it is the new one, and second when not */
	assert_int_equal(timg_write(&p->r.pri, (uint8_t)s->pri,
				    s->pri < s->sec ? SMALL_BODY : LARGE_BODY, 1),
			 0);
	assert_int_equal(timg_write(&p->r.sec, (uint8_t)s->sec,
				    s->pri < s->sec ? LARGE_BODY : SMALL_BODY, 2),
			 0);
	if (s->corrupt) {
		/* the sector with the TLVs erased (ECC flash cannot be reprogrammed) */
		struct flash_sector fs;

		assert_int_equal(flash_area_sector_at(&p->r.sec, timg_total(LARGE_BODY) - 1u, &fs),
				 0);
		assert_int_equal(flash_area_erase(&p->r.sec, fs.off, fs.size), 0);
		assert_int_equal(rig_version(&p->r.sec), -1);
	}
	assert_int_equal(boot_request_upgrade(&p->r.sec, s->perm), 0);
	save(p, p->snap);
}

static uint32_t count_ops(struct pc *p, const uint8_t *from)
{
	struct boot_result res;

	restore(p, from);
	assert_int_equal(rig_boot(&p->r, &res), 0);
	return flash_sim_ops(&p->r.sim);
}

/* after recovery: the wanted image runs and keeps running, the request is gone */
static void check_outcome(struct pc *p, int want, const char *what, uint32_t n)
{
	struct boot_result res;

	if (rig_version(&p->r.pri) != want || rig_version(&p->r.sec) > 0) {
		fail_msg("%s cut %u: primary v%d secondary v%d, want v%d and none", what, n,
			 rig_version(&p->r.pri), rig_version(&p->r.sec), want);
	}
	flash_sim_reset_count(&p->r.sim);
	assert_int_equal(rig_boot(&p->r, &res), 0);
	if (res.image.major != want || flash_sim_ops(&p->r.sim) != 0u) {
		fail_msg("%s cut %u: next boot runs v%d with %u flash ops, want v%d and none", what,
			 n, res.image.major, flash_sim_ops(&p->r.sim), want);
	}
}

/* cut the boot starting from `from` at op n, then boot once; the image run */
static int cut_and_recover(struct pc *p, const uint8_t *from, uint32_t n, enum flash_sim_tear t,
			   uint32_t total)
{
	struct boot_result res;

	restore(p, from);
	flash_sim_cut_at(&p->r.sim, n, t);
	int rc = rig_boot(&p->r, &res);

	if (n >= total) {
		assert_int_equal(rc, 0);
		flash_sim_power_on(&p->r.sim); /* disarm */
		return res.image.major;
	}
	assert_int_equal(rc, -EIO);
	assert_true(flash_sim_is_off(&p->r.sim));
	flash_sim_power_on(&p->r.sim);
	p->r.echo = getenv("PC_ECHO") != NULL && (uint32_t)atoi(getenv("PC_ECHO")) == n;
	rc = rig_boot(&p->r, &res);
	p->r.echo = false;
	if (rc != 0) {
		fail_msg("cut %u: recovery boot failed: %d", n, rc);
	}
	/* what boot_go returned is what verifies in the primary slot */
	assert_int_equal(rig_version(&p->r.pri), res.image.major);
	return res.image.major;
}

static unsigned run_scenario(struct pc *p, const struct scenario *s, enum flash_sim_tear t)
{
	char what[96];
	unsigned tried = 0;

	snprintf(what, sizeof(what), "%s/%s/%s", p->r.bp->id, s->name, tear_name[t]);
	scenario_setup(p, s);
	uint32_t total = count_ops(p, p->snap);

	for (uint32_t n = 0; n <= total; n++) {
		int ran = cut_and_recover(p, p->snap, n, t, total);

		if (ran != s->want) {
			fail_msg("%s cut %u: ran v%d, want v%d", what, n, ran, s->want);
		}
		check_outcome(p, s->want, what, n);
		tried++;
	}
	printf("  %-44s %4u cut points (ops 0..%u + uncut), all recovered\n", what, tried,
	       total - 1u);
	return tried;
}

/* interrupted resume: cut an upgrade, then cut its recovery at every op */
static unsigned run_resume(struct pc *p, enum flash_sim_tear t)
{
	const struct scenario *s = &scenarios[1];
	char what[96];
	unsigned tried = 0;

	snprintf(what, sizeof(what), "%s/resume/%s", p->r.bp->id, tear_name[t]);
	scenario_setup(p, s);
	uint32_t total = count_ops(p, p->snap);
	uint32_t stride = total / 16u + 1u;

	for (uint32_t n1 = 0; n1 < total; n1 += stride) {
		struct boot_result res;

		restore(p, p->snap);
		flash_sim_cut_at(&p->r.sim, n1, t);
		assert_int_equal(rig_boot(&p->r, &res), -EIO);
		save(p, p->snap2);
		uint32_t total2 = count_ops(p, p->snap2);

		for (uint32_t n2 = 0; n2 <= total2; n2++) {
			int ran = cut_and_recover(p, p->snap2, n2, t, total2);

			if (ran != s->want) {
				fail_msg("%s cut %u/%u: ran v%d", what, n1, n2, ran);
			}
			check_outcome(p, s->want, what, n1 * 10000u + n2);
			tried++;
		}
	}
	printf("  %-44s %4u cut points (first cut every %u of %u ops, second cut at every "
	       "op)\n",
	       what, tried, stride, total);
	return tried;
}

static void run_board(const struct board_profile *bp)
{
	struct pc p;
	unsigned grand = 0;

	assert_int_equal(rig_init(&p.r, bp), 0);
	p.lo = bp->slot0.off;
	p.len = bp->slot1.off + bp->slot1.size - p.lo;
	p.snap = malloc(p.len);
	p.snap2 = malloc(p.len);
	assert_non_null(p.snap);
	assert_non_null(p.snap2);
	for (int t = 0; t < 3; t++) {
		for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
			grand += run_scenario(&p, &scenarios[i], (enum flash_sim_tear)t);
		}
		grand += run_resume(&p, (enum flash_sim_tear)t);
	}
	printf("  %s overwrite-only: %u power cuts in total\n", bp->id, grand);
	free(p.snap);
	free(p.snap2);
	rig_free(&p.r);
}

static void test_powercut_overwrite_reel_board(void **state)
{
	(void)state;
	run_board(&board_reel_board);
}

static void test_powercut_overwrite_nucleo_u575zi_q(void **state)
{
	(void)state;
	run_board(&board_nucleo_u575zi_q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_powercut_overwrite_reel_board),
		cmocka_unit_test(test_powercut_overwrite_nucleo_u575zi_q),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
