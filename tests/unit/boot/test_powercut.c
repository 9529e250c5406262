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
 * operation (first cut at every STRIDE-th operation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rig.h"

#define OLD_BODY 5000u /* v1 */
#define NEW_BODY 9000u /* v2 */

enum scen { SC_TEST, SC_REVERT, SC_PERM };

static const char *const scen_name[] = {"test", "revert", "perm"};
static const char *const tear_name[] = {"prefix", "nothing", "bits"};

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

/* state just before the boot under test */
static void scenario_setup(struct pc *p, enum scen sc)
{
	struct boot_result res;

	flash_sim_format(&p->r.sim);
	assert_int_equal(timg_write(&p->r.pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&p->r.sec, 2, NEW_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&p->r.sec, sc == SC_PERM), 0);
	if (sc == SC_REVERT) {
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

/* boot until an image is returned; returns the number of boots */
static int boot_until_stable(struct pc *p, struct boot_result *res)
{
	for (int i = 1; i <= 3; i++) {
		int rc = rig_boot(&p->r, res);

		if (rc == 0) {
			return i;
		}
		fail_msg("recovery boot %d failed: %d", i, rc);
	}
	return -1;
}

/*
 * Bit-level tearing of the last write of a test swap (copy_done) leaves it
 * BAD; the next boot then reverts right away (see boot.h): the old image runs
 * and the new one stays intact for a retry. Allowed only in that mode and
 * only when the cut hit the last operation.
 */
static const struct expect test_reverted_early = {1, 2, 1, 2};

static bool same(const struct expect *a, const struct expect *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* returns true if the alternative outcome was taken */
static bool check_outcome(struct pc *p, const struct expect *e, const char *what, uint32_t n,
			  bool allow_early_revert)
{
	struct boot_result res;

	if (allow_early_revert && same(e, &expects[SC_TEST]) && rig_version(&p->r.pri) == 1 &&
	    rig_version(&p->r.sec) == 2) {
		e = &test_reverted_early;
	}
	if (rig_version(&p->r.pri) != e->pri || rig_version(&p->r.sec) != e->sec) {
		fail_msg("%s cut %u: primary v%d secondary v%d, want v%d/v%d", what, n,
			 rig_version(&p->r.pri), rig_version(&p->r.sec), e->pri, e->sec);
	}
	assert_int_equal(rig_boot(&p->r, &res), 0);
	if (res.image.major != e->next_pri || rig_version(&p->r.sec) != e->next_sec) {
		fail_msg("%s cut %u: next boot runs v%d (secondary v%d), want v%d/v%d", what, n,
			 res.image.major, rig_version(&p->r.sec), e->next_pri, e->next_sec);
	}
	return e == &test_reverted_early;
}

/* cut the boot starting from `from` at op n; returns boots needed to recover */
static int cut_and_recover(struct pc *p, const uint8_t *from, uint32_t n, enum flash_sim_tear t,
			   uint32_t total)
{
	struct boot_result res;

	restore(p, from);
	flash_sim_cut_at(&p->r.sim, n, t);
	int rc = rig_boot(&p->r, &res);

	if (n >= total) {
		/* the cut never fired: this boot was the whole story */
		assert_int_equal(rc, 0);
		flash_sim_power_on(&p->r.sim); /* disarm */
		return 1;
	}
	assert_int_equal(rc, -EIO);
	assert_true(flash_sim_is_off(&p->r.sim));
	flash_sim_power_on(&p->r.sim);
	p->r.echo = getenv("PC_ECHO") != NULL && (uint32_t)atoi(getenv("PC_ECHO")) == n;
	int b = boot_until_stable(p, &res);
	p->r.echo = false;
	return b;
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
		for (int sc = SC_TEST; sc <= SC_PERM; sc++) {
			char what[96];

			scenario_setup(&p, (enum scen)sc);
			uint32_t total = count_ops(&p, p.snap);
			unsigned tried = 0;
			unsigned early = 0;

			snprintf(what, sizeof(what), "%s/%s/%s", bp->id, scen_name[sc],
				 tear_name[t]);
			for (uint32_t n = 0; n <= total; n++) {
				int boots = cut_and_recover(&p, p.snap, n, (enum flash_sim_tear)t,
							    total);

				assert_int_equal(boots, 1);
				early += check_outcome(&p, &expects[sc], what, n,
						       t == FLASH_SIM_TEAR_BITS && n + 1u == total);
				tried++;
			}
			printf("  %-34s %4u cut points (ops 0..%u + uncut), all recovered", what,
			       tried, total - 1u);
			printf(early != 0u ? ", %u reverted before first run\n" : "\n", early);
			grand += tried;
		}

		/* interrupted resume: cut a test swap, then cut its recovery everywhere */
		char what[96];
		unsigned tried = 0;
		unsigned early = 0;

		snprintf(what, sizeof(what), "%s/resume/%s", bp->id, tear_name[t]);
		scenario_setup(&p, SC_TEST);
		uint32_t total = count_ops(&p, p.snap);
		uint32_t stride = total / 16u + 1u;

		for (uint32_t n1 = 0; n1 < total; n1 += stride) {
			struct boot_result res;

			restore(&p, p.snap);
			flash_sim_cut_at(&p.r.sim, n1, (enum flash_sim_tear)t);
			assert_int_equal(rig_boot(&p.r, &res), -EIO);
			save(&p, p.snap2);
			uint32_t total2 = count_ops(&p, p.snap2);

			for (uint32_t n2 = 0; n2 <= total2; n2++) {
				int boots = cut_and_recover(&p, p.snap2, n2, (enum flash_sim_tear)t,
							    total2);

				assert_int_equal(boots, 1);
				bool last = n2 + 1u == total2 || n1 + 1u == total;

				early +=
					check_outcome(&p, &expects[SC_TEST], what, n1 * 10000u + n2,
						      t == FLASH_SIM_TEAR_BITS && last);
				tried++;
			}
		}
		printf("  %-34s %4u cut points (first cut every %u of %u ops, second cut at every "
		       "op)",
		       what, tried, stride, total);
		printf(early != 0u ? ", %u reverted before first run\n" : "\n", early);
		grand += tried;
	}
	printf("  %s: %u power cuts in total\n", bp->id, grand);
	free(p.snap);
	free(p.snap2);
	rig_free(&p.r);
}

static void test_powercut_reel_board(void **state)
{
	(void)state;
	run_board(&board_reel_board);
}

static void test_powercut_nucleo_u575zi_q(void **state)
{
	(void)state;
	run_board(&board_nucleo_u575zi_q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_powercut_reel_board),
		cmocka_unit_test(test_powercut_nucleo_u575zi_q),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
