/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated board's flash: NOR rules enforced by the portable flash
 * simulation (flash_sim) on the memory the board loaded the flash file into,
 * and every accepted program or erase written through to that file with
 * semihosting, so that it survives a reset or a power cut (QEMU killed) as a
 * chip's flash does. The board names the file on the command line:
 * "flash=PATH" (and "flash-offset=N" if the image starts N bytes in).
 *
 * For power-cut tests the board may add "cut-at=N" (and "cut-tear=0|1|2",
 * enum flash_sim_tear): flash operation N since reset tears as flash_sim
 * tears it, the file gets what the tear left, and the machine stops at once
 * with MPS2_EXIT_POWER_CUT, as a chip that lost power in the middle of it.
 */
#ifndef DFUKIT_FLASH_MPS2_H
#define DFUKIT_FLASH_MPS2_H

#include <stdint.h>

#include "dfukit/board_profile.h"
#include "dfukit/flash.h"

struct mps2_flash {
	struct flash_sim sim;
	/* Hand &dev to users: the simulation plus the write-through. */
	struct flash_dev dev;
	int fd;
	uint32_t file_offset;
};

/* 0, or -ENOENT (no flash= argument or no such file), -EINVAL, -EIO. */
int mps2_flash_open(struct mps2_flash *f, const struct board_profile *bp);

#endif /* DFUKIT_FLASH_MPS2_H */
