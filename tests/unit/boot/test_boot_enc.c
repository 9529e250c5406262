/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the encrypted swap (swap-using-move) with the test cipher of
 * test_image_enc.h: the trailer's key fields, decryption into the primary,
 * re-encryption on the way back, a tampered update refused before anything
 * moves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rig.h"
#include "test_image_enc.h"

#define OLD_BODY 5003u /* not a multiple of 16: the body ends mid-block */
#define NEW_BODY 9001u

/* --- trailer layout with the key fields (MCUboot bootutil_area.c, bootutil_misc.c) ------- */

static void test_layout_enc(void **state)
{
	(void)state;
	struct boot_trailer_layout l;

	/* reel_board: A = 4, M = 8, 118 sectors, AES-128: KA = 16 */
	assert_int_equal(boot_trailer_layout_init_enc(&l, BOOT_MODE_SWAP_MOVE, 0x76000, 4, 118, 16),
			 0);
	assert_int_equal(l.swap_size_off, 0x76000 - 48);
	assert_int_equal(l.enc_key_sz, 16);
	assert_int_equal(l.enc_key_off[0], 0x76000 - 48 - 16);
	assert_int_equal(l.enc_key_off[1], 0x76000 - 48 - 32);
	/* BOOT_STATUS_MAX_ENTRIES * 3 * A + 2 * KA + 4 * M + MA */
	assert_int_equal(l.trailer_sz, 118 * 3 * 4 + 2 * 16 + 4 * 8 + 16);
	assert_int_equal(l.status_off + 118 * 3 * 4, l.enc_key_off[1]);
	/* AES-256: KA = 32 */
	assert_int_equal(boot_trailer_layout_init_enc(&l, BOOT_MODE_SWAP_MOVE, 0x76000, 4, 118, 32),
			 0);
	assert_int_equal(l.enc_key_off[0], 0x76000 - 48 - 32);
	assert_int_equal(l.enc_key_off[1], 0x76000 - 48 - 64);
	assert_int_equal(l.trailer_sz, 1464 + 64);
	/* STM32U5: A = M = 16, AES-128: KA = 16, AES-256: 32 */
	assert_int_equal(
		boot_trailer_layout_init_enc(&l, BOOT_MODE_SWAP_MOVE, 0xE8000, 16, 116, 32), 0);
	assert_int_equal(l.swap_size_off, 0xE8000 - 80);
	assert_int_equal(l.enc_key_off[0], 0xE8000 - 112);
	assert_int_equal(l.enc_key_off[1], 0xE8000 - 144);
	assert_int_equal(l.trailer_sz, 116 * 3 * 16 + 2 * 32 + 80);
	/* M = 32: a 16-byte key takes a 32-byte field */
	assert_int_equal(boot_trailer_layout_init_enc(&l, BOOT_MODE_SWAP_MOVE, 0x10000, 32, 0, 16),
			 0);
	assert_int_equal(l.enc_key_sz, 32);
	assert_int_equal(l.enc_key_off[0], 0x10000 - 160 - 32);
	/* the fields the application writes do not move */
	assert_int_equal(l.image_ok_off, 0x10000 - 64);
	/* without keys: the plain layout; key fields only in swap-using-move */
	assert_int_equal(boot_trailer_layout_init_enc(&l, BOOT_MODE_SWAP_MOVE, 0x76000, 4, 118, 0),
			 0);
	assert_int_equal(l.trailer_sz, 1464);
	assert_int_equal(l.enc_key_sz, 0);
	assert_int_equal(
		boot_trailer_layout_init_enc(&l, BOOT_MODE_SWAP_OFFSET, 0x76000, 4, 118, 16),
		-EINVAL);
	assert_int_equal(boot_trailer_layout_init_enc(&l, BOOT_MODE_SWAP_MOVE, 0x76000, 4, 118, 24),
			 -EINVAL);
}

/* --- swaps -------------------------------------------------------------------------- */

static void rig_enc(struct rig *r, const struct board_profile *bp)
{
	assert_int_equal(rig_init(r, bp), 0);
	r->cfg.enc = tenc_boot_enc();
	r->cfg.validate = tenc_validate;
	r->cfg.validate_ctx = &r->sec;
}

/* major version of a valid image (decrypted if at rest in the secondary), 0 none, -1 bad */
static int enc_version(const struct rig *r, const struct flash_area *fa)
{
	struct boot_image_info info;
	int rc = tenc_validate((void *)&r->sec, fa, &info);

	return rc == -ENOENT ? 0 : rc == 0 ? info.major : -1;
}

static uint8_t *snapshot(const struct flash_area *fa, uint32_t len)
{
	uint8_t *p = malloc(len);

	assert_non_null(p);
	assert_int_equal(flash_area_read(fa, 0, p, len), 0);
	return p;
}

static void assert_same(const struct flash_area *fa, const uint8_t *want, uint32_t len)
{
	uint8_t *now = snapshot(fa, len);

	assert_memory_equal(now, want, len);
	free(now);
}

/*
 * Old image in the primary as plaintext with the ENCRYPTED flag (imgtool
 * --clear), the update encrypted in the secondary: the test swap decrypts it
 * into the primary and encrypts the old one on its way to the secondary; the
 * revert restores the update in the secondary byte for byte.
 */
static void swap_revert(const struct board_profile *bp, uint32_t old_body, uint32_t new_body)
{
	struct rig r;
	struct boot_result res;

	rig_enc(&r, bp);
	uint32_t sector = bp->flash.sector_size;
	uint32_t keep = r.sec.size - sector; /* all but the trailer's sector */

	assert_int_equal(tenc_write(&r.pri, 1, old_body, 11, true, false), 0);
	assert_int_equal(tenc_write(&r.sec, 2, new_body, 22, true, true), 0);
	uint8_t *update = snapshot(&r.sec, keep);
	uint8_t *old = snapshot(&r.pri, keep);

	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_TEST);
	assert_int_equal(res.image.major, 2);
	/* plaintext in the primary: it validates as stored; the old one encrypted */
	assert_int_equal(enc_version(&r, &r.pri), 2);
	assert_int_equal(enc_version(&r, &r.sec), 1);
	uint8_t *moved = snapshot(&r.sec, keep);

	assert_memory_not_equal(moved, old, tenc_total(old_body));
	free(moved);

	/* not confirmed: the revert */
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_REVERT);
	assert_int_equal(res.image.major, 1);
	assert_same(&r.sec, update, keep);
	assert_same(&r.pri, old, tenc_total(old_body));
	/* and it stays */
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	free(update);
	free(old);
	rig_free(&r);
}

static void test_swap_revert_reel(void **state)
{
	(void)state;
	swap_revert(&board_reel_board, OLD_BODY, NEW_BODY);
	swap_revert(&board_reel_board, NEW_BODY, OLD_BODY); /* the old image is the larger */
}

static void test_swap_revert_u575(void **state)
{
	(void)state;
	swap_revert(&board_nucleo_u575zi_q, OLD_BODY, NEW_BODY);
	swap_revert(&board_nucleo_u575zi_q, 40000u, 17u);
}

/* A plain old image (no flag) moves back as it is; the update still decrypts. */
static void test_plain_primary(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;

	rig_enc(&r, &board_reel_board);
	assert_int_equal(tenc_write(&r.pri, 1, OLD_BODY, 11, false, false), 0);
	assert_int_equal(tenc_write(&r.sec, 2, NEW_BODY, 22, true, true), 0);
	uint8_t *old = snapshot(&r.pri, tenc_total(OLD_BODY));

	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(enc_version(&r, &r.pri), 2);
	assert_same(&r.sec, old, tenc_total(OLD_BODY));
	assert_int_equal(boot_confirm(&r.pri), 0);
	assert_int_equal(rig_boot(&r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_int_equal(res.image.major, 2);
	free(old);
	rig_free(&r);
}

/* A tampered update is refused before anything moves: the primary is untouched. */
static void test_tampered_refused(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;

	rig_enc(&r, &board_nucleo_u575zi_q);
	assert_int_equal(tenc_write(&r.pri, 1, OLD_BODY, 11, true, false), 0);
	assert_int_equal(tenc_write(&r.sec, 2, NEW_BODY, 22, true, true), 0);
	/* one ciphertext bit flipped in the chip's memory */
	r.mem[r.sec.off + TENC_HDR_SIZE + 100u] ^= 0x01u;
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	uint8_t *pri = snapshot(&r.pri, r.pri.size);

	assert_int_equal(rig_boot(&r, &res), 0);
	assert_true(rig_log_has(&r, "E: Image in the secondary slot is not valid!"));
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_int_equal(res.image.major, 1);
	assert_same(&r.pri, pri, r.pri.size);
	assert_int_equal(enc_version(&r, &r.sec), 0);
	free(pri);
	rig_free(&r);
}

/* Encrypted images are swap-using-move's only. */
static void test_other_modes_refused(void **state)
{
	(void)state;
	struct rig r;
	struct boot_result res;

	rig_enc(&r, &board_reel_board);
	assert_int_equal(tenc_write(&r.pri, 1, OLD_BODY, 11, true, false), 0);
	r.cfg.mode = BOOT_MODE_SWAP_OFFSET;
	assert_int_equal(rig_boot(&r, &res), -ENOTSUP);
	r.cfg.mode = BOOT_MODE_OVERWRITE_ONLY;
	assert_int_equal(rig_boot(&r, &res), -ENOTSUP);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_enc),       cmocka_unit_test(test_swap_revert_reel),
		cmocka_unit_test(test_swap_revert_u575), cmocka_unit_test(test_plain_primary),
		cmocka_unit_test(test_tampered_refused), cmocka_unit_test(test_other_modes_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
