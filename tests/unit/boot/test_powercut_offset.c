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
 * operation as well (first cut at every STRIDE-th operation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rig.h"

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

static const char *const tear_name[] = {"prefix", "nothing", "bits"};

struct pc {
	struct rig r;
	struct flash_area upd;
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
	struct boot_result res;

	flash_sim_format(&p->r.sim);
	p->r.cfg.mode = BOOT_MODE_SWAP_OFFSET;
	assert_int_equal(timg_write(&p->r.pri, 1, s->larger_old ? LARGE_BODY : SMALL_BODY, 1), 0);
	assert_int_equal(timg_write(&p->upd, 2, s->larger_old ? SMALL_BODY : LARGE_BODY, 2), 0);
	if (s->corrupt) {
		/* the sector with the TLVs erased (ECC flash cannot be reprogrammed) */
		struct flash_sector fs;

		assert_int_equal(flash_area_sector_at(&p->upd, timg_total(LARGE_BODY) - 1u, &fs),
				 0);
		assert_int_equal(flash_area_erase(&p->upd, fs.off, fs.size), 0);
		assert_int_equal(rig_version(&p->upd), -1);
	}
	assert_int_equal(boot_request_upgrade(&p->upd, s->perm), 0);
	if (s->revert) {
		assert_int_equal(rig_boot(&p->r, &res), 0);
		assert_int_equal(res.image.major, 2);
	}
	save(p, p->snap);
}

static uint32_t count_ops(struct pc *p, const uint8_t *from)
{
	struct boot_result res;

	restore(p, from);
	assert_int_equal(rig_boot(&p->r, &res), 0);
	return flash_sim_ops(&p->r.sim);
}

static void check_other(struct pc *p, const struct scenario *s, const char *what, uint32_t n)
{
	int v0 = rig_version(&p->r.sec);
	int v1 = rig_version(&p->upd);
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
		flash_sim_reset_count(&p->r.sim);
		if (rig_boot(&p->r, &res) != 0 || rig_version(&p->r.pri) != res.image.major) {
			fail_msg("%s cut %u: boot %d after recovery failed", what, n, i);
		}
		if (flash_sim_ops(&p->r.sim) == 0u) {
			return res.image.major;
		}
	}
	fail_msg("%s cut %u: not stable after 4 boots", what, n);
	return -1;
}

/* cut the boot starting from `from` at op n, then recover and check */
static void cut_and_check(struct pc *p, const struct scenario *s, const uint8_t *from, uint32_t n,
			  enum flash_sim_tear t, uint32_t total, const char *what)
{
	struct boot_result res;

	restore(p, from);
	flash_sim_cut_at(&p->r.sim, n, t);
	int rc = rig_boot(&p->r, &res);

	if (n >= total) {
		assert_int_equal(rc, 0);
		flash_sim_power_on(&p->r.sim); /* disarm */
	} else {
		assert_int_equal(rc, -EIO);
		assert_true(flash_sim_is_off(&p->r.sim));
		flash_sim_power_on(&p->r.sim);
		p->r.echo = getenv("PC_ECHO") != NULL && (uint32_t)atoi(getenv("PC_ECHO")) == n;
		rc = rig_boot(&p->r, &res);
		p->r.echo = false;
		if (rc != 0) {
			fail_msg("%s cut %u: recovery boot failed: %d", what, n, rc);
		}
	}
	if (t == FLASH_SIM_TEAR_BITS && n + 1u == total && !s->perm && s->stable == 1 &&
	    s->want == 2 && res.image.major == 1) {
		s = &test_reverted_early;
	}
	if (res.image.major != s->want || rig_version(&p->r.pri) != s->want) {
		fail_msg("%s cut %u: ran v%d (primary v%d), want v%d", what, n, res.image.major,
			 rig_version(&p->r.pri), s->want);
	}
	check_other(p, s, what, n);
	int last = boot_until_stable(p, what, n);

	if (last != s->stable) {
		fail_msg("%s cut %u: stable on v%d, want v%d", what, n, last, s->stable);
	}
}

static unsigned run_scenario(struct pc *p, const struct scenario *s, enum flash_sim_tear t)
{
	char what[96];
	unsigned tried = 0;

	snprintf(what, sizeof(what), "%s/%s/%s", p->r.bp->id, s->name, tear_name[t]);
	scenario_setup(p, s);
	uint32_t total = count_ops(p, p->snap);

	for (uint32_t n = 0; n <= total; n++) {
		cut_and_check(p, s, p->snap, n, t, total, what);
		tried++;
	}
	printf("  %-44s %4u cut points (ops 0..%u + uncut), all recovered\n", what, tried,
	       total - 1u);
	return tried;
}

/* interrupted resume: cut a swap (or revert), then cut its recovery at every op */
static unsigned run_resume(struct pc *p, const struct scenario *s, enum flash_sim_tear t)
{
	char what[96];
	unsigned tried = 0;

	snprintf(what, sizeof(what), "%s/resume-%s/%s", p->r.bp->id, s->name, tear_name[t]);
	scenario_setup(p, s);
	uint32_t total = count_ops(p, p->snap);
	uint32_t stride = total / 12u + 1u;

	for (uint32_t n1 = 0; n1 < total; n1 += stride) {
		struct boot_result res;

		restore(p, p->snap);
		flash_sim_cut_at(&p->r.sim, n1, t);
		assert_int_equal(rig_boot(&p->r, &res), -EIO);
		save(p, p->snap2);
		uint32_t total2 = count_ops(p, p->snap2);

		for (uint32_t n2 = 0; n2 <= total2; n2++) {
			cut_and_check(p, s, p->snap2, n2, t, total2, what);
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
	assert_int_equal(boot_secondary_image_area(&p.r.sec, BOOT_MODE_SWAP_OFFSET, &p.upd), 0);
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
		grand += run_resume(&p, &scenarios[0], (enum flash_sim_tear)t);
		grand += run_resume(&p, &scenarios[3], (enum flash_sim_tear)t);
	}
	printf("  %s swap-using-offset: %u power cuts in total\n", bp->id, grand);
	free(p.snap);
	free(p.snap2);
	rig_free(&p.r);
}

static void test_powercut_offset_reel_board(void **state)
{
	(void)state;
	run_board(&board_reel_board);
}

static void test_powercut_offset_nucleo_u575zi_q(void **state)
{
	(void)state;
	run_board(&board_nucleo_u575zi_q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_powercut_offset_reel_board),
		cmocka_unit_test(test_powercut_offset_nucleo_u575zi_q),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
