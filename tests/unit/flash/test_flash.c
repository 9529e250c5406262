/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: flash geometry, areas, simulated NOR rules, power cuts, file backing. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <dfukit/board_profile.h>
#include <dfukit/flash.h>
#include <dfukit/host/flash_file.h>

#define SIZE 0x4000u

static const struct flash_geometry uni = {
	.size = SIZE,
	.write_block = 4,
	.erased_val = 0xFF,
	.sector_size = 0x1000,
};

struct fx {
	struct flash_sim sim;
	uint8_t mem[SIZE];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(flash_sim_init(&f->sim, &uni, f->mem, sizeof(f->mem), 0), 0);
	flash_sim_format(&f->sim);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_geometry(void **state)
{
	(void)state;
	static const struct flash_region regs[] = {
		{0x0000, 0x4000, 4},   /* 4 x 16 KiB */
		{0x10000, 0x10000, 1}, /* 1 x 64 KiB */
		{0x20000, 0x20000, 3}, /* 3 x 128 KiB (STM32F4-like) */
	};
	struct flash_geometry g = {
		.size = 0x80000,
		.write_block = 1,
		.erased_val = 0xFF,
		.regions = regs,
		.region_count = 3,
	};
	struct flash_sector s;

	assert_int_equal(flash_geometry_check(&g), 0);
	assert_int_equal(flash_sector_count(&g), 8);
	assert_int_equal(flash_sector_at(&g, 0x12345, &s), 0);
	assert_int_equal(s.off, 0x10000);
	assert_int_equal(s.size, 0x10000);
	assert_int_equal(flash_sector_at(&g, 0x7FFFF, &s), 0);
	assert_int_equal(s.off, 0x60000);
	assert_int_equal(flash_sector_get(&g, 5, &s), 0);
	assert_int_equal(s.off, 0x20000);
	assert_int_equal(flash_sector_get(&g, 8, &s), -EINVAL);
	assert_int_equal(flash_sector_at(&g, 0x80000, &s), -EINVAL);

	g.size = 0x90000; /* regions do not cover the size */
	assert_int_equal(flash_geometry_check(&g), -EINVAL);
	struct flash_geometry bad = uni;
	bad.write_block = 3;
	assert_int_equal(flash_geometry_check(&bad), -EINVAL);
	bad = uni;
	bad.sector_size = 0x1800; /* does not divide size */
	assert_int_equal(flash_geometry_check(&bad), -EINVAL);

	assert_int_equal(flash_sector_count(&uni), 4);
	assert_int_equal(flash_sector_at(&uni, 0x1FFF, &s), 0);
	assert_int_equal(s.off, 0x1000);
}

static void test_nor_rules(void **state)
{
	struct fx *f = *state;
	const struct flash_dev *d = &f->sim.dev;
	uint8_t a[8] = {0xF0, 0x0F, 0x55, 0xAA, 1, 2, 3, 4};
	uint8_t b[8];

	assert_int_equal(flash_dev_write(d, 0x100, a, 8), 0);
	assert_int_equal(flash_dev_read(d, 0x100, b, 8), 0);
	assert_memory_equal(a, b, 8);
	/* same data again: no 0->1 transition, allowed */
	assert_int_equal(flash_dev_write(d, 0x100, a, 8), 0);
	/* clearing more bits is allowed */
	uint8_t c[4] = {0x00, 0x0F, 0x55, 0xAA};
	assert_int_equal(flash_dev_write(d, 0x100, c, 4), 0);
	/* a 1 over a 0 is -EIO and changes nothing */
	uint8_t one[4] = {0xFF, 0xFF, 0xFF, 0xFF};
	one[0] = 0x01;
	assert_int_equal(flash_dev_write(d, 0x100, one, 4), -EIO);
	assert_int_equal(flash_dev_read(d, 0x100, b, 4), 0);
	assert_memory_equal(b, c, 4);
	/* erase restores */
	assert_int_equal(flash_dev_erase(d, 0, 0x1000), 0);
	assert_int_equal(flash_dev_read(d, 0x100, b, 8), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(b[i], 0xFF);
	}
	assert_int_equal(f->sim.writes, 3);
	assert_int_equal(f->sim.erases, 1);
	assert_int_equal(flash_sim_ops(&f->sim), 4);
}

static void test_alignment_bounds(void **state)
{
	struct fx *f = *state;
	const struct flash_dev *d = &f->sim.dev;
	uint8_t buf[16] = {0};

	assert_int_equal(flash_dev_write(d, 2, buf, 4), -EINVAL);
	assert_int_equal(flash_dev_write(d, 0, buf, 6), -EINVAL);
	assert_int_equal(flash_dev_write(d, SIZE - 4, buf, 8), -EINVAL);
	assert_int_equal(flash_dev_write(d, UINT32_MAX - 3, buf, 8), -EINVAL);
	assert_int_equal(flash_dev_read(d, SIZE, buf, 1), -EINVAL);
	assert_int_equal(flash_dev_read(d, SIZE - 1, buf, 1), 0);
	assert_int_equal(flash_dev_erase(d, 0x800, 0x1000), -EINVAL);
	assert_int_equal(flash_dev_erase(d, 0x1000, 0x800), -EINVAL);
	assert_int_equal(flash_dev_erase(d, 0x1000, 0x3000), 0);
	assert_int_equal(flash_dev_erase(d, 0x1000, 0x4000), -EINVAL);
	/* rejected requests are not counted */
	assert_int_equal(flash_sim_ops(&f->sim), 1);
	/* the driver itself also refuses bad requests */
	assert_int_equal(f->sim.dev.ops->write(f->sim.dev.ctx, 1, buf, 4), -EINVAL);
	assert_int_equal(f->sim.dev.ops->erase(f->sim.dev.ctx, 4, 0x1000), -EINVAL);
}

static void test_area(void **state)
{
	struct fx *f = *state;
	struct flash_area fa;
	struct flash_sector s;
	uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	assert_int_equal(flash_area_init(&fa, &f->sim.dev, 0x800, 0x1000), -EINVAL);
	assert_int_equal(flash_area_init(&fa, &f->sim.dev, 0x1000, 0x4000), -EINVAL);
	assert_int_equal(flash_area_init(&fa, &f->sim.dev, 0x1000, 0x2000), 0);
	assert_int_equal(flash_area_sector_count(&fa), 2);
	assert_int_equal(flash_area_sector_get(&fa, 1, &s), 0);
	assert_int_equal(s.off, 0x1000);
	assert_int_equal(flash_area_sector_at(&fa, 0x1FFF, &s), 0);
	assert_int_equal(s.off, 0x1000);
	assert_int_equal(flash_area_sector_at(&fa, 0x2000, &s), -EINVAL);
	assert_int_equal(flash_area_write(&fa, 0x1FF8, buf, 8), 0);
	assert_int_equal(f->mem[0x2FF8], 1);
	assert_int_equal(flash_area_write(&fa, 0x1FFC, buf, 8), -EINVAL);
	assert_int_equal(flash_area_erase(&fa, 0x1000, 0x2000), -EINVAL);
	assert_int_equal(flash_area_is_erased(&fa, 0, 0x1000), 1);
	assert_int_equal(flash_area_is_erased(&fa, 0x1000, 0x1000), 0);
	assert_int_equal(flash_area_erase(&fa, 0x1000, 0x1000), 0);
	assert_int_equal(flash_area_is_erased(&fa, 0, 0x2000), 1);
	assert_int_equal(flash_area_align(&fa), 4);
	assert_int_equal(flash_area_erased_val(&fa), 0xFF);

	/* copy between areas */
	struct flash_area fb;
	uint8_t tmp[12];
	assert_int_equal(flash_area_init(&fb, &f->sim.dev, 0x3000, 0x1000), 0);
	assert_int_equal(flash_area_write(&fa, 0, buf, 8), 0);
	assert_int_equal(flash_area_copy(&fb, 0x10, &fa, 0, 8, tmp, sizeof(tmp)), 0);
	assert_memory_equal(&f->mem[0x3010], buf, 8);
}

static void test_write_once(void **state)
{
	(void)state;
	static uint8_t mem[0x4000];
	struct flash_sim sim;
	struct flash_geometry g = uni;
	uint8_t q[16];

	g.write_block = 16;
	assert_int_equal(flash_sim_init(&sim, &g, mem, sizeof(mem), FLASH_SIM_F_WRITE_ONCE), 0);
	flash_sim_format(&sim);
	memset(q, 0xFF, sizeof(q));
	q[0] = 0x01;
	assert_int_equal(flash_dev_write(&sim.dev, 0, q, 16), 0);
	/* same quad-word again, even only clearing bits: rejected */
	q[1] = 0x00;
	assert_int_equal(flash_dev_write(&sim.dev, 0, q, 16), -EIO);
	assert_int_equal(flash_dev_write(&sim.dev, 8, q, 16), -EINVAL);
	assert_int_equal(flash_dev_write(&sim.dev, 16, q, 16), 0);
}

static void test_cut_write_prefix(void **state)
{
	struct fx *f = *state;
	const struct flash_dev *d = &f->sim.dev;
	uint8_t data[32];
	uint8_t b[32];

	memset(data, 0x00, sizeof(data));
	assert_int_equal(flash_dev_write(d, 0, data, 4), 0); /* op 0 */
	flash_sim_cut_at(&f->sim, 1, FLASH_SIM_TEAR_PREFIX);
	assert_int_equal(flash_dev_write(d, 0x40, data, 32), -EIO); /* op 1 tears */
	assert_true(flash_sim_is_off(&f->sim));
	/* half of 8 blocks = 4 blocks = 16 bytes landed */
	for (int i = 0; i < 32; i++) {
		assert_int_equal(f->mem[0x40 + i], i < 16 ? 0x00 : 0xFF);
	}
	/* everything fails until power returns */
	assert_int_equal(flash_dev_read(d, 0, b, 4), -EIO);
	assert_int_equal(flash_dev_write(d, 0x100, data, 4), -EIO);
	assert_int_equal(flash_dev_erase(d, 0x1000, 0x1000), -EIO);
	flash_sim_power_on(&f->sim);
	assert_int_equal(flash_dev_read(d, 0x40, b, 32), 0);
	assert_int_equal(b[15], 0x00);
	assert_int_equal(b[16], 0xFF);
	assert_int_equal(flash_dev_write(d, 0x100, data, 4), 0);
	/* a one-block write tears to nothing in prefix mode */
	flash_sim_cut_at(&f->sim, flash_sim_ops(&f->sim), FLASH_SIM_TEAR_PREFIX);
	assert_int_equal(flash_dev_write(d, 0x200, data, 4), -EIO);
	assert_int_equal(f->mem[0x200], 0xFF);
}

static void test_cut_write_bits(void **state)
{
	struct fx *f = *state;
	uint8_t data[4] = {0x00, 0x01, 0xF0, 0x0F};

	flash_sim_cut_at(&f->sim, 0, FLASH_SIM_TEAR_BITS);
	assert_int_equal(flash_dev_write(&f->sim.dev, 0, data, 4), -EIO);
	assert_int_equal(f->mem[0], 0x55);
	assert_int_equal(f->mem[1], 0x55);
	assert_int_equal(f->mem[2], 0xF5);
	assert_int_equal(f->mem[3], 0x5F);
}

static void test_cut_erase(void **state)
{
	struct fx *f = *state;
	const struct flash_dev *d = &f->sim.dev;
	uint8_t z[4] = {0};

	for (uint32_t o = 0; o < 0x1000; o += 4) {
		assert_int_equal(flash_dev_write(d, o, z, 4), 0);
	}
	uint32_t n = flash_sim_ops(&f->sim);

	flash_sim_cut_at(&f->sim, n, FLASH_SIM_TEAR_PREFIX);
	assert_int_equal(flash_dev_erase(d, 0, 0x1000), -EIO);
	assert_int_equal(f->mem[0], 0xFF);
	assert_int_equal(f->mem[0x7FF], 0xFF);
	assert_int_equal(f->mem[0x800], 0x00);
	flash_sim_power_on(&f->sim);
	flash_sim_cut_at(&f->sim, flash_sim_ops(&f->sim), FLASH_SIM_TEAR_BITS);
	assert_int_equal(flash_dev_erase(d, 0, 0x1000), -EIO);
	assert_int_equal(f->mem[0x800], 0x5A);
	assert_int_equal(f->mem[0], 0xFF);
	flash_sim_power_on(&f->sim);
	flash_sim_cut_at(&f->sim, flash_sim_ops(&f->sim), FLASH_SIM_TEAR_NOTHING);
	assert_int_equal(flash_dev_erase(d, 0, 0x1000), -EIO);
	assert_int_equal(f->mem[0x800], 0x5A);
	flash_sim_power_on(&f->sim);
	assert_int_equal(flash_dev_erase(d, 0, 0x1000), 0);
	assert_int_equal(f->mem[0x800], 0xFF);
}

static void count_delay(void *ctx, uint32_t us)
{
	*(uint64_t *)ctx += us;
}

static void test_timing(void **state)
{
	struct fx *f = *state;
	struct flash_sim_timing t = {.erase_us = 85000, .write_us = 41};
	uint64_t slept = 0;
	uint8_t z[64] = {0};

	flash_sim_set_timing(&f->sim, &t, count_delay, &slept);
	assert_int_equal(flash_dev_erase(&f->sim.dev, 0, 0x2000), 0);
	assert_int_equal(flash_dev_write(&f->sim.dev, 0, z, 64), 0);
	assert_int_equal(f->sim.sim_us, 2 * 85000 + 16 * 41);
	assert_int_equal(slept, f->sim.sim_us);
}

static void test_boards(void **state)
{
	(void)state;
	const struct board_profile *r = board_profile_find("reel_board");
	const struct board_profile *n = board_profile_find("nucleo_u575zi_q/stm32u575xx");

	assert_ptr_equal(r, &board_reel_board);
	assert_ptr_equal(n, &board_nucleo_u575zi_q);
	assert_null(board_profile_find("nope"));
	for (size_t i = 0; board_profiles[i] != NULL; i++) {
		const struct board_profile *bp = board_profiles[i];
		struct flash_sector s;

		assert_int_equal(flash_geometry_check(&bp->flash), 0);
		/* partitions in order, sector aligned, inside the flash */
		assert_int_equal(bp->boot.off + bp->boot.size, bp->slot0.off);
		assert_int_equal(bp->slot0.off + bp->slot0.size, bp->slot1.off);
		assert_int_equal(bp->slot0.size, bp->slot1.size);
		assert_true(bp->slot1.off + bp->slot1.size <= bp->flash.size);
		assert_int_equal(flash_sector_at(&bp->flash, bp->slot1.off, &s), 0);
		assert_int_equal(s.off, bp->slot1.off);
		assert_int_equal(bp->chainload_offset, bp->slot0.off);
	}
	assert_int_equal(r->slot0.size / r->flash.sector_size, 118);
	assert_int_equal(n->slot0.size / n->flash.sector_size, 116);
	assert_int_equal(r->storage.off + r->storage.size, r->flash.size);
}

static void test_file_persistence(void **state)
{
	(void)state;
	char path[] = "/tmp/dfukit_flash_test_XXXXXX";
	int fd = mkstemp(path);
	struct flash_file ff;
	uint8_t data[16];
	uint8_t b[16];

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(flash_file_open(&ff, path, &board_reel_board.flash, 0), 0);
	/* new file reads erased */
	assert_int_equal(flash_dev_read(&ff.sim.dev, 0xFFFF0, b, 16), 0);
	for (int i = 0; i < 16; i++) {
		assert_int_equal(b[i], 0xFF);
		data[i] = (uint8_t)i;
	}
	assert_int_equal(flash_dev_write(&ff.sim.dev, 0x82000, data, 16), 0);
	assert_int_equal(flash_file_close(&ff), 0);

	assert_int_equal(flash_file_open(&ff, path, &board_reel_board.flash, 0), 0);
	assert_int_equal(flash_dev_read(&ff.sim.dev, 0x82000, b, 16), 0);
	assert_memory_equal(b, data, 16);
	/* NOR rules still apply to the file */
	data[0] = 0xFF;
	data[1] = 0xFF;
	assert_int_equal(flash_dev_write(&ff.sim.dev, 0x82000, data, 16), -EIO);
	assert_int_equal(flash_dev_erase(&ff.sim.dev, 0x82000, 0x1000), 0);
	assert_int_equal(flash_file_close(&ff), 0);
	assert_int_equal(flash_file_open(&ff, path, &board_reel_board.flash, 0), 0);
	assert_int_equal(flash_dev_read(&ff.sim.dev, 0x82000, b, 16), 0);
	assert_int_equal(b[5], 0xFF);
	assert_int_equal(flash_file_close(&ff), 0);
	/* a file larger than the geometry is refused */
	assert_int_equal(flash_file_open(&ff, path, &uni, 0), -EINVAL);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test_setup_teardown(test_nor_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alignment_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_area, setup, teardown),
		cmocka_unit_test(test_write_once),
		cmocka_unit_test_setup_teardown(test_cut_write_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_write_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_erase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timing, setup, teardown),
		cmocka_unit_test(test_boards),
		cmocka_unit_test(test_file_persistence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
