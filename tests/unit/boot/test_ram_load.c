/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ram-load (BOOT_MODE_RAM_LOAD) boot flows: MCUboot's log lines, the highest
 * version from either slot is copied to RAM and validated there (a flash
 * change after the copy does not reach what runs), an invalid image is erased
 * and its copy zeroed, an image without RAM_LOAD or with a load address
 * outside the RAM is erased, ties go to the primary, no RAM region is an
 * error, the security counter is raised at once, and the mode's name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "seccnt_rig.h"

#define BODY       5000u
#define RAM_ADDR   0x20000000u
#define RAM_SIZE   0x8000u
#define F_RAM_LOAD 0x20u
#define TOTAL      (TIMG_HDR_SIZE + BODY + TIMG_TLV_SIZE)

struct ram_rig {
	struct seccnt_rig s;
	struct rig *r;
	uint8_t ram[RAM_SIZE];
	/* test hooks in validate */
	bool validated_flash; /* validate was handed the flash, not the copy */
	bool corrupt_flash;
	bool shrink_total;
};

static int hook_validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	struct ram_rig *t = ctx;

	t->validated_flash = slot->dev == &t->r->sim.dev;
	if (t->corrupt_flash) {
		/* after the copy the flash changes under the bootloader (external flash) */
		assert_int_equal(flash_area_erase(&t->r->sec, 0, t->r->sec.size), 0);
		assert_int_equal(flash_area_erase(&t->r->pri, 0, t->r->pri.size), 0);
	}
	int rc = timg_validate(NULL, slot, out);

	if (rc == 0 && t->shrink_total) {
		out->total_size -= 1u; /* the validator covered less than was copied */
	}
	return rc;
}

static void ram_init(struct ram_rig *t, const struct board_profile *bp)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(rig_init(&t->s.r, bp), 0);
	t->r = &t->s.r;
	t->r->cfg.mode = BOOT_MODE_RAM_LOAD;
	t->r->cfg.validate = hook_validate;
	t->r->cfg.validate_ctx = t;
	t->r->cfg.ram = (struct boot_ram){t->ram, RAM_ADDR, RAM_SIZE};
	memset(t->ram, 0xa5, sizeof(t->ram));
}

static void put_image(const struct flash_area *fa, uint8_t major, uint32_t load_addr)
{
	assert_int_equal(flash_area_erase(fa, 0, fa->size), 0);
	assert_int_equal(timg_write_flags(fa, major, BODY, major, F_RAM_LOAD, load_addr), 0);
}

static uint32_t boot_ops(struct rig *r, struct boot_result *res, int want_rc)
{
	flash_sim_reset_count(&r->sim);
	assert_int_equal(rig_boot(r, res), want_rc);
	return flash_sim_ops(&r->sim);
}

static void expect_log(const struct rig *r, const char *const *lines, int n)
{
	for (int i = 0; i < r->nlog; i++) {
		printf("    got: %s\n", r->log[i]);
	}
	assert_int_equal(r->nlog, n);
	for (int i = 0; i < n; i++) {
		assert_string_equal(r->log[i], lines[i]);
	}
}

/* res names the slot and load address, and the RAM holds that slot's image */
static void expect_loaded(struct ram_rig *t, const struct boot_result *res, uint32_t slot,
			  int major, uint32_t load_addr)
{
	static uint8_t want[TOTAL];
	const struct flash_area *fa = slot == 0u ? &t->r->pri : &t->r->sec;

	assert_int_equal(res->slot, slot);
	assert_int_equal(res->offset, fa->off);
	assert_int_equal(res->load_addr, load_addr);
	assert_int_equal(res->load_size, TOTAL);
	assert_int_equal(res->image.major, major);
	assert_int_equal(flash_area_read(fa, 0, want, sizeof(want)), 0);
	assert_memory_equal(t->ram + (load_addr - RAM_ADDR), want, sizeof(want));
	/* validated from RAM: the area validate got is not on the flash */
	assert_false(t->validated_flash);
}

static void test_higher_version_wins(void **state)
{
	(void)state;
	static struct ram_rig t;
	struct boot_result res;
	const char *const want[] = {
		"I: Starting bootloader",
		"I: Primary   slot: version=1.0.0+0",
		"I: Secondary slot: version=2.0.0+0",
		"I: Image 0 RAM loading to 0x20000100 is succeeded.",
		"I: Image 0 loaded from the secondary slot",
		"I: Bootloader chainload address offset: 0x20000100",
		"I: Image version: v2.0.0",
		"I: Jumping to the first image slot",
	};

	ram_init(&t, &board_reel_board);
	put_image(&t.r->pri, 1, RAM_ADDR);
	put_image(&t.r->sec, 2, RAM_ADDR + 0x100u);
	/* nothing is written to flash: no trailer in this mode */
	assert_int_equal(boot_ops(t.r, &res, 0), 0);
	expect_log(t.r, want, 8);
	expect_loaded(&t, &res, 1, 2, RAM_ADDR + 0x100u);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	/* and the same at every boot: no revert without MCUBOOT_RAM_LOAD_REVERT */
	assert_int_equal(boot_ops(t.r, &res, 0), 0);
	expect_loaded(&t, &res, 1, 2, RAM_ADDR + 0x100u);
	/* the next update goes to the primary */
	put_image(&t.r->pri, 3, RAM_ADDR);
	assert_int_equal(boot_ops(t.r, &res, 0), 0);
	expect_loaded(&t, &res, 0, 3, RAM_ADDR);
	rig_free(t.r);
}

static void test_validated_in_ram(void **state)
{
	(void)state;
	static struct ram_rig t;
	static uint8_t want[TOTAL];
	struct boot_result res;

	ram_init(&t, &board_nucleo_u575zi_q);
	put_image(&t.r->sec, 2, RAM_ADDR);
	assert_int_equal(flash_area_read(&t.r->sec, 0, want, sizeof(want)), 0);
	/* the flash is erased between the copy and the check: the copy still runs */
	t.corrupt_flash = true;
	boot_ops(t.r, &res, 0);
	assert_int_equal(res.slot, 1);
	assert_int_equal(res.image.major, 2);
	assert_memory_equal(t.ram, want, sizeof(want));
	rig_free(t.r);
}

static void test_invalid_erased_and_zeroed(void **state)
{
	(void)state;
	static struct ram_rig t;
	struct boot_result res;
	const uint8_t zero[16] = {0};
	const uint32_t at = RAM_ADDR + 0x2000u;

	ram_init(&t, &board_reel_board);
	put_image(&t.r->pri, 1, RAM_ADDR);
	put_image(&t.r->sec, 2, at);
	/* body bytes cleared: the size still reads, the image no longer validates */
	assert_int_equal(flash_area_write(&t.r->sec, 0x400, zero, flash_area_align(&t.r->sec)), 0);
	assert_int_not_equal(boot_ops(t.r, &res, 0), 0);
	assert_true(rig_log_has(t.r, "E: Image in the secondary slot is not valid!"));
	assert_true(rig_log_has(t.r, "I: Removing image 0 from SRAM at address 0x20002000"));
	expect_loaded(&t, &res, 0, 1, RAM_ADDR);
	assert_int_equal(flash_area_is_erased(&t.r->sec, 0, t.r->sec.size), 1);
	/* its copy was zeroed beyond what the primary's covers */
	for (uint32_t i = 0; i < TOTAL; i++) {
		assert_int_equal(t.ram[at - RAM_ADDR + i], 0);
	}
	rig_free(t.r);
}

static void test_refused_images_erased(void **state)
{
	(void)state;
	static struct ram_rig t;
	struct boot_result res;

	ram_init(&t, &board_reel_board);
	put_image(&t.r->pri, 1, RAM_ADDR);
	/* no RAM_LOAD flag (signed without imgtool --load-addr) */
	assert_int_equal(timg_write_flags(&t.r->sec, 2, BODY, 2, 0, RAM_ADDR), 0);
	boot_ops(t.r, &res, 0);
	assert_true(rig_log_has(t.r, "I: Removing image 0 slot 1 from flash"));
	expect_loaded(&t, &res, 0, 1, RAM_ADDR);
	assert_int_equal(flash_area_is_erased(&t.r->sec, 0, t.r->sec.size), 1);
	/* below the RAM, past its end, and wrapping around: refused before any copy */
	const uint32_t bad[] = {RAM_ADDR - 4u, RAM_ADDR + RAM_SIZE - TOTAL + 1u, 0xfffff000u,
				RAM_ADDR + RAM_SIZE + 0x100u};
	char line[96];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_image(&t.r->sec, 2, bad[i]);
		memset(t.ram, 0xa5, sizeof(t.ram));
		boot_ops(t.r, &res, 0);
		snprintf(line, sizeof(line), "I: Image 0 RAM load address 0x%x is invalid.",
			 (unsigned)bad[i]);
		assert_true(rig_log_has(t.r, line));
		assert_true(rig_log_has(t.r, "I: Removing image 0 slot 1 from flash"));
		expect_loaded(&t, &res, 0, 1, RAM_ADDR);
		assert_int_equal(flash_area_is_erased(&t.r->sec, 0, t.r->sec.size), 1);
	}
	/* the last byte of the RAM is still the RAM */
	put_image(&t.r->sec, 2, RAM_ADDR + RAM_SIZE - TOTAL);
	boot_ops(t.r, &res, 0);
	expect_loaded(&t, &res, 1, 2, RAM_ADDR + RAM_SIZE - TOTAL);
	rig_free(t.r);
}

static void test_unsized_removed(void **state)
{
	(void)state;
	static struct ram_rig t;
	struct boot_result res;
	struct flash_sector fs;

	ram_init(&t, &board_reel_board);
	put_image(&t.r->pri, 1, RAM_ADDR);
	put_image(&t.r->sec, 2, RAM_ADDR + 0x100u);
	/* the sector with the secondary's TLV info erased: no size, nothing copied */
	assert_int_equal(flash_area_sector_at(&t.r->sec, TOTAL - 1u, &fs), 0);
	assert_int_equal(flash_area_erase(&t.r->sec, fs.off, fs.size), 0);
	boot_ops(t.r, &res, 0);
	assert_true(rig_log_has(t.r, "I: Removing image 0 slot 1 from flash"));
	assert_false(rig_log_has(t.r, "RAM loading to 0x20000100"));
	expect_loaded(&t, &res, 0, 1, RAM_ADDR);
	assert_int_equal(flash_area_is_erased(&t.r->sec, 0, t.r->sec.size), 1);
	rig_free(t.r);
}

static void test_copy_must_match_check(void **state)
{
	(void)state;
	static struct ram_rig t;
	struct boot_result res;

	ram_init(&t, &board_reel_board);
	put_image(&t.r->sec, 2, RAM_ADDR);
	/* a validator that covered fewer bytes than were copied: refused */
	t.shrink_total = true;
	assert_int_not_equal(boot_ops(t.r, &res, -ENOENT), 0);
	assert_true(rig_log_has(t.r, "E: Image in the secondary slot is not valid!"));
	assert_true(rig_log_has(t.r, "I: No slot to load for image 0"));
	rig_free(t.r);
}

static void test_ties_and_nothing(void **state)
{
	(void)state;
	static struct ram_rig t;
	struct boot_result res;

	ram_init(&t, &board_nucleo_u575zi_q);
	put_image(&t.r->pri, 1, RAM_ADDR);
	put_image(&t.r->sec, 1, RAM_ADDR);
	boot_ops(t.r, &res, 0);
	expect_loaded(&t, &res, 0, 1, RAM_ADDR);
	assert_int_equal(flash_area_erase(&t.r->pri, 0, t.r->pri.size), 0);
	assert_int_equal(flash_area_erase(&t.r->sec, 0, t.r->sec.size), 0);
	assert_int_equal(boot_ops(t.r, &res, -ENOENT), 0);
	assert_true(rig_log_has(t.r, "I: Image 0 primary slot: image not found"));
	assert_true(rig_log_has(t.r, "I: No slot to load for image 0"));
	assert_true(rig_log_has(t.r, "E: Unable to find bootable image"));
	/* no RAM region given */
	t.r->cfg.ram = (struct boot_ram){NULL, 0, 0};
	assert_int_equal(boot_ops(t.r, &res, -EINVAL), 0);
	rig_free(t.r);
}

static void test_security_counter(void **state)
{
	(void)state;
	static struct ram_rig t;
	struct boot_result res;

	/* the rig with an OTP counter store (seccnt_rig.h) instead of ram_init()'s */
	memset(&t, 0, sizeof(t));
	assert_int_equal(seccnt_rig_init(&t.s, &board_reel_board), 0);
	t.r = &t.s.r;
	t.r->cfg.mode = BOOT_MODE_RAM_LOAD;
	t.r->cfg.ram = (struct boot_ram){t.ram, RAM_ADDR, RAM_SIZE};
	put_image(&t.r->pri, 1, RAM_ADDR);
	put_image(&t.r->sec, 3, RAM_ADDR);
	/* a trailer that would mean "may still be reverted" in the swap modes */
	assert_int_equal(boot_request_upgrade(&t.r->pri, false), 0);
	/* no revert in this mode: the counter is raised at the first boot */
	boot_ops(t.r, &res, 0);
	assert_int_equal(res.image.major, 3);
	assert_int_equal(seccnt_stored(&t.s), 3);
	/* an older image in the other slot is now refused, and erased */
	assert_int_equal(flash_area_erase(&t.r->sec, 0, t.r->sec.size), 0);
	boot_ops(t.r, &res, -ENOENT);
	assert_true(rig_log_has(t.r, "E: Image security counter value 1 lower than monotonic "
				     "value 3"));
	assert_int_equal(flash_area_is_erased(&t.r->pri, 0, t.r->pri.size), 1);
	rig_free(t.r);
}

static void test_mode_name(void **state)
{
	(void)state;
	enum boot_mode m = BOOT_MODE_SWAP_MOVE;

	assert_int_equal(boot_mode_parse("ram-load", &m), 0);
	assert_int_equal(m, BOOT_MODE_RAM_LOAD);
	assert_string_equal(boot_mode_name(BOOT_MODE_RAM_LOAD), "ram-load");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_higher_version_wins),
		cmocka_unit_test(test_validated_in_ram),
		cmocka_unit_test(test_invalid_erased_and_zeroed),
		cmocka_unit_test(test_refused_images_erased),
		cmocka_unit_test(test_unsized_removed),
		cmocka_unit_test(test_copy_must_match_check),
		cmocka_unit_test(test_ties_and_nothing),
		cmocka_unit_test(test_security_counter),
		cmocka_unit_test(test_mode_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
