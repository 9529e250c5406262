/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Swap cost per board profile: a 256 KiB image test-swapped with
 * swap-using-move, then reverted, the same update with overwrite-only and
 * with swap-using-offset (test swap, revert) and direct-xip (run in place,
 * revert),
 * on simulated flash with the chip's erase and program times. Prints the flash time and the erase/write counts next
 * to the algorithm's minimum (each of the image's sectors moved once and
 * swapped twice: 3 erases and 3 sector-sized programs per sector).
 *
 *   swap-time [IMAGE_KIB]
 */
#include <errno.h>
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

static void put_image(const struct flash_area *fa, uint32_t total, uint8_t version, uint32_t wb)
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
	buf[0x200 + img] = 0x07, buf[0x200 + img + 1] = 0x69, buf[0x200 + img + 2] = 4;
	buf[0x200 + img + 3] = 0;
	if (flash_area_write(fa, 0, buf, padded) < 0) {
		fprintf(stderr, "swap-time: cannot program the image\n");
		exit(1);
	}
	free(buf);
}

/*
 * The same update with overwrite-only: the minimum is the image's sectors and
 * the trailer sector of the primary erased once, and the secondary's header
 * and trailer sectors erased to drop the request.
 */
static int overwrite_run(const struct board_profile *bp, uint8_t *mem, uint32_t kib)
{
	struct flash_sim sim;
	struct flash_area s0, s1;
	struct boot_result res;
	if (flash_sim_init(&sim, &bp->flash, mem, bp->flash.size, bp->sim_flags) < 0 ||
	    board_profile_slots(bp, &sim.dev, &s0, &s1) < 0) {
		return -1;
	}
	flash_sim_format(&sim);
	uint32_t total = kib * 1024u;
	put_image(&s0, total, 1, bp->flash.write_block);
	put_image(&s1, total, 2, bp->flash.write_block);
	boot_request_upgrade(&s1, false);
	struct boot_config cfg = {.primary = &s0,
				  .secondary = &s1,
				  .validate = validate,
				  .mode = BOOT_MODE_OVERWRITE_ONLY};
	flash_sim_set_timing(&sim, &bp->timing, NULL, NULL);
	sim.sim_us = 0;
	sim.erases = sim.writes = 0;
	if (boot_go(&cfg, &res) < 0) {
		return -1;
	}
	uint32_t sectors = (total + bp->flash.sector_size - 1) / bp->flash.sector_size;
	printf("%-16s %3u KiB %-9s: %6.2f s flash time, %4u erases (minimum %u), "
	       "%5u program operations, running v%u\n",
	       bp->id, kib, "overwrite", (double)sim.sim_us / 1e6, (unsigned)sim.erases,
	       sectors + 3u, (unsigned)sim.writes, res.image.major);
	return 0;
}

/*
 * The same update with swap-using-offset (the update from sector 1 of slot
 * 1), test swap then revert. The algorithm's minimum is one erase cycle per
 * slot: each of the image's sectors erased once in each slot, plus a trailer
 * sector per slot (the revert also erases the secondary's first sector).
 */
static int offset_run(const struct board_profile *bp, uint8_t *mem, uint32_t kib)
{
	struct flash_sim sim;
	struct flash_area s0, s1, upd;
	struct boot_result res;
	if (flash_sim_init(&sim, &bp->flash, mem, bp->flash.size, bp->sim_flags) < 0 ||
	    board_profile_slots(bp, &sim.dev, &s0, &s1) < 0 ||
	    boot_secondary_image_area(&s1, BOOT_MODE_SWAP_OFFSET, &upd) < 0) {
		return -1;
	}
	flash_sim_format(&sim);
	uint32_t total = kib * 1024u;
	put_image(&s0, total, 1, bp->flash.write_block);
	put_image(&upd, total, 2, bp->flash.write_block);
	boot_request_upgrade(&upd, false);
	struct boot_config cfg = {.primary = &s0,
				  .secondary = &s1,
				  .validate = validate,
				  .mode = BOOT_MODE_SWAP_OFFSET};
	const char *names[] = {"offset test", "offset revert"};
	uint32_t sectors = (total + bp->flash.sector_size - 1) / bp->flash.sector_size;
	for (int step = 0; step < 2; step++) {
		flash_sim_set_timing(&sim, &bp->timing, NULL, NULL);
		sim.sim_us = 0;
		sim.erases = sim.writes = 0;
		if (boot_go(&cfg, &res) < 0) {
			return -1;
		}
		printf("%-16s %3u KiB %-13s: %6.2f s flash time, %4u erases (minimum %u), "
		       "%5u program operations, running v%u\n",
		       bp->id, kib, names[step], (double)sim.sim_us / 1e6, (unsigned)sim.erases,
		       2u * sectors + 2u + (unsigned)step, (unsigned)sim.writes, res.image.major);
	}
	return 0;
}

/*
 * The same update with direct-xip with revert: v2 runs from slot 1 in place
 * (one program: copy_done), and the boot after it, unconfirmed, erases slot 1
 * whole as MCUboot's boot_select_or_erase() does (its minimum: the slot's
 * sectors) and runs v1 from slot 0. Nothing is copied.
 */
static int xip_run(const struct board_profile *bp, uint8_t *mem, uint32_t kib)
{
	struct flash_sim sim;
	struct flash_area s0, s1;
	struct boot_result res;
	if (flash_sim_init(&sim, &bp->flash, mem, bp->flash.size, bp->sim_flags) < 0 ||
	    board_profile_slots(bp, &sim.dev, &s0, &s1) < 0) {
		return -1;
	}
	flash_sim_format(&sim);
	uint32_t total = kib * 1024u;
	put_image(&s0, total, 1, bp->flash.write_block);
	put_image(&s1, total, 2, bp->flash.write_block);
	boot_request_upgrade(&s0, true);
	boot_write_copy_done(&s0);
	boot_request_upgrade(&s1, false);
	struct boot_config cfg = {.primary = &s0,
				  .secondary = &s1,
				  .validate = validate,
				  .mode = BOOT_MODE_DIRECT_XIP};
	const char *names[] = {"xip test", "xip revert"};
	uint32_t slot_sectors = s1.size / bp->flash.sector_size;
	for (int step = 0; step < 2; step++) {
		flash_sim_set_timing(&sim, &bp->timing, NULL, NULL);
		sim.sim_us = 0;
		sim.erases = sim.writes = 0;
		if (boot_go(&cfg, &res) < 0) {
			return -1;
		}
		printf("%-16s %3u KiB %-13s: %6.2f s flash time, %4u erases (minimum %u), "
		       "%5u program operations, running v%u from slot %u\n",
		       bp->id, kib, names[step], (double)sim.sim_us / 1e6, (unsigned)sim.erases,
		       step == 0 ? 0u : slot_sectors, (unsigned)sim.writes, res.image.major,
		       (unsigned)res.slot);
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t kib = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 256u;
	for (const struct board_profile *const *p = board_profiles; *p; p++) {
		const struct board_profile *bp = *p;
		uint8_t *mem = malloc(bp->flash.size);
		struct flash_sim sim;
		struct flash_area s0, s1;
		struct boot_result res;
		if (mem == NULL ||
		    flash_sim_init(&sim, &bp->flash, mem, bp->flash.size, bp->sim_flags) < 0 ||
		    board_profile_slots(bp, &sim.dev, &s0, &s1) < 0) {
			fprintf(stderr, "swap-time: %s: set-up failed\n", bp->id);
			return 1;
		}
		flash_sim_format(&sim);
		uint32_t total = kib * 1024u;
		put_image(&s0, total, 1, bp->flash.write_block);
		put_image(&s1, total, 2, bp->flash.write_block);
		boot_request_upgrade(&s1, false);
		struct boot_config cfg = {.primary = &s0, .secondary = &s1, .validate = validate};
		const char *names[] = {"test swap", "revert"};
		for (int step = 0; step < 2; step++) {
			flash_sim_set_timing(&sim, &bp->timing, NULL, NULL);
			sim.sim_us = 0;
			sim.erases = sim.writes = 0;
			if (boot_go(&cfg, &res) < 0) {
				fprintf(stderr, "swap-time: %s: boot failed\n", bp->id);
				return 1;
			}
			uint32_t sectors =
				(total + bp->flash.sector_size - 1) / bp->flash.sector_size;
			printf("%-16s %3u KiB %-9s: %6.2f s flash time, %4u erases (minimum %u), "
			       "%5u program operations, running v%u\n",
			       bp->id, kib, names[step], (double)sim.sim_us / 1e6,
			       (unsigned)sim.erases, 3u * sectors, (unsigned)sim.writes,
			       res.image.major);
		}
		if (overwrite_run(bp, mem, kib) < 0) {
			fprintf(stderr, "swap-time: %s: overwrite-only failed\n", bp->id);
			return 1;
		}
		if (offset_run(bp, mem, kib) < 0) {
			fprintf(stderr, "swap-time: %s: swap-using-offset failed\n", bp->id);
			return 1;
		}
		if (xip_run(bp, mem, kib) < 0) {
			fprintf(stderr, "swap-time: %s: direct-xip failed\n", bp->id);
			return 1;
		}
		free(mem);
	}
	return 0;
}
