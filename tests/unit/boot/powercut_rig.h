/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exhaustive power-cut rig, in the style of MCUboot's simulator, shared
 * by the test_powercut*.c tests. For each board profile, tear mode and
 * scenario it takes the flash state before the boot under test, counts the
 * flash operations that boot performs, then for every N in 0..total cuts
 * power at operation N (torn as the mode says; N = total runs uncut), powers
 * on and hands over to the strategy's check. "resume" scenarios also cut the
 * recovery of a cut boot: the first cut at every STRIDE-th operation, the
 * second at every operation of the boot that resumes from it. It prints one
 * line per scenario and tear mode (the cut counts) and a total per board.
 *
 * Adding a strategy (see test_powercut_overwrite.c for a small one):
 *   1. a scenario table whose struct starts with `const char *name;`;
 *   2. setup(p, sc): format and write the flash as it is before the boot
 *      under test (p->r is the rig, set p->r->cfg.mode here); the rig takes
 *      the snapshot afterwards;
 *   3. recover(p, sc, c): called powered on after every cut (or, for the
 *      uncut point, c->fired false, with the flash back as before that
 *      boot): do the recovery boot(s) and fail_msg() with c->what and c->n
 *      where the strategy's invariants do not hold; p->notes++ counts an
 *      outcome worth printing (an early revert, a fallback);
 *   4. a struct pc_strategy with the table, the callbacks, the scenarios
 *      to resume (indices) and the label (optional: init for a rig of its
 *      own, as test_powercut_seccnt.c's; whole_flash when the boot writes
 *      outside both slots), and main() { return pc_main(&strategy,
 *      "test_powercut_<name>"); } (one cmocka test per board; or call
 *      pc_run_board(&strategy, &board_...) from tests of your own);
 *   5. the test in tests/unit/boot/CMakeLists.txt with powercut_rig.c in its
 *      SOURCES. PC_ECHO=<n> in the environment echoes the boot log of the
 *      checks after a cut at operation n.
 * The format fields only keep the existing tests' lines as they were: a new
 * strategy can leave them zero.
 */
#ifndef TEST_POWERCUT_RIG_H
#define TEST_POWERCUT_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rig.h"

/* one cut, as the strategy's check sees it */
struct pc_cut {
	const char *what;         /* "<board>/<scenario>/<tear>", for messages */
	uint32_t n;               /* the cut point (n1 * 10000 + n2 on a resume) */
	enum flash_sim_tear tear; /* how the cut operation tore */
	bool fired;               /* false: the boot ran uncut (and is to be redone) */
	bool last;                /* the cut hit the last operation of its boot */
	bool first_last;          /* resume: the first cut hit the last op of its boot */
};

struct pc;

/* how a scenario line reports p->notes (what recover counted) */
enum pc_note {
	PC_NOTE_NONE,   /* ", all recovered" */
	PC_NOTE_TALLY,  /* ", <notes> <note>" instead, on scenario lines */
	PC_NOTE_IF_ANY, /* ", all recovered" and, when not 0, ", <notes> <note>", resume lines too */
};

struct pc_strategy {
	const char *label;     /* total line: "  <board> <label>: N power cuts in total" */
	const void *scenarios; /* an array of structs starting with `const char *name;` */
	size_t nscenarios;
	size_t scenario_size;
	void (*setup)(struct pc *p, const void *sc);
	void (*recover)(struct pc *p, const void *sc, const struct pc_cut *c);
	/* the rig under test, if not a plain rig_init(): set p->r, return 0 */
	int (*init)(struct pc *p, const struct board_profile *bp);
	const size_t *resume; /* indices of the scenarios whose recovery is cut too */
	size_t nresume;
	bool resume_named;   /* "<board>/resume-<scenario>/<tear>" (else "/resume/") */
	unsigned stride_div; /* first resume cut every total / stride_div + 1 ops (16) */
	bool whole_flash;    /* snapshot the whole flash (else the span of both slots) */
	/* format of the printed lines */
	int name_width;   /* 44 */
	int count_width;  /* 4 */
	bool no_op_range; /* no "(ops 0..N + uncut)" */
	enum pc_note note_kind;
	const char *note;       /* what the notes are, e.g. "on the fallback" */
	const char *total_note; /* if set, the total line ends ", <notes> <total_note>" */
	const char *second;     /* resume lines: "second cut at every op" */
};

struct pc {
	struct rig rig; /* the board, unless the strategy's init gives its own */
	struct rig *r;  /* the rig under test */
	const struct pc_strategy *st;
	uint8_t *snap;  /* state before the boot under test */
	uint8_t *snap2; /* state after a resume's first cut */
	uint32_t lo;    /* snapshot window */
	uint32_t len;
	unsigned notes;  /* counted by recover */
	uint32_t sample; /* every sample-th cut point (DFUKIT_POWERCUT_SAMPLE), 1: all */
};

/*
 * Runs every scenario in every tear mode on the board; fails the test at the
 * first miss. DFUKIT_POWERCUT_SAMPLE=N in the environment (N > 1) tries only
 * every N-th cut point of each boot, and its last operation and the uncut
 * boot (scripts/valgrind-unit.sh's short form; the lines then say so).
 */
void pc_run_board(const struct pc_strategy *st, const struct board_profile *bp);

/*
 * A test's main: one cmocka test per board (reel_board, nucleo_u575zi_q),
 * named "<prefix>_<board>", each pc_run_board(st, board).
 */
int pc_main(const struct pc_strategy *st, const char *prefix);

#endif
