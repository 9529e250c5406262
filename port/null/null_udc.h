/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Null ports for link-only firmware: a UDC whose operations do nothing and a
 * flash device whose operations do nothing. They exist so that a Cortex-M
 * image of the portable layers can be linked with --gc-sections and measured
 * (bench/size, apps/bootloader-cm) without a chip port. Nothing here runs on
 * hardware.
 *
 * The event source is a block of volatile "registers" in the port structure:
 * the compiler cannot predict what it reads, so every usbd_on_*() path stays
 * reachable and is kept by the linker, as a real port would keep it.
 */
#ifndef DFUKIT_NULL_UDC_H
#define DFUKIT_NULL_UDC_H

#include <stdint.h>

#include "dfukit/flash.h"
#include "dfukit/udc.h"
#include "dfukit/usbd.h"

enum null_udc_event {
	NULL_UDC_EV_NONE = 0,
	NULL_UDC_EV_RESET,
	NULL_UDC_EV_SETUP,
	NULL_UDC_EV_XFER,
	NULL_UDC_EV_SUSPEND,
	NULL_UDC_EV_RESUME,
};

/* What a controller's registers would hold; written by nobody. */
struct null_udc_regs {
	uint32_t event;
	uint32_t ep;
	uint32_t actual;
	uint8_t setup[8];
};

struct null_udc {
	volatile struct null_udc_regs *regs;
};

extern const struct udc_ops null_udc_ops;

/* Report the pending "hardware" event, if any, to dev. */
void null_udc_poll(struct null_udc *port, struct usbd_device *dev);

/* A flash device that reads erased bytes and accepts every write and erase. */
extern const struct flash_ops null_flash_ops;

#endif /* DFUKIT_NULL_UDC_H */
