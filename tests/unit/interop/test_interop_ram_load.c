/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interop with MCUboot's imgtool in ram-load mode: images signed by the real
 * imgtool with --load-addr (flag RAM_LOAD, the address in the header) are
 * copied to the executable RAM at that address and validated there, the
 * newer one from either slot, with MCUboot's log lines; an image signed for
 * an address below the executable RAM, and one signed without --load-addr,
 * are refused and removed from flash. Fixtures: README.vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_boot.h"

#define RAM_ADDR 0x20010000u
#define RAM_SIZE 0x20000u

static uint8_t ram[RAM_SIZE];

static void rig_init(struct interop_rig *r)
{
	interop_rig_init(r, 4096, 4);
	r->cfg.mode = BOOT_MODE_RAM_LOAD;
	r->cfg.ram = (struct boot_ram){ram, RAM_ADDR, RAM_SIZE};
	memset(ram, 0, sizeof(ram));
}

static void test_imgtool_load_addr_copied_and_run(void **state)
{
	(void)state;
	static struct interop_rig r;
	struct boot_result res;
	size_t len = 0;

	rig_init(&r);
	free(interop_program(&r, &r.primary, "images/ecdsa-p256-z70000-v1.0.0-ramload.bin", &len));
	uint8_t *v2 = interop_program(&r, &r.secondary,
				      "images/ecdsa-p256-z70000-v2.0.0-ramload.bin", &len);
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_true(interop_has_line(&r, "I: Secondary slot: version=2.0.0+0"));
	assert_true(interop_has_line(&r, "I: Image 0 RAM loading to 0x20010000 is succeeded."));
	assert_true(interop_has_line(&r, "I: Image 0 loaded from the secondary slot"));
	assert_true(interop_has_line(&r, "I: Bootloader chainload address offset: 0x20010000"));
	assert_int_equal(res.slot, 1);
	assert_int_equal(res.image.major, 2);
	assert_int_equal(res.load_addr, RAM_ADDR);
	/* the whole image, as imgtool wrote it, is what lies in RAM */
	assert_int_equal(res.load_size, len);
	assert_memory_equal(ram, v2, len);
	free(v2);
	interop_rig_free(&r);
}

static void test_imgtool_refused_images_removed(void **state)
{
	(void)state;
	static struct interop_rig r;
	struct boot_result res;
	size_t len = 0;

	rig_init(&r);
	free(interop_program(&r, &r.primary, "images/ecdsa-p256-z70000-v1.0.0-ramload.bin", &len));
	/* --load-addr 0x20000000: below the executable RAM */
	free(interop_program(&r, &r.secondary, "images/ecdsa-p256-z70000-v3.0.0-ramload-lowram.bin",
			     &len));
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_true(interop_has_line(&r, "I: Image 0 RAM load address 0x20000000 is invalid."));
	assert_true(interop_has_line(&r, "I: Removing image 0 slot 1 from flash"));
	assert_int_equal(res.slot, 0);
	assert_int_equal(res.image.major, 1);
	assert_int_equal(flash_area_is_erased(&r.secondary, 0, INTEROP_SLOT_SIZE), 1);
	/* no --load-addr (v1.2.3+4): not for RAM loading, removed too */
	free(interop_program(&r, &r.secondary, "images/ecdsa-p256-z70000.bin", &len));
	assert_int_equal(interop_boot(&r, &res), 0);
	assert_true(interop_has_line(
		&r, "W: Image 0 is not built for RAM loading (imgtool --load-addr)"));
	assert_false(interop_has_line(&r, "I: Image 0 RAM load address 0x0 is invalid."));
	assert_true(interop_has_line(&r, "I: Removing image 0 slot 1 from flash"));
	assert_int_equal(res.slot, 0);
	assert_int_equal(flash_area_is_erased(&r.secondary, 0, INTEROP_SLOT_SIZE), 1);
	interop_rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imgtool_load_addr_copied_and_run),
		cmocka_unit_test(test_imgtool_refused_images_removed),
	};
	return cmocka_run_group_tests_name("interop-ram-load", tests, NULL, NULL);
}
