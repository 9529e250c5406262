/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The firmware's USB device controller, seen from here: the host half of
 * vudc_link (vudc_link.h) over the two FIFOs of the working directory, and
 * the usbip_dev_ops that let the USB/IP server drive it. Every read and
 * write waits in short polls so that a dead or hung QEMU ends the call
 * (-EPIPE, -ETIMEDOUT) instead of blocking the board forever.
 */
#ifndef DFUKIT_EMU_LINK_H
#define DFUKIT_EMU_LINK_H

#include <stdbool.h>

#include "dfukit/port/usbip.h"
#include "dfukit/port/vudc_link.h"
#include "qemu.h"

struct emu_link {
	int to_fw;   /* FIFO "in" */
	int from_fw; /* FIFO "out" */
	struct emu_qemu *qemu;
	int timeout_ms; /* longest wait for the firmware within one call */
	int last_err;   /* the stream's last error, for the log */
	struct vudc_link_host host;
};

/*
 * Open the FIFOs in dir (before QEMU starts: O_RDWR never waits for the
 * other end, and keeps each pipe alive while QEMU opens its ends).
 */
int emu_link_open(struct emu_link *l, const char *dir, struct emu_qemu *q, int timeout_ms);
void emu_link_close(struct emu_link *l);
/* Bytes from the firmware are waiting (an event it sent by itself). */
bool emu_link_readable(const struct emu_link *l);

/* The server's view of the device; dev is the struct emu_link. */
extern const struct usbip_dev_ops emu_link_usbip_ops;

#endif /* DFUKIT_EMU_LINK_H */
