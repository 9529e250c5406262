/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flash-area DFU backend (e.g. the seed's SLOT-1). A download first erases
 * the area's last sector, where an MCUboot trailer (an upgrade request) of an
 * earlier image would live, then streams in sector by sector: each sector is
 * erased just before the first byte lands in it. An aborted download thus
 * leaves no upgrade request behind and never touches flash outside the area. Partial write blocks are
 * carried over to the next DFU block and padded with the erased value at the
 * end. Uploads read the area back.
 *
 * With a staging buffer (dfu_flash_set_staging) the backend double-buffers:
 * the flash programs block N from the staging buffer while the host already
 * sends block N+1 into the class's buffer, where it waits (pending) until
 * the flash is free. The host then waits only for the flash, not for the
 * flash and its own transfer in turn. Without one, each block is programmed
 * from the class's buffer and the host waits until it is done. Either way a
 * power cut loses only blocks still in RAM: the upgrade request is
 * on_complete's, after every block has gone to the flash.
 */
#ifndef DFUKIT_DFU_FLASH_H
#define DFUKIT_DFU_FLASH_H

#include <stdbool.h>
#include <stdint.h>

#include "dfukit/dfu.h"
#include "dfukit/flash.h"

#define DFU_FLASH_MAX_WRITE_BLOCK 32u
#define DFU_FLASH_END_OF_IMAGE    1 /* on_progress: see struct dfu_flash */

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
	uint32_t received;    /* bytes of the download so far */
	uint32_t erased_end;  /* area offset up to which sectors were erased */
	uint32_t tail_sector; /* the last sector (the trailer's), erased at begin */
	uint8_t carry[DFU_FLASH_MAX_WRITE_BLOCK];
	uint8_t carry_len;
	const struct dfu_flash_timing *timing; /* NULL: flash operations are instant */
	uint64_t cost_us;  /* flash time of the operations issued for this block */
	uint64_t ready_at; /* when the flash is done with them (timing->now_us clock) */
	uint8_t *staging;  /* NULL: no double-buffering (dfu_flash_set_staging) */
	uint32_t staging_len;
	const uint8_t *pending; /* a block waiting in the class's buffer for the flash */
	uint16_t pending_len;   /* 0: none; its offset is received - pending_len */
	bool hold; /* poll() waits for the flash: unstaged, last block or manifestation */
	int error; /* of a block dfu_flash_service() started, for the next poll() */
	/* Called once all bytes are in flash; a negative errno fails the download. */
	int (*on_complete)(void *ctx, uint32_t total);
	/*
	 * Optional: called after each block with the bytes received so far; a
	 * negative errno fails the download at this block (e.g. an image found
	 * bad as soon as its last byte arrived, while the host still listens).
	 * DFU_FLASH_END_OF_IMAGE says no more blocks are due (e.g. the image's
	 * last byte arrived): with staging, the host then waits in dfuDNBUSY
	 * until this block is programmed, so that manifestation finds the flash
	 * idle (dfu-util sleeps a whole second whenever it sees dfuMANIFEST).
	 * More blocks may still follow; they are taken as usual.
	 */
	int (*on_progress)(void *ctx, uint32_t received);
	void *ctx;
};

extern const struct dfu_backend_ops dfu_flash_ops;

/*
 * Read bytes of the download in progress, wherever they are now: in flash,
 * in the carry buffer or in a block still pending in the class's buffer.
 * -ENODATA beyond what has been received.
 */
int dfu_flash_read_received(const struct dfu_flash *df, uint32_t off, void *buf, uint32_t len);

/* -EINVAL if the area's write block is larger than DFU_FLASH_MAX_WRITE_BLOCK. */
int dfu_flash_init(struct dfu_flash *df, const struct flash_area *area,
		   int (*on_complete)(void *ctx, uint32_t total), void *ctx);

/*
 * Double-buffer through buf (caller-owned, e.g. wTransferSize bytes of the
 * application's RAM; NULL, 0 turns it off). Blocks larger than len are
 * programmed unstaged. Call it before a download, not during one.
 * -EINVAL if exactly one of buf and len is NULL/0.
 */
int dfu_flash_set_staging(struct dfu_flash *df, uint8_t *buf, uint32_t len);

/*
 * Optional, with staging and timing: start a pending block as soon as the
 * flash is free, as a flash-done interrupt would, rather than at the host's
 * next GETSTATUS (which comes up to a millisecond of bwPollTimeout rounding
 * and a round trip later). Call it from the context that runs the USB stack
 * (e.g. the main loop, never from an interrupt). Returns the time on
 * timing->now_us's clock at which to call it again, or 0 when nothing waits.
 */
uint64_t dfu_flash_service(struct dfu_flash *df);

#endif /* DFUKIT_DFU_FLASH_H */
