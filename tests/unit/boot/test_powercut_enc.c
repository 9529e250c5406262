/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exhaustive power-cut test of the encrypted swap (swap-using-move with
 * boot_config.enc; the test cipher of test_image_enc.h), on the shared rig
 * (powercut_rig.h): a cut after every flash operation N and a torn write at
 * N, then boots until the bootloader returns an image; "resume" cuts the
 * recovery of a cut test swap a second time. After every cut:
 *   - the recovery boot runs the image the algorithm dictates, and it
 *     validates in the primary as plaintext (the boot core validated it
 *     before returning; checked again here);
 *   - the other image is intact in the secondary: it validates decrypted;
 *   - one more clean boot does what the trailer state must lead to, and
 *     where the update ends up back in the secondary (after a revert) it
 *     is byte for byte what was downloaded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "powercut_rig.h"
#include "test_image_enc.h"

#define OLD_BODY 5003u /* v1, the running image */
#define NEW_BODY 9001u /* v2, the encrypted update */

enum scen { SC_TEST, SC_REVERT, SC_PERM };

struct scenario {
	const char *name;
	enum scen sc;
	bool old_flagged; /* the running image has the ENCRYPTED flag (imgtool --clear) */
};

static const struct scenario scenarios[] = {
	{"enc-test", SC_TEST, true},
	{"enc-revert", SC_REVERT, true},
	{"enc-perm", SC_PERM, true},
	{"enc-test-plain-primary", SC_TEST, false},
};

struct expect {
	int pri; /* version running after recovery */
	int sec; /* version intact in the secondary */
	int next_pri;
	int next_sec;
};

static const struct expect expects[] = {
	[SC_TEST] = {2, 1, 1, 2},
	[SC_REVERT] = {1, 2, 1, 2},
	[SC_PERM] = {2, 1, 2, 1},
};

static const struct expect test_reverted_early = {1, 2, 1, 2};

static struct rig er; /* the rig under test: the boot with the test cipher */
static uint8_t update[TENC_HDR_SIZE + NEW_BODY + TENC_TLV_SIZE]; /* as downloaded */

static int init(struct pc *p, const struct board_profile *bp)
{
	p->r = &er;
	if (rig_init(&er, bp) != 0) {
		return -1;
	}
	er.cfg.enc = tenc_boot_enc();
	er.cfg.validate = tenc_validate;
	er.cfg.validate_ctx = &er.sec;
	return 0;
}

static void scenario_setup(struct pc *p, const void *scv)
{
	const struct scenario *s = scv;
	struct boot_result res;

	flash_sim_format(&p->r->sim);
	assert_int_equal(tenc_write(&p->r->pri, 1, OLD_BODY, 11, s->old_flagged, false), 0);
	assert_int_equal(tenc_write(&p->r->sec, 2, NEW_BODY, 22, true, true), 0);
	assert_int_equal(flash_area_read(&p->r->sec, 0, update, sizeof(update)), 0);
	assert_int_equal(boot_request_upgrade(&p->r->sec, s->sc == SC_PERM), 0);
	if (s->sc == SC_REVERT) {
		assert_int_equal(rig_boot(p->r, &res), 0);
		assert_int_equal(res.image.major, 2);
	}
}

/* major version of the valid image in fa (decrypted in the secondary), 0 none, -1 invalid */
static int version(const struct rig *r, const struct flash_area *fa)
{
	struct boot_image_info info;
	int rc = tenc_validate((void *)&r->sec, fa, &info);

	return rc == -ENOENT ? 0 : rc == 0 ? info.major : -1;
}

static bool update_restored(const struct rig *r)
{
	uint8_t now[sizeof(update)];

	return flash_area_read(&r->sec, 0, now, sizeof(now)) == 0 &&
	       memcmp(now, update, sizeof(now)) == 0;
}

static void recover(struct pc *p, const void *scv, const struct pc_cut *c)
{
	const struct scenario *s = scv;
	const struct expect *e = &expects[s->sc];
	struct boot_result res;
	int rc = rig_boot(p->r, &res);

	if (rc != 0) {
		fail_msg("%s cut %u: recovery boot failed: %d", c->what, c->n, rc);
	}
	int pri = version(p->r, &p->r->pri), sec = version(p->r, &p->r->sec);

	if (c->tear == FLASH_SIM_TEAR_BITS && (c->last || c->first_last) && s->sc == SC_TEST &&
	    pri == 1 && sec == 2) {
		e = &test_reverted_early;
		p->notes++;
	}
	if (res.image.major != pri || pri != e->pri || sec != e->sec) {
		fail_msg("%s cut %u: runs v%d, primary v%d secondary v%d, want v%d/v%d", c->what,
			 c->n, res.image.major, pri, sec, e->pri, e->sec);
	}
	assert_int_equal(rig_boot(p->r, &res), 0);
	pri = version(p->r, &p->r->pri);
	sec = version(p->r, &p->r->sec);
	if (res.image.major != e->next_pri || pri != e->next_pri || sec != e->next_sec) {
		fail_msg("%s cut %u: next boot runs v%d (primary v%d secondary v%d), want v%d/v%d",
			 c->what, c->n, res.image.major, pri, sec, e->next_pri, e->next_sec);
	}
	if (e->next_sec == 2 && !update_restored(p->r)) {
		fail_msg("%s cut %u: the update in the secondary is not as downloaded", c->what,
			 c->n);
	}
}

static const size_t resume[] = {0, 1}; /* enc-test, enc-revert */

static const struct pc_strategy enc = {
	.label = "encrypted swap",
	.scenarios = scenarios,
	.nscenarios = sizeof(scenarios) / sizeof(scenarios[0]),
	.scenario_size = sizeof(scenarios[0]),
	.setup = scenario_setup,
	.recover = recover,
	.init = init,
	.resume = resume,
	.nresume = 2,
	.resume_named = true,
	.note_kind = PC_NOTE_IF_ANY,
	.note = "reverted before first run",
};

int main(void)
{
	return pc_main(&enc, "test_powercut_enc");
}
