/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Swap cost per board profile: a 256 KiB image test-swapped with
 * swap-using-move, then reverted, the same update with overwrite-only and
 * with swap-using-offset (test swap, revert), direct-xip (run in place,
 * revert) and ram-load (copied to the board's executable RAM; an image larger
 * than that RAM is reported, not run), on simulated flash with the chip's erase and program times.
 * Prints the flash time and the erase/write counts next to the algorithm's
 * minimum (swap-using-move: each of the image's sectors moved once and
 * swapped twice, 3 erases and 3 sector-sized programs per sector). One line
 * per boot; one loop over the table of strategies (modes[]).
 *
 *   swap-time [IMAGE_KIB]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/board_profile.h"
#include "dfukit/boot.h"

/* Bench-only validation: MCUboot header magic and sizes, no hash or signature. */
static int validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	uint8_t h[32];
	(void)ctx;
	if (flash_area_read(slot, 0, h, sizeof(h)) < 0) {
		return -EIO;
	}
	uint32_t magic =
		(uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
	if (magic != 0x96f3b83du) {
		return -ENOENT;
	}
	memset(out, 0, sizeof(*out));
	out->hdr_size = (uint32_t)(h[8] | h[9] << 8);
	out->img_size = (uint32_t)h[12] | (uint32_t)h[13] << 8 | (uint32_t)h[14] << 16 |
			(uint32_t)h[15] << 24;
	out->total_size = out->hdr_size + out->img_size + 4u;
	out->major = h[20];
	return 0;
}

/* load_addr != 0: an image for ram-load (imgtool --load-addr) */
static void put_image(const struct flash_area *fa, uint32_t total, uint8_t version, uint32_t wb,
		      uint32_t load_addr)
{
	uint32_t img = total - 0x200u - 4u, padded = (total + wb - 1) / wb * wb;
	uint8_t *buf = malloc(padded);
	memset(buf, 0xff, padded);
	for (uint32_t i = 0x200; i < total; i++) {
		buf[i] = (uint8_t)(i * 31u + version);
	}
	memset(buf, 0, 32);
	buf[0] = 0x3d, buf[1] = 0xb8, buf[2] = 0xf3, buf[3] = 0x96;
	buf[8] = 0x00, buf[9] = 0x02; /* hdr_size 0x200 */
	buf[12] = (uint8_t)img, buf[13] = (uint8_t)(img >> 8), buf[14] = (uint8_t)(img >> 16);
	buf[20] = version;
	if (load_addr != 0u) {
		buf[16] = 0x20; /* IMAGE_F_RAM_LOAD */
		for (int i = 0; i < 4; i++) {
			buf[4 + i] = (uint8_t)(load_addr >> (8 * i));
		}
	}
	buf[0x200 + img] = 0x07, buf[0x200 + img + 1] = 0x69, buf[0x200 + img + 2] = 4;
	buf[0x200 + img + 3] = 0;
	if (flash_area_write(fa, 0, buf, padded) < 0) {
		fprintf(stderr, "swap-time: cannot program the image\n");
		exit(1);
	}
	free(buf);
}

/*
 * The algorithms' minimum erases for a boot (step 0: the update's, step 1:
 * the revert's), from the sectors the image covers and those of a slot.
 */

/* each of the image's sectors moved once and swapped twice */
static uint32_t move_minimum(int step, uint32_t sectors, uint32_t slot_sectors)
{
	(void)step, (void)slot_sectors;
	return 3u * sectors;
}

/*
 * the image's sectors and the primary's trailer sector erased once, and the
 * secondary's header and trailer sectors erased to drop the request
 */
static uint32_t overwrite_minimum(int step, uint32_t sectors, uint32_t slot_sectors)
{
	(void)step, (void)slot_sectors;
	return sectors + 3u;
}

/*
 * one erase cycle per slot: each of the image's sectors erased once in each
 * slot, plus a trailer sector per slot (the revert also erases the
 * secondary's first sector)
 */
static uint32_t offset_minimum(int step, uint32_t sectors, uint32_t slot_sectors)
{
	(void)slot_sectors;
	return 2u * sectors + 2u + (uint32_t)step;
}

/* nothing is copied; the revert erases slot 1 whole (boot_select_or_erase()) */
static uint32_t xip_minimum(int step, uint32_t sectors, uint32_t slot_sectors)
{
	(void)sectors;
	return step == 0 ? 0u : slot_sectors;
}

/* nothing is erased or programmed: the image is only copied to RAM */
static uint32_t ram_load_minimum(int step, uint32_t sectors, uint32_t slot_sectors)
{
	(void)step, (void)sectors, (void)slot_sectors;
	return 0u;
}

/*
 * The update with each strategy: its boot, then (but for overwrite-only) the
 * revert, or for direct-xip the boot after the unconfirmed image, which
 * erases it and runs v1 from slot 0.
 */
static const struct mode {
	enum boot_mode mode;
	const char *names[2]; /* of the boots (NULL: no second) */
	int width;            /* of the names column */
	const char *fail;     /* what a failed boot reports */
	uint32_t (*minimum)(int step, uint32_t sectors, uint32_t slot_sectors);
} modes[] = {
	{BOOT_MODE_SWAP_MOVE, {"test swap", "revert"}, 9, "boot failed", move_minimum},
	{BOOT_MODE_OVERWRITE_ONLY,
	 {"overwrite", NULL},
	 9,
	 "overwrite-only failed",
	 overwrite_minimum},
	{BOOT_MODE_SWAP_OFFSET,
	 {"offset test", "offset revert"},
	 13,
	 "swap-using-offset failed",
	 offset_minimum},
	{BOOT_MODE_DIRECT_XIP, {"xip test", "xip revert"}, 13, "direct-xip failed", xip_minimum},
	{BOOT_MODE_RAM_LOAD,
	 {"ram-load", "ram-load again"},
	 14,
	 "ram-load failed",
	 ram_load_minimum},
};

/*
 * v1 in slot 0, v2 requested as a test in slot 1 (swap-using-offset: from
 * its sector 1; direct-xip: v1 confirmed and booted), then the boots, one
 * line each.
 */
static int mode_run(const struct board_profile *bp, uint8_t *mem, uint32_t kib,
		    const struct mode *m)
{
	struct flash_sim sim;
	struct flash_area s0, s1, upd;
	struct boot_result res;
	if (flash_sim_init(&sim, &bp->flash, mem, bp->flash.size, bp->sim_flags) < 0 ||
	    board_profile_slots(bp, &sim.dev, &s0, &s1) < 0 ||
	    boot_secondary_image_area(&s1, m->mode, &upd) < 0) {
		return -1;
	}
	flash_sim_format(&sim);
	uint32_t total = kib * 1024u;
	bool ram_load = m->mode == BOOT_MODE_RAM_LOAD;
	if (ram_load && total > bp->exec_ram_size) {
		printf("%-16s %3u KiB ram-load: does not fit in the %u KiB executable RAM\n",
		       bp->id, kib, (unsigned)(bp->exec_ram_size / 1024u));
		return 0;
	}
	uint32_t load = ram_load ? bp->exec_ram_addr : 0u;
	put_image(&s0, total, 1, bp->flash.write_block, load);
	put_image(&upd, total, 2, bp->flash.write_block, load);
	if (m->mode == BOOT_MODE_DIRECT_XIP) {
		boot_request_upgrade(&s0, true);
		boot_write_copy_done(&s0);
	}
	boot_request_upgrade(&upd, false);
	struct boot_config cfg = {
		.primary = &s0, .secondary = &s1, .validate = validate, .mode = m->mode};
	uint8_t *ram = ram_load ? malloc(bp->exec_ram_size) : NULL;
	cfg.ram = (struct boot_ram){ram, bp->exec_ram_addr, bp->exec_ram_size};
	uint32_t sectors = (total + bp->flash.sector_size - 1) / bp->flash.sector_size;
	uint32_t slot_sectors = s1.size / bp->flash.sector_size;
	for (int step = 0; step < 2 && m->names[step] != NULL; step++) {
		flash_sim_set_timing(&sim, &bp->timing, NULL, NULL);
		sim.sim_us = 0;
		sim.erases = sim.writes = 0;
		if (boot_go(&cfg, &res) < 0) {
			free(ram);
			return -1;
		}
		printf("%-16s %3u KiB %-*s: %6.2f s flash time, %4u erases (minimum %u), "
		       "%5u program operations, running v%u",
		       bp->id, kib, m->width, m->names[step], (double)sim.sim_us / 1e6,
		       (unsigned)sim.erases, m->minimum(step, sectors, slot_sectors),
		       (unsigned)sim.writes, res.image.major);
		if (m->mode == BOOT_MODE_DIRECT_XIP || ram_load) {
			printf(" from slot %u", (unsigned)res.slot);
		}
		if (ram_load) {
			printf(", %u bytes copied to RAM", (unsigned)res.load_size);
		}
		printf("\n");
	}
	free(ram);
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t kib = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 256u;
	for (const struct board_profile *const *p = board_profiles; *p; p++) {
		const struct board_profile *bp = *p;
		uint8_t *mem = malloc(bp->flash.size);
		if (mem == NULL) {
			fprintf(stderr, "swap-time: %s: set-up failed\n", bp->id);
			return 1;
		}
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			if (mode_run(bp, mem, kib, &modes[i]) < 0) {
				fprintf(stderr, "swap-time: %s: %s\n", bp->id, modes[i].fail);
				return 1;
			}
		}
		free(mem);
	}
	return 0;
}
