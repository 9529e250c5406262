/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test's side of a virtual board: what tools/board does for one board
 * (flash file, environment, hand-off socketpair, console pipe, reset by
 * SIGKILL), small enough to watch dfukit-emu closely.
 */
#ifndef DFUKIT_TESTS_EMU_HARNESS_H
#define DFUKIT_TESTS_EMU_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "dfukit/board_profile.h"
#include "usbip_client.h"

#define EMU_HARNESS_CONSOLE_MAX (512u * 1024u)

struct emu_harness {
	pid_t emu;   /* dfukit-emu, -1 once reaped */
	int hub;     /* our end of the hand-off socketpair */
	int console; /* read end of dfukit-emu's stdout/stderr */
	size_t console_len;
	char console_text[EMU_HARNESS_CONSOLE_MAX];
};

/*
 * Make WORK_DIR/flash (erased, the signed DFU sample of firmware_dir in slot
 * 0) and start dfukit-emu on it with the board's environment. 0 or -errno.
 */
int emu_harness_start(struct emu_harness *h, const char *emu, const char *firmware_dir,
		      const struct board_profile *bp, const char *work_dir, const char *busid,
		      const char *serial);
/* The USB/IP server's USBIP_HANDOFF_READY byte. 0 or -ETIMEDOUT / -EPIPE. */
int emu_harness_wait_ready(struct emu_harness *h, int timeout_ms);
/* text on the console (since the start). 0 or -ETIMEDOUT / -EPIPE (dfukit-emu ended). */
int emu_harness_wait_console(struct emu_harness *h, const char *text, int timeout_ms);
/*
 * Hand a new connection to the server and import busid; if retry, until the
 * device is exported (up to 20 s). 0, or what usbip_client_import returned.
 */
int emu_harness_import(struct emu_harness *h, struct usbip_client *c, const char *busid,
		       bool retry);
/* SIGKILL dfukit-emu, as the board's reset does: 0 if its QEMU is gone within 3 s. */
int emu_harness_kill(struct emu_harness *h);
/* The console so far, on stderr. */
void emu_harness_dump_console(struct emu_harness *h);

#endif /* DFUKIT_TESTS_EMU_HARNESS_H */
