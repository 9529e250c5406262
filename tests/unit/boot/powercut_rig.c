/* SPDX-License-Identifier: Apache-2.0 */
/* The exhaustive power-cut rig (powercut_rig.h says how to add a strategy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "powercut_rig.h"

static const char *const tear_name[] = {"prefix", "nothing", "bits"};

static void save(struct pc *p, uint8_t *buf)
{
	memcpy(buf, p->r->mem + p->lo, p->len);
}

static void restore(struct pc *p, const uint8_t *buf)
{
	memcpy(p->r->mem + p->lo, buf, p->len);
	flash_sim_power_on(&p->r->sim);
	flash_sim_reset_count(&p->r->sim);
}

/* The short form: every p->sample-th cut point, and the boot's last op and uncut boot. */
static bool sampled_out(const struct pc *p, uint32_t n, uint32_t total)
{
	return p->sample > 1u && n % p->sample != 0u && n + 1u < total;
}

static void print_sample(const struct pc *p)
{
	if (p->sample > 1u) {
		printf(" [sampled: every %u-th cut, DFUKIT_POWERCUT_SAMPLE]", p->sample);
	}
}

static uint32_t count_ops(struct pc *p, const uint8_t *from)
{
	struct boot_result res;

	restore(p, from);
	assert_int_equal(rig_boot(p->r, &res), 0);
	return flash_sim_ops(&p->r->sim);
}

/* cut the boot starting from `from` at op n; powered on after, as before it if uncut */
static bool cut(struct pc *p, const uint8_t *from, uint32_t n, enum flash_sim_tear t,
		uint32_t total)
{
	struct boot_result res;

	restore(p, from);
	flash_sim_cut_at(&p->r->sim, n, t);
	int rc = rig_boot(p->r, &res);

	if (n >= total) {
		/* the cut never fired: the check redoes this boot */
		assert_int_equal(rc, 0);
		flash_sim_power_on(&p->r->sim); /* disarm */
		restore(p, from);
		return false;
	}
	assert_int_equal(rc, -EIO);
	assert_true(flash_sim_is_off(&p->r->sim));
	flash_sim_power_on(&p->r->sim);
	return true;
}

static const void *scenario(const struct pc *p, size_t i)
{
	return (const char *)p->st->scenarios + i * p->st->scenario_size;
}

static const char *scenario_name(const void *sc)
{
	return *(const char *const *)sc;
}

static void setup(struct pc *p, const void *sc)
{
	p->st->setup(p, sc);
	save(p, p->snap);
}

static void check(struct pc *p, const void *sc, const struct pc_cut *c, uint32_t n)
{
	const char *echo = getenv("PC_ECHO");

	p->r->echo = c->fired && echo != NULL && (uint32_t)atoi(echo) == n;
	p->st->recover(p, sc, c);
	p->r->echo = false;
}

static void print_notes(const struct pc *p, unsigned notes, bool resume)
{
	const struct pc_strategy *st = p->st;

	if (st->note_kind == PC_NOTE_TALLY && !resume) {
		printf(", %u %s", notes, st->note);
		return;
	}
	if (!resume) {
		printf(", all recovered");
	}
	if (st->note_kind == PC_NOTE_IF_ANY && notes != 0u) {
		printf(", %u %s", notes, st->note);
	}
}

static unsigned run_scenario(struct pc *p, const void *sc, enum flash_sim_tear t)
{
	const struct pc_strategy *st = p->st;
	char what[96];
	unsigned tried = 0;
	unsigned notes0 = p->notes;

	snprintf(what, sizeof(what), "%s/%s/%s", p->r->bp->id, scenario_name(sc), tear_name[t]);
	setup(p, sc);
	uint32_t total = count_ops(p, p->snap);

	for (uint32_t n = 0; n <= total; n++) {
		struct pc_cut c = {.what = what, .n = n, .tear = t, .last = n + 1u == total};

		if (sampled_out(p, n, total)) {
			continue;
		}
		c.fired = cut(p, p->snap, n, t, total);
		check(p, sc, &c, n);
		tried++;
	}
	printf("  %-*s %*u cut points", st->name_width ? st->name_width : 44, what,
	       st->count_width ? st->count_width : 4, tried);
	if (!st->no_op_range) {
		printf(" (ops 0..%u + uncut)", total - 1u);
	}
	print_notes(p, p->notes - notes0, false);
	print_sample(p);
	printf("\n");
	return tried;
}

/* interrupted resume: cut the boot, then cut its recovery at every op */
static unsigned run_resume(struct pc *p, const void *sc, enum flash_sim_tear t)
{
	const struct pc_strategy *st = p->st;
	char what[96];
	unsigned tried = 0;
	unsigned notes0 = p->notes;

	if (st->resume_named) {
		snprintf(what, sizeof(what), "%s/resume-%s/%s", p->r->bp->id, scenario_name(sc),
			 tear_name[t]);
	} else {
		snprintf(what, sizeof(what), "%s/resume/%s", p->r->bp->id, tear_name[t]);
	}
	setup(p, sc);
	uint32_t total = count_ops(p, p->snap);
	uint32_t stride = total / (st->stride_div ? st->stride_div : 16u) + 1u;

	for (uint32_t n1 = 0; n1 < total; n1 += stride) {
		assert_true(cut(p, p->snap, n1, t, total));
		save(p, p->snap2);
		uint32_t total2 = count_ops(p, p->snap2);

		for (uint32_t n2 = 0; n2 <= total2; n2++) {
			struct pc_cut c = {
				.what = what,
				.n = n1 * 10000u + n2,
				.tear = t,
				.last = n2 + 1u == total2,
				.first_last = n1 + 1u == total,
			};

			if (sampled_out(p, n2, total2)) {
				continue;
			}
			c.fired = cut(p, p->snap2, n2, t, total2);
			check(p, sc, &c, n2);
			tried++;
		}
	}
	printf("  %-*s %*u cut points (first cut every %u of %u ops, %s)",
	       st->name_width ? st->name_width : 44, what, st->count_width ? st->count_width : 4,
	       tried, stride, total, st->second ? st->second : "second cut at every op");
	print_notes(p, p->notes - notes0, true);
	print_sample(p);
	printf("\n");
	return tried;
}

void pc_run_board(const struct pc_strategy *st, const struct board_profile *bp)
{
	struct pc p;
	unsigned grand = 0;

	memset(&p, 0, sizeof(p));
	p.st = st;
	const char *sample = getenv("DFUKIT_POWERCUT_SAMPLE");
	p.sample = sample != NULL ? (uint32_t)strtoul(sample, NULL, 10) : 1u;
	if (st->init != NULL) {
		assert_int_equal(st->init(&p, bp), 0);
	} else {
		assert_int_equal(rig_init(&p.rig, bp), 0);
		p.r = &p.rig;
	}
	assert_non_null(p.r);
	if (st->whole_flash) {
		p.lo = 0;
		p.len = bp->flash.size;
	} else {
		uint32_t hi0 = bp->slot0.off + bp->slot0.size;
		uint32_t hi1 = bp->slot1.off + bp->slot1.size;

		p.lo = bp->slot0.off < bp->slot1.off ? bp->slot0.off : bp->slot1.off;
		p.len = (hi0 > hi1 ? hi0 : hi1) - p.lo;
	}
	p.snap = malloc(p.len);
	p.snap2 = malloc(p.len);
	assert_non_null(p.snap);
	assert_non_null(p.snap2);
	for (int t = 0; t < 3; t++) {
		for (size_t i = 0; i < st->nscenarios; i++) {
			grand += run_scenario(&p, scenario(&p, i), (enum flash_sim_tear)t);
		}
		for (size_t i = 0; i < st->nresume; i++) {
			grand +=
				run_resume(&p, scenario(&p, st->resume[i]), (enum flash_sim_tear)t);
		}
	}
	printf("  %s%s%s: %u power cuts in total", bp->id, st->label ? " " : "",
	       st->label ? st->label : "", grand);
	if (st->total_note != NULL) {
		printf(", %u %s", p.notes, st->total_note);
	}
	printf("\n");
	free(p.snap);
	free(p.snap2);
	rig_free(p.r);
}

struct pc_board_test {
	const struct pc_strategy *st;
	const struct board_profile *bp;
	char name[96];
};

static void pc_board_test(void **state)
{
	const struct pc_board_test *t = *state;

	pc_run_board(t->st, t->bp);
}

int pc_main(const struct pc_strategy *st, const char *prefix)
{
	static struct pc_board_test boards[] = {
		{.bp = &board_reel_board},
		{.bp = &board_nucleo_u575zi_q},
	};
	struct CMUnitTest tests[sizeof(boards) / sizeof(boards[0])];

	for (size_t i = 0; i < sizeof(boards) / sizeof(boards[0]); i++) {
		boards[i].st = st;
		snprintf(boards[i].name, sizeof(boards[i].name), "%s_%s", prefix, boards[i].bp->id);
		tests[i] = (struct CMUnitTest){.name = boards[i].name,
					       .test_func = pc_board_test,
					       .initial_state = &boards[i]};
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
