/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flash-area DFU backend (e.g. the seed's SLOT-1). A download first erases
 * the area's last sector, where an MCUboot trailer (an upgrade request) of an
 * earlier image would live, then streams in sector by sector: each sector is
 * erased just before the first byte lands in it. An aborted download thus
 * leaves no upgrade request behind and never touches flash outside the area. Partial write blocks are
 * carried over to the next DFU block and padded with the erased value at the
 * end. Uploads read the area back.
 */
#ifndef DFUKIT_DFU_FLASH_H
#define DFUKIT_DFU_FLASH_H

#include <stdint.h>

#include "dfukit/dfu.h"
#include "dfukit/flash.h"

#define DFU_FLASH_MAX_WRITE_BLOCK 32u

/*
 * Optional timing model: the flash works in the background at the given
 * speed, and the DFU class reports the time still needed as bwPollTimeout
 * (dfuDNBUSY) instead of stalling the control pipe while it erases.
 */
struct dfu_flash_timing {
	uint64_t (*now_us)(void *ctx); /* a monotonic clock */
	void *ctx;
	uint32_t erase_us; /* per sector */
	uint32_t write_us; /* per write block */
};

struct dfu_flash {
	const struct flash_area *area;
	uint32_t received;   /* bytes of the download so far */
	uint32_t erased_end; /* area offset up to which sectors were erased */
	uint32_t tail_sector; /* the last sector (the trailer's), erased at begin */
	uint8_t carry[DFU_FLASH_MAX_WRITE_BLOCK];
	uint8_t carry_len;
	const struct dfu_flash_timing *timing; /* NULL: flash operations are instant */
	uint64_t cost_us;  /* flash time of the operations issued for this block */
	uint64_t ready_at; /* when the flash is done with them (timing->now_us clock) */
	/* Called once all bytes are in flash; a negative errno fails the download. */
	int (*on_complete)(void *ctx, uint32_t total);
	/*
	 * Optional: called after each block with the bytes received so far; a
	 * negative errno fails the download at this block (e.g. an image found
	 * bad as soon as its last byte arrived, while the host still listens).
	 */
	int (*on_progress)(void *ctx, uint32_t received);
	void *ctx;
};

extern const struct dfu_backend_ops dfu_flash_ops;

/*
 * Read bytes of the download in progress, wherever they are now: in flash
 * or still in the carry buffer. -ENODATA beyond what has been received.
 */
int dfu_flash_read_received(const struct dfu_flash *df, uint32_t off, void *buf, uint32_t len);

/* -EINVAL if the area's write block is larger than DFU_FLASH_MAX_WRITE_BLOCK. */
int dfu_flash_init(struct dfu_flash *df, const struct flash_area *area,
		   int (*on_complete)(void *ctx, uint32_t total), void *ctx);

#endif /* DFUKIT_DFU_FLASH_H */
