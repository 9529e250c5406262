/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: trailer layout and vectors, decision table, app API, boot flows. */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rig.h"
#include <dfukit/host/flash_file.h>

#define OLD_BODY 5000u /* v1: 2 sectors on reel_board */
#define NEW_BODY 9000u /* v2: 3 sectors on reel_board */

/* --- trailer layout ---------------------------------------------------------- */

static void test_layout(void **state)
{
	(void)state;
	struct boot_trailer_layout l;

	/* M = 8, A = 4, 128 sectors: 1584 bytes (mcuboot.md example) */
	assert_int_equal(boot_trailer_layout_init(&l, 0x60000, 4, 128), 0);
	assert_int_equal(l.max_align, 8);
	assert_int_equal(l.trailer_sz, 1584);
	assert_int_equal(l.magic_off, 0x60000 - 16);
	assert_int_equal(l.image_ok_off, 0x60000 - 24);
	assert_int_equal(l.copy_done_off, 0x60000 - 32);
	assert_int_equal(l.swap_info_off, 0x60000 - 40);
	assert_int_equal(l.swap_size_off, 0x60000 - 48);
	assert_int_equal(l.status_off, 0x60000 - 1584);
	/* reel_board, Zephyr AUTO max sectors = 118: 1464 bytes */
	assert_int_equal(boot_trailer_layout_init(&l, 0x76000, 4, 118), 0);
	assert_int_equal(l.trailer_sz, 1464);
	/* M = 16 (STM32U5) */
	assert_int_equal(boot_trailer_layout_init(&l, 0xE8000, 16, 116), 0);
	assert_int_equal(l.max_align, 16);
	assert_int_equal(l.image_ok_off, 0xE8000 - 32);
	assert_int_equal(l.swap_size_off, 0xE8000 - 80);
	assert_int_equal(l.trailer_sz, 116 * 3 * 16 + 80);
	/* M = 32 */
	assert_int_equal(boot_trailer_layout_init(&l, 0x10000, 32, 0), 0);
	assert_int_equal(l.magic_area, 32);
	assert_int_equal(l.image_ok_off, 0x10000 - 64);
	assert_int_equal(l.swap_size_off, 0x10000 - 160);
	assert_int_equal(boot_trailer_layout_init(&l, 0x10000, 3, 0), -EINVAL);
	assert_int_equal(boot_trailer_layout_init(&l, 0x10000, 64, 0), -EINVAL);
}

/* --- vectors ----------------------------------------------------------------- */

static void load_fixture(const char *name, uint8_t out[256])
{
	char path[512];
	const char *dir = getenv("DFUKIT_FIXTURES");

	snprintf(path, sizeof(path), "%s/boot/%s", dir != NULL ? dir : DFUKIT_SRC_FIXTURES, name);
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fread(out, 1, 256, f), 256);
	fclose(f);
}

static void vector_case(const char *name, uint32_t wb, uint32_t sector, bool confirmed)
{
	static uint8_t mem[0x60000];
	struct flash_geometry g = {
		.size = 0x60000,
		.write_block = wb,
		.erased_val = 0xFF,
		.sector_size = sector,
	};
	struct flash_sim sim;
	struct flash_area fa;
	struct boot_swap_state st;
	uint8_t vec[256];
	uint8_t mine[256];

	load_fixture(name, vec);
	assert_int_equal(flash_sim_init(&sim, &g, mem, sizeof(mem), 0), 0);
	flash_sim_format(&sim);
	assert_int_equal(flash_area_init(&fa, &sim.dev, 0, 0x60000), 0);

	/* read what imgtool wrote */
	assert_int_equal(flash_area_write(&fa, 0x60000 - 256, vec, 256), 0);
	assert_int_equal(boot_read_swap_state(&fa, &st), 0);
	assert_int_equal(st.magic, BOOT_MAGIC_GOOD);
	assert_int_equal(st.image_ok, confirmed ? BOOT_FLAG_SET : BOOT_FLAG_UNSET);
	assert_int_equal(st.copy_done, BOOT_FLAG_UNSET);
	assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_true(boot_is_confirmed(&fa) == confirmed);

	/* write the same fields ourselves: byte-identical trailer */
	assert_int_equal(flash_area_erase(&fa, 0x60000 - sector, sector), 0);
	assert_int_equal(boot_write_magic(&fa), 0);
	if (confirmed) {
		assert_int_equal(boot_write_image_ok(&fa), 0);
	}
	assert_int_equal(flash_area_read(&fa, 0x60000 - 256, mine, 256), 0);
	assert_memory_equal(mine, vec, 256);
}

static void test_vectors(void **state)
{
	(void)state;
	vector_case("ecdsa-p256-z70000-pad.tail256.bin", 4, 0x1000, false);
	vector_case("ecdsa-p256-z70000-pad-confirm.tail256.bin", 4, 0x1000, true);
	vector_case("ecdsa-p256-z70000-align16-pad-confirm.tail256.bin", 16, 0x2000, true);
	/* an align-16 trailer is not GOOD for an 8-byte max_align build */
	uint8_t m8[16];
	uint8_t m16[16];
	boot_magic_bytes(8, m8);
	boot_magic_bytes(16, m16);
	assert_memory_not_equal(m8, m16, 16);
	assert_int_equal(m16[0], 0x10);
	assert_int_equal(m16[1], 0x00);
}

/* --- decision table ------------------------------------------------------------ */

static void test_decision_table(void **state)
{
	(void)state;
	const uint8_t G = BOOT_MAGIC_GOOD, U = BOOT_MAGIC_UNSET, B = BOOT_MAGIC_BAD;
	const uint8_t S = BOOT_FLAG_SET, FU = BOOT_FLAG_UNSET, FB = BOOT_FLAG_BAD;
	static const struct {
		uint8_t pm, sm, pok, sok, pcd;
		int want;
	} rows[] = {
		{U, U, FU, FU, FU, BOOT_SWAP_TYPE_NONE},
		{U, G, FU, FU, FU, BOOT_SWAP_TYPE_TEST},
		{G, G, S, FU, S, BOOT_SWAP_TYPE_TEST},
		{B, G, FB, FU, FB, BOOT_SWAP_TYPE_TEST},
		{U, G, FU, S, FU, BOOT_SWAP_TYPE_PERM},
		{G, G, FU, S, S, BOOT_SWAP_TYPE_PERM},
		{U, G, FU, FB, FU, BOOT_SWAP_TYPE_NONE}, /* secondary image_ok BAD */
		{G, U, FU, FU, S, BOOT_SWAP_TYPE_REVERT},
		{G, B, FU, FU, S, BOOT_SWAP_TYPE_REVERT}, /* our relaxation, see boot.h */
		{G, U, S, FU, S, BOOT_SWAP_TYPE_NONE},    /* confirmed */
		{G, U, FB, FU, S, BOOT_SWAP_TYPE_NONE},
		{G, U, FU, FU, FU, BOOT_SWAP_TYPE_NONE},   /* copy_done unset */
		{G, U, FU, FU, FB, BOOT_SWAP_TYPE_REVERT}, /* torn copy_done, see boot.h */
		{B, U, FU, FU, S, BOOT_SWAP_TYPE_NONE},
		{U, U, FU, FU, S, BOOT_SWAP_TYPE_NONE},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct boot_swap_state p = {rows[i].pm, 1, rows[i].pcd, rows[i].pok, 0};
		struct boot_swap_state s = {rows[i].sm, 1, FU, rows[i].sok, 0};

		assert_int_equal(boot_swap_type_decide(&p, &s), rows[i].want);
	}
	assert_string_equal(boot_swap_type_str(BOOT_SWAP_TYPE_REVERT), "revert");
	assert_string_equal(boot_swap_type_str(BOOT_SWAP_TYPE_FAIL), "fail");
}

/* --- application API ------------------------------------------------------------ */

static void test_app_api(void **state)
{
	(void)state;
	struct rig r;
	struct boot_swap_state st;

	assert_int_equal(rig_init(&r, &board_reel_board), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(boot_read_swap_state(&r.sec, &st), 0);
	assert_int_equal(st.magic, BOOT_MAGIC_GOOD);
	assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_TEST);
	assert_int_equal(st.image_ok, BOOT_FLAG_UNSET);
	/* already pending: no change, no error */
	assert_int_equal(boot_request_upgrade(&r.sec, true), 0);
	assert_int_equal(boot_read_swap_state(&r.sec, &st), 0);
	assert_int_equal(st.image_ok, BOOT_FLAG_UNSET);

	assert_int_equal(flash_area_erase(&r.sec, r.sec.size - 0x1000, 0x1000), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, true), 0);
	assert_int_equal(boot_read_swap_state(&r.sec, &st), 0);
	assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_PERM);
	assert_int_equal(st.image_ok, BOOT_FLAG_SET);
	/* raw bytes: swap_info 0x03 at S-40 */
	assert_int_equal(r.mem[r.sec.off + r.sec.size - 40], 0x03);

	/* corrupt magic */
	uint8_t z[4] = {0};
	assert_int_equal(flash_area_erase(&r.sec, r.sec.size - 0x1000, 0x1000), 0);
	assert_int_equal(flash_area_write(&r.sec, r.sec.size - 16, z, 4), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), -EBADMSG);

	/* confirm: nothing to do without a trailer */
	assert_true(boot_is_confirmed(&r.pri));
	assert_int_equal(boot_confirm(&r.pri), 0);
	assert_int_equal(flash_area_is_erased(&r.pri, r.pri.size - 0x1000, 0x1000), 1);
	assert_int_equal(boot_write_magic(&r.pri), 0);
	assert_false(boot_is_confirmed(&r.pri));
	assert_int_equal(boot_confirm(&r.pri), 0);
	assert_true(boot_is_confirmed(&r.pri));
	assert_int_equal(boot_confirm(&r.pri), 0); /* idempotent */
	rig_free(&r);
}

/* --- boot flows ---------------------------------------------------------------- */

static void expect_log(const struct rig *r, const char *const *lines, int n)
{
	if (r->nlog != n) {
		for (int i = 0; i < r->nlog; i++) {
			printf("    got: %s\n", r->log[i]);
		}
	}
	assert_int_equal(r->nlog, n);
	for (int i = 0; i < n; i++) {
		assert_string_equal(r->log[i], lines[i]);
	}
}

static void test_normal_boot(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;
	static const char *const want[] = {
		"I: Starting bootloader",
		"I: Primary image: magic=unset, swap_type=0x1, copy_done=0x3, image_ok=0x3",
		"I: Secondary image: magic=unset, swap_type=0x1, copy_done=0x3, image_ok=0x3",
		"I: Boot source: none",
		"I: Image index: 0, Swap type: none",
		"I: Bootloader chainload address offset: 0xc000",
		"I: Image version: v1.0.0",
		"I: Jumping to the first image slot",
	};

	assert_int_equal(rig_init(&r, &board_reel_board), 0);
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	expect_log(&r, want, 8);
	assert_int_equal(res.offset, 0xC000);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_int_equal(res.image.major, 1);
	rig_free(&r);
}

static void test_no_image(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;

	assert_int_equal(rig_init(&r, &board_reel_board), 0);
	assert_int_equal(rig_boot(&r, &res), -ENOENT);
	assert_true(rig_log_has(&r, "E: Unable to find bootable image"));
	/* a valid image in the secondary without a request is never booted */
	assert_int_equal(timg_write(&r.sec, 2, NEW_BODY, 2), 0);
	assert_int_equal(rig_boot(&r, &res), -ENOENT);
	rig_free(&r);
}

static void test_swap_revert(const struct board_profile *bp)
{
	struct rig r;
	struct boot_result res;
	struct boot_swap_state st;

	assert_int_equal(rig_init(&r, bp), 0);
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&r.sec, 2, NEW_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);

	/* boot 1: test swap */
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(
		&r, "I: Secondary image: magic=good, swap_type=0x2, copy_done=0x3, image_ok=0x3"));
	assert_true(rig_log_has(&r, "I: Image index: 0, Swap type: test"));
	assert_true(rig_log_has(&r, "I: Starting swap using move algorithm."));
	assert_true(rig_log_has(&r, "I: Image version: v2.0.0"));
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_TEST);
	assert_int_equal(rig_version(&r.pri), 2);
	assert_int_equal(rig_version(&r.sec), 1);
	assert_int_equal(boot_read_swap_state(&r.pri, &st), 0);
	assert_int_equal(st.magic, BOOT_MAGIC_GOOD);
	assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_TEST);
	assert_int_equal(st.copy_done, BOOT_FLAG_SET);
	assert_int_equal(st.image_ok, BOOT_FLAG_UNSET);
	assert_int_equal(boot_read_swap_state(&r.sec, &st), 0);
	assert_int_equal(st.magic, BOOT_MAGIC_UNSET);
	uint32_t swap_size;
	assert_int_equal(boot_read_swap_size(&r.pri, &swap_size), 0);
	assert_int_equal(swap_size, timg_total(NEW_BODY));

	/* boot 2: not confirmed -> revert */
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(
		&r, "I: Primary image: magic=good, swap_type=0x2, copy_done=0x1, image_ok=0x3"));
	assert_true(rig_log_has(&r, "I: Image index: 0, Swap type: revert"));
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_REVERT);
	assert_int_equal(rig_version(&r.pri), 1);
	assert_int_equal(rig_version(&r.sec), 2);
	assert_int_equal(boot_read_swap_state(&r.sec, &st), 0);
	assert_int_equal(st.magic, BOOT_MAGIC_UNSET);

	/* boot 3: stable */
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(
		&r, "I: Primary image: magic=good, swap_type=0x4, copy_done=0x1, image_ok=0x1"));
	assert_true(rig_log_has(&r, "I: Image index: 0, Swap type: none"));
	assert_int_equal(rig_version(&r.pri), 1);
	assert_int_equal(rig_version(&r.sec), 2);

	/* the rejected image can be requested again */
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(rig_version(&r.pri), 2);
	assert_int_equal(boot_confirm(&r.pri), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_int_equal(rig_version(&r.pri), 2);
	assert_int_equal(rig_version(&r.sec), 1);
	printf("  %s: test+revert+retest+confirm: %.1f s simulated flash time\n", bp->id,
	       (double)r.sim.sim_us / 1e6);
	rig_free(&r);
}

static void test_swap_revert_reel(void **state)
{
	(void)state;
	test_swap_revert(&board_reel_board);
}

static void test_swap_revert_u575(void **state)
{
	(void)state;
	test_swap_revert(&board_nucleo_u575zi_q);
}

static void test_confirm_keeps(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;

	assert_int_equal(rig_init(&r, &board_nucleo_u575zi_q), 0);
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&r.sec, 2, NEW_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(&r, "I: Bootloader chainload address offset: 0x10000"));
	assert_int_equal(rig_version(&r.pri), 2);
	assert_int_equal(boot_confirm(&r.pri), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(rig_boot(&r, &res), 0);
		assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
		assert_true(rig_log_has(&r, "I: Primary image: magic=good, swap_type=0x2, "
					    "copy_done=0x1, image_ok=0x1"));
		assert_int_equal(rig_version(&r.pri), 2);
		assert_int_equal(rig_version(&r.sec), 1);
	}
	rig_free(&r);
}

static void test_perm(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;
	struct boot_swap_state st;

	assert_int_equal(rig_init(&r, &board_reel_board), 0);
	assert_int_equal(timg_write(&r.pri, 1, NEW_BODY, 1), 0); /* old bigger than new */
	assert_int_equal(timg_write(&r.sec, 2, OLD_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, true), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(&r, "I: Image index: 0, Swap type: perm"));
	assert_int_equal(rig_version(&r.pri), 2);
	assert_int_equal(rig_version(&r.sec), 1); /* old image kept whole */
	assert_int_equal(boot_read_swap_state(&r.pri, &st), 0);
	assert_int_equal(st.image_ok, BOOT_FLAG_SET);
	assert_int_equal(st.copy_done, BOOT_FLAG_SET);
	assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_PERM);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_int_equal(rig_version(&r.pri), 2);
	rig_free(&r);
}

static void test_imgtool_padded_secondary(void **state)
{
	(void)state;
	/* imgtool --pad writes only the magic: swap_type prints 0x1, runs as test */
	struct rig r;
	struct boot_result res;

	assert_int_equal(rig_init(&r, &board_reel_board), 0);
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&r.sec, 2, NEW_BODY, 2), 0);
	assert_int_equal(boot_write_magic(&r.sec), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(
		&r, "I: Secondary image: magic=good, swap_type=0x1, copy_done=0x3, image_ok=0x3"));
	assert_true(rig_log_has(&r, "I: Image index: 0, Swap type: test"));
	assert_int_equal(rig_version(&r.pri), 2);
	rig_free(&r);
}

static void test_confirmed_primary_flashed(void **state)
{
	(void)state;
	/* *.signed.confirmed flashed into the primary: boot source primary, no swap */
	struct rig r;
	struct boot_result res;

	assert_int_equal(rig_init(&r, &board_reel_board), 0);
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(boot_write_magic(&r.pri), 0);
	assert_int_equal(boot_write_image_ok(&r.pri), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(
		&r, "I: Primary image: magic=good, swap_type=0x1, copy_done=0x3, image_ok=0x1"));
	assert_true(rig_log_has(&r, "I: Boot source: primary slot"));
	assert_true(rig_log_has(&r, "I: Image index: 0, Swap type: none"));
	assert_int_equal(res.image.major, 1);
	rig_free(&r);
}

static void test_bad_secondary(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;

	assert_int_equal(rig_init(&r, &board_reel_board), 0);
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&r.sec, 2, NEW_BODY, 2), 0);
	/* flip bits in the body (0 bits can always be written) */
	uint8_t z[4] = {0, 0, 0, 0};
	assert_int_equal(flash_area_write(&r.sec, 0x100, z, 4), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(&r, "I: Image index: 0, Swap type: test"));
	assert_true(rig_log_has(&r, "E: Image in the secondary slot is not valid!"));
	assert_false(rig_log_has(&r, "Starting swap"));
	assert_int_equal(res.image.major, 1);
	assert_int_equal(flash_area_is_erased(&r.sec, 0, r.sec.size), 1);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(&r, "I: Image index: 0, Swap type: none"));

	/* request without an image: only the trailer is erased */
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_false(rig_log_has(&r, "not valid"));
	assert_int_equal(flash_area_is_erased(&r.sec, 0, r.sec.size), 1);

	/* an image too large for swap-using-move is refused */
	assert_int_equal(timg_write(&r.sec, 3, r.sec.size - 2 * 0x1000 + 0x100, 3), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, true), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(&r, "E: Not enough free space to run swap upgrade"));
	assert_true(rig_log_has(&r, "E: Image in the secondary slot is not valid!"));
	assert_int_equal(res.image.major, 1);
	rig_free(&r);
}

static void test_max_size_image(void **state)
{
	(void)state;
	/* largest image swap-using-move accepts: (118 - 2) sectors on reel_board */
	struct rig r;
	struct boot_result res;
	const uint32_t max = 0x74000;

	assert_int_equal(rig_init(&r, &board_reel_board), 0);
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&r.sec, 2, max - TIMG_HDR_SIZE - TIMG_TLV_SIZE, 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(rig_version(&r.pri), 2);
	assert_int_equal(rig_version(&r.sec), 1);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(rig_version(&r.pri), 1);
	assert_int_equal(rig_version(&r.sec), 2);
	printf("  reel_board max-size image (0x74000) test+revert: %.1f s simulated flash time\n",
	       (double)r.sim.sim_us / 1e6);
	rig_free(&r);
}

static void test_file_resume(void **state)
{
	(void)state;
	/* a swap cut by power loss on a file-backed flash resumes after a restart */
	char path[] = "/tmp/dfukit_boot_test_XXXXXX";
	int fd = mkstemp(path);
	const struct board_profile *bp = &board_reel_board;
	struct flash_file ff;
	struct flash_area pri;
	struct flash_area sec;
	struct boot_result res;
	struct boot_config cfg = {.validate = timg_validate};

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(flash_file_open(&ff, path, &bp->flash, bp->sim_flags), 0);
	assert_int_equal(board_profile_slots(bp, &ff.sim.dev, &pri, &sec), 0);
	cfg.primary = &pri;
	cfg.secondary = &sec;
	assert_int_equal(timg_write(&pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&sec, 2, NEW_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&sec, false), 0);
	flash_sim_cut_at(&ff.sim, flash_sim_ops(&ff.sim) + 40u, FLASH_SIM_TEAR_PREFIX);
	assert_int_equal(boot_go(&cfg, &res), -EIO);
	assert_int_equal(flash_file_close(&ff), 0);

	/* "restart": a new process maps the same file */
	assert_int_equal(flash_file_open(&ff, path, &bp->flash, bp->sim_flags), 0);
	assert_int_equal(board_profile_slots(bp, &ff.sim.dev, &pri, &sec), 0);
	struct boot_swap_state st;
	assert_int_equal(boot_read_swap_state(&pri, &st), 0);
	assert_int_equal(st.magic, BOOT_MAGIC_GOOD);
	assert_int_equal(st.copy_done, BOOT_FLAG_UNSET);
	assert_int_equal(boot_go(&cfg, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_TEST);
	assert_int_equal(rig_version(&pri), 2);
	assert_int_equal(rig_version(&sec), 1);
	assert_int_equal(flash_file_close(&ff), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_decision_table),
		cmocka_unit_test(test_app_api),
		cmocka_unit_test(test_normal_boot),
		cmocka_unit_test(test_no_image),
		cmocka_unit_test(test_swap_revert_reel),
		cmocka_unit_test(test_swap_revert_u575),
		cmocka_unit_test(test_confirm_keeps),
		cmocka_unit_test(test_perm),
		cmocka_unit_test(test_imgtool_padded_secondary),
		cmocka_unit_test(test_confirmed_primary_flashed),
		cmocka_unit_test(test_bad_secondary),
		cmocka_unit_test(test_max_size_image),
		cmocka_unit_test(test_file_resume),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
