/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Swap-using-offset (BOOT_MODE_SWAP_OFFSET) flows on both board profiles:
 * test -> revert, permanent, confirm, the trailer bytes against MCUboot's
 * documented offset layout (and MCUboot's revert mark read back), the
 * largest image (mcuboot#2214), a header left in the first sector
 * (mcuboot#2198) and the "wrong upload address" case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rig.h"

#define OLD_BODY 5000u
#define NEW_BODY 9000u

struct orig {
	struct rig r;
	struct flash_area upd; /* the secondary from its second sector */
	uint32_t sz;
};

static void orig_init(struct orig *o, const struct board_profile *bp)
{
	assert_int_equal(rig_init(&o->r, bp), 0);
	o->r.cfg.mode = BOOT_MODE_SWAP_OFFSET;
	assert_int_equal(boot_secondary_image_area(&o->r.sec, BOOT_MODE_SWAP_OFFSET, &o->upd), 0);
	o->sz = bp->flash.sector_size;
	assert_int_equal(o->upd.off, o->r.sec.off + o->sz);
	assert_int_equal(o->upd.off + o->upd.size, o->r.sec.off + o->r.sec.size);
}

/* v1 in the primary, v2 uploaded at sector 1 of the secondary, requested */
static void orig_upgrade_setup(struct orig *o, bool perm)
{
	assert_int_equal(timg_write(&o->r.pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&o->upd, 2, NEW_BODY, 2), 0);
	/* on the image area: the same trailer bytes as on the slot */
	assert_int_equal(boot_request_upgrade(&o->upd, perm), 0);
}

static int boot_major(struct orig *o)
{
	struct boot_result res;
	int rc = rig_boot(&o->r, &res);

	return rc == 0 ? res.image.major : rc;
}

static void flow_test_revert(const struct board_profile *bp)
{
	struct orig o;

	orig_init(&o, bp);
	orig_upgrade_setup(&o, false);
	assert_int_equal(boot_major(&o), 2);
	assert_true(rig_log_has(&o.r, "Image index: 0, Swap type: test"));
	assert_true(rig_log_has(&o.r, "Starting swap using offset algorithm."));
	assert_true(rig_log_has(&o.r, "Secondary image: magic=good, swap_type=0x2"));
	/* the old image now starts at sector 0 of the secondary */
	assert_int_equal(rig_version(&o.r.sec), 1);
	assert_false(boot_is_confirmed(&o.r.pri));

	assert_int_equal(boot_major(&o), 1);
	assert_true(rig_log_has(&o.r, "Image index: 0, Swap type: revert"));
	assert_true(rig_log_has(&o.r, "Starting swap using offset algorithm."));
	/* the test image is back at sector 1, sector 0 and the request are gone */
	assert_int_equal(rig_version(&o.upd), 2);
	assert_int_equal(flash_area_is_erased(&o.r.sec, 0, o.sz), 1);
	assert_true(boot_is_confirmed(&o.r.pri));

	flash_sim_reset_count(&o.r.sim);
	assert_int_equal(boot_major(&o), 1);
	assert_true(rig_log_has(&o.r, "Image index: 0, Swap type: none"));
	assert_int_equal(flash_sim_ops(&o.r.sim), 0);
	rig_free(&o.r);
}

static void test_test_then_revert(void **state)
{
	(void)state;
	flow_test_revert(&board_reel_board);
	flow_test_revert(&board_nucleo_u575zi_q);
}

static void flow_perm(const struct board_profile *bp)
{
	struct orig o;

	orig_init(&o, bp);
	orig_upgrade_setup(&o, true);
	assert_int_equal(boot_major(&o), 2);
	assert_true(rig_log_has(&o.r, "Image index: 0, Swap type: perm"));
	assert_true(boot_is_confirmed(&o.r.pri));
	assert_int_equal(rig_version(&o.r.sec), 1);
	flash_sim_reset_count(&o.r.sim);
	assert_int_equal(boot_major(&o), 2);
	assert_int_equal(flash_sim_ops(&o.r.sim), 0);
	rig_free(&o.r);
}

static void test_perm(void **state)
{
	(void)state;
	flow_perm(&board_reel_board);
	flow_perm(&board_nucleo_u575zi_q);
}

/*
 * mcuboot#2198: after a confirmed test swap the old image (and its header)
 * stays in sector 0 of the secondary; the next update, written from sector
 * 1, must still be taken.
 */
static void flow_leftover_header(const struct board_profile *bp)
{
	struct orig o;

	orig_init(&o, bp);
	orig_upgrade_setup(&o, false);
	assert_int_equal(boot_major(&o), 2);
	assert_int_equal(boot_confirm(&o.r.pri), 0);
	assert_int_equal(boot_major(&o), 2);
	assert_int_equal(rig_version(&o.r.sec), 1); /* the leftover header */

	assert_int_equal(timg_write(&o.upd, 3, OLD_BODY, 3), 0);
	assert_int_equal(boot_request_upgrade(&o.upd, false), 0);
	assert_int_equal(boot_major(&o), 3);
	assert_true(rig_log_has(&o.r, "Stale header in the first sector"));
	assert_false(rig_log_has(&o.r, "wrong upload address"));
	/* and it reverts to v2 */
	assert_int_equal(boot_major(&o), 2);
	assert_int_equal(rig_version(&o.upd), 3);
	rig_free(&o.r);
}

static void test_leftover_header_mcuboot_2198(void **state)
{
	(void)state;
	flow_leftover_header(&board_reel_board);
	flow_leftover_header(&board_nucleo_u575zi_q);
}

/* the image written at sector 0, as for swap-using-move: MCUboot refuses it */
static void test_wrong_upload_address(void **state)
{
	(void)state;
	struct orig o;

	orig_init(&o, &board_reel_board);
	assert_int_equal(timg_write(&o.r.pri, 1, OLD_BODY, 1), 0);
	assert_int_equal(timg_write(&o.r.sec, 2, NEW_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&o.r.sec, false), 0);
	assert_int_equal(boot_major(&o), 1);
	assert_true(rig_log_has(&o.r, "E: Secondary header magic detected in first sector, "
				      "wrong upload address?"));
	assert_true(rig_log_has(&o.r, "E: Image in the secondary slot is not valid!"));
	assert_int_equal(flash_area_is_erased(&o.r.sec, 0, o.r.sec.size), 1);
	rig_free(&o.r);
}

/* MCUboot's app_max_size(): primary sectors below its trailer, secondary's less one */
static uint32_t offset_app_max(const struct orig *o)
{
	struct boot_trailer_layout lp;
	struct boot_trailer_layout ls;
	uint32_t n_pri = o->r.pri.size / o->sz;
	uint32_t n_sec = o->r.sec.size / o->sz;
	uint32_t maxs = n_pri > n_sec ? n_pri : n_sec;

	assert_int_equal(boot_trailer_layout_init_mode(&lp, BOOT_MODE_SWAP_OFFSET, o->r.pri.size,
						       o->r.bp->flash.write_block, maxs),
			 0);
	assert_int_equal(boot_trailer_layout_init_mode(&ls, BOOT_MODE_SWAP_OFFSET, o->r.sec.size,
						       o->r.bp->flash.write_block, maxs),
			 0);
	uint32_t tp = (lp.trailer_sz + o->sz - 1u) / o->sz * o->sz;
	uint32_t ts = (ls.trailer_sz + o->sz - 1u) / o->sz * o->sz;
	uint32_t a = n_pri * o->sz - tp;
	uint32_t b = n_sec * o->sz - ts - o->sz;

	return a < b ? a : b;
}

/*
 * mcuboot#2214: an image using every sector it may must swap (the last
 * sector's index, not the count) and revert, and not touch the trailer;
 * one byte more is refused.
 */
static void flow_max_image(const struct board_profile *bp)
{
	struct orig o;

	orig_init(&o, bp);
	uint32_t max = offset_app_max(&o);
	uint32_t body = max - TIMG_HDR_SIZE - TIMG_TLV_SIZE;

	assert_int_equal(timg_write(&o.r.pri, 1, body, 1), 0);
	assert_int_equal(timg_write(&o.upd, 2, body, 2), 0);
	assert_int_equal(boot_request_upgrade(&o.upd, false), 0);
	assert_int_equal(boot_major(&o), 2);
	assert_false(rig_log_has(&o.r, "Not enough free space"));
	assert_int_equal(rig_version(&o.r.sec), 1);
	assert_int_equal(boot_major(&o), 1);
	assert_int_equal(rig_version(&o.upd), 2);
	assert_true(boot_is_confirmed(&o.r.pri));

	/* one byte more does not fit */
	assert_int_equal(timg_write(&o.upd, 3, body + 1u, 3), 0);
	assert_int_equal(boot_request_upgrade(&o.upd, false), 0);
	assert_int_equal(boot_major(&o), 1);
	assert_true(rig_log_has(&o.r, "W: Not enough free space to run swap upgrade"));
	assert_true(rig_log_has(&o.r, "E: Image in the secondary slot is not valid!"));
	rig_free(&o.r);
}

static void test_max_image_mcuboot_2214(void **state)
{
	(void)state;
	flow_max_image(&board_reel_board);
	flow_max_image(&board_nucleo_u575zi_q);
}

static void read_at(const struct flash_area *fa, uint32_t off, uint8_t *b, uint32_t n)
{
	assert_int_equal(flash_area_read(fa, off, b, n), 0);
}

static uint32_t le32_at(const struct flash_area *fa, uint32_t off)
{
	uint8_t b[4];

	read_at(fa, off, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/*
 * The primary trailer after a test swap, read with MCUboot's offsets
 * (bootutil_misc.h with MCUBOOT_SWAP_USING_OFFSET, computed here from S, A
 * and M alone): magic at S-16, image_ok ALIGN_DOWN(S-16-M, M), copy_done,
 * swap_info, unprotected TLV sizes, swap_size each M lower, status at
 * S - (MAXS*2*A + 5M + MA), element (k, s) at + (2k+s)*A holding s+1.
 */
static void flow_trailer_layout(const struct board_profile *bp)
{
	struct orig o;
	uint8_t b[16];

	orig_init(&o, bp);
	orig_upgrade_setup(&o, false);
	assert_int_equal(boot_major(&o), 2);

	uint32_t s = o.r.pri.size, a = bp->flash.write_block;
	uint32_t m = a > 8u ? a : 8u, ma = m <= 16u ? 16u : m;
	uint32_t maxs = o.r.sec.size / o.sz;
	uint32_t image_ok = ((s - 16u - m) / m) * m;
	uint32_t copy_done = image_ok - m, swap_info = copy_done - m;
	uint32_t tlv = swap_info - m, swap_size = tlv - m;
	uint32_t status = s - (maxs * 2u * a + 5u * m + ma);

	read_at(&o.r.pri, s - 16u, b, 16);
	assert_int_equal(b[2], m == 8u ? 0x95 : 0x2d); /* the magic (either form) */
	read_at(&o.r.pri, image_ok, b, 1);
	assert_int_equal(b[0], 0xff);
	read_at(&o.r.pri, copy_done, b, 1);
	assert_int_equal(b[0], 0x01);
	read_at(&o.r.pri, swap_info, b, 1);
	assert_int_equal(b[0], 0x02); /* image 0, test */
	assert_int_equal(le32_at(&o.r.pri, tlv), TIMG_TLV_SIZE << 16 | TIMG_TLV_SIZE);
	assert_int_equal(le32_at(&o.r.pri, swap_size), timg_total(NEW_BODY));

	uint32_t sectors = (timg_total(NEW_BODY) + o.sz - 1u) / o.sz;

	for (uint32_t e = 0; e < maxs * 2u; e++) {
		read_at(&o.r.pri, status + e * a, b, 1);
		assert_int_equal(b[0], e < 2u * sectors ? (uint8_t)(e % 2u + 1u) : 0xff);
	}
	/* the secondary's trailer sectors are erased */
	assert_int_equal(flash_area_is_erased(&o.r.sec, status / o.sz * o.sz,
					      o.r.sec.size - status / o.sz * o.sz),
			 1);
	rig_free(&o.r);
}

static void test_trailer_layout_mcuboot(void **state)
{
	(void)state;
	struct boot_trailer_layout l;

	/* reel_board: A=4, M=8, MA=16, 118 sectors: 118*2*4 + 5*8 + 16 */
	assert_int_equal(
		boot_trailer_layout_init_mode(&l, BOOT_MODE_SWAP_OFFSET, 0x76000u, 4u, 118u), 0);
	assert_int_equal(l.trailer_sz, 1000u);
	assert_int_equal(l.status_per_sector, 2u);
	assert_int_equal(l.unprot_tlv_off, 0x76000u - 48u);
	assert_int_equal(l.swap_size_off, 0x76000u - 56u);
	assert_int_equal(l.status_off, 0x76000u - 1000u);
	/* nucleo: A=M=MA=16: 116*2*16 + 5*16 + 16 */
	assert_int_equal(
		boot_trailer_layout_init_mode(&l, BOOT_MODE_SWAP_OFFSET, 0xE8000u, 16u, 116u), 0);
	assert_int_equal(l.trailer_sz, 3808u);
	assert_int_equal(l.unprot_tlv_off, 0xE8000u - 16u * 5u);
	/* swap-using-move keeps its layout and has no TLV sizes field */
	assert_int_equal(boot_trailer_layout_init_mode(&l, BOOT_MODE_SWAP_MOVE, 0x76000u, 4u, 118u),
			 0);
	assert_int_equal(l.trailer_sz, 118u * 3u * 4u + 4u * 8u + 16u);
	assert_int_equal(l.unprot_tlv_off, 0u);
	assert_int_equal(l.swap_size_off, 0x76000u - 48u);
	flow_trailer_layout(&board_reel_board);
	flow_trailer_layout(&board_nucleo_u575zi_q);
}

/*
 * MCUboot's own revert mark (its offset table's first row: secondary magic
 * good, image_ok unset, copy_done set), written here byte by byte over the
 * state a test swap leaves, is read as a revert.
 */
static void test_mcuboot_revert_mark(void **state)
{
	(void)state;
	struct orig o;
	uint8_t one[4] = {0x01, 0xff, 0xff, 0xff};

	orig_init(&o, &board_reel_board);
	orig_upgrade_setup(&o, false);
	assert_int_equal(boot_major(&o), 2);
	uint32_t s = o.r.sec.size;

	/* copy_done at ALIGN_DOWN(S-16-8, 8) - 8, then the magic */
	assert_int_equal(flash_area_write(&o.r.sec, s - 32u, one, 4), 0);
	assert_int_equal(boot_write_magic(&o.r.sec), 0);
	/* and the primary's trailer torn away, as by a cut while MCUboot re-inits it */
	assert_int_equal(flash_area_erase(&o.r.pri, (o.r.pri.size / o.sz - 1u) * o.sz, o.sz), 0);
	assert_int_equal(boot_major(&o), 1);
	assert_true(rig_log_has(&o.r, "Image index: 0, Swap type: revert"));
	assert_int_equal(rig_version(&o.upd), 2);
	rig_free(&o.r);
}

static void test_image_area_and_modes(void **state)
{
	(void)state;
	struct rig r;
	struct flash_area a;
	enum boot_mode m = BOOT_MODE_SWAP_MOVE;

	assert_int_equal(rig_init(&r, &board_reel_board), 0);
	assert_int_equal(boot_secondary_image_area(&r.sec, BOOT_MODE_SWAP_MOVE, &a), 0);
	assert_int_equal(a.off, r.sec.off);
	assert_int_equal(a.size, r.sec.size);
	assert_int_equal(boot_secondary_image_area(&r.sec, (enum boot_mode)9, &a), -EINVAL);
	assert_int_equal(boot_mode_parse("offset", &m), 0);
	assert_int_equal(m, BOOT_MODE_SWAP_OFFSET);
	assert_string_equal(boot_mode_name(BOOT_MODE_SWAP_OFFSET), "offset");
	/* downgrade prevention stays an overwrite-only option */
	r.cfg.mode = BOOT_MODE_SWAP_OFFSET;
	r.cfg.downgrade_prevention = true;
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	struct boot_result res;

	assert_int_equal(rig_boot(&r, &res), -EINVAL);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_test_then_revert),
		cmocka_unit_test(test_perm),
		cmocka_unit_test(test_leftover_header_mcuboot_2198),
		cmocka_unit_test(test_wrong_upload_address),
		cmocka_unit_test(test_max_image_mcuboot_2214),
		cmocka_unit_test(test_trailer_layout_mcuboot),
		cmocka_unit_test(test_mcuboot_revert_mark),
		cmocka_unit_test(test_image_area_and_modes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
