/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exhaustive power-cut test for ram-load (BOOT_MODE_RAM_LOAD), on the shared
 * rig (powercut_rig.h). Ram-load writes no trailer: its only flash
 * operations are the sector erases of images it refuses (no RAM_LOAD flag,
 * a load address outside the RAM, no size) or that fail validation in RAM.
 * For each board profile, scenario and tear mode: count the operations of
 * the boot under test, then for every N cut power at operation N (torn as
 * the mode says), power on and boot until a boot touches no flash, and
 * check:
 *   - the cut boot never claims success (-EIO, the rig);
 *   - every later boot runs the copy in RAM of an image that verifies in the
 *     slot it names: the RAM holds that slot's bytes, load_size of them, at
 *     the load address its header gives;
 *   - every recovery boot runs the scenario's image (nothing else can be
 *     bootable), and the boots settle within three on it;
 *   - once settled, the refused slot shows no image header: a refused image
 *     cannot come back.
 * "resume" cuts the recovery of a cut boot at every operation as well. A
 * boot with nothing to refuse writes nothing (test_ram_load.c counts it), so
 * it has no cut point here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "powercut_rig.h"

#define BODY       20000u
#define TOTAL      (TIMG_HDR_SIZE + BODY + TIMG_TLV_SIZE)
#define RAM_ADDR   0x20010000u
#define RAM_SIZE   0x10000u
#define F_RAM_LOAD 0x20u

/* what is wrong with an image before the boot */
enum flaw {
	F_NONE,
	F_CORRUPT, /* body bytes cleared: fails validation in RAM */
	F_NO_FLAG, /* signed without --load-addr */
	F_OUTSIDE, /* load address past the RAM */
	F_UNSIZED, /* TLV info erased: no size, nothing copied */
};

struct scenario {
	const char *name;
	int pri, sec;     /* versions (0: none) */
	enum flaw fp, fs; /* flaws */
	int runs;         /* the version every recovery boot runs */
	int refused;      /* the slot (0, 1) whose image is removed, -1 none */
};

static const struct scenario scenarios[] = {
	{"invalid-higher", 1, 2, F_NONE, F_CORRUPT, 1, 1},
	{"no-ram-load-flag", 1, 2, F_NONE, F_NO_FLAG, 1, 1},
	{"load-address-outside-ram", 1, 2, F_NONE, F_OUTSIDE, 1, 1},
	{"unsized-higher", 1, 2, F_NONE, F_UNSIZED, 1, 1},
	{"invalid-primary", 3, 2, F_CORRUPT, F_NONE, 2, 0},
};

/* the executable RAM of the boot under test (the rig's flash is its own) */
static uint8_t ram[RAM_SIZE];

static void put(const struct flash_area *fa, int v, enum flaw f)
{
	struct flash_sector s;

	if (v == 0) {
		return;
	}
	uint32_t addr = f == F_OUTSIDE ? RAM_ADDR + RAM_SIZE - TOTAL + 4u : RAM_ADDR;

	assert_int_equal(timg_write_flags(fa, (uint8_t)v, BODY, (uint32_t)v,
					  f == F_NO_FLAG ? 0u : F_RAM_LOAD, addr),
			 0);
	if (f == F_CORRUPT) {
		/* a sector of body alone erased (ECC flash cannot be written over) */
		assert_int_equal(flash_area_sector_at(fa, 0x2000, &s), 0);
		assert_int_equal(flash_area_erase(fa, s.off, s.size), 0);
		assert_int_equal(rig_version(fa), -1);
	}
	if (f == F_UNSIZED) {
		assert_int_equal(flash_area_sector_at(fa, TOTAL - 1u, &s), 0);
		assert_int_equal(flash_area_erase(fa, s.off, s.size), 0);
	}
}

static void scenario_setup(struct pc *p, const void *scv)
{
	const struct scenario *s = scv;

	flash_sim_format(&p->r->sim);
	p->r->cfg.mode = BOOT_MODE_RAM_LOAD;
	p->r->cfg.ram = (struct boot_ram){ram, RAM_ADDR, RAM_SIZE};
	put(&p->r->pri, s->pri, s->fp);
	put(&p->r->sec, s->sec, s->fs);
}

/* one boot that must run the copy in RAM of an image valid in the slot it names */
static int checked_boot(struct pc *p, const struct pc_cut *c, uint32_t *ops)
{
	static uint8_t want[TOTAL];
	struct boot_result res;

	flash_sim_reset_count(&p->r->sim);
	memset(ram, 0xa5, sizeof(ram));
	int rc = rig_boot(p->r, &res);

	if (rc != 0) {
		fail_msg("%s cut %u: boot failed: %d", c->what, c->n, rc);
	}
	const struct flash_area *fa = res.slot == 0u ? &p->r->pri : &p->r->sec;

	if (res.slot > 1u || res.offset != fa->off || rig_version(fa) != res.image.major ||
	    res.load_addr != RAM_ADDR || res.load_size != TOTAL) {
		fail_msg("%s cut %u: ran v%d from slot %u (holds v%d) at 0x%x", c->what, c->n,
			 res.image.major, res.slot, rig_version(fa), res.load_addr);
	}
	assert_int_equal(flash_area_read(fa, 0, want, sizeof(want)), 0);
	if (memcmp(ram, want, sizeof(want)) != 0) {
		fail_msg("%s cut %u: the RAM does not hold slot %u's image", c->what, c->n,
			 res.slot);
	}
	*ops = flash_sim_ops(&p->r->sim);
	return res.image.major;
}

/* after the cut: boot until one writes nothing; always the scenario's image */
static void recover(struct pc *p, const void *scv, const struct pc_cut *c)
{
	const struct scenario *s = scv;
	uint32_t ops = 1;

	for (int i = 0; ops != 0u; i++) {
		if (i == 3) {
			fail_msg("%s cut %u: does not settle", c->what, c->n);
		}
		int ran = checked_boot(p, c, &ops);

		if (ran != s->runs) {
			fail_msg("%s cut %u: ran v%d, want v%d", c->what, c->n, ran, s->runs);
		}
	}
	if (!rig_log_has(p->r, s->refused == 0 ? "Image 0 primary slot: image not found"
					       : "Image 0 secondary slot: image not found")) {
		fail_msg("%s cut %u: the refused image's header is still there", c->what, c->n);
	}
}

static const size_t resume[] = {0, 4}; /* invalid-higher, invalid-primary */

static const struct pc_strategy ram_load = {
	.scenarios = scenarios,
	.nscenarios = sizeof(scenarios) / sizeof(scenarios[0]),
	.scenario_size = sizeof(scenarios[0]),
	.setup = scenario_setup,
	.recover = recover,
	.resume = resume,
	.nresume = 2,
	.resume_named = true,
	.label = "ram-load",
	.second = "second at every op",
};

int main(void)
{
	return pc_main(&ram_load, "test_powercut_ram_load");
}
