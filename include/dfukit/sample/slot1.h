/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DFU sample's SLOT-1 alternate, shared by the host-native and the
 * Cortex-M sample: the flash backend (dfu_flash.h) on slot 1, the image
 * checked as soon as its last byte has arrived (so a bad image fails the
 * download while dfu-util still watches the status), and, once the download
 * is complete, the MCUboot upgrade request (a test swap unless the image
 * carries its own permanent request). Logs through board_log.h.
 */
#ifndef DFUKIT_SAMPLE_SLOT1_H
#define DFUKIT_SAMPLE_SLOT1_H

#include "dfukit/dfu.h"
#include "dfukit/dfu_flash.h"
#include "dfukit/flash.h"

struct sample_slot1 {
	struct dfu_flash backend;
	struct dfu_backend_ops ops;
	const struct flash_area *slot;
	int verdict; /* 1 not decided yet, 0 good, <0 refused */
	/* Optional: make what was written durable (the host board's mapped file). */
	void (*sync)(void *ctx);
	void *sync_ctx;
};

/* Set up the backend on slot; staging (may be NULL) double-buffers the flash. */
int sample_slot1_init(struct sample_slot1 *s, const struct flash_area *slot, uint8_t *staging,
		      uint32_t staging_len);
static inline struct dfu_alt sample_slot1_alt(struct sample_slot1 *s)
{
	struct dfu_alt a = {&s->ops, &s->backend};
	return a;
}
/* Validate the image in the slot and request the swap; what says why (for the log). */
int sample_slot1_request_swap(struct sample_slot1 *s, const char *what);

#endif /* DFUKIT_SAMPLE_SLOT1_H */
