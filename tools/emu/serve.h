/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One power-on of the emulated board: QEMU runs the firmware while the
 * USB/IP server exports whatever device the firmware puts on the bus
 * (vudc_link events), until QEMU ends or the run is stopped.
 */
#ifndef DFUKIT_EMU_SERVE_H
#define DFUKIT_EMU_SERVE_H

#include <signal.h>
#include <stdbool.h>

#include "dfukit/port/usbip.h"
#include "link.h"
#include "qemu.h"

enum emu_end {
	EMU_END_QEMU = 0,     /* QEMU ended by itself: qemu.status */
	EMU_END_STOP = 1,     /* *stop was set (a signal): QEMU killed */
	EMU_END_HUB_GONE = 2, /* the board closed the hand-off socket: QEMU killed */
	EMU_END_LINK = 3,     /* the USB link failed with QEMU alive (link.last_err): killed */
};

struct emu_session {
	struct usbip_server *srv;
	const char *busid;
	const struct emu_qemu_config *cfg;
	int link_timeout_ms;
	volatile sig_atomic_t *stop;
	struct emu_link link;
	struct emu_qemu qemu;
	bool exported; /* busid is on the USB/IP server */
};

/* Start QEMU and serve until it ends: an enum emu_end, or a negative errno if it cannot start. */
int emu_session_run(struct emu_session *s);

#endif /* DFUKIT_EMU_SERVE_H */
