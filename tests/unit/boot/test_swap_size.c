/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How much a swap validates and how it sizes the primary: the secondary is
 * validated before a new swap and the primary before the jump, nothing else;
 * the primary's size for the swap comes from its header and TLV infos
 * (boot_read_image_size()), bounds-checked against the slot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rig.h"

#define OLD_BODY 5000u
#define NEW_BODY 9000u

/* --- boot_read_image_size() ---------------------------------------------- */

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

/* a header at 0 and TLV infos at hdr + img (+ prot), written to fa */
struct raw_img {
	uint32_t magic;
	uint32_t hdr;
	uint32_t prot;
	uint32_t img;
	uint16_t info_magic[2];
	uint32_t info_tot[2];
};

static void raw_write(const struct flash_area *fa, const struct raw_img *ri)
{
	uint8_t h[32];
	uint8_t info[4];
	uint32_t off = ri->hdr + ri->img;

	assert_int_equal(flash_area_erase(fa, 0, fa->size), 0);
	memset(h, 0, sizeof(h));
	put32(h, ri->magic);
	put16(h + 8, ri->hdr);
	put16(h + 10, ri->prot);
	put32(h + 12, ri->img);
	assert_int_equal(flash_area_write(fa, 0, h, sizeof(h)), 0);
	for (int i = 0;
	     i < 2 && ri->img < fa->size && ri->info_magic[i] != 0u && off + 4u <= fa->size; i++) {
		put16(info, ri->info_magic[i]);
		put16(info + 2, ri->info_tot[i]);
		assert_int_equal(flash_area_write(fa, off, info, sizeof(info)), 0);
		off += ri->info_tot[i];
	}
}

static int raw_size(struct rig *r, const struct raw_img *ri, uint32_t *size)
{
	raw_write(&r->sec, ri);
	*size = 0xdeadbeefu;
	return boot_read_image_size(&r->sec, size);
}

static void test_read_image_size(void **state)
{
	(void)state;
	struct rig r;
	uint32_t size = 0;
	struct boot_image_info info;
	const struct raw_img good = {0x96f3b83du, 0x200, 0, 0x1000, {0x6907, 0}, {0x150, 0}};
	struct raw_img ri = good;

	assert_int_equal(rig_init(&r, &board_reel_board), 0);
	assert_int_equal(boot_read_image_size(&r.sec, &size), -ENOENT);
	/* the size validation reports */
	assert_int_equal(timg_write(&r.sec, 2, NEW_BODY, 2), 0);
	assert_int_equal(boot_read_image_size(&r.sec, &size), 0);
	assert_int_equal(timg_validate(NULL, &r.sec, &info), 0);
	assert_int_equal(size, info.total_size);
	assert_int_equal(size, timg_total(NEW_BODY));

	assert_int_equal(raw_size(&r, &ri, &size), 0);
	assert_int_equal(size, 0x200 + 0x1000 + 0x150);
	/* protected area first, its length in the header */
	ri = (struct raw_img){0x96f3b83du, 0x200, 0x30, 0x1000, {0x6908, 0x6907}, {0x30, 0x150}};
	assert_int_equal(raw_size(&r, &ri, &size), 0);
	assert_int_equal(size, 0x200 + 0x1000 + 0x30 + 0x150);
	ri.prot = 0x34; /* header and protected info disagree */
	assert_int_equal(raw_size(&r, &ri, &size), -EBADMSG);
	ri.prot = 0; /* protected info the header does not announce */
	assert_int_equal(raw_size(&r, &ri, &size), -EBADMSG);
	ri = (struct raw_img){0x96f3b83du, 0x200, 0x30, 0x1000, {0x6907, 0}, {0x150, 0}};
	assert_int_equal(raw_size(&r, &ri, &size), -EBADMSG); /* announced, missing */

	ri = good;
	ri.magic = 0x96f3b83cu;
	assert_int_equal(raw_size(&r, &ri, &size), -EBADMSG);
	ri = good;
	ri.hdr = 0x1c;
	assert_int_equal(raw_size(&r, &ri, &size), -EBADMSG);
	ri = good;
	ri.info_magic[0] = 0x6906;
	assert_int_equal(raw_size(&r, &ri, &size), -EBADMSG);
	ri = good;
	ri.info_tot[0] = 3; /* shorter than the info itself */
	assert_int_equal(raw_size(&r, &ri, &size), -EBADMSG);
	ri = good;
	ri.img = 0xffffffffu; /* hdr + img wraps */
	assert_int_equal(raw_size(&r, &ri, &size), -EFBIG);
	ri = good;
	ri.img = r.sec.size - 0x100; /* header + body past the slot end */
	assert_int_equal(raw_size(&r, &ri, &size), -EFBIG);
	ri = good;
	ri.img = r.sec.size - 0x200; /* TLV info past the slot end */
	assert_int_equal(raw_size(&r, &ri, &size), -EFBIG);
	ri = good;
	ri.img = r.sec.size - 0x200 - 4u; /* TLV info in, its area past the end */
	assert_int_equal(raw_size(&r, &ri, &size), -EFBIG);
	ri.info_tot[0] = 4; /* ends exactly at the slot end */
	assert_int_equal(raw_size(&r, &ri, &size), 0);
	assert_int_equal(size, r.sec.size);

	/* a flash failure is -EIO, never "no image" */
	raw_write(&r.sec, &good);
	flash_sim_cut_at(&r.sim, flash_sim_ops(&r.sim), FLASH_SIM_TEAR_NOTHING);
	assert_int_not_equal(flash_area_erase(&r.pri, 0, 0x1000), 0);
	assert_int_equal(boot_read_image_size(&r.sec, &size), -EIO);
	rig_free(&r);
}

/* --- what boot_go() validates ---------------------------------------------- */

struct vcount {
	int n;
	const struct flash_area *slot[4];
};

static int count_validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	struct vcount *v = ctx;

	if (v->n < 4) {
		v->slot[v->n] = slot;
	}
	v->n++;
	return timg_validate(NULL, slot, out);
}

/* boot once; the slots validated, in order, must be `want` (NULL-terminated) */
static void boot_validating(struct rig *r, struct vcount *v, int swap_type,
			    const struct flash_area *w0, const struct flash_area *w1)
{
	struct boot_result res;

	memset(v, 0, sizeof(*v));
	assert_int_equal(rig_boot(r, &res), 0);
	assert_int_equal(res.swap_type, swap_type);
	assert_int_equal(v->n, w1 != NULL ? 2 : 1);
	assert_ptr_equal(v->slot[0], w0);
	if (w1 != NULL) {
		assert_ptr_equal(v->slot[1], w1);
	}
}

static void rig_counting(struct rig *r, struct vcount *v)
{
	assert_int_equal(rig_init(r, &board_reel_board), 0);
	r->cfg.validate = count_validate;
	r->cfg.validate_ctx = v;
}

static uint32_t swap_size_of(const struct rig *r)
{
	uint32_t sz = 0;

	assert_int_equal(boot_read_swap_size(&r->pri, &sz), 0);
	return sz;
}

static void test_validations(void **state)
{
	(void)state;
	struct rig r;
	struct vcount v;

	rig_counting(&r, &v);
	assert_int_equal(timg_write(&r.pri, 1, OLD_BODY, 1), 0);
	boot_validating(&r, &v, BOOT_SWAP_TYPE_NONE, &r.pri, NULL);
	assert_int_equal(timg_write(&r.sec, 2, NEW_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	/* test: the secondary before, the primary after the swap */
	boot_validating(&r, &v, BOOT_SWAP_TYPE_TEST, &r.sec, &r.pri);
	assert_int_equal(swap_size_of(&r), timg_total(NEW_BODY));
	/* revert: the larger primary's size is from its header */
	boot_validating(&r, &v, BOOT_SWAP_TYPE_REVERT, &r.sec, &r.pri);
	assert_int_equal(swap_size_of(&r), timg_total(NEW_BODY));
	assert_int_equal(rig_version(&r.pri), 1);
	assert_int_equal(rig_version(&r.sec), 2);
	boot_validating(&r, &v, BOOT_SWAP_TYPE_NONE, &r.pri, NULL);
	assert_int_equal(boot_request_upgrade(&r.sec, true), 0);
	boot_validating(&r, &v, BOOT_SWAP_TYPE_PERM, &r.sec, &r.pri);
	assert_int_equal(rig_version(&r.pri), 2);
	assert_int_equal(rig_version(&r.sec), 1);

	/* a resumed swap has its size in the trailer: the primary alone */
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	flash_sim_cut_at(&r.sim, flash_sim_ops(&r.sim) + 12u, FLASH_SIM_TEAR_PREFIX);
	struct boot_result res;
	assert_int_equal(rig_boot(&r, &res), -EIO);
	flash_sim_power_on(&r.sim);
	boot_validating(&r, &v, BOOT_SWAP_TYPE_TEST, &r.pri, NULL);
	assert_true(rig_log_has(&r, "I: Starting swap using move algorithm."));
	assert_int_equal(rig_version(&r.pri), 1);
	assert_int_equal(rig_version(&r.sec), 2);
	rig_free(&r);
}

static void test_primary_size_from_header(void **state)
{
	(void)state;
	struct rig r;
	struct vcount v;
	const uint32_t big = 3u * 4096u + 100u;
	uint8_t z[4] = {0, 0, 0, 0};

	/* a primary larger than the secondary is carried over whole */
	rig_counting(&r, &v);
	assert_int_equal(timg_write(&r.pri, 1, big, 1), 0);
	assert_int_equal(timg_write(&r.sec, 2, OLD_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, false), 0);
	boot_validating(&r, &v, BOOT_SWAP_TYPE_TEST, &r.sec, &r.pri);
	assert_int_equal(swap_size_of(&r), timg_total(big));
	boot_validating(&r, &v, BOOT_SWAP_TYPE_REVERT, &r.sec, &r.pri);
	assert_int_equal(rig_version(&r.pri), 1);
	assert_int_equal(rig_version(&r.sec), 2);

	/* an invalid body does not change the size its header gives */
	assert_int_equal(timg_write(&r.pri, 1, big, 1), 0);
	assert_int_equal(flash_area_write(&r.pri, 0x100, z, 4), 0);
	assert_int_equal(timg_write(&r.sec, 2, OLD_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, true), 0);
	boot_validating(&r, &v, BOOT_SWAP_TYPE_PERM, &r.sec, &r.pri);
	assert_int_equal(swap_size_of(&r), timg_total(big));
	assert_int_equal(rig_version(&r.pri), 2);

	/* a malformed TLV info: the secondary's size alone */
	assert_int_equal(timg_write(&r.pri, 1, big, 1), 0);
	assert_int_equal(flash_area_write(&r.pri, TIMG_HDR_SIZE + big, z, 4), 0);
	assert_int_equal(timg_write(&r.sec, 2, OLD_BODY, 2), 0);
	assert_int_equal(boot_request_upgrade(&r.sec, true), 0);
	boot_validating(&r, &v, BOOT_SWAP_TYPE_PERM, &r.sec, &r.pri);
	assert_int_equal(swap_size_of(&r), timg_total(OLD_BODY));
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_image_size),
		cmocka_unit_test(test_validations),
		cmocka_unit_test(test_primary_size_from_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
